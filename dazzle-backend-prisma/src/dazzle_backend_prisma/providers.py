"""What each database provider supports: the column type of every DSL type,
enums, key defaults, limits. Checked against Prisma's own validator (see the
tests); the README has the same facts as a table."""

from __future__ import annotations

import attrs
from dazzle.core.ir import FieldType, FieldTypeKind

from dazzle_backend_prisma.schema import Attribute, Expr

PROVIDERS: tuple[str, ...] = ("postgresql", "mysql", "sqlite", "sqlserver", "cockroachdb")


class UnsupportedType(Exception):
    """A DSL type the provider cannot store; the message says why."""


@attrs.frozen
class ColumnType:
    """A Prisma scalar type with its native database type (``@db.X``), and
    whether the provider can put the column in a key or an index."""

    scalar: str
    native: Attribute | None = None
    indexable: bool = True


@attrs.frozen
class Provider:
    name: str
    #: Prisma supports ``enum`` blocks on this provider; elsewhere an enum
    #: field is a String.
    enums: bool
    #: The longest constraint name the database takes (Prisma shortens its
    #: default names to fit).
    constraint_name_limit: int
    #: Highest decimal precision and scale of ``@db.Decimal``, None when the
    #: provider has no native decimal type.
    decimal_limits: tuple[int, int] | None
    #: Referential actions written on every relation: SQL Server refuses
    #: cascading paths that may cross (two refs to one entity, self
    #: references), so there every relation is ``NoAction``.
    referential_actions: tuple[tuple[str, Expr], ...] = ()
    #: The longest table or column name the database takes, in bytes, and
    #: what it does with a longer one: PostgreSQL cuts it without a word (two
    #: names can become one), MySQL and SQL Server refuse it. None: no limit
    #: (SQLite, CockroachDB).
    name_limit: int | None = None
    cuts_long_names: bool = False
    #: Which constraints the database names (and Prisma lets a schema name):
    #: MySQL's primary key is always PRIMARY, and SQLite names neither keys
    #: nor foreign keys; SQL Server also names default constraints.
    named_primary_keys: bool = True
    named_foreign_keys: bool = True
    named_defaults: bool = False

    def column_type(self, ftype: FieldType) -> ColumnType:
        """The column for a field of type ``ftype`` (not a ref, and enums only
        where ``enums`` is false). Raises ``UnsupportedType``."""
        kind = ftype.kind
        if kind is FieldTypeKind.INT:
            # ``int`` is a 64-bit signed integer throughout the language (the
            # compiler checks defaults so, OpenAPI says int64): Prisma's BigInt
            return ColumnType("BigInt")
        if kind is FieldTypeKind.BOOL:
            return ColumnType("Boolean")
        if kind is FieldTypeKind.DATETIME:
            return ColumnType("DateTime")
        if kind is FieldTypeKind.DATE:
            return ColumnType("DateTime", None if self.name == "sqlite" else _db("Date"))
        if kind is FieldTypeKind.DECIMAL:
            return ColumnType("Decimal", self._decimal(ftype.precision or 0, ftype.scale or 0))
        if kind is FieldTypeKind.STR:
            return self._string(ftype.max_length or 1)
        if kind is FieldTypeKind.TEXT:
            return self._text()
        if kind is FieldTypeKind.UUID:
            return ColumnType("String", _UUID_TYPES.get(self.name))
        if kind in (FieldTypeKind.EMAIL, FieldTypeKind.ENUM):
            return ColumnType("String")
        raise UnsupportedType(f"type {ftype} has no column of its own")

    def _decimal(self, precision: int, scale: int) -> Attribute | None:
        if self.decimal_limits is None:
            return None
        max_precision, max_scale = self.decimal_limits
        if precision > max_precision or scale > max_scale:
            raise UnsupportedType(
                f"decimal({precision},{scale}) is beyond what {self.name} stores: "
                f"precision at most {max_precision}, scale at most {max_scale}"
            )
        return _db("Decimal", precision, scale)

    def _string(self, length: int) -> ColumnType:
        name = self.name
        if name == "postgresql":
            # varchar stops at 10485760 characters; text has no limit
            return ColumnType("String", _db("VarChar", length) if length <= 10_485_760 else None)
        if name == "mysql":
            if length <= 65_535:
                return ColumnType("String", _db("VarChar", length))
            long_type = "MediumText" if length <= 16_777_215 else "LongText"
            return ColumnType("String", _db(long_type), indexable=False)
        if name == "sqlserver":
            if length <= 4_000:
                return ColumnType("String", _db("NVarChar", length))
            return ColumnType("String", _db("NVarChar", Expr("Max")), indexable=False)
        if name == "cockroachdb":
            return ColumnType("String", _db("String", length))
        return ColumnType("String")

    def _text(self) -> ColumnType:
        # PostgreSQL's and CockroachDB's String is already unbounded, and
        # SQLite has no native types; MySQL's String is varchar(191) and SQL
        # Server's nvarchar(1000), too short for long text.
        if self.name == "mysql":
            return ColumnType("String", _db("Text"), indexable=False)
        if self.name == "sqlserver":
            return ColumnType("String", _db("NVarChar", Expr("Max")), indexable=False)
        return ColumnType("String")


def _db(name: str, *args: int | Expr) -> Attribute:
    return Attribute(f"db.{name}", tuple(a if isinstance(a, Expr) else Expr(str(a)) for a in args))


_UUID_TYPES = {
    "postgresql": _db("Uuid"),
    "cockroachdb": _db("Uuid"),
    "mysql": _db("Char", 36),
    "sqlserver": _db("UniqueIdentifier"),
}

_NO_ACTION = (("onDelete", Expr("NoAction")), ("onUpdate", Expr("NoAction")))

_PROVIDERS = {
    p.name: p
    for p in (
        Provider("postgresql", True, 63, (1000, 1000), name_limit=63, cuts_long_names=True),
        Provider("mysql", True, 64, (65, 30), named_primary_keys=False, name_limit=64),
        # SQLite: no native types; Prisma has no limit on its names, 63 keeps
        # them portable and is only ever used to tell two names apart.
        Provider("sqlite", True, 63, None, named_primary_keys=False, named_foreign_keys=False),
        Provider("sqlserver", False, 128, (38, 38), _NO_ACTION, named_defaults=True, name_limit=128),
        Provider("cockroachdb", True, 63, (1000, 1000)),
    )
}


def get_provider(name: str) -> Provider:
    """The provider called ``name`` (one of ``PROVIDERS``); KeyError otherwise."""
    return _PROVIDERS[name]
