"""DSL field types as OpenAPI schema objects, for either OpenAPI version.

The one place that knows how a ``FieldSpec`` becomes a schema: its type,
nullability (``type: [T, 'null']`` in 3.1, ``nullable: true`` in 3.0),
default, ``readOnly`` and the ``x-dazzle-*`` notes that keep what JSON Schema
cannot say.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from dazzle.core import ir

from dazzle_backend_openapi.document import SharedDict

K = ir.FieldTypeKind

_PLAIN: dict[K, dict[str, Any]] = {
    K.TEXT: SharedDict(type="string"),
    K.INT: SharedDict(type="integer", format="int64"),
    K.BOOL: SharedDict(type="boolean"),
    K.DATE: SharedDict(type="string", format="date"),
    K.DATETIME: SharedDict(type="string", format="date-time"),
    K.UUID: SharedDict(type="string", format="uuid"),
    K.EMAIL: SharedDict(type="string", format="email"),
}


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

    Base schemas (the type alone) are cached per ``FieldType`` and shared;
    the writer and ``json`` never alias shared objects, and nothing mutates a
    schema once built.
    """

    def __init__(self, appspec: ir.AppSpec, openapi_31: bool) -> None:
        self._appspec = appspec
        self._openapi_31 = openapi_31
        self._base: dict[ir.FieldType, dict[str, Any]] = {}
        self._fields: dict[tuple, dict[str, Any]] = {}

    # -- types ------------------------------------------------------------

    def base_schema(self, field_type: ir.FieldType) -> dict[str, Any]:
        """The schema of a type alone (never nullable, no default)."""
        try:
            return self._base[field_type]
        except KeyError:
            schema = self._base[field_type] = SharedDict(self._type_schema(field_type, ()))
            return schema

    def _type_schema(self, field_type: ir.FieldType, seen: tuple[str, ...]) -> dict[str, Any]:
        kind = field_type.kind
        if kind in _PLAIN:
            return _PLAIN[kind]
        if kind is K.STR:
            return {"type": "string", "maxLength": field_type.max_length}
        if kind is K.DECIMAL:
            return {
                "type": "string",
                "format": "decimal",
                "pattern": decimal_pattern(field_type.precision or 1, field_type.scale or 0),
            }
        if kind is K.ENUM:
            return {"type": "string", "enum": list(field_type.enum_values)}
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
    ) -> dict[str, Any]:
        """The schema of one property. ``nullable`` defaults to the field being
        optional."""
        base = self.base_schema(field.type)
        if nullable is None:
            nullable = field.optional and not field.pk
        extra = title is not None or nullable or read_only or unique
        default = field.default if with_default else None
        if not extra and default is None:
            return base
        # Equal fields (a ``description: text`` in every entity) share one schema.
        key = (field.type, title, nullable, type(default), default, read_only, unique)
        try:
            return self._fields[key]
        except KeyError:
            pass

        schema: dict[str, Any] = SharedDict()
        self._fields[key] = schema
        if title is not None:
            schema["title"] = title
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
