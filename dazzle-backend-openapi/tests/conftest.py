"""Fixtures; the shared test code is in ``documents.py`` (importable because
this folder is put on ``sys.path``: pytest runs with ``--import-mode=importlib``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents import build, compile_dsl  # noqa: E402


@pytest.fixture
def build_dsl(tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """``build_dsl(text, **options)``: the parsed document of a DSL text."""

    def run(text: str, **options: Any) -> dict[str, Any]:
        return build(compile_dsl(text), tmp_path, **options)

    return run
