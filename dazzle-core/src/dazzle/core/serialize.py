"""The AppSpec as JSON (``dazzle inspect``). The shape is documented in
docs/inspect.md: every attrs record becomes an object of its public
attributes, tuples become arrays in declaration order, enums their value,
decimal literals strings (to keep their exact digits), locations
``{"file", "line", "column"}``; keys are sorted."""

from __future__ import annotations

import enum
import json
from decimal import Decimal

import attrs

from dazzle.core import ir

INSPECT_FORMAT_VERSION = 1


def to_data(value):
    """Plain JSON-ready data for any IR value."""
    if isinstance(value, ir.Options):
        return {k: to_data(v) for k, v in value.items()}
    if attrs.has(type(value)):
        return {
            a.name: to_data(getattr(value, a.name))
            for a in attrs.fields(type(value))
            if a.init and not a.name.startswith("_")
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [to_data(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def appspec_to_json(appspec: ir.AppSpec) -> str:
    data = {"format_version": INSPECT_FORMAT_VERSION, "appspec": to_data(appspec)}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
