"""Shared fixtures for dazzle-core's tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from dazzle.core.compiler import CompileResult, compile_path, compile_source

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
# Reference projects from elsewhere, kept beside the repository (CI has them;
# a user's fresh clone does not). Never copied into the repository.
SHARED_EXAMPLES = REPO.parent / "shared" / "examples"

# Shared machines are noisy: no per-example deadline, fixed derandomised runs.
settings.register_profile(
    "dazzle", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("dazzle")


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def shared_examples() -> Path:
    if not SHARED_EXAMPLES.is_dir():
        pytest.skip(f"the shared reference examples are not beside this clone ({SHARED_EXAMPLES}); "
                    "they exist in CI and in the team's workspace only")
    return SHARED_EXAMPLES


@pytest.fixture
def compile_dsl():
    """Compile dedented DSL text as a one-module app."""

    def run(text: str, file: str = "app.dsl") -> CompileResult:
        return compile_source(textwrap.dedent(text).lstrip("\n"), file)

    return run


@pytest.fixture
def make_project(tmp_path: Path):
    """Write ``{relative path: text}`` under a temporary folder and compile it."""

    def run(files: dict[str, str | bytes], compile_at: str = ".") -> CompileResult:
        for rel, content in files.items():
            target = tmp_path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return compile_path(tmp_path / compile_at)

    return run


@pytest.fixture(autouse=True)
def cache_folder(tmp_path_factory, monkeypatch) -> Path:
    """Builds keep their locks and staging in a cache folder of this test's own."""
    folder = tmp_path_factory.mktemp("dazzle-cache")
    monkeypatch.setenv("DAZZLE_CACHE_DIR", str(folder))
    return folder
