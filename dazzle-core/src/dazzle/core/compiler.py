"""The whole pipeline, one function call per stage:

    load_project -> read_source + parse_module (per file) -> link -> check_appspec

``compile_path`` and ``compile_source`` never raise for bad input: every
problem is a Diagnostic in the result.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs

from dazzle.core import diagnostics as diag
from dazzle.core import ir
from dazzle.core.diagnostics import Diagnostic
from dazzle.core.linker import link
from dazzle.core.parser import ModuleAST, parse_module
from dazzle.core.project import NotRegularFile, Project, load_project, read_regular_file
from dazzle.core.rules import check_appspec


@attrs.frozen
class CompileResult:
    """``appspec`` is None when there are errors. ``diagnostics`` are sorted
    by file, line and column. ``sources`` maps each file read to its text, to
    show the source line under a diagnostic."""

    appspec: ir.AppSpec | None
    diagnostics: tuple[Diagnostic, ...]
    project: Project | None = None
    sources: dict = attrs.field(factory=dict, eq=False, repr=False)
    _lines: dict = attrs.field(init=False, factory=dict, eq=False, repr=False)

    @property
    def error_count(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warning_count(self) -> int:
        return len(self.diagnostics) - self.error_count

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if not d.is_error)

    def source_line(self, d: Diagnostic) -> str | None:
        lines = self._lines.get(d.file)
        if lines is None:
            text = self.sources.get(d.file)
            if text is None:
                return None
            lines = self._lines[d.file] = text.removeprefix("\ufeff").split("\n")
        return lines[d.line - 1] if 1 <= d.line <= len(lines) else None

    def render_diagnostics(self) -> list[str]:
        """Each diagnostic as a human reads it: location, message, source line
        with a caret, hint."""
        return [d.render(self.source_line(d)) for d in self.diagnostics]


def read_source(path: Path) -> tuple[str | None, list[Diagnostic]]:
    """The text of a DSL file, or None with a diagnostic saying why it cannot
    be read (unreadable, NUL bytes, not UTF-8)."""
    file = str(path)
    try:
        data = read_regular_file(path)
    except FileNotFoundError:
        return None, [diag.error("E001", "cannot read file: it is missing", file, 0, 0)]
    except NotRegularFile as exc:
        return None, [diag.error("E001", f"cannot read file: {exc}", file, 0, 0)]
    except OSError as exc:
        return None, [diag.error("E001", f"cannot read file: {exc.strerror or exc}", file, 0, 0)]
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        column = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        return None, [
            diag.error(
                "E003",
                "the file contains a NUL byte; is it a binary file?",
                file,
                line,
                column,
                hint="DAZZLE files are UTF-8 text",
            )
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[start : exc.start].decode("utf-8", "replace")) + 1
        return None, [
            diag.error(
                "E002",
                f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                file,
                line,
                column,
                hint="save the file as UTF-8",
            )
        ]
    lone_returns = text.count("\r") - text.count("\r\n")
    if lone_returns and lone_returns >= text.count("\n"):  # more lines end with CR alone than with LF
        first = re.search("\r(?!\n)", text).start()
        line = text.count("\n", 0, first) + 1
        return None, [
            diag.error(
                "E004",
                "the file's lines end with a carriage return (CR) alone",
                file,
                line,
                first - (text.rfind("\n", 0, first) + 1) + 1,
                hint="save the file with LF or CRLF line endings",
            )
        ]
    return text, []


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Compiling allocates hundreds of thousands of small acyclic objects;
    the cyclic collector would rescan them over and over, making the cost
    grow faster than the input. Reference counting still frees garbage."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def module_diagnostics(module: ModuleAST, application: frozenset[str] | None) -> list[Diagnostic]:
    """A module's own diagnostics. A module left out of the application is
    judged on its syntax alone (codes E0xx and E1xx): what it declares is not
    part of anything that is built."""
    if application is None or module.name in application:
        return module.diagnostics
    return [d for d in module.diagnostics if d.code[:2] in ("E0", "E1")]


#: ``parse(text, file, suggest)``: the parser's entry point, or one that remembers
#: (``dazzle build --watch`` re-parses only the files whose text changed).
Parse = Callable[[str, str, diag.Suggester], ModuleAST]


def compile_project(
    project: Project, problems: Iterable[Diagnostic] = (), parse: Parse = parse_module
) -> CompileResult:
    """Compile a loaded project; ``problems`` are what loading it found (warnings)."""
    with cyclic_gc_paused():
        return _compile_project(project, list(problems), parse)


def _compile_project(project: Project, problems: list[Diagnostic], parse: Parse) -> CompileResult:
    sources: dict[str, str] = {}
    modules = []
    unread = False
    suggest = diag.Suggester()
    for path in project.files:
        text, read_problems = read_source(path)
        problems.extend(read_problems)
        if text is None:
            unread = True
            continue
        sources[str(path)] = text
        modules.append(parse(text, str(path), suggest))
    appspec = None
    if modules:
        # With a file unread, names it declares are unknown: say so for that
        # file alone, not for every name and `use` that needed it.
        linked = link(project, modules, complete=not unread, suggest=suggest)
        for module in modules:
            problems.extend(module_diagnostics(module, linked.application))
        problems.extend(linked.diagnostics)
        if linked.appspec is not None:
            problems.extend(check_appspec(linked.appspec, linked.incomplete, partial=unread))
            appspec = linked.appspec
    sources.update(_config_sources(problems))
    problems.sort(key=diag.sort_key)
    if any(d.is_error for d in problems):
        appspec = None
    return CompileResult(appspec, tuple(problems), project, sources)


def compile_path(path: Path | str, parse: Parse = parse_module) -> CompileResult:
    """Compile a project folder (with dazzle.toml), a folder of .dsl files, or
    one .dsl file."""
    project, problems = load_project(Path(path))
    if project is None:
        return CompileResult(None, tuple(problems), sources=_config_sources(problems))
    return compile_project(project, problems, parse)


def compile_source(text: str, file: str = "<string>") -> CompileResult:
    """Compile DSL text as a one-module application (it needs an ``app`` line)."""
    with cyclic_gc_paused():
        return _compile_source(text, file)


def _compile_source(text: str, file: str) -> CompileResult:
    suggest = diag.Suggester()
    module = parse_module(text, file, suggest)
    project = Project(root_dir=Path("."), files=())
    linked = link(project, [module], suggest=suggest)
    problems = [*module.diagnostics, *linked.diagnostics]
    appspec = linked.appspec
    if appspec is not None:
        problems.extend(check_appspec(appspec, linked.incomplete))
    problems.sort(key=diag.sort_key)
    if any(d.is_error for d in problems):
        appspec = None
    return CompileResult(appspec, tuple(problems), project, {file: text})


def _config_sources(problems: list[Diagnostic]) -> dict[str, str]:
    """The text of a dazzle.toml that diagnostics point into, to show the line."""
    sources = {}
    for d in problems:
        if not d.file.endswith("dazzle.toml") or d.file in sources:
            continue
        path = Path(d.file)
        if path.name == "dazzle.toml":
            try:
                sources[d.file] = read_regular_file(path).decode("utf-8")
            except (OSError, UnicodeDecodeError):
                pass
    return sources
