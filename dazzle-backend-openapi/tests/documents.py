"""What the tests share: compiling DSL, building and reading documents, and
running Redocly's linter."""

from __future__ import annotations

import json
import os
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from dazzle.backends import BackendWarning
from dazzle.core import ir
from dazzle.core.compiler import compile_path, compile_source
from dazzle_backend_openapi import OpenAPIBackend

TESTS = Path(__file__).resolve().parent
PROJECTS = TESTS / "projects"
REPO = TESTS.parents[1]
#: The reference examples live beside the repository, not in it: only the
#: tests marked `shared` read them, run by `nox -s shared`, which sets this.
SHARED_ENV = "DAZZLE_SHARED_EXAMPLES"
SHARED_NAMES = ("support_tickets", "vat_tools")
OWN_PROJECTS = tuple(sorted(p.name for p in PROJECTS.iterdir() if p.suffix == ".dsl" or p.is_dir()))
REDOCLY_ENV = "DAZZLE_REDOCLY_BIN"

#: The warnings of the test projects that take names the backend wants on
#: purpose, by app name; every other project builds without one.
EXPECTED_WARNINGS = {
    "edge_cases": (
        "the schema 'Problem' is taken; this one is 'Problem2' (rename the declaration to choose)",
        "the enum constant 'NULL' is taken; this one is 'NULL_2' (rename the declaration to choose)",
    ),
    "help_desk": ("the path segment 'tickets' is taken; this one is 'tickets-2' (rename the declaration to choose)",),
}


def compiled(result: Any, what: str) -> ir.AppSpec:
    if not result.ok:
        raise AssertionError(f"{what} does not compile:\n" + "\n".join(result.render_diagnostics()))
    return result.appspec


def compile_dsl(text: str) -> ir.AppSpec:
    """An AppSpec from the text of a one-module application."""
    return compiled(compile_source(text, file="<test>"), "the test DSL")


def appspec_at(path: Path) -> ir.AppSpec:
    """The AppSpec of the project at ``path``; the test fails if it does not compile."""
    return compiled(compile_path(path), str(path))


def shared_example(name: str) -> Path:
    """A reference example project; the test fails where they are absent."""
    path = Path(os.environ.get(SHARED_ENV, "")).resolve() / name
    if SHARED_ENV not in os.environ or not path.exists():
        pytest.fail(f"{SHARED_ENV} must name the reference examples' folder: run `nox -s shared`", pytrace=False)
    return path / "app.dsl" if (path / "app.dsl").exists() else path


