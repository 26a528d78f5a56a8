"""The two functions every name and every piece of user text goes through."""

from __future__ import annotations

import pytest
from dazzle_backend_prisma.escaping import doc_comment, line_comment, string_literal
from dazzle_backend_prisma.naming import RESERVED_TYPE_NAMES, name_problem, numbered, prisma_name


@pytest.mark.parametrize(
    ("name", "model", "field"),
    [
        ("ticket", "Ticket", "ticket"),
        ("Ticket", "Ticket", "ticket"),
        ("ticket_item", "TicketItem", "ticketItem"),
        ("created_at", "CreatedAt", "createdAt"),
        ("createdAt", "CreatedAt", "createdAt"),
        ("LedgerTransaction", "LedgerTransaction", "ledgerTransaction"),
        ("HTTPStatus", "HTTPStatus", "httpStatus"),
        ("URL", "URL", "url"),
        ("ID2x", "ID2x", "id2x"),
        ("a_1", "A1", "a1"),
        ("_secret", "Secret", "secret"),
        ("trailing_", "Trailing", "trailing"),
        ("double__under", "DoubleUnder", "doubleUnder"),
        ("x", "X", "x"),
        ("_", "", ""),
        ("_1st", "1st", "1st"),
    ],
)
def test_prisma_style(name, model, field):
    assert prisma_name(name, "type", "prisma") == model
    assert prisma_name(name, "field", "prisma") == field


def test_preserve_style_changes_nothing():
    for name in ("ticket_item", "HTTPStatus", "_secret", "class"):
        assert prisma_name(name, "type", "preserve") == name
        assert prisma_name(name, "field", "preserve") == name


def test_problems():
    assert name_problem("Ticket", "type") is None
    assert name_problem("class", "field") is None  # fields may be called anything valid
    assert "reserves" in name_problem("class", "type")
    assert "reserves" in name_problem("DateTime", "type")
    assert "reserves" in name_problem("PrismaClient", "type")
    for bad in ("", "_x", "1st"):
        assert "must start with a letter" in name_problem(bad, "field")
    assert {
        "String",
        "Int",
        "Float",
        "Boolean",
        "DateTime",
        "Json",
        "Bytes",
        "Decimal",
        "BigInt",
    } <= RESERVED_TYPE_NAMES


def test_numbered():
    assert [numbered("author_id", n) for n in (1, 2, 3)] == ["author_id", "author_id_2", "author_id_3"]


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("plain", '"plain"'),
        ('say "hi"', r'"say \"hi\""'),
        ("back\\slash", r'"back\\slash"'),
        ("tab\there", r'"tab\there"'),
        ("line\nbreak\r", r'"line\nbreak\r"'),
        ("nul\x00 bell\x07 esc\x1b del\x7f", r'"nul\u0000 bell\u0007 esc\u001b del\u007f"'),
        ("ünïcödé 🎫 中文 \u2028", '"ünïcödé 🎫 中文 \u2028"'),
        ("", '""'),
    ],
)
def test_string_literal(text, literal):
    assert string_literal(text) == literal


def test_doc_comment_keeps_the_text_exactly():
    assert doc_comment("Support Ticket") == ("/// Support Ticket",)
    assert doc_comment("  spaced  \t ünï 🎫 ") == ("///   spaced  \t ünï 🎫 ",)
    assert doc_comment("") == ("/// ",)
    assert doc_comment("two\nlines\r\nthree\rfour") == ("/// two", "/// lines", "/// three", "/// four")


def test_line_comment():
    assert line_comment("a\n  b\n") == ("// a", "//   b", "//")
