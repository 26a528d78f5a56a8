"""The installed `dazzle` command, run in a child process as a user runs
it: for the tests that need a real process (end-to-end sessions, signals,
completion, command backends)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

#: The `dazzle` console script installed beside this interpreter.
DAZZLE = Path(sys.executable).parent / "dazzle"


def run_dazzle(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `dazzle` with ``args``; ``env`` adds to (or
    overrides) this process's environment."""
    return subprocess.run(
        [str(DAZZLE), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def require_installed(*distributions: str, session: str) -> None:
    """Fail (never skip) unless the `dazzle` command and ``distributions``
    are installed, naming the nox session that installs them."""
    if not DAZZLE.is_file():
        pytest.fail(f"no dazzle command next to {sys.executable}: run these tests through `nox -s {session}`")
    for distribution in distributions:
        try:
            metadata.version(distribution)
        except metadata.PackageNotFoundError:
            pytest.fail(f"{distribution} is not installed: run these tests through `nox -s {session}`")
