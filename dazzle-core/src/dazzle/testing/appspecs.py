"""AppSpecs for tests: from DSL text, from a project on disk, from a bundled example.

Each function returns the ``AppSpec`` or raises ``SpecError`` (an
``AssertionError``, so pytest shows it as a failed check) with every
diagnostic rendered as ``dazzle validate`` prints it.
"""

from __future__ import annotations

import os
import textwrap
import warnings
from pathlib import Path

from dazzle.core import ir
from dazzle.core.compiler import CompileResult, compile_path, compile_source


class SpecError(AssertionError):
    """DSL given to a test helper did not compile."""

    def __init__(self, what: str, result: CompileResult) -> None:
        rendered = "\n\n".join(result.render_diagnostics()) or "(no diagnostics)"
        super().__init__(f"{what} does not compile:\n\n{rendered}")
        self.result = result


def compile_dsl(text: str, file: str = "app.dsl", *, dedent: bool = True) -> ir.AppSpec:
    """Compile DSL text as a one-module application; it needs an ``app`` line.

    The text is dedented first (unless ``dedent=False``), so it can be written
    indented inside a test. ``file`` is the name the source locations carry.
    Warnings are allowed; errors raise ``SpecError``.
    """
    if dedent:
        text = textwrap.dedent(text).lstrip("\n")
    result = compile_source(text, file)
    if not result.ok or result.appspec is None:
        raise SpecError(f"the DSL text ({file})", result)
    return result.appspec


def compile_project_at(path: str | os.PathLike[str]) -> ir.AppSpec:
    """Compile a project folder (with ``dazzle.toml``), a folder of ``.dsl``
    files or one ``.dsl`` file, as ``dazzle build PATH`` would. Warnings are
    allowed; errors raise ``SpecError``."""
    result = compile_path(Path(path))
    if not result.ok or result.appspec is None:
        raise SpecError(f"the project {os.fspath(path)!r}", result)
    return result.appspec


def compile_project(path: str | os.PathLike[str]) -> ir.AppSpec:
    """Deprecated name of ``compile_project_at`` (``dazzle.core.compiler``
    has a ``compile_project`` of its own, from a loaded ``Project`` to a
    ``CompileResult``): it warns, then does the same."""
    warnings.warn(
        "dazzle.testing.compile_project is deprecated: use dazzle.testing.compile_project_at "
        "(the same function under a name that dazzle.core.compiler does not also use)",
        DeprecationWarning,
        stacklevel=2,
    )
    return compile_project_at(path)


def compile_example(name: str) -> ir.AppSpec:
    """The AppSpec of a bundled example project (``helpdesk``, ``bookshop``)."""
    from dazzle.testing.examples import load_example

    return load_example(name).appspec
