"""Entities become component schemas: every field, typed, with required,
nullability (as each OpenAPI version spells it), defaults and readOnly."""

from __future__ import annotations

import re

import pytest
from dazzle_backend_openapi.schemas import decimal_pattern

TYPES = """
app types_app "Types"

entity Owner "Owner":
  code: int pk
  name: str(40) required

entity Sample "A sample":
  id: uuid pk
  short: str(12) required
  long_text: text
  count: int default=-3
  amount: decimal(12,2) default=7
  ratio: decimal(3,3)
  whole: decimal(5,0) required
  active: bool default=true
  born_on: date optional
  seen_at: datetime
  token: uuid unique?
  mail: email unique
  state: enum[new,open,done]=open
  answer: enum[yes,no] required
  owner: ref Owner required
  backup_owner: ref Owner optional
  parent: ref Sample optional
  created_at: datetime auto_add
  updated_at: datetime auto_update

  unique short,owner
  index state,owner

surface samples "Samples":
  uses entity Sample
  mode: list
  section main:
    field short
"""


@pytest.fixture
def schemas_31(build_dsl):
    return build_dsl(TYPES)["components"]["schemas"]


@pytest.fixture
def schemas_30(build_dsl):
    return build_dsl(TYPES, openapi_version="3.0.3")["components"]["schemas"]


def test_every_entity_has_a_schema_named_after_it_with_every_field(schemas_31) -> None:
    sample = schemas_31["Sample"]
    assert sample["type"] == "object"
    assert sample["title"] == "A sample"
    assert list(sample["properties"]) == [
        "id",
        "short",
        "long_text",
        "count",
        "amount",
        "ratio",
        "whole",
        "active",
        "born_on",
        "seen_at",
        "token",
        "mail",
        "state",
        "answer",
        "owner",
        "backup_owner",
        "parent",
        "created_at",
        "updated_at",
    ]
    assert schemas_31["Owner"]["title"] == "Owner"


def test_required_follows_the_dsl(schemas_31) -> None:
    assert schemas_31["Sample"]["required"] == ["id", "short", "whole", "answer", "owner"]


def test_types_31(schemas_31) -> None:
    p = schemas_31["Sample"]["properties"]
    assert p["id"] == {"type": "string", "format": "uuid", "readOnly": True}
    assert p["short"] == {"type": "string", "maxLength": 12}
    assert p["long_text"] == {"type": ["string", "null"]}
    assert p["count"] == {"type": ["integer", "null"], "format": "int64", "default": -3}
    assert p["active"] == {"type": ["boolean", "null"], "default": True}
    assert p["born_on"] == {"type": ["string", "null"], "format": "date"}
    assert p["seen_at"] == {"type": ["string", "null"], "format": "date-time"}
    assert p["token"] == {"type": ["string", "null"], "format": "uuid", "x-dazzle-unique": True}
    assert p["state"] == {
        "type": ["string", "null"],
        "enum": ["new", "open", "done", None],
        "default": "open",
    }
    assert p["answer"] == {"type": "string", "enum": ["yes", "no"]}
    assert p["created_at"] == {"type": ["string", "null"], "format": "date-time", "readOnly": True}
    assert p["updated_at"]["readOnly"] is True


def test_types_30_spell_nullable_their_way(schemas_30) -> None:
    p = schemas_30["Sample"]["properties"]
    assert p["long_text"] == {"type": "string", "nullable": True}
    assert p["count"] == {"type": "integer", "format": "int64", "nullable": True, "default": -3}
    assert p["state"] == {
        "type": "string",
        "enum": ["new", "open", "done", None],
        "nullable": True,
        "default": "open",
    }
    assert p["short"] == {"type": "string", "maxLength": 12}
    for schema in p.values():
        assert not isinstance(schema.get("type"), list)


def test_email_is_a_string_with_the_email_format(schemas_31) -> None:
    mail = schemas_31["Sample"]["properties"]["mail"]
    assert mail["format"] == "email" and "string" in mail["type"]


def test_decimals_are_strings_with_a_pattern(schemas_31) -> None:
    p = schemas_31["Sample"]["properties"]
    assert p["amount"]["type"] == ["string", "null"]
    assert p["amount"]["format"] == "decimal"
    assert p["amount"]["default"] == "7.00"
    assert re.fullmatch(p["amount"]["pattern"], "7.00")
    assert p["whole"]["pattern"] == decimal_pattern(5, 0)


@pytest.mark.parametrize(
    ("precision", "scale", "good", "bad"),
    [
        (
            12,
            2,
            ["0", "7", "-7", "1234567890", "1234567890.12", "0.5", "-0.05"],
            ["12345678901", "1.234", "1e3", "", "1.", ".5", "+1", "1,5"],
        ),
        (5, 0, ["12345", "-1", "0"], ["123456", "1.0"]),
        (3, 3, ["0.123", "0", "-0.5"], ["1.0", "0.1234", "10"]),
        (1, 0, ["7"], ["77", "0.1"]),
    ],
)
def test_decimal_pattern_admits_p_digits_with_s_decimals(precision, scale, good, bad) -> None:
    pattern = re.compile(decimal_pattern(precision, scale))
    for text in good:
        assert pattern.search(text), (text, pattern.pattern)
    for text in bad:
        assert not pattern.search(text), (text, pattern.pattern)


def test_a_reference_has_the_type_of_the_target_key(schemas_31) -> None:
    p = schemas_31["Sample"]["properties"]
    assert p["owner"] == {"type": "integer", "format": "int64", "x-dazzle-ref": "Owner"}
    assert p["backup_owner"] == {"type": ["integer", "null"], "format": "int64", "x-dazzle-ref": "Owner"}
    assert p["parent"] == {"type": ["string", "null"], "format": "uuid", "x-dazzle-ref": "Sample"}


def test_keys_and_automatic_fields_are_read_only_and_nothing_else_is(schemas_31) -> None:
    read_only = [n for n, s in schemas_31["Sample"]["properties"].items() if s.get("readOnly")]
    assert read_only == ["id", "created_at", "updated_at"]


def test_constraints_and_module_are_kept(schemas_31) -> None:
    sample = schemas_31["Sample"]
    assert sample["x-dazzle-unique"] == [["short", "owner"]]
    assert sample["x-dazzle-indexes"] == [["state", "owner"]]
    assert sample["x-dazzle-module"] == "main"


def test_string_defaults_that_look_like_other_types_stay_strings(build_dsl) -> None:
    doc = build_dsl(
        'app a "A"\nentity E:\n  id: uuid pk\n  code: str(5) default="123"\n  flag: str(5) default="yes"\n'
        "  mode: enum[on,off,null] default=off\n"
    )
    p = doc["components"]["schemas"]["E"]["properties"]
    assert p["code"]["default"] == "123"
    assert p["flag"]["default"] == "yes"
    assert p["mode"]["default"] == "off"
    assert p["mode"]["enum"] == ["on", "off", "null", None]
