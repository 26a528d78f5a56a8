"""`dazzle build --watch`: build, then build again whenever a `.dsl` file or
the `dazzle.toml` of the project changes, until Ctrl-C.

Each build is exactly `dazzle build`'s (the same function, given a parser
that remembers): a file whose text has not changed is not parsed again, and
a build that fails (errors in the project, a backend that fails) leaves the
output folder as the last good build left it. Watching needs the optional
`watchfiles` package (`pip install "dazzle-core[watch]"`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import attrs
import click

from dazzle.core.diagnostics import Suggester
from dazzle.core.parser import ModuleAST, parse_module

if TYPE_CHECKING:
    from dazzle.cli.build import BuildArguments

#: One build of the watched project: `dazzle build`'s, given its arguments
#: and the parser that remembers.
BuildOnChange = Callable[["BuildArguments", "ParseCache"], None]

INSTALL_HINT = 'dazzle build --watch needs the watchfiles package: pip install "dazzle-core[watch]"'


@attrs.define
class ParseCache:
    """The parser's entry point, remembering each file's last text and its
    module: a file is parsed again only when its text changed. Modules are
    never changed after parsing, so one can serve many builds."""

    modules: dict[str, tuple[str, ModuleAST]] = attrs.Factory(dict)
    #: How many files were asked for, and how many of them were parsed, over every build.
    asked: int = 0
    parsed: int = 0

    def __call__(self, text: str, file: str, suggest: Suggester) -> ModuleAST:
        self.asked += 1
        known = self.modules.get(file)
        if known is not None and known[0] == text:
            return known[1]
        module = parse_module(text, file, suggest)
        self.modules[file] = (text, module)
        self.parsed += 1
        return module


def is_project_file(_change: object, path: str) -> bool:
    """What a build reads: the modules and the project file."""
    return path.endswith(".dsl") or Path(path).name == "dazzle.toml"


def watched_folders(path: Path) -> list[Path]:
    """The project's folder and every folder a module of it lies in (module
    paths may lie outside the project folder), without nested duplicates."""
    from dazzle.core.project import load_project

    project, _ = load_project(path)
    folders = {path.resolve() if path.is_dir() else path.resolve().parent}
    if project is not None:
        folders.add(project.root_dir.resolve())
        folders.update(f.resolve().parent for f in project.files)
    return sorted(f for f in folders if not any(p != f and p in f.parents for p in folders))


def build_and_report(arguments: BuildArguments, build: BuildOnChange, cache: ParseCache) -> int:
    """Run one build as `dazzle build` runs it; return its exit status."""
    started, asked, parsed = time.perf_counter(), cache.asked, cache.parsed
    try:
        build(arguments, cache)
        status = 0
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else 1
    except click.ClickException as error:
        error.show()
        status = error.exit_code
    seconds = time.perf_counter() - started
    files = f"parsed {cache.parsed - parsed} of {cache.asked - asked} files"
    if status == 0:
        click.echo(f"[{time.strftime('%H:%M:%S')}] built in {seconds:.2f}s ({files})", err=True)
    else:
        click.echo(
            f"[{time.strftime('%H:%M:%S')}] build failed in {seconds:.2f}s ({files}); "
            "the output is as the last good build left it",
            err=True,
        )
    return status


def watch_and_build(arguments: BuildArguments, build: BuildOnChange) -> NoReturn:
    """Build, then rebuild on every change to the project at
    ``arguments.path``, until Ctrl-C (exit 0)."""
    try:
        import watchfiles
    except ImportError:
        raise click.UsageError(INSTALL_HINT) from None
    cache = ParseCache()
    folders = watched_folders(arguments.path)
    # The watcher starts before the first build, so that an edit made while
    # it runs, or just after, is not missed (the watcher collects changes
    # while a build runs): the first batch of changes, empty after 200 ms
    # without any (rust_timeout, yield_on_timeout), starts the first build;
    # later empty batches are ignored. step: how long the folders must stay quiet before a build
    # starts (an editor's save is several events); short, so an edit shows soon.
    batches = watchfiles.watch(
        *folders, watch_filter=is_project_file, step=50, rust_timeout=200, yield_on_timeout=True, raise_interrupt=True
    )
    try:
        next(batches)
        if build_and_report(arguments, build, cache) == 2:  # a usage error: every build would repeat it
            sys.exit(2)
        shown = ", ".join(str(f) for f in folders)
        click.echo(f"watching {shown} for changes to .dsl files and dazzle.toml (Ctrl-C to stop)", err=True)
        for changes in batches:
            if not changes:
                continue
            changed = sorted({str(Path(p)) for _, p in changes})
            click.echo(f"\nchanged: {', '.join(changed)}", err=True)
            build_and_report(arguments, build, cache)
    except KeyboardInterrupt:
        click.echo("\nstopped watching", err=True)
    sys.exit(0)
