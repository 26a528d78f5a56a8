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
    compile_project,
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
    if name.startswith("shared:"):
        return shared_example(name.removeprefix("shared:"))
    if name.startswith("example:"):
        return example_path(name.removeprefix("example:"))
    if name.startswith("synthetic:"):
        modules, entities = (int(n) for n in name.removeprefix("synthetic:").split("x"))
        return write_synthetic_project(tmp_path_factory.mktemp("synthetic"), modules, entities)
    return PROJECTS / name


PROJECT_NAMES = (
    *(f"shared:{n}" for n in SHARED_NAMES),
    *(f"example:{n}" for n in EXAMPLE_NAMES),
    *OWN_PROJECTS,
    "synthetic:1x1",
    "synthetic:3x5",
)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every project written with every variant of options."""
    written = {}
    root = tmp_path_factory.mktemp("outputs")
    for name in PROJECT_NAMES:
        try:
            source = _source(name, tmp_path_factory)
        except pytest.skip.Exception:
            continue
        appspec = compile_project(source)
        for label, options in VARIANTS:
            folder = root / f"{name.replace(':', '-')}-{label}"
            written[(name, label)] = generate(appspec, folder, **options)
    return written


@pytest.mark.parametrize("label", [label for label, _ in VARIANTS])
@pytest.mark.parametrize("name", PROJECT_NAMES)
def test_openapi_spec_validator_accepts(name: str, label: str, outputs) -> None:
    if name.startswith("shared:"):
        shared_example(name.removeprefix("shared:"))
    document = load(outputs[(name, label)])
    version = document["openapi"]
    assert version == dict(VARIANTS)[label].get("openapi_version", "3.1.0")
    VALIDATORS[version](document).validate()


def test_redocly_recommended_rules_find_no_errors(outputs) -> None:
    """One Redocly run over every output (Node starts once)."""
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
