"""Moving what backends staged into the user's output folder.

Each backend writes into a staging folder of its own. Once every backend has
succeeded, ``collect_staged`` gathers their files (refusing links, special
files and two backends writing one path), ``plan_commit`` compares them with
the output folder byte for byte and refuses anything that would write outside
it, and ``apply_commit`` writes the files that changed, each through a
temporary file in the same folder and ``os.replace``, so a reader never sees
a half-written file.

Nothing is deleted: a file in the output folder that no backend staged this
time (the user's own, or one a previous build wrote) is left alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import attrs


class CommitError(Exception):
    """A staged file or the output folder that cannot be committed; nothing
    has been written when this is raised by ``collect_staged`` or ``plan_commit``."""


@attrs.frozen
class StagedFile:
    path: str  # relative to the output folder, with "/" separators
    source: Path
    backend: str


@attrs.frozen
class Change:
    kind: Literal["add", "update"]
    file: StagedFile

    @property
    def path(self) -> str:
        return self.file.path


@attrs.frozen
class CommitPlan:
    out_dir: Path
    changes: tuple[Change, ...]
    unchanged: tuple[str, ...]


def collect_staged(stages: Mapping[str, Path]) -> tuple[StagedFile, ...]:
    """Every regular file under each backend's staging folder (keyed by
    backend name), sorted by path."""
    by_path: dict[str, StagedFile] = {}
    for backend, root in stages.items():
        for staged in _walk(root, backend):
            other = by_path.get(staged.path)
            if other is not None:
                raise CommitError(
                    f"backends '{other.backend}' and '{backend}' both wrote '{staged.path}'"
                )
            by_path[staged.path] = staged
    for path, staged in by_path.items():
        parent = path.rpartition("/")[0]
        while parent:
            other = by_path.get(parent)
            if other is not None:
                raise CommitError(
                    f"backend '{other.backend}' wrote the file '{parent}' and backend "
                    f"'{staged.backend}' wrote '{path}' inside it"
                )
            parent = parent.rpartition("/")[0]
    return tuple(by_path[path] for path in sorted(by_path))


def _walk(root: Path, backend: str, prefix: str = ""):
    with os.scandir(root) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            relative = prefix + entry.name
            if entry.is_symlink():
                raise CommitError(
                    f"backend '{backend}' staged '{relative}', a symbolic link; "
                    "a backend must write regular files"
                )
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path), backend, relative + "/")
            elif entry.is_file(follow_symlinks=False):
                yield StagedFile(relative, Path(entry.path), backend)
            else:
                raise CommitError(
                    f"backend '{backend}' staged '{relative}', which is not a regular file"
                )


def plan_commit(staged: tuple[StagedFile, ...], out_dir: Path) -> CommitPlan:
    """Compare the staged files with ``out_dir``; write nothing."""
    if out_dir.exists() and not out_dir.is_dir():
        raise CommitError(f"the output folder '{out_dir}' is not a folder")
    real_out = os.path.realpath(out_dir)
    changes: list[Change] = []
    unchanged: list[str] = []
    for file in staged:
        target = out_dir / file.path
        _check_inside(out_dir, real_out, file)
        if target.is_symlink():
            raise CommitError(
                f"'{target}' is a symbolic link; refusing to replace it with '{file.path}' "
                f"from backend '{file.backend}'"
            )
        if not target.exists():
            changes.append(Change("add", file))
        elif not target.is_file():
            raise CommitError(
                f"'{target}' exists and is not a file; backend '{file.backend}' wrote a file there"
            )
        elif _same_bytes(file.source, target):
            unchanged.append(file.path)
        else:
            changes.append(Change("update", file))
    return CommitPlan(out_dir, tuple(changes), tuple(unchanged))


def _check_inside(out_dir: Path, real_out: str, file: StagedFile) -> None:
    # A folder of the output that is a link (or a file) would send the write
    # elsewhere; the staged path itself cannot hold "..", it came from a walk.
    parent = out_dir
    for part in file.path.split("/")[:-1]:
        parent = parent / part
        if not parent.exists() and not parent.is_symlink():
            return
        if not parent.is_dir():
            raise CommitError(
                f"cannot write '{file.path}' from backend '{file.backend}': '{parent}' is not a folder"
            )
        real = os.path.realpath(parent)
        if os.path.commonpath([real, real_out]) != real_out:
            raise CommitError(
                f"cannot write '{file.path}' from backend '{file.backend}': '{parent}' "
                f"leads outside the output folder (to '{real}')"
            )


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    return a.read_bytes() == b.read_bytes()


def apply_commit(plan: CommitPlan) -> None:
    """Write every changed file. First each new content goes into a temporary
    file beside its target; only when all of them are written are they moved
    into place, each old file kept aside until every move has succeeded. So a
    write or a move that fails (a folder that cannot be written, a full disk,
    a locked file) undoes what was done and leaves the output folder as it was."""
    made_folders: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    moved: list[tuple[Path, Path | None]] = []  # (target, where its old content is kept)
    try:
        for change in plan.changes:
            target = plan.out_dir / change.path
            made_folders.extend(make_folders(target.parent))
            staged.append((stage_copy(change.file.source, target), target))
        for temporary, target in staged:
            kept = None
            if os.path.lexists(target):
                kept = Path(f"{temporary}.old")
                os.replace(target, kept)
            try:
                os.replace(temporary, target)
            except BaseException:
                if kept is not None:
                    os.replace(kept, target)
                raise
            moved.append((target, kept))
    except BaseException:
        for target, kept in reversed(moved):
            with contextlib.suppress(OSError):
                if kept is None:
                    target.unlink()
                else:
                    os.replace(kept, target)
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        for folder in reversed(made_folders):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    for _, kept in moved:
        if kept is not None:
            kept.unlink(missing_ok=True)


def make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and any missing parents; return those created, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
    return list(reversed(missing))


def stage_copy(source: Path, target: Path) -> Path:
    """Copy ``source`` into a new temporary file beside ``target``; return its path."""
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream, source.open("rb") as data:
            shutil.copyfileobj(data, stream)
        shutil.copymode(source, temporary)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)
