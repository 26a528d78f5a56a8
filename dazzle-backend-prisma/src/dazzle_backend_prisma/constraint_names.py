"""Database names of keys, indexes and foreign keys.

Prisma names each constraint after its table and columns
(``{table}_{columns}_{suffix}``, shortened to the provider's limit) and
refuses a schema where two of those names meet in a namespace the database
shares. Two names can meet when one table's and column's names run into each
other's (``a_b.c`` and ``a.b_c``) or when long names are shortened alike.

``ConstraintNames`` hands out names in the order constraints are written. A
constraint whose default name is still free keeps it (nothing is written); a
later one whose default is taken gets an explicit ``map`` name,
``{base}_{n}{suffix}`` with the smallest free ``n`` from 2. One namespace is
used for every kind and every table, which is stricter than any provider and
so never lets a clash through.
"""

from __future__ import annotations

from collections.abc import Sequence

PRIMARY_KEY = "_pkey"
UNIQUE = "_key"
INDEX = "_idx"
FOREIGN_KEY = "_fkey"
DEFAULT = "_df"


class ConstraintNames:
    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._taken: set[str] = set()

    def claim(self, table: str, columns: Sequence[str], suffix: str) -> str | None:
        """Reserve the name of a constraint on ``columns`` of ``table`` (no
        columns for a primary key). Returns None when Prisma's default name is
        the one to use, else the explicit name to write as ``map``."""
        base = "_".join((table, *columns))
        name = self._fit(base, suffix)
        if name not in self._taken:
            self._taken.add(name)
            return None
        number = 2
        while True:
            tail = f"_{number}{suffix}"
            name = base[: self._limit - len(tail)] + tail
            if name not in self._taken:
                self._taken.add(name)
                return name
            number += 1

    def _fit(self, base: str, suffix: str) -> str:
        room = self._limit - len(suffix)
        return (base[:room] if len(base) >= room else base) + suffix
