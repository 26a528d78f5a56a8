"""The per-user cache folder where the builds of one output folder keep their
lock and their staging folders.

Both live outside the output folder, so ``dazzle build --check`` writes
nothing into it and works on a read-only one. The cache folder is
``$DAZZLE_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/dazzle``, else
``~/.cache/dazzle``; each output folder gets a subfolder named after a hash
of its real path, holding ``lock`` (taken with ``flock``, so the lock goes
away with the process that held it, even after SIGKILL), ``staging/`` and
``out-dir`` (the real path). Each build also removes the entries of output
folders that no longer exist, so temporary output folders (the testing kit's)
do not pile up there.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs

from dazzle.backends.committer import CommitError

#: The environment variable that moves the cache folder (tests, read-only homes).
CACHE_DIR_VARIABLE = "DAZZLE_CACHE_DIR"


class CacheError(CommitError):
    """The cache folder cannot hold the lock and the staging (a CommitError,
    so callers that report commit problems report this one too)."""


@attrs.frozen
class OutputReservation:
    """The right to build into one output folder, held until released."""

    #: The output folder's real path, resolved before any backend ran.
    out_dir: Path
    #: An empty folder that only this build uses; backends' staging folders go here.
    staging_root: Path


def cache_dir() -> Path:
    """The per-user cache folder of dazzle."""
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says to ignore a relative one
        return Path(xdg) / "dazzle"
    return Path.home() / ".cache" / "dazzle"


def _announce_wait(out_dir: Path) -> None:
    print(f"waiting for another build of {out_dir} to finish", file=sys.stderr, flush=True)


@contextlib.contextmanager
def reserve_output(out_dir: Path, *, on_wait: Callable[[Path], None] = _announce_wait) -> Iterator[OutputReservation]:
    """Hold the lock of ``out_dir`` (waiting for another build of it, after
    calling ``on_wait`` once) and give a fresh staging root; on exit remove
    the staging root and release the lock. Staging left by a build that was
    killed is removed by the next build of the same output folder, and the
    cache entries of output folders that no longer exist by any next build."""
    real = Path(os.path.realpath(out_dir))
    builds = cache_dir() / "builds"
    area = builds / hashlib.sha256(os.fsencode(real)).hexdigest()[:32]
    lock = _lock(area, real, on_wait)
    try:
        (area / "out-dir").write_text(f"{real}\n", encoding="utf-8", errors="surrogateescape")
        staging = area / "staging"
        _remove_tree(staging)
        staging.mkdir(mode=0o700)
        _prune(builds, keep=area)
        try:
            yield OutputReservation(real, staging)
        finally:
            _remove_tree(staging)
    finally:
        _release(lock)


#: The lock descriptors this process holds. A flock belongs to the open file,
#: which a forked child (a worker process) shares: the child closes its copy
#: at once, so a child still running after the build, or after the build was
#: killed, cannot keep the output folder locked.
_held: set[int] = set()


def _close_held_in_child() -> None:
    for fd in _held:
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_close_held_in_child)


def _release(lock: int) -> None:
    _held.discard(lock)
    # Unlock before closing: closing only drops this process's reference, and
    # a copy made by a fork that bypassed the hook above would keep the lock.
    with contextlib.suppress(OSError):
        fcntl.flock(lock, fcntl.LOCK_UN)
    os.close(lock)


def _remove_tree(path: Path) -> None:
    """Remove ``path`` and everything below it, also folders a backend made
    read-only (it copied a read-only tree): those are made writable first.
    Left in place, they would stay in the cache for good."""
    shutil.rmtree(path, ignore_errors=True)
    if not os.path.lexists(path) or os.path.islink(path):
        return  # gone, or a link (rmtree refuses those): what it leads to is not the cache's
    _make_writable(str(path))
    for folder, subfolders, _ in os.walk(path):  # top-down: a folder is made writable before it is entered
        for name in subfolders:
            _make_writable(os.path.join(folder, name))
    shutil.rmtree(path, ignore_errors=True)


def _make_writable(folder: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            os.fchmod(fd, 0o700)  # never through a link: only folders below the one removed
        finally:
            os.close(fd)


def _lock(area: Path, real: Path, on_wait: Callable[[Path], None]) -> int:
    """Open and lock ``area/lock``. When the entry was pruned while we waited
    (the file we locked is no longer the one at that path), start again."""
    announced = False
    while True:
        try:
            area.mkdir(parents=True, exist_ok=True, mode=0o700)
            lock = os.open(area / "lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except FileNotFoundError:
            continue  # pruned between mkdir and open
        except OSError as error:
            raise CacheError(
                f"cannot use the cache folder {area} ({error.strerror or error}); "
                f"set {CACHE_DIR_VARIABLE} to a folder you can write"
            ) from None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not announced:
                on_wait(real)
                announced = True
            fcntl.flock(lock, fcntl.LOCK_EX)
        if _is_current(area, lock):
            _held.add(lock)
            return lock
        os.close(lock)


def _is_current(area: Path, lock: int) -> bool:
    """Whether ``lock`` is the file at ``area/lock`` now (not one pruned away)."""
    try:
        now = os.stat(area / "lock")
    except FileNotFoundError:
        return False
    held = os.fstat(lock)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


#: An entry being removed is first renamed to this prefix and its name.
_PRUNED = ".pruned-"


def _prune(builds: Path, keep: Path) -> None:
    """Remove the cache entries of output folders that no longer exist (a
    test's temporary output folder, a deleted project), each while holding
    its lock: it is first renamed away, so a build that starts meanwhile
    makes a fresh entry and one that waited on the old lock starts again."""
    try:
        entries = list(builds.iterdir())
    except OSError:
        return
    for trash in entries:
        if trash.name.startswith(_PRUNED):  # a build was killed while removing it
            _remove_tree(trash)
    areas = [a for a in entries if a != keep and not a.name.startswith(".")]
    for area in areas:
        try:
            recorded = (area / "out-dir").read_text(encoding="utf-8", errors="surrogateescape").rstrip("\n")
            lock = os.open(area / "lock", os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            continue  # being made, or already gone
        try:
            if os.path.lexists(recorded):
                continue
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a build of it is running
            if os.path.lexists(recorded) or not _is_current(area, lock):
                continue  # made while we looked, or pruned and made afresh by others
            trash = builds / f"{_PRUNED}{area.name}-{os.getpid()}"
            try:
                os.rename(area, trash)
            except OSError:
                continue
            _remove_tree(trash)
        finally:
            os.close(lock)
