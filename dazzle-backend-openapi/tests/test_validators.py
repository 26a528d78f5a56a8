"""Every output passes the field's own tools: openapi-spec-validator (both
OpenAPI versions) and Redocly's linter with its recommended rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from dazzle.testing import EXAMPLE_NAMES, example_path
from documents import (
    OWN_PROJECTS,
    PROJECTS,
    SHARED_NAMES,
    appspec_at,
    generate,
    load,
    redocly_lint,
    shared_example,
    write_synthetic_project,
)
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

VALIDATORS = {"3.1.0": OpenAPIV31SpecValidator, "3.0.3": OpenAPIV30SpecValidator}

# (label, options): default options first; the rest vary one option each.
VARIANTS = (
    ("default", {}),
    ("3.0.3", {"openapi_version": "3.0.3"}),
    ("json", {"format": "json"}),
    ("3.0.3-json", {"openapi_version": "3.0.3", "format": "json"}),
    ("no-security", {"security": "none"}),
    ("servers", {"server_url": "https://api.example.org/v1, /local"}),
)


def _source(name: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if name.startswith("example:"):
        return example_path(name.removeprefix("example:"))
    if name.startswith("synthetic:"):
        modules, entities = (int(n) for n in name.removeprefix("synthetic:").split("x"))
        return write_synthetic_project(tmp_path_factory.mktemp("synthetic"), modules, entities)
    return PROJECTS / name


PROJECT_NAMES = (
    *(f"example:{n}" for n in EXAMPLE_NAMES),
    *OWN_PROJECTS,
    "synthetic:1x1",
    "synthetic:3x5",
)


def write_variants(sources: dict[str, Path], root: Path) -> dict[tuple[str, str], Path]:
    """Every project written with every variant of options."""
    written = {}
    for name, source in sources.items():
        appspec = appspec_at(source)
        for label, options in VARIANTS:
            folder = root / f"{name.replace(':', '-')}-{label}"
            written[(name, label)] = generate(appspec, folder, **options)
    return written


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    sources = {name: _source(name, tmp_path_factory) for name in PROJECT_NAMES}
    return write_variants(sources, tmp_path_factory.mktemp("outputs"))


def assert_spec_validator_accepts(path: Path, label: str) -> None:
    document = load(path)
    version = document["openapi"]
    assert version == dict(VARIANTS)[label].get("openapi_version", "3.1.0")
    VALIDATORS[version](document).validate()


@pytest.mark.parametrize("label", [label for label, _ in VARIANTS])
@pytest.mark.parametrize("name", PROJECT_NAMES)
def test_openapi_spec_validator_accepts(name: str, label: str, outputs) -> None:
    assert_spec_validator_accepts(outputs[(name, label)], label)


def test_redocly_recommended_rules_find_no_errors(outputs) -> None:
    """One Redocly run over every output (Node starts once)."""
    assert_redocly_finds_no_errors(outputs)


@pytest.mark.shared
def test_reference_examples_pass_both_validators(tmp_path: Path) -> None:
    outputs = write_variants({name: shared_example(name) for name in SHARED_NAMES}, tmp_path)
    for (_, label), path in outputs.items():
        assert_spec_validator_accepts(path, label)
    assert_redocly_finds_no_errors(outputs)


def assert_redocly_finds_no_errors(outputs: dict[tuple[str, str], Path]) -> None:
    files = sorted(outputs.values())
    problems = redocly_lint(files)
    errors = {
        file: [f"{p['ruleId']}: {p['message']} at {p['location'][0]['pointer']}" for p in found]
        for file, found in problems.items()
        if any(p["severity"] == "error" for p in found)
    }
    assert not errors, errors
    # The warnings that remain are expected ones: no licence in the DSL, and
    # schemas of entities that no surface exposes.
    kinds = {p["ruleId"] for found in problems.values() for p in found}
    assert kinds <= {"info-license", "no-unused-components"}, kinds


def test_redocly_finds_errors_when_there_are_some(tmp_path: Path) -> None:
    """The linter check itself works: a document without servers and
    security fails, as the original DAZZLE 0.1 output did."""
    bad = tmp_path / "out" / "openapi.yaml"
    bad.parent.mkdir()
    bad.write_text(
        "openapi: 3.1.0\ninfo:\n  title: t\n  version: '1'\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n",
        encoding="utf-8",
    )
    problems = redocly_lint([bad])
    rules = {p["ruleId"] for p in problems[str(bad)] if p["severity"] == "error"}
    assert rules, problems
