"""`dazzle build --watch`: build, then build again whenever a `.dsl` file or
the `dazzle.toml` of the project changes, until Ctrl-C.

What is watched follows what the project loader finds, found again after
every change: the project folder and each module folder (a folder dazzle.toml
names anew is watched from then on), and a module file counts when it is
found or lost, even without an event naming it (a folder moved in). A
project that does not load is found again at every pause as well: what it
waits for (a module folder named before it exists) may appear where no
watcher looks.

Each build is exactly `dazzle build`'s (the same function, given a parser
that remembers): a file whose text has not changed is not parsed again, and
a build that fails (errors in the project, a backend that fails) leaves the
output folder as the last good build left it. Watching needs the optional
`watchfiles` package (`pip install "dazzle-core[watch]"`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import attrs
import click

from dazzle.core.diagnostics import Suggester
from dazzle.core.parser import ModuleAST, parse_module
from dazzle.core.project import CONFIG_NAME

#: watchfiles' batches of changes: sets of (kind of change, path).
Batches = Generator[set[tuple[Any, str]], None, None]

if TYPE_CHECKING:
    from dazzle.cli.build_arguments import BuildArguments

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


@attrs.frozen
class WatchedProject:
    """What the project loader finds at the path given, as the watcher needs
    it: the folders to watch and the module files. Found again after every
    change, so that what is watched follows what a build would read: a
    module folder named anew by dazzle.toml is watched from then on, and a
    folder of modules moved or copied in counts even when no event names a
    ``.dsl`` file (a moved folder is one event, for the folder)."""

    #: The folder given (a file's folder), the project folder and every
    #: module folder, real paths, without nested duplicates (watching is recursive).
    folders: tuple[Path, ...]
    #: The module files, each in its folder's real path.
    files: frozenset[str]
    #: False while the path given is missing (moved away, being checked out
    #: anew): then only its nearest existing ancestor is watched, and not
    #: what lies below it, which may be the whole home folder.
    recursive: bool = True
    #: False while the project does not load (a module folder that dazzle.toml
    #: names does not exist yet, a mistake in dazzle.toml): then it is found
    #: again at every pause, since what would fix it may be outside every
    #: watched folder (``../shared`` created later).
    loaded: bool = True

    @classmethod
    def find(cls, path: Path) -> WatchedProject:
        from dazzle.core.project import load_project

        if not path.exists():
            ancestor = path.resolve().parent
            while not ancestor.is_dir():
                ancestor = ancestor.parent
            return cls((ancestor,), frozenset(), recursive=False, loaded=False)
        project, _ = load_project(path)
        folders = {path.resolve() if path.is_dir() else path.resolve().parent}
        files: frozenset[str] = frozenset()
        if project is not None:
            folders.add(project.root_dir.resolve())
            folders.update(f.resolve() for f in project.module_folders)
            files = frozenset(_as_watched(project.files))
        nested = sorted(f for f in folders if not any(p != f and p in f.parents for p in folders))
        return cls(tuple(nested), files, loaded=project is not None)

    def watches_as(self, other: WatchedProject) -> bool:
        """Does one watcher serve both?"""
        return self.folders == other.folders and self.recursive == other.recursive

    def changes_since(self, before: WatchedProject, changes: Iterable[str]) -> list[str]:
        """Of the paths that changed, those a build reads (a module file, now
        or before, or a dazzle.toml), and the module files found or lost
        without an event of their own; sorted, empty if none."""
        modules = self.files | before.files
        read = {p for p in changes if p in modules or Path(p).name == CONFIG_NAME}
        return sorted(read | (self.files ^ before.files))


def _as_watched(files: Iterable[Path]) -> Iterator[str]:
    """Each file as the watcher names it: in its folder's real path, by its
    own name. One realpath per folder: a project of many files in a few
    folders is found again after every change."""
    real: dict[str, str] = {}
    for file in files:
        folder, name = os.path.split(file)
        if folder not in real:
            real[folder] = os.path.realpath(folder)
        yield os.path.join(real[folder], name)


def start_watching(watchfiles: Any, project: WatchedProject) -> Batches:
    """Watch the project's folders (recursively, unless the path given is
    missing: ``WatchedProject.recursive``); return the batches of changes once
    the watcher is running. The first batch (after 200 ms without any change:
    rust_timeout, yield_on_timeout) is dropped: the build that follows reads
    the files after it, so nothing changed before it is missed. step: how
    long the folders must stay quiet before a batch ends (an editor's save is
    several events); short, so an edit shows soon. No filter: which changes
    matter is the project loader's to say (``WatchedProject.changes_since``),
    and it reads folders watchfiles' default filter would ignore."""
    batches = watchfiles.watch(
        *project.folders,
        watch_filter=None,
        step=50,
        rust_timeout=200,
        yield_on_timeout=True,
        raise_interrupt=True,
        recursive=project.recursive,
    )
    next(batches)
    return batches


def watch_project(watchfiles: Any, path: Path) -> tuple[WatchedProject, Batches]:
    """The project at ``path`` and a watcher of its folders, started before
    the project is found again: a dazzle.toml changed meanwhile (naming
    other folders) starts a watcher of those."""
    found = WatchedProject.find(path)
    while True:
        batches = start_watching(watchfiles, found)
        again = WatchedProject.find(path)
        if again.watches_as(found):
            return again, batches
        batches.close()
        found = again


def announce(project: WatchedProject) -> None:
    shown = ", ".join(str(f) for f in project.folders)
    if not project.recursive:
        click.echo(f"the project is missing: watching {shown} (not its sub-folders) until it is back", err=True)
        return
    click.echo(f"watching {shown} for changes to .dsl files and dazzle.toml (Ctrl-C to stop)", err=True)


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
    path = arguments.path
    # The watcher starts before the first build, so that an edit made while
    # it runs, or just after, is not missed (the watcher collects changes
    # while a build runs).
    try:
        project, batches = watch_project(watchfiles, path)
        if build_and_report(arguments, build, cache) == 2:  # a usage error: every build would repeat it
            sys.exit(2)
        announce(project)
        while True:
            changes = next(batches)
            if not changes and project.loaded:  # a pause (rust_timeout) with nothing new
                continue
            now = WatchedProject.find(path)
            changed = now.changes_since(project, (p for _, p in changes))
            if not changed:  # the build's own output, or a file no build reads
                continue
            if not now.watches_as(project):
                batches.close()
                now, batches = watch_project(watchfiles, path)
                announce(now)
            project = now
            click.echo(f"\nchanged: {', '.join(changed)}", err=True)
            build_and_report(arguments, build, cache)
    except KeyboardInterrupt:
        click.echo("\nstopped watching", err=True)
    sys.exit(0)
