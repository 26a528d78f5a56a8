"""Shared fixtures for dazzle-core's tests."""

from __future__ import annotations

import os
import signal
import sys
import textwrap
from pathlib import Path

import pytest
from dazzle.core.compiler import CompileResult, compile_path, compile_source
from hypothesis import HealthCheck, settings

# The test-support modules beside this file (installed_command, ...) are
# importable from every test module: pytest runs with --import-mode=importlib.
sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
# Reference projects from elsewhere, never copied into the repository: only
# the tests marked `shared` read them, and only `nox -s shared` runs those
# (it sets this variable to the folder beside the repository).
SHARED_ENV = "DAZZLE_SHARED_EXAMPLES"

# Shared machines are noisy: no per-example deadline, fixed derandomised runs.
settings.register_profile("dazzle", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("dazzle")


@pytest.fixture(autouse=True)
def plain_output(monkeypatch):
    """The output tests read is uncoloured, whatever the environment says."""
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(autouse=True, scope="session")
def foreground_signals():
    """The tests send SIGINT and SIGTERM as a terminal's Ctrl-C and a
    supervisor do, to a job in the foreground. A pytest that a script or
    nohup started in the background inherits them ignored, and so would the
    dazzle commands it starts (which keep ignoring them, as they should):
    the session runs with their usual handlers, as in a terminal."""
    usual = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}
    previous = {signum: signal.signal(signum, handler) for signum, handler in usual.items()}
    yield
    for signum, handler in previous.items():
        signal.signal(signum, handler)


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def shared_examples() -> Path:
    """The reference projects; a test that needs them fails without them."""
    folder = Path(os.environ.get(SHARED_ENV, "")).resolve()
    if SHARED_ENV not in os.environ or not folder.is_dir():
        pytest.fail(f"{SHARED_ENV} must name the reference examples' folder: run `nox -s shared`", pytrace=False)
    return folder


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


@pytest.fixture
def calls_log(tmp_path: Path, monkeypatch) -> Path:
    """A fresh file for ``backend_calls`` to record this test's calls in."""
    import backend_calls

    log = tmp_path / "calls.log"
    log.write_text("")
    monkeypatch.setattr(backend_calls, "LOG", log)
    return log
