"""Entities become component schemas: every field, typed, with required,
nullability (as each OpenAPI version spells it), defaults and readOnly."""

from __future__ import annotations

import re

import pytest
from dazzle.backends import BackendWarning
from dazzle_backend_openapi.schemas import SchemaMapper, decimal_example, decimal_pattern
from documents import compile_dsl
from hypothesis import given
from hypothesis import strategies as st

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
    assert sample["description"] == "A sample"  # no title: generators name classes after titles
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
    assert schemas_31["Owner"]["description"] == "Owner"
    assert not [name for name, schema in schemas_31.items() if "title" in schema]


def test_required_follows_the_dsl(schemas_31) -> None:
    assert schemas_31["Sample"]["required"] == ["id", "short", "whole", "answer", "owner"]


UUID = ["3fa85f64-5717-4562-b3fc-2c963f66afa6"]
DATETIME = ["2024-01-31T09:30:00Z"]


def test_types_31(schemas_31) -> None:
    p = schemas_31["Sample"]["properties"]
    assert p["id"] == {"type": "string", "format": "uuid", "examples": UUID, "readOnly": True}
    assert p["short"] == {"type": "string", "maxLength": 12}
    assert p["long_text"] == {"type": ["string", "null"]}
    # ``int`` is a 64-bit signed integer everywhere in DAZZLE.
    assert p["count"] == {"type": ["integer", "null"], "format": "int64", "default": -3}
    assert p["active"] == {"type": ["boolean", "null"], "default": True}
    assert p["born_on"] == {"type": ["string", "null"], "format": "date", "examples": ["2024-01-31"]}
    assert p["seen_at"] == {"type": ["string", "null"], "format": "date-time", "examples": DATETIME}
    assert p["token"] == {"type": ["string", "null"], "format": "uuid", "examples": UUID, "x-dazzle-unique": True}
    # Enums are components of their own; an optional one is one of the enum or null.
    assert p["state"] == {
        "oneOf": [{"$ref": "#/components/schemas/SampleState"}, {"type": "null"}],
        "default": "open",
    }
    assert p["answer"] == {"$ref": "#/components/schemas/SampleAnswer"}
    assert schemas_31["SampleState"] == {
        "type": "string",
        "enum": ["new", "open", "done"],
        "x-enum-varnames": ["NEW", "OPEN", "DONE"],
    }
    assert list(schemas_31)[:4] == ["Owner", "Sample", "SampleState", "SampleAnswer"]
    assert p["created_at"] == {
        "type": ["string", "null"],
        "format": "date-time",
        "examples": DATETIME,
        "readOnly": True,
    }
    assert p["updated_at"]["readOnly"] is True


def test_types_30_spell_nullable_their_way(schemas_30) -> None:
    p = schemas_30["Sample"]["properties"]
    assert p["long_text"] == {"type": "string", "nullable": True}
    assert p["count"] == {"type": "integer", "format": "int64", "nullable": True, "default": -3}
    assert p["born_on"] == {"type": "string", "format": "date", "example": "2024-01-31", "nullable": True}
    # 3.0 has no null type: null is a nullable string whose only value is null.
    assert p["state"] == {
        "oneOf": [
            {"$ref": "#/components/schemas/SampleState"},
            {"type": "string", "nullable": True, "enum": [None]},
        ],
        "default": "open",
    }
    assert p["answer"] == {"$ref": "#/components/schemas/SampleAnswer"}
    assert p["short"] == {"type": "string", "maxLength": 12}
    for schema in p.values():
        assert not isinstance(schema.get("type"), list)


def test_30_wraps_a_reference_that_has_siblings_in_all_of(build_dsl) -> None:
    """3.0 ignores whatever stands beside a ``$ref``; 3.1 does not."""
    dsl = 'app a "A"\nentity E:\n  id: uuid pk\n  mode: enum[on,off]=off required\n'
    p30 = build_dsl(dsl, openapi_version="3.0.3")["components"]["schemas"]["E"]["properties"]
    assert p30["mode"] == {"allOf": [{"$ref": "#/components/schemas/EMode"}], "default": "off"}
    p31 = build_dsl(dsl)["components"]["schemas"]["E"]["properties"]
    assert p31["mode"] == {"$ref": "#/components/schemas/EMode", "default": "off"}


def test_formatted_and_short_strings_have_examples_that_fit(schemas_31, build_dsl) -> None:
    """Mock servers return a schema's example, or make up ``"string"``."""
    p = schemas_31["Sample"]["properties"]
    assert p["amount"]["examples"] == ["12.50"] and re.fullmatch(p["amount"]["pattern"], "12.50")
    assert p["ratio"]["examples"] == ["0.505"] and re.fullmatch(p["ratio"]["pattern"], "0.505")
    assert p["whole"]["examples"] == ["12"]
    assert p["mail"]["examples"] == ["user@example.org"]
    tiny = build_dsl('app a "A"\nentity E:\n  id: uuid pk\n  c: str(2)\n  d: str(6)\n')
    props = tiny["components"]["schemas"]["E"]["properties"]
    assert props["c"]["examples"] == ["xx"] and "examples" not in props["d"]


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


def test_a_reference_has_the_type_of_the_target_key(schemas_31, build_dsl) -> None:
    p = schemas_31["Sample"]["properties"]
    assert p["owner"] == {"type": "integer", "format": "int64", "x-dazzle-ref": "Owner"}
    assert p["backup_owner"] == {"type": ["integer", "null"], "format": "int64", "x-dazzle-ref": "Owner"}
    assert p["parent"] == {"type": ["string", "null"], "format": "uuid", "examples": UUID, "x-dazzle-ref": "Sample"}
    # A key that is an enum: the reference takes the target's enum component.
    doc = build_dsl('app a "A"\nentity K:\n  code: enum[a,b] pk\nentity E:\n  id: uuid pk\n  k: ref K\n')
    assert doc["components"]["schemas"]["E"]["properties"]["k"] == {
        "oneOf": [{"$ref": "#/components/schemas/KCode"}, {"type": "null"}],
        "x-dazzle-ref": "K",
    }
    # The key field itself and a key that is a reference to it are two schemas.
    doc = build_dsl('app a "A"\nentity K:\n  code: enum[a,b] pk\nentity Info:\n  k: ref K pk\n')
    schemas = doc["components"]["schemas"]
    assert schemas["K"]["properties"]["code"] == {"$ref": "#/components/schemas/KCode", "readOnly": True}
    assert schemas["Info"]["properties"]["k"] == {
        "$ref": "#/components/schemas/KCode",
        "readOnly": True,
        "x-dazzle-ref": "K",
    }


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
    assert doc["components"]["schemas"]["EMode"]["enum"] == ["on", "off", "null"]


@given(precision=st.integers(1, 38), data=st.data())
def test_every_decimal_example_is_admitted_by_its_pattern(precision, data) -> None:
    scale = data.draw(st.integers(0, precision))
    assert re.fullmatch(decimal_pattern(precision, scale), decimal_example(precision, scale))


def test_enum_constants_are_unique_and_a_numbered_one_warns() -> None:
    mapper = SchemaMapper(compile_dsl('app a "A"\nentity E:\n  id: uuid pk\n'), True)
    assert mapper.enum_names(("on_hold", "draft", "2fa", "-")) == ["ON_HOLD", "DRAFT", "VALUE_2FA", "VALUE"]
    with pytest.warns(BackendWarning, match="the enum constant 'NULL' is taken; this one is 'NULL_2'"):
        assert mapper.enum_names(("null", "NULL")) == ["NULL", "NULL_2"]
