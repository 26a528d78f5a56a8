"""DSL field types as OpenAPI schema objects, for either OpenAPI version.

The one place that knows how a ``FieldSpec`` becomes a schema: its type,
nullability (``type: [T, 'null']`` in 3.1, ``nullable: true`` in 3.0),
default, ``readOnly`` and the ``x-dazzle-*`` notes that keep what JSON Schema
cannot say.

A field's schema is made as plain data, once per distinct field (equal
fields share it), and handed out as its events (``document.Events``), which
the builder splices wherever the field appears.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from dazzle.core import ir

from dazzle_backend_openapi.document import Events, Scalars
from dazzle_backend_openapi.naming import NameAllocator, split_words

K = ir.FieldTypeKind
# Read once per field: on Python 3.11 reading an enum's member from its class
# goes through ``EnumType.__getattr__``'s slow attribute hook.
_ENUM, _REF = K.ENUM, K.REF

# ``int`` is a 64-bit signed integer everywhere in DAZZLE (README, "int").
_PLAIN: dict[K, dict[str, Any]] = {
    K.TEXT: {"type": "string"},
    K.INT: {"type": "integer", "format": "int64"},
    K.BOOL: {"type": "boolean"},
    K.DATE: {"type": "string", "format": "date"},
    K.DATETIME: {"type": "string", "format": "date-time"},
    K.UUID: {"type": "string", "format": "uuid"},
    K.EMAIL: {"type": "string", "format": "email"},
}

# A valid value for every formatted type, so that mock servers and
# documentation tools show (and return) values that pass the schema.
_EXAMPLES: dict[K, str] = {
    K.DATE: "2024-01-31",
    K.DATETIME: "2024-01-31T09:30:00Z",
    K.UUID: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    K.EMAIL: "user@example.org",
}

# Mock servers make up strings such as ``"string"``; shorter maximum lengths
# get an example that fits.
_SHORT_STRING = len("string")


# What ``null`` is in OpenAPI 3.0, which has no null type.
_NULL_30 = {"type": "string", "nullable": True, "enum": [None]}


def decimal_example(precision: int, scale: int) -> str:
    """A value that ``decimal_pattern(precision, scale)`` admits: ``12.50``
    for ``decimal(12,2)``, ``7`` for ``decimal(3,0)``, ``0.5`` for ``decimal(2,2)``."""
    integer_digits = precision - scale
    whole = "0" if integer_digits <= 0 else "12"[: min(integer_digits, 2)]
    if scale <= 0:
        return "7" if precision <= 1 else "12"[: min(precision, 2)]
    return f"{whole}.{('50' * scale)[:scale]}"


def decimal_pattern(precision: int, scale: int) -> str:
    """An ECMA-262 pattern for the text of a ``decimal(P,S)`` value: an
    optional minus sign, at most P-S integer digits and, after a point, one to
    S decimals. ``decimal(12,2)`` admits ``-1234567890.12`` and ``7``, not
    ``1.234`` or ``1e3``. With S = P the integer part is a single ``0``."""
    integer_digits = precision - scale
    if scale <= 0:
        return rf"^-?\d{{1,{max(precision, 1)}}}$"
    if integer_digits <= 0:
        return rf"^-?0(\.\d{{1,{scale}}})?$"
    return rf"^-?\d{{1,{integer_digits}}}(\.\d{{1,{scale}}})?$"


def _decimal_text(value: ir.Literal, scale: int | None) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if scale is None or not number.is_finite():
        return str(value)
    return f"{number:.{scale}f}"


class SchemaMapper:
    """Maps fields to schemas for one application and one OpenAPI version.

    Base schemas (the type alone) are cached per ``FieldType``, and field
    schemas' events per distinct field; nothing changes a schema once built.
    ``scalars`` makes the events (a new ``Scalars`` if not given).
    """

    def __init__(
        self,
        appspec: ir.AppSpec,
        openapi_31: bool,
        enum_refs: dict[tuple[str, str], str] | None = None,
        scalars: Scalars | None = None,
    ) -> None:
        self._appspec = appspec
        self._openapi_31 = openapi_31
        self._scalars = scalars if scalars is not None else Scalars()
        self._base: dict[ir.FieldType, dict[str, Any]] = {}
        self._fields: dict[tuple, Events] = {}
        #: (entity, field) -> the ``$ref`` of the enum component of that field.
        self._enum_refs = enum_refs or {}

    def _with_example(self, schema: dict[str, Any], example: str) -> dict[str, Any]:
        # JSON Schema's ``examples`` in 3.1; 3.0 has only ``example``.
        if self._openapi_31:
            schema["examples"] = [example]
        else:
            schema["example"] = example
        return schema

    def _enum_ref(self, field: ir.FieldSpec, owner: str | None) -> str | None:
        """The enum component a field's values are those of: its own, or, for
        a reference, that of the target's key."""
        kind = field.type.kind
        if owner is None or (kind is not _ENUM and kind is not _REF):
            return None
        if kind is _REF:
            target = self._appspec.get_entity(field.type.ref_entity or "")
            pk = target.primary_key if target is not None else None
            return self._enum_refs.get((target.name, pk.name)) if target is not None and pk is not None else None
        return self._enum_refs.get((owner, field.name))

    def enum_names(self, values: tuple[str, ...]) -> list[str]:
        """``x-enum-varnames``: the names client generators give the values'
        constants (``on_hold`` -> ``ON_HOLD``), unique, so that values that
        differ only in case or punctuation (``null``, ``NULL``) do not make
        one constant twice; a numbered one is a warning."""
        names = NameAllocator(sep="_", what="enum constant")
        constants = []
        for value in values:
            name = "_".join(w.upper() for w in split_words(value))
            if not name[:1].isalpha():  # 2fa -> VALUE_2FA
                name = f"VALUE_{name}".rstrip("_")
            constants.append(names.claim(name))
        return constants

    # -- types ------------------------------------------------------------

    def base_schema(self, field_type: ir.FieldType) -> dict[str, Any]:
        """The schema of a type alone (never nullable, no default)."""
        try:
            return self._base[field_type]
        except KeyError:
            schema = self._base[field_type] = self._type_schema(field_type, ())
            return schema

    def _type_schema(self, field_type: ir.FieldType, seen: tuple[str, ...]) -> dict[str, Any]:
        kind = field_type.kind
        if kind in _PLAIN:
            schema = dict(_PLAIN[kind])
            if kind in _EXAMPLES:
                self._with_example(schema, _EXAMPLES[kind])
            return schema
        if kind is K.STR:
            schema = {"type": "string", "maxLength": field_type.max_length}
            if field_type.max_length is not None and field_type.max_length < _SHORT_STRING:
                self._with_example(schema, "x" * field_type.max_length)
            return schema
        if kind is K.DECIMAL:
            precision, scale = field_type.precision or 1, field_type.scale or 0
            return self._with_example(
                {"type": "string", "format": "decimal", "pattern": decimal_pattern(precision, scale)},
                decimal_example(precision, scale),
            )
        if kind is K.ENUM:
            values = tuple(field_type.enum_values)
            return {"type": "string", "enum": list(values), "x-enum-varnames": self.enum_names(values)}
        if kind is K.REF:
            return self._ref_schema(field_type.ref_entity or "", seen)
        return {"type": "string"}

    def _ref_schema(self, entity_name: str, seen: tuple[str, ...]) -> dict[str, Any]:
        """A reference holds the value of the target's primary key."""
        entity = self._appspec.get_entity(entity_name)
        pk = entity.primary_key if entity is not None else None
        if pk is None or entity_name in seen:
            key_schema: dict[str, Any] = {"type": "string"}
        else:
            key_schema = self._type_schema(pk.type, (*seen, entity_name))
        schema = {k: v for k, v in key_schema.items() if k != "x-dazzle-ref"}
        schema["x-dazzle-ref"] = entity_name
        return schema

    # -- fields -----------------------------------------------------------

    def field_schema(
        self,
        field: ir.FieldSpec,
        *,
        title: str | None = None,
        nullable: bool | None = None,
        with_default: bool = True,
        read_only: bool = False,
        unique: bool = False,
        owner: str | None = None,
    ) -> Events:
        """The events of the schema of one property of entity ``owner`` (or
        of no entity). ``nullable`` defaults to the field being optional. An
        enum field of an entity refers to its enum component (``enum_refs``)."""
        if nullable is None:
            nullable = field.optional and not field.pk
        ref = self._enum_ref(field, owner)
        default = field.default if with_default else None
        # Equal fields (a ``description: text`` in every entity) share one
        # schema. The type is in the key even with an enum's ``ref``: a
        # reference to an entity keyed by that enum has the same ``ref``, and
        # an ``x-dazzle-ref`` beside it.
        key = (ref, field.type, title, nullable, type(default), default, read_only, unique)
        events = self._fields.get(key)
        if events is None:
            schema = self._field_schema(field, ref, title, nullable, default, read_only, unique)
            events = self._fields[key] = self._scalars.events(schema)
        return events

    def _field_schema(
        self,
        field: ir.FieldSpec,
        ref: str | None,
        title: str | None,
        nullable: bool,
        default: ir.Literal | None,
        read_only: bool,
        unique: bool,
    ) -> dict[str, Any]:
        base = self.base_schema(field.type) if ref is None else {"$ref": ref}
        # (A reference's ``x-dazzle-ref`` goes beside the enum's ``$ref``.)
        extra = title is not None or nullable or read_only or unique or (ref is not None and field.type.kind is K.REF)
        if not extra and default is None:
            return base
        schema: dict[str, Any] = {}
        if title is not None:
            schema["title"] = title
        if ref is not None:
            # A reference cannot be made nullable by adding ``null`` to its
            # type or values: one of the enum or null. (An enum listing
            # ``null`` made client generators write duplicate enum classes.)
            if nullable:
                null = {"type": "null"} if self._openapi_31 else _NULL_30
                schema["oneOf"] = [base, null]
            elif self._openapi_31:
                schema["$ref"] = ref
            else:
                schema["allOf"] = [base]  # 3.0 ignores the siblings of a $ref
            nullable = False
            base = {"x-dazzle-ref": field.type.ref_entity} if field.type.kind is K.REF else {}
        for key, value in base.items():
            if key == "type" and nullable and self._openapi_31:
                schema["type"] = [value, "null"]
            elif key == "enum" and nullable:
                schema["enum"] = [*value, None]
            elif key == "x-dazzle-ref":
                continue
            else:
                schema[key] = value
        if nullable and not self._openapi_31:
            schema["nullable"] = True
        if default is not None:
            schema["default"] = self.default_value(field.type, default)
        if read_only:
            schema["readOnly"] = True
        if "x-dazzle-ref" in base:
            schema["x-dazzle-ref"] = base["x-dazzle-ref"]
        if unique:
            schema["x-dazzle-unique"] = True
        return schema

    def default_value(self, field_type: ir.FieldType, value: ir.Literal) -> Any:
        """A DSL literal as a JSON value of the field's schema type."""
        kind = field_type.kind
        if kind is K.REF:
            entity = self._appspec.get_entity(field_type.ref_entity or "")
            pk = entity.primary_key if entity is not None else None
            if pk is not None and pk.type.kind is not K.REF:
                return self.default_value(pk.type, value)
            return str(value)
        if kind is K.BOOL:
            return value if isinstance(value, bool) else str(value)
        if kind is K.INT:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, Decimal) and value == value.to_integral_value():
                return int(value)
            return str(value)
        if kind is K.DECIMAL:
            return _decimal_text(value, field_type.scale)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
