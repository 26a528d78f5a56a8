"""The test kit for backend authors.

    from dazzle.testing import assert_conforms, compile_dsl, run_backend

- ``compile_dsl(text)``, ``compile_project_at(path)``, ``compile_example(name)``:
  AppSpecs from DSL text, from a project on disk, from a bundled example;
  ``SpecError`` (an ``AssertionError``) with the diagnostics when they do not compile.
- ``EXAMPLE_NAMES``, ``example_path(name)``, ``load_example(name)``: the example
  projects that ship inside dazzle-core (``helpdesk``, ``bookshop``).
- ``run_backend(backend, source, options=..., command_line=...)``: build with one
  backend through the pipeline of ``dazzle build``; returns a ``BuildOutput``
  with the bytes of every file written.
- ``check_conformance(name)`` / ``assert_conforms(name)``: what every installed
  backend must do (entry point, capabilities, confinement to its output folder,
  determinism across runs and hash seeds, unknown options, ``BackendError``).
- ``dazzle.testing.specs``: hypothesis strategies drawing valid specs of every
  construct (``dsl_texts()``); needs hypothesis (``dazzle-core[testing]``), so
  it is imported on its own, not from here.
- ``dazzle.testing.fixtures``: the same as pytest fixtures; enable them with
  ``pytest_plugins = ["dazzle.testing.fixtures"]`` in ``conftest.py``.

Nothing here needs pytest except ``dazzle.testing.fixtures``. See
docs/writing-a-backend.md in the DAZZLE repository for the whole guide.
"""

from dazzle.backends.committer import CommitError
from dazzle.backends.options import OptionError
from dazzle.testing.appspecs import SpecError, compile_dsl, compile_example, compile_project, compile_project_at
from dazzle.testing.build import BuildOutput, run_backend
from dazzle.testing.conformance import (
    CHECKS,
    CheckResult,
    ConformanceError,
    ConformanceReport,
    assert_conforms,
    check_conformance,
)
from dazzle.testing.examples import EXAMPLE_NAMES, Example, example_path, load_example

__all__ = [
    "CHECKS",
    "EXAMPLE_NAMES",
    "BuildOutput",
    "CheckResult",
    "CommitError",
    "ConformanceError",
    "ConformanceReport",
    "Example",
    "OptionError",
    "SpecError",
    "assert_conforms",
    "check_conformance",
    "compile_dsl",
    "compile_example",
    "compile_project",
    "compile_project_at",
    "example_path",
    "load_example",
    "run_backend",
]
