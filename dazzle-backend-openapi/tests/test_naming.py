"""Names the document invents: plurals, URL segments, operationIds, pointers."""

from __future__ import annotations

import pytest
from dazzle_backend_openapi.naming import (
    NameAllocator,
    camel,
    component_ref,
    kebab,
    pascal,
    plural_kebab,
    plural_pascal,
    split_words,
)


@pytest.mark.parametrize(
    ("name", "plural"),
    [
        ("Category", "categories"),
        ("Status", "statuses"),
        ("Person", "people"),
        ("People", "people"),
        ("Box", "boxes"),
        ("Address", "addresses"),
        ("Match", "matches"),
        ("Wish", "wishes"),
        ("Day", "days"),
        ("Key", "keys"),
        ("Quiz", "quizzes"),
        ("Analysis", "analyses"),
        ("Leaf", "leaves"),
        ("Roof", "roofs"),
        ("Hero", "heroes"),
        ("Photo", "photos"),
        ("Child", "children"),
        ("Data", "data"),
        ("Series", "series"),
        ("Settings", "settings"),
        ("Bus", "buses"),
        ("Alias", "aliases"),
        ("LedgerTransaction", "ledger-transactions"),
        ("ticket_category", "ticket-categories"),
        ("HTTPRequest", "http-requests"),
        ("M0Entity12", "m0-entity12s"),
    ],
)
def test_plurals(name: str, plural: str) -> None:
    assert plural_kebab(name) == plural


def test_cases() -> None:
    assert split_words("HTTPRequest") == ["HTTP", "Request"]
    assert split_words("ticket_detail") == ["ticket", "detail"]
    assert kebab("TicketDetail") == kebab("ticket_detail") == "ticket-detail"
    assert pascal("ticket_detail") == "TicketDetail"
    assert pascal("HTTPRequest") == "HTTPRequest"
    assert plural_pascal("Category") == "Categories"
    assert plural_pascal("FAQ") == "FAQs"
    assert plural_pascal("Person") == "People"
    assert camel("ticket_detail", "assign_to_me") == "ticketDetailAssignToMe"
    assert kebab("_") == "_"


def test_allocator() -> None:
    names = NameAllocator(("Ticket",))
    assert names.claim("Problem") == "Problem"
    assert names.claim("Ticket") == "Ticket2"
    assert names.claim("Ticket") == "Ticket3"
    paths = NameAllocator(sep="-")
    assert [paths.claim("people"), paths.claim("people")] == ["people", "people-2"]


def test_component_refs_escape_json_pointer_tokens() -> None:
    assert component_ref("schemas", "Ticket") == "#/components/schemas/Ticket"
    assert component_ref("schemas", "a/b~c") == "#/components/schemas/a~1b~0c"
