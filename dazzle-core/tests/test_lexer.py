"""The lexer's own records: the tokens a cursor reads and the blocks of lines."""

from __future__ import annotations

import pytest
from dazzle.core.lexer import BAD, NAME, NUMBER, OP, STRING, Cursor, Token, build_blocks


def tokens_of(text: str) -> list[Token]:
    (line,) = build_blocks(text, "t.dsl", [])
    cur = Cursor(line, "t.dsl")
    out = []
    while not cur.at_end():
        out.append(cur.skip())
    return out


LINE = 'due: decimal(5,4) = -0.25 "a \\"b\\"" <-> @'


def test_a_token_is_a_record_of_its_kind_text_column_and_end():
    assert tokens_of(LINE) == [
        Token(NAME, "due", 1, 3),
        Token(OP, ":", 4, 5),
        Token(NAME, "decimal", 6, 12),
        Token(OP, "(", 13, 13),
        Token(NUMBER, "5", 14, 14),
        Token(OP, ",", 15, 15),
        Token(NUMBER, "4", 16, 16),
        Token(OP, ")", 17, 18),
        Token(OP, "=", 19, 20),
        Token(NUMBER, "-0.25", 21, 26),
        Token(STRING, 'a "b"', 27, 36),  # decoded
        Token(OP, "<->", 37, 40),
        Token(BAD, "@", 41, 41),
    ]


def test_the_tokens_of_a_line_cover_it_each_with_the_spaces_after_it():
    assert "".join(LINE[tok.column - 1 : tok.end] for tok in tokens_of(LINE)) == LINE


def test_the_taking_methods_give_the_same_tokens_as_skip():
    (line,) = build_blocks('entity A "Title" :', "t.dsl", [])
    cur = Cursor(line, "t.dsl")
    assert cur.word("entity") == Token(NAME, "entity", 1, 7)
    assert cur.name() == Token(NAME, "A", 8, 9)
    assert cur.string() == Token(STRING, "Title", 10, 17)
    assert cur.op(":") == Token(OP, ":", 18, 18)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a:\r\n  b\r\nc\r\n", [(1, "a:"), (2, "b"), (3, "c")]),
        ("a\r\nb\r", [(1, "a"), (2, "b")]),  # the last line's CR, with no LF after it
        ("a\r\r\nb", [(1, "a\r"), (2, "b")]),  # one CR ends the line; the other is part of it
        ("a\rb\n", [(1, "a\rb")]),  # a lone CR is not a line end
    ],
)
def test_a_carriage_return_ends_a_line_only_before_its_line_feed_or_at_the_end(text, lines):
    def flat(block):
        for line in block:
            yield (line.number, line.text[line.indent :])
            yield from flat(line.children)

    assert list(flat(build_blocks(text, "t.dsl", []))) == lines
