"""Every document works in the tools users feed it to, with no warning:
openapi-python-client generates a whole client that passes ``mypy
--strict``, openapi-typescript's types pass ``tsc --strict``, and a Prism
mock server answers every GET path with a response that passes Prism's own
validation. Each project is checked in both OpenAPI versions; the clients of
all documents are type-checked in one mypy run and one tsc run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from consumers import (
    answers,
    dumps,
    mypy_strict,
    python_client,
    tsc_strict,
    typescript_types,
    violations_logged,
)
from dazzle.testing import EXAMPLE_NAMES, example_path
from documents import OWN_PROJECTS, PROJECTS, REPO, appspec_at, generate, write_synthetic_project

VERSIONS = ("3.1.0", "3.0.3")
#: The bench's generator at a small size: every construct at a realistic density.
BENCH_SIZE = ("1", "20")

PROJECT_NAMES = (
    *(f"example:{n}" for n in EXAMPLE_NAMES),
    *OWN_PROJECTS,
    "synthetic:2x3",
    "bench:1x20",
)
KEYS = [(name, version) for name in PROJECT_NAMES for version in VERSIONS]


def _label(name: str, version: str) -> str:
    """A name fit for a file, a Python package and a TypeScript module."""
    stem = name.replace(":", "_").replace(".dsl", "").replace("x", "_")
    return f"{stem}_v{version.replace('.', '')}".lower()


def _source(name: str, folder: Path) -> Path:
    kind, _, rest = name.partition(":")
    if kind == "example":
        return example_path(rest)
    if kind == "synthetic":
        modules, entities = (int(n) for n in rest.split("x"))
        return write_synthetic_project(folder / "synthetic", modules, entities)
    if kind == "bench":
        subprocess.run(
            [
                sys.executable,
                str(REPO / "bench" / "generate.py"),
                "--modules",
                BENCH_SIZE[0],
                "--entities",
                BENCH_SIZE[1],
                str(folder / "bench"),
            ],
            check=True,
            capture_output=True,
        )
        return folder / "bench"
    return PROJECTS / name


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every project's document in each version, written as ``LABEL.yaml``."""
    root = tmp_path_factory.mktemp("documents")
    written = {}
    for name in PROJECT_NAMES:
        appspec = appspec_at(_source(name, tmp_path_factory.mktemp("source")))
        for version in VERSIONS:
            label = _label(name, version)
            path = generate(appspec, root / label, openapi_version=version)
            written[(name, version)] = path.rename(root / f"{label}.yaml")
    return written


@pytest.fixture(scope="module")
def python_clients(documents, tmp_path_factory) -> dict[tuple[str, str], tuple[Path, str]]:
    """Each document's openapi-python-client package and what the generator printed."""
    out = tmp_path_factory.mktemp("python")
    return {key: (out / _label(*key), python_client(path, _label(*key), out)) for key, path in documents.items()}


@pytest.fixture(scope="module")
def typescript(documents, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    out = tmp_path_factory.mktemp("typescript")
    return out, typescript_types({_label(*key): path for key, path in documents.items()}, out)


@pytest.mark.parametrize(("name", "version"), KEYS)
def test_openapi_python_client_generates_every_endpoint_without_warning(name, version, python_clients) -> None:
    package, printed = python_clients[(name, version)]
    assert "warning" not in printed.lower(), printed
    assert (package / "client.py").exists()


def test_every_python_client_passes_mypy_strict(python_clients) -> None:
    report = mypy_strict([package for package, _ in python_clients.values()])
    assert not report, report


@pytest.mark.parametrize(("name", "version"), KEYS)
def test_openapi_typescript_writes_types_without_warning(name, version, typescript) -> None:
    out, printed = typescript
    label = _label(name, version)
    assert "warn" not in printed[label].lower(), printed[label]
    assert (out / f"{label}.ts").stat().st_size > 0


def test_every_typescript_output_passes_tsc_strict(typescript) -> None:
    out, _ = typescript
    report = tsc_strict(sorted(out.glob("*.ts")))
    assert not report, report


@pytest.mark.parametrize("name", PROJECT_NAMES)
def test_prism_mock_answers_every_get_path_within_the_document(name, documents, tmp_path) -> None:
    """Both versions' documents at once: one Prism server each."""
    runs = [(documents[(name, version)], tmp_path / f"prism-{version}.log") for version in VERSIONS]
    for (path, log), got in zip(runs, answers(runs), strict=True):
        assert got, f"{path.name} has no GET path"
        wrong = [a for a in got if a.status != 200 or a.violations]
        assert not wrong, dumps([[path.name, a.path, a.status, a.violations, a.body[:500]] for a in wrong])
        assert not violations_logged(log), log.read_text()


def test_prism_reports_a_response_that_violates_the_document(tmp_path) -> None:
    """The Prism check itself works: a pattern-constrained string without an
    example (what decimals were before) makes Prism return ``"string"``, and
    with ``--errors`` it says so."""
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/prices": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "string", "pattern": r"^-?\d{1,6}(\.\d{1,2})?$"}
                                }
                            },
                        }
                    }
                }
            }
        },
    }
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    log = tmp_path / "prism.log"
    ((got,),) = answers([(path, log)])
    assert got.status >= 500 or got.violations, got
    assert violations_logged(log) or got.violations, log.read_text()
