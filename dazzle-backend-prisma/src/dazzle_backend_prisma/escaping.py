"""Text that goes into the schema as written by the user: string literals and
comments. Every string literal and every comment of the schema passes through
here, and nowhere else."""

from __future__ import annotations

import re

#: Escapes Prisma's string literals understand; any other ASCII control
#: character is written as ``\\uXXXX`` (Prisma refuses them raw).
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def string_literal(text: str) -> str:
    """``text`` as a Prisma string literal, double quotes included. Unicode
    outside ASCII's control characters is written as it is."""
    return '"' + _NEEDS_ESCAPE.sub(_escape_one, text) + '"'


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04x}"


def doc_comment(text: str) -> tuple[str, ...]:
    """``text`` as ``///`` documentation lines. Everything but a line break is
    kept exactly (Prisma reads a comment to the end of its line); a line break,
    which a DSL title cannot hold, would start a new ``///`` line."""
    return tuple(f"/// {line}" for line in _LINE_BREAK.split(text))


def line_comment(text: str) -> tuple[str, ...]:
    """``text`` as ``//`` comment lines (not part of Prisma's data model)."""
    return tuple(f"// {line}".rstrip() for line in _LINE_BREAK.split(text))
