"""The AppSpec JSON (`dazzle inspect`) is public API: a function gives it, a
JSON Schema describes it, and every example's output is valid against it."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from click.testing import CliRunner
from dazzle.cli import main
from dazzle.core import ir
from dazzle.core.serialize import INSPECT_FORMAT_VERSION, appspec_json_schema, appspec_to_data, appspec_to_json
from dazzle.testing import EXAMPLE_NAMES, compile_dsl, example_path, load_example

from .conftest import EXAMPLES

SCHEMA = appspec_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def inspect(*args: str) -> str:
    result = CliRunner().invoke(main, ["inspect", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_schema_is_a_valid_draft_2020_12_schema_of_this_format_version():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["format_version"] == {"const": INSPECT_FORMAT_VERSION}
    assert f"format_version {INSPECT_FORMAT_VERSION}" in SCHEMA["title"]


def test_inspect_schema_prints_it():
    assert json.loads(inspect("--schema")) == SCHEMA


PROJECTS = sorted(p for p in EXAMPLES.iterdir() if p.is_dir()) + [example_path(n) for n in EXAMPLE_NAMES]


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_example_is_valid_against_the_schema(project):
    data = json.loads(inspect(str(project)))
    errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_the_public_functions_give_what_inspect_prints():
    example = load_example("helpdesk")
    data = appspec_to_data(example.appspec)
    assert data["format_version"] == INSPECT_FORMAT_VERSION
    assert appspec_to_json(example.appspec) == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    VALIDATOR.validate(data)


def test_every_ir_record_of_the_appspec_is_in_the_schema():
    # Every attrs class reachable from AppSpec has a definition listing exactly its public fields.
    import attrs

    definitions = SCHEMA["$defs"]
    for name in ir.__all__:
        cls = getattr(ir, name)
        if (
            isinstance(cls, type)
            and attrs.has(cls)
            and name not in ("EntityReference", "ModuleDeclarations", "Options")
        ):
            fields = sorted(a.name for a in attrs.fields(cls) if a.init and not a.name.startswith("_"))
            assert definitions[name]["required"] == fields, name
            assert sorted(definitions[name]["properties"]) == fields, name


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("appspec", "domain", "entities", 0, "fields", 0, "type", "kind"), "blob"),
        (("appspec", "domain", "entities", 0, "fields", 0, "default"), 1.5),
        (("appspec", "domain", "entities", 0, "location", "line"), "7"),
        (("appspec", "surfaces", 0, "mode"), "poster"),
        (("format_version",), 2),
    ],
)
def test_the_schema_refuses_what_the_ir_cannot_hold(where, value):
    data = copy.deepcopy(appspec_to_data(load_example("helpdesk").appspec))
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    assert not VALIDATOR.is_valid(data)


def test_a_spec_using_every_literal_kind_is_valid():
    appspec = compile_dsl(
        """
        app a "A"

        entity E "E":
          id: int pk
          price: decimal(10,2)=12.50
          flag: bool=true
          n: int=-3
          s: str(5)="x"

        surface s "S":
          uses entity E
          mode: view
          section main "Main":
            field id "Id" width=3 ratio=0.5 show=false label="L"
        """
    )
    VALIDATOR.validate(appspec_to_data(appspec))
