"""Text to tokens, and lines to a tree of indented blocks.

A DAZZLE file is a sequence of lines. Each non-blank, non-comment line becomes a
``Line``: its tokens and the lines of the block it opens (its ``children``).
A line opens a block when its last token is ``:``. Everything else about the
language is the parser's business.

Tokens are plain tuples ``(kind, value, column)`` for speed; ``kind`` is one of
``NAME``, ``STRING`` (value decoded), ``NUMBER`` (value as written) and ``OP``
(value is the operator text). Columns are 1-based.
"""

from __future__ import annotations

import re

from dazzle.core import diagnostics as diag
from dazzle.core.diagnostics import Diagnostic

NAME, STRING, NUMBER, OP = "NAME", "STRING", "NUMBER", "OP"

_TOKEN_RE = re.compile(
    r"""
      (?P<ws>\ +)
    | (?P<comment>\#.*)
    | (?P<STRING>"(?:[^"\\]|\\.)*")
    | (?P<NUMBER>-?[0-9]+(?:\.[0-9]+)?(?![A-Za-z_0-9]))
    | (?P<NAME>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<OP><->|<-|->|[:()\[\],=?.])
    | (?P<bad>.)
    """,
    re.VERBOSE,
)
_BAD_ESCAPE_RE = re.compile(r'\\[^"\\]')


class Line:
    """One logical line: where it is, its tokens, and the block it opens."""

    __slots__ = ("number", "indent", "tokens", "children")

    def __init__(self, number: int, indent: int, tokens: list) -> None:
        self.number = number
        self.indent = indent
        self.tokens = tokens
        self.children: list[Line] = []

    @property
    def opens_block(self) -> bool:
        last = self.tokens[-1]
        return last[0] == OP and last[1] == ":"

    def __repr__(self) -> str:
        return f"Line({self.number}, {[t[1] for t in self.tokens]!r}, {len(self.children)} children)"


def _describe_char(ch: str) -> str:
    if ch.isprintable() and not ch.isspace():
        return f"'{ch}' (U+{ord(ch):04X})"
    return f"U+{ord(ch):04X}"


def tokenize_line(text: str, start: int, number: int, file: str, problems: list[Diagnostic]) -> list | None:
    """Tokens of ``text[start:]``; None (with a diagnostic) if the line cannot be read."""
    tokens: list = []
    append = tokens.append
    for m in _TOKEN_RE.finditer(text, start):
        kind = m.lastgroup
        if kind == "ws":
            continue
        if kind == "NAME" or kind == "OP" or kind == "NUMBER":
            append((kind, m.group(), m.start() + 1))
        elif kind == "STRING":
            raw = m.group()
            if "\\" in raw:
                bad = _BAD_ESCAPE_RE.search(raw)
                if bad:
                    problems.append(diag.error(
                        "E105", f"unknown escape '{bad.group()}' in a string", file, number,
                        m.start() + bad.start() + 1,
                        hint='only \\" and \\\\ are escapes; write a backslash as \\\\',
                    ))
                    return None
                raw = raw.replace('\\"', '"').replace("\\\\", "\\")
            append((STRING, raw[1:-1], m.start() + 1))
        elif kind == "comment":
            break
        else:
            ch = m.group()
            column = m.start() + 1
            if ch == '"':
                problems.append(diag.error(
                    "E105", "unterminated string", file, number, column,
                    hint='strings are one line, between double quotes: "like this"',
                ))
            elif ch == "\t":
                problems.append(diag.error(
                    "E101", "tab character; DAZZLE uses spaces only", file, number, column,
                    hint="replace the tab with spaces",
                ))
            else:
                problems.append(diag.error(
                    "E106", f"unexpected character {_describe_char(ch)}", file, number, column,
                ))
            return None
    return tokens


def split_lines(text: str) -> list[str]:
    """Lines of ``text``: ``\\n`` and ``\\r\\n`` end a line; a BOM is dropped."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def build_blocks(text: str, file: str, problems: list[Diagnostic]) -> list[Line]:
    """The top-level ``Line``s of ``text``, each with its block of children.

    Problems (bad characters, tabs, bad indentation) are appended to
    ``problems``; the offending line is dropped, together with any block below
    it, so that one mistake gives one diagnostic.
    """
    top: list[Line] = []
    # The open blocks: (indent of their lines, the list their lines go into).
    stack: list[tuple[int, list[Line]]] = [(0, top)]
    previous: Line | None = None
    skip_deeper_than: int | None = None

    for index, raw in enumerate(split_lines(text)):
        number = index + 1
        stripped = raw.lstrip(" ")
        if not stripped or stripped[0] == "#":
            continue
        indent = len(raw) - len(stripped)
        if stripped[0] == "\t":
            problems.append(diag.error(
                "E101", "tab in indentation; DAZZLE indents with spaces only", file, number, indent + 1,
                hint="replace the tab with spaces",
            ))
            skip_deeper_than = indent if skip_deeper_than is None else min(skip_deeper_than, indent)
            previous = None
            continue
        if skip_deeper_than is not None:
            if indent > skip_deeper_than:
                continue
            skip_deeper_than = None

        tokens = tokenize_line(raw, indent, number, file, problems)
        if tokens is None:
            skip_deeper_than = indent
            previous = None
            continue
        if not tokens:  # only whitespace before a comment
            continue
        line = Line(number, indent, tokens)
        current_indent = stack[-1][0]

        if previous is not None and previous.opens_block:
            if indent > previous.indent:
                stack.append((indent, previous.children))
                stack[-1][1].append(line)
                previous = line
                continue
            problems.append(diag.error(
                "E103", "expected an indented block after this line", file, previous.number,
                previous.tokens[-1][2],
                hint=f"indent the lines of the block under line {previous.number}, or remove the ':'",
            ))
        if indent > current_indent:
            problems.append(diag.error(
                "E102", "unexpected indentation", file, number, indent + 1,
                hint="only a line ending with ':' opens an indented block",
            ))
            skip_deeper_than = indent - 1
            continue
        if indent < current_indent:
            while len(stack) > 1 and stack[-1][0] > indent:
                stack.pop()
            if stack[-1][0] != indent:
                problems.append(diag.error(
                    "E104", "this line's indentation matches no enclosing block", file, number, indent + 1,
                    hint=f"indent it by {stack[-1][0]} spaces to continue the enclosing block",
                ))
                skip_deeper_than = indent
                previous = None
                continue
        stack[-1][1].append(line)
        previous = line

    if previous is not None and previous.opens_block:
        problems.append(diag.error(
            "E103", "expected an indented block after this line", file, previous.number, previous.tokens[-1][2],
            hint=f"indent the lines of the block under line {previous.number}, or remove the ':'",
        ))
    return top
