"""How a DSL name becomes a Prisma name, and which names Prisma refuses.

``prisma_name`` is the one place where names are converted. With the
``prisma`` naming style, model and enum names become PascalCase and field
names camelCase (the DSL's own name is kept in the database through
``@map``/``@@map``); with ``preserve`` every name is written as it is.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

NamingStyle = Literal["prisma", "preserve"]
NAMING_STYLES: tuple[str, ...] = ("prisma", "preserve")

#: What a name names: a model or an enum (``type``), or a field of a model.
NameKind = Literal["type", "field"]

#: Prisma accepts names that start with a letter, then letters, digits and ``_``.
_VALID = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

#: Names Prisma refuses for models and enums (checked against the validator of
#: the Prisma version the tests pin): its scalar types, JavaScript's reserved
#: words and the name of the generated client.
RESERVED_TYPE_NAMES = frozenset(
    {
        # scalar types
        "String", "Int", "Float", "Boolean", "DateTime", "Json", "Bytes", "Decimal", "BigInt",
        # the generated client
        "PrismaClient",
        # JavaScript's reserved words
        "async", "await", "break", "case", "catch", "class", "const", "continue", "debugger",
        "default", "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for",
        "function", "if", "implements", "import", "in", "instanceof", "interface", "let", "new",
        "null", "package", "private", "protected", "public", "return", "static", "super", "switch",
        "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
    }
)  # fmt: skip


@cache  # an application repeats its field names (id, name, created_at) many times
def prisma_name(name: str, kind: NameKind, style: NamingStyle) -> str:
    """The Prisma name for the DSL name ``name``.

    ``prisma`` style: the name is split at underscores (leading, trailing and
    doubled ones disappear); a ``type`` joins the words, each with its first
    letter upper-cased (``ticket_item`` -> ``TicketItem``); a ``field`` does the
    same except that the first word starts lower-case, a leading acronym as a
    whole (``created_at`` -> ``createdAt``, ``HTTPStatus`` -> ``httpStatus``).
    Other letters keep their case. ``preserve`` style: the name unchanged.
    """
    if style == "preserve":
        return name
    words = [w for w in name.split("_") if w]
    if not words:
        return ""
    if kind == "type":
        return "".join(_upper_first(w) for w in words)
    return _lower_head(words[0]) + "".join(_upper_first(w) for w in words[1:])


def is_identifier(name: str) -> bool:
    """Whether Prisma's grammar takes ``name`` as a name (reserved or not)."""
    return _VALID.match(name) is not None


@cache
def name_problem(name: str, kind: NameKind) -> str | None:
    """Why Prisma would refuse ``name`` (already converted), or None."""
    if not _VALID.match(name):
        return "Prisma names must start with a letter and hold only letters, digits and '_'"
    if kind == "type" and name in RESERVED_TYPE_NAMES:
        return "Prisma reserves this name"
    return None


def numbered(name: str, number: int) -> str:
    """The DSL-space name a generated name falls back to when ``name`` is
    taken: ``name_2``, ``name_3``, ... (converted like any other name)."""
    return name if number == 1 else f"{name}_{number}"


def _upper_first(word: str) -> str:
    return word[0].upper() + word[1:]


def _lower_head(word: str) -> str:
    upper = 0
    while upper < len(word) and word[upper].isupper():
        upper += 1
    if upper <= 1:
        return word[0].lower() + word[1:]
    if upper == len(word) or not word[upper].isalpha():
        return word[:upper].lower() + word[upper:]
    # "HTTPStatus": the acronym ends where the next word's capital begins
    return word[: upper - 1].lower() + word[upper - 1 :]