def generate(appspec: ir.AppSpec, out: Path, *, warns: tuple[str, ...] | None = None, **options: Any) -> Path:
    """Run the backend; return the file it wrote. The ``BackendWarning``s it
    gives must be ``warns`` (by default those ``EXPECTED_WARNINGS`` lists
    for the app), each given once."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BackendWarning)
        OpenAPIBackend().generate(appspec, out, **options)
    given = []
    for warning in caught:
        if issubclass(warning.category, BackendWarning):
            given.append(str(warning.message))
        else:  # not ours to judge: to the usual filters
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    expected = EXPECTED_WARNINGS.get(appspec.name, ()) if warns is None else warns
    assert sorted(given) == sorted(expected), given
    (written,) = sorted(out.iterdir())
    return written


def load(path: Path) -> dict[str, Any]:
    """Parse a written document (YAML with a YAML 1.1 reader, or JSON)."""
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def build(appspec: ir.AppSpec, tmp_path: Path, **options: Any) -> dict[str, Any]:
    """The document as a reader sees it: generated, written and parsed."""
    out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
    return load(generate(appspec, out, **options))


# --- Redocly ------------------------------------------------------------------


def redocly_bin() -> str:
    value = os.environ.get(REDOCLY_ENV)
    if not value:
        pytest.fail(
            f"{REDOCLY_ENV} is not set. These tests lint the output with Redocly's CLI: run them "
            f"with `nox -s openapi`, which installs @redocly/cli@2.77.0 from npm and sets it, or "
            f"`npm install --prefix DIR @redocly/cli@2.77.0` and set "
            f"{REDOCLY_ENV}=DIR/node_modules/.bin/redocly.",
            pytrace=False,
        )
    path = Path(value).resolve()  # nox gives a path relative to the repository
    if not path.exists():
        pytest.fail(f"{REDOCLY_ENV}={value} does not exist", pytrace=False)
    return str(path)


def redocly_lint(files: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """Lint ``files`` with Redocly's recommended rules (its default); return
    the problems found in each file."""
    env = {
        **os.environ,
        "REDOCLY_TELEMETRY": "off",
        "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
        "NO_COLOR": "1",
    }
    proc = subprocess.run(
        [redocly_bin(), "lint", "--format=json", "--max-problems=100000", *map(str, files)],
        capture_output=True,
        text=True,
        env=env,
        cwd=files[0].parent.parent,
        timeout=600,
    )
    reports = []
    decoder = json.JSONDecoder()
    text, at = proc.stdout, 0
    while True:
        start = text.find("{", at)
        if start < 0:
            break
        report, at = decoder.raw_decode(text, start)
        reports.append(report)
    if not reports:
        raise AssertionError(f"redocly printed no report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    problems: dict[str, list[dict[str, Any]]] = {str(f): [] for f in files}
    by_name = {Path(f).resolve(): str(f) for f in files}
    for report in reports:
        for problem in report["problems"]:
            source = Path(problem["location"][0]["source"]["ref"])
            if not source.is_absolute():
                source = files[0].parent.parent / source
            problems[by_name.get(source.resolve(), str(source))].append(problem)
    errors = sum(1 for found in problems.values() for p in found if p["severity"] == "error")
    assert (proc.returncode == 0) == (errors == 0), (proc.returncode, proc.stderr)
    return problems


# --- synthetic projects ---------------------------------------------------------


def write_synthetic_project(folder: Path, modules: int, entities: int) -> Path:
    """A project of ``modules`` modules with ``entities`` entities each, every
    entity with the four usual surfaces, references within and across modules,
    int and uuid keys, and per module an entity-less surface, a service, a
    foreign model, an integration (action and sync) and an experience."""
    (folder / "dsl").mkdir(parents=True)
    root = f"synth.m{modules - 1}"
    (folder / "dazzle.toml").write_text(
        f'[project]\nname = "synthetic"\nversion = "2.3.4"\nroot = "{root}"\n\n[modules]\npaths = ["./dsl"]\n',
        encoding="utf-8",
    )
    for m in range(modules):
        out = [f"module synth.m{m}"]
        out += [f"use synth.m{u}" for u in range(m)]
        if m == modules - 1:
            out.append('app synthetic "Synthetic ✓"')
        names = [f"M{m}Thing{e}" for e in range(entities)]
        for e, name in enumerate(names):
            key = "id: int pk" if e % 3 == 0 else "id: uuid pk"
            out += [
                f'entity {name} "Thing {m}.{e}":',
                f"  {key}",
                "  title: str(120) required",
                "  notes: text",
                "  state: enum[draft,live,gone]=draft",
                "  price: decimal(9,2) default=1.5",
                "  count: int=0",
                "  flag: bool",
                "  due: date?",
                "  created_at: datetime auto_add",
            ]
            if e:
                out.append(f"  previous: ref {names[e - 1]} optional")
            if m:
                out.append(f"  upstream: ref M{m - 1}Thing{e % entities} required")
            out.append("  index state")
            s = f"m{m}_thing{e}"
            out += [
                f'surface {s}_list "Things {m}.{e}":',
                f"  uses entity {name}",
                "  mode: list",
                '  section main "All":',
                '    field title "Title"',
                '    field state "State"',
                "  action open:",
                f"    on click -> surface {s}_view",
                f'surface {s}_view "Thing":',
                f"  uses entity {name}",
                "  mode: view",
                "  section main:",
                "    field title",
                "    field notes",
                "    field price",
                f'surface {s}_create "New thing":',
                f"  uses entity {name}",
                "  mode: create",
                "  section main:",
                '    field title "Title"',
                '    field price "Price"',
                "    field due",
                f'surface {s}_edit "Edit thing":',
                f"  uses entity {name}",
                "  mode: edit",
                "  section main:",
                "    field title",
                "    field state",
                "    field flag",
            ]
            if e == 0:
                out += ["  action sync:", f"    on submit -> integration m{m}_link action push"]
        out += [
            f'surface m{m}_search "Search":',
            "  mode: custom",
            "  section main:",
            '    field q "Query"',
            "  action go:",
            f"    on submit -> integration m{m}_link action find",
            f'service m{m}_api "API {m}":',
            f'  spec: url "https://api.example.org/{m}/openapi.json"',
            '  auth_profile: oauth2_pkce scopes="things:read"',
            f'foreign_model M{m}Remote from m{m}_api "Remote {m}":',
            "  key: code",
            "  constraint read_only",
            "  field code: str(20) required",
            "  field title: str(120)",
            f'integration m{m}_link "Link {m}":',
            f"  uses service m{m}_api",
            f"  uses foreign_model M{m}Remote",
            "  action push:",
            f"    when surface m{m}_thing0_edit submitted",
            f"    call m{m}_api.push with:",
            "      id <- entity.id",
            f"    map response M{m}Remote -> entity {names[0]}:",
            "      title <- foreign.title",
            "  action find:",
            f"    when surface m{m}_search submitted",
            f"    call m{m}_api.find with:",
            "      q <- form.q",
            "  sync pull:",
            "    mode: scheduled",
            '    schedule: "*/5 * * * *"',
            f"    from m{m}_api.list as M{m}Remote",
            f"    into entity {names[-1]}",
            "    match on:",
            "      code <-> title",
            f'experience m{m}_flow "Flow {m}":',
            "  start at step browse",
            "  step browse:",
            "    kind: surface",
            f"    surface m{m}_thing0_list",
            "    on success -> step pull",
            "  step pull:",
            "    kind: integration",
            f"    integration m{m}_link action pull",
        ]
        (folder / "dsl" / f"m{m}.dsl").write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder
