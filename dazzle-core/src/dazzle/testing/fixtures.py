"""pytest fixtures for backend tests. Enable them in your ``tests/conftest.py``::

    pytest_plugins = ["dazzle.testing.fixtures"]

(dazzle-core registers no pytest plugin of its own accord: these fixtures
load only where a test suite asks for them.)

- ``dazzle_example``: each bundled example project in turn (a test that takes
  it runs once per example), as an ``Example`` (``name``, ``path``,
  ``appspec``, ``copy_to()``);
- ``dazzle_examples``: every bundled example, by name;
- ``dazzle_dsl``: ``compile_dsl(text, file="app.dsl")``, DSL text to an AppSpec;
- ``dazzle_project``: ``compile_project_at(path)``, a project on disk to an AppSpec;
- ``dazzle_build``: ``run_backend(backend, source, **kwargs)`` writing into a
  fresh folder under the test's ``tmp_path``, kept for you to look at when
  the test fails.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from dazzle.testing.appspecs import compile_dsl, compile_project_at
from dazzle.testing.build import BuildOutput, run_backend
from dazzle.testing.examples import EXAMPLE_NAMES, Example, load_example


@pytest.fixture(scope="session")
def dazzle_examples() -> Mapping[str, Example]:
    """Every bundled example project, by name."""
    return {name: load_example(name) for name in EXAMPLE_NAMES}


@pytest.fixture(params=EXAMPLE_NAMES)
def dazzle_example(request: pytest.FixtureRequest) -> Example:
    """Each bundled example project in turn."""
    return load_example(request.param)


@pytest.fixture
def dazzle_dsl() -> Callable[..., Any]:
    """``dazzle_dsl(text, file="app.dsl")``: the AppSpec of DSL text (dedented)."""
    return compile_dsl


@pytest.fixture
def dazzle_project() -> Callable[..., Any]:
    """``dazzle_project(path)``: the AppSpec of a project folder or ``.dsl`` file."""
    return compile_project_at


@pytest.fixture
def dazzle_build(tmp_path: Path) -> Callable[..., BuildOutput]:
    """``dazzle_build(backend, source, options=..., command_line=...)``: run a
    backend as ``dazzle build`` does, into ``tmp_path/build-1``, ``build-2``, ..."""
    numbers = itertools.count(1)

    def build(backend: Any, source: Any, **kwargs: Any) -> BuildOutput:
        kwargs.setdefault("out_dir", tmp_path / f"build-{next(numbers)}")
        return run_backend(backend, source, **kwargs)

    return build
