"""The Prisma schema as plain data: what ``build`` produces and ``render``
writes. Nothing here knows about the DSL or about text layout.

The records are named tuples, not ``attrs`` classes (CONTRIBUTING.md,
"Records"): a big schema holds a hundred thousand of them, and the renderer
looks each field's tuple of attributes up in a dict; tuples hash and compare
in C, where ``attrs`` classes call Python code, and the whole backend ran
about a quarter slower with ``attrs`` records (bench, 20x50).
"""

from __future__ import annotations

from typing import NamedTuple


class Expr(NamedTuple):
    """A Prisma expression written as it is: ``now()``, ``12.50``, ``true``,
    an enum value, ``NoAction``, ``Max``."""

    text: str


class FieldList(NamedTuple):
    """A list of field names: ``[a, b]``."""

    names: tuple[str, ...]


#: An attribute argument: a ``str`` is a string literal (quoted and escaped
#: when rendered), an ``Expr`` is written as it is.
Value = str | Expr | FieldList


class Attribute(NamedTuple):
    """``@name(args..., key: value...)`` on a field, ``@@name(...)`` on a
    block. ``name`` is written without the ``@``: ``id``, ``db.VarChar``,
    ``index``."""

    name: str
    args: tuple[Value, ...] = ()
    named: tuple[tuple[str, Value], ...] = ()

    def with_named(self, key: str, value: Value) -> Attribute:
        return Attribute(self.name, self.args, (*self.named, (key, value)))


class Field(NamedTuple):
    """A field of a model: ``type`` is a scalar, enum or model name;
    ``modifier`` is ``""``, ``"?"`` (optional) or ``"[]"`` (list)."""

    name: str
    type: str
    modifier: str = ""
    attributes: tuple[Attribute, ...] = ()


class Model(NamedTuple):
    name: str
    fields: tuple[Field, ...]
    block_attributes: tuple[Attribute, ...] = ()
    doc: str | None = None


class Enum(NamedTuple):
    name: str
    values: tuple[str, ...]
    doc: str | None = None


class ConfigBlock(NamedTuple):
    """A ``datasource`` or ``generator`` block: its kind (``datasource``),
    name (``db``) and ``key = value`` lines."""

    kind: str
    name: str
    entries: tuple[tuple[str, Value], ...]


class Schema(NamedTuple):
    """A whole ``schema.prisma``: leading ``//`` comment lines, then the
    blocks in order."""

    comments: tuple[str, ...]
    blocks: tuple[ConfigBlock | Model | Enum, ...]
