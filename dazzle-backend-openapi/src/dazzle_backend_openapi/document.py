"""The document's own data types, beside plain dicts and lists.

``LazyMapping``: a mapping made while it is written. A 4,000-entity document
is about 80 MB of dicts; built whole, it would take more memory than
compiling the project did. So the biggest parts of the document (``paths``,
``components`` and ``x-dazzle-surfaces``) are lazy: iterating one builds its
items one by one, and both writers print an item before asking for the next,
so only one entity's share of the document exists at a time.

The contract: a lazy mapping is iterated once, and the mappings of a document
are iterated in document order (depth first), which is the order in which
writers visit them. The builder relies on it: ``components`` lists the
responses that ``paths`` used, so it is made after ``paths`` was written.

``SharedDict`` and ``SharedList``: a dict or list that the builder puts in
many places (the error responses of every operation, a field schema that
fifty entities have). They are ordinary dicts and lists to everyone; the
YAML writer turns each into events once and replays them after that.
Whatever is marked shared is never changed once built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Pairs = Iterator[tuple[str, Any]]


class LazyMapping:
    """Key/value pairs made by ``make()`` when the mapping is iterated."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], Pairs]) -> None:
        self._make: Callable[[], Pairs] | None = make

    def items(self) -> Pairs:
        make, self._make = self._make, None
        if make is None:
            raise RuntimeError("a LazyMapping can be iterated only once")
        return make()


class SharedDict(dict):
    """A dict that appears in many places of the document; never changed."""

    __slots__ = ()


class SharedList(list):
    """A list that appears in many places of the document; never changed."""

    __slots__ = ()


def materialize(value: Any) -> Any:
    """``value`` as plain dicts and lists, lazy mappings made, in document order."""
    kind = type(value)
    if kind is LazyMapping or kind is dict or kind is SharedDict:
        return {key: materialize(item) for key, item in value.items()}
    if kind is list or kind is SharedList:
        return [materialize(item) for item in value]
    return value
