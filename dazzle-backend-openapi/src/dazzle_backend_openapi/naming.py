"""Every name the document invents: URL segments, plurals, operationIds,
component names and the JSON pointers that refer to them.

DSL identifiers are ``[A-Za-z_][A-Za-z0-9_]*``; everything here turns such
identifiers into the spellings OpenAPI users expect (``LedgerTransaction`` ->
``ledger-transactions``, ``listLedgerTransactions``) and keeps invented names
unique with ``NameAllocator``.
"""

from __future__ import annotations

import functools
import re
import warnings

from dazzle.backends import BackendWarning, plural
from dazzle.core import ir

# A word is a run of capitals not followed by a lower-case letter (an acronym:
# ``HTTP`` in ``HTTPRequest``), or an optional capital followed by lower-case
# letters and digits, or a run of digits.
_WORD = re.compile(r"[A-Z]+[0-9]*(?![a-z])|[A-Z]?[a-z0-9]+|[0-9]+")


def split_words(identifier: str) -> list[str]:
    """``ledger_transaction`` / ``LedgerTransaction`` -> ``[ledger, transaction]``
    (case kept). An identifier with no letters or digits gives ``[]``."""
    return list(_words(identifier))


# Most identifiers give several names (a surface its ``...Input`` schema and
# its path segment, an action its operationId and its path segment, a field
# name its part of each enum component's name), and splitting costs more
# than the rest of making a name. A small cache is enough, since an
# identifier's names are made close together, and keeps memory flat (with
# no bound, 40 x 100's traced peak grew by 8%).
@functools.lru_cache(maxsize=1024)
def _words(identifier: str) -> tuple[str, ...]:
    # No word contains ``_``, and the look-ahead after an acronym sees ``_``
    # as it would the end of the part: one pass splits at ``_`` too.
    return tuple(_WORD.findall(identifier))


@functools.lru_cache(maxsize=1024)
def _plural_words(identifier: str) -> tuple[str, ...]:
    """The identifier's words, the last in the plural every backend uses
    (``dazzle.backends.plural``)."""
    words = _words(identifier) or (identifier,)
    return (*words[:-1], plural(words[-1]))


def kebab(identifier: str) -> str:
    """``ticket_detail`` / ``TicketDetail`` -> ``ticket-detail``."""
    return "-".join([w.lower() for w in _words(identifier)]) or identifier.lower()


def plural_kebab(identifier: str) -> str:
    """``Category`` -> ``categories``, ``LedgerTransaction`` -> ``ledger-transactions``."""
    return "-".join([w.lower() for w in _plural_words(identifier)])


def pascal(identifier: str) -> str:
    """``ticket_detail`` -> ``TicketDetail``; ``HTTPRequest`` stays as it is."""
    return "".join([w[0].upper() + w[1:] for w in _words(identifier)]) or identifier


def plural_pascal(identifier: str) -> str:
    """``Category`` -> ``Categories``, ``Person`` -> ``People``."""
    return "".join([w[:1].upper() + w[1:] for w in _plural_words(identifier)])


def camel(*identifiers: str) -> str:
    """``camel("ticket_detail", "assign_to_me")`` -> ``ticketDetailAssignToMe``."""
    joined = "".join([pascal(i) for i in identifiers])
    return joined[:1].lower() + joined[1:]


def pointer_token(name: str) -> str:
    """Escape one JSON Pointer reference token (RFC 6901)."""
    return name.replace("~", "~0").replace("/", "~1")


def component_ref(section: str, name: str) -> str:
    """``component_ref("schemas", "Ticket")`` -> ``#/components/schemas/Ticket``."""
    return f"#/components/{section}/{pointer_token(name)}"


#: The code of the ``BackendWarning`` given when a name the document would
#: use is taken and a numbered one is used instead.
RENAMED = "openapi-renamed"


def warn_renamed(what: str, name: str, unique: str, location: ir.SourceLocation | None) -> None:
    """Say that ``name`` was taken and ``unique`` used: a client generated
    from the document has a name the DSL does not predict."""
    warnings.warn(
        BackendWarning(
            f"the {what} {name!r} is taken; this one is {unique!r} (rename the declaration to choose)",
            location=location,
            code=RENAMED,
        ),
        stacklevel=3,
    )


class NameAllocator:
    """Hands out unique names: the first claim of a name gets it, later claims
    get the name with ``2``, ``3``, ... appended (or ``sep`` and a number).
    With ``what`` (``"schema"``), each such renaming is a ``BackendWarning``
    at the ``location`` of the claim."""

    def __init__(self, taken: tuple[str, ...] = (), sep: str = "", what: str | None = None) -> None:
        self._taken: set[str] = set(taken)
        self._sep = sep
        self._what = what

    def claim(self, name: str, location: ir.SourceLocation | None = None) -> str:
        if name not in self._taken:
            self._taken.add(name)
            return name
        n = 2
        while f"{name}{self._sep}{n}" in self._taken:
            n += 1
        unique = f"{name}{self._sep}{n}"
        self._taken.add(unique)
        if self._what is not None:
            warn_renamed(self._what, name, unique, location)
        return unique

    def __contains__(self, name: str) -> bool:
        return name in self._taken
