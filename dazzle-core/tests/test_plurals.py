"""``dazzle.backends.plural``: the one English plural every backend uses."""

import re

import pytest
from dazzle.backends import plural
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ticket", "Tickets"),
        ("ticket_item", "ticket_items"),
        ("ticket_category", "ticket_categories"),
        ("LedgerTransaction", "LedgerTransactions"),
        ("Company", "Companies"),
        ("Day", "Days"),
        ("Address", "Addresses"),
        ("Box", "Boxes"),
        ("Branch", "Branches"),
        ("Wish", "Wishes"),
        ("Bus", "Buses"),
        ("Alias", "Aliases"),
        ("Analysis", "Analyses"),
        ("Quiz", "Quizzes"),
        ("Hero", "Heroes"),
        ("Photo", "Photos"),
        ("Person", "People"),
        ("SalesPerson", "SalesPeople"),
        ("sales_person", "sales_people"),
        ("child", "children"),
        ("Child", "Children"),
        ("Data", "Data"),
        ("Series", "Series"),
        ("Settings", "Settings"),
        ("FAQ", "FAQs"),
        ("HTTPRequest", "HTTPRequests"),
        ("X9", "X9s"),
        ("M0Entity12", "M0Entity12s"),
        ("x_", "x_s"),
        ("_", "_s"),
    ],
)
def test_plural(name: str, expected: str) -> None:
    assert plural(name) == expected
    assert plural(expected) == expected  # a plural is left as it is


IDENTIFIER = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,30}", fullmatch=True)
WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|_")


@settings(derandomize=True, deadline=None, max_examples=300)
@given(IDENTIFIER)
def test_plural_changes_only_the_last_word(name: str) -> None:
    result = plural(name)
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", result)
    # Everything up to the last word boundary is kept as written.
    boundaries = [m.start() for m in WORD_START.finditer(name)]
    head = name[: boundaries[-1]] if boundaries else ""
    assert result.startswith(head)
    assert len(result) > len(head)
