"""The helpers every backend author would otherwise rewrite: references to an
entity, the declarations of a module, a literal written back as DSL text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from dazzle.core import ir
from dazzle.testing import compile_dsl, load_example
from hypothesis import given
from hypothesis import strategies as st

HELPDESK = load_example("helpdesk").appspec


def names(references):
    return [(r.entity.name, r.field.name) for r in references]


def test_references_to_an_entity_in_declaration_order():
    assert names(HELPDESK.references_to("Person")) == [
        ("Ticket", "reporter"),
        ("Ticket", "assignee"),
        ("Ticket", "watcher"),
        ("Reply", "author"),
        ("Person", "manager"),
    ]
    assert [e.name for e in HELPDESK.referring_entities("Person")] == ["Ticket", "Reply", "Person"]
    assert HELPDESK.references_to("Invoice") == ()
    assert HELPDESK.references_to("NoSuchEntity") == ()
    reference = HELPDESK.references_to("Ticket")[0]
    assert reference.entity is HELPDESK.get_entity("Reply")
    assert reference.field is HELPDESK.get_entity("Reply").get_field("ticket")


def test_every_ref_field_is_found_once():
    for example in ("helpdesk", "bookshop"):
        appspec = load_example(example).appspec
        expected = sorted(
            (entity.name, field.name)
            for entity in appspec.entities
            for field in entity.fields
            if field.type.kind == "ref"
        )
        found = sorted(pair for e in appspec.entities for pair in names(appspec.references_to(e.name)))
        assert found == expected


def test_declarations_of_a_module():
    billing = HELPDESK.declarations_in("helpdesk.billing")
    assert billing.module is HELPDESK.get_module("helpdesk.billing")
    assert [e.name for e in billing.entities] == ["Invoice"]
    assert [s.name for s in billing.surfaces] == ["invoice_list"]
    every = [HELPDESK.declarations_in(m.name) for m in HELPDESK.modules]
    for kind in ("entities", "surfaces", "experiences", "services", "foreign_models", "integrations"):
        assert sorted(d.name for m in every for d in getattr(m, kind)) == sorted(
            d.name for d in getattr(HELPDESK, kind)
        ), kind
    with pytest.raises(KeyError, match=r"no module named 'helpdesk\.nope'; the modules are: helpdesk\.billing, "):
        HELPDESK.declarations_in("helpdesk.nope")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-3, "-3"),
        (Decimal("12.50"), "12.50"),
        (Decimal("-0.5"), "-0.5"),
        (Decimal(100), "100.0"),
        (Decimal("1E+2"), "100.0"),
        ("open", '"open"'),
        ('say "hi" \\o/ # not a comment', r'"say \"hi\" \\o/ # not a comment"'),
        ("true", '"true"'),
        ("", '""'),
    ],
)
def test_literal_to_dsl(value, text):
    assert ir.literal_to_dsl(value) == text


@pytest.mark.parametrize("value", ["two\nlines", "cr\r", Decimal("NaN"), Decimal("Infinity"), 1.5, None, b"x"])
def test_what_the_dsl_cannot_write_is_a_value_error(value):
    with pytest.raises(ValueError):
        ir.literal_to_dsl(value)


def option_from_dsl(text: str) -> ir.Literal:
    appspec = compile_dsl(
        f"""
        app a "A"

        entity E "E":
          id: int pk

        surface s "S":
          uses entity E
          mode: view
          section main "Main":
            field id "Id" k={text}
        """
    )
    return appspec.surfaces[0].sections[0].elements[0].options["k"]


LITERALS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=30),
)


@given(LITERALS | st.sampled_from(["tab\there", "\x0b\x0c\x1c\x85\u2028 are not line breaks in DSL"]))
def test_a_literal_reads_back_as_itself(value):
    text = ir.literal_to_dsl(value)
    back = option_from_dsl(text)
    assert type(back) is type(value)
    assert back == value
    if isinstance(value, Decimal):
        assert ir.literal_to_dsl(back) == text
