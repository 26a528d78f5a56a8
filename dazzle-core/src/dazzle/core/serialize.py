"""The AppSpec as JSON (``dazzle inspect``): public API, like the IR.

The shape is documented in docs/inspect.md and described by a JSON Schema
(``appspec_json_schema()``, the file ``appspec.schema.json`` beside this
module, printed by ``dazzle inspect --schema``): every attrs record becomes
an object of its public attributes, tuples become arrays in declaration
order, enums their value, decimal literals strings (to keep their exact
digits), locations ``{"file", "line", "column"}``; keys are sorted.

``INSPECT_FORMAT_VERSION`` changes only when the shape changes
incompatibly; the schema's ``format_version`` is that number.
"""

from __future__ import annotations

import enum
import json
from decimal import Decimal
from importlib import resources
from typing import Any

import attrs

from dazzle.core import ir

__all__ = ["INSPECT_FORMAT_VERSION", "appspec_json_schema", "appspec_to_data", "appspec_to_json", "to_data"]

INSPECT_FORMAT_VERSION = 1


def to_data(value: Any) -> Any:
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


def appspec_to_data(appspec: ir.AppSpec) -> dict[str, Any]:
    """What ``dazzle inspect`` prints, as Python data:
    ``{"format_version": 1, "appspec": {...}}``."""
    return {"format_version": INSPECT_FORMAT_VERSION, "appspec": to_data(appspec)}


def appspec_to_json(appspec: ir.AppSpec) -> str:
    """What ``dazzle inspect`` prints: ``appspec_to_data`` as sorted, indented JSON."""
    return json.dumps(appspec_to_data(appspec), indent=2, sort_keys=True, ensure_ascii=False)


def appspec_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of what ``appspec_to_data`` gives."""
    text = resources.files("dazzle.core").joinpath("appspec.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
