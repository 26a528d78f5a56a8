"""Moving what backends staged into the user's output folder.

Each backend writes into a staging folder of its own. Once every backend has
succeeded, ``collect_staged`` gathers their files (refusing links, special
files and two backends writing one path), ``plan_commit`` compares them with
the output folder and with the manifest of the last build, and
``apply_commit`` makes the output folder match the plan in three steps:
``_write`` puts each new content into a temporary file beside its target,
``_swap`` moves every target (and every file to remove) aside and the new
contents into place, and ``_roll_back`` undoes a swap that failed halfway, so
the output folder is either as it was or as planned.

Every access below the output folder goes through directory file
descriptors opened with ``O_NOFOLLOW``: checking a folder and writing into it
are the same operation, so a symbolic link planted below the output folder
(even between ``plan_commit`` and ``apply_commit``) is refused, never
followed. The output folder itself may be a link: it is resolved once.

The caller serialises builds of one output folder (``build_cache.reserve_output``):
``apply_commit`` removes what an interrupted build left behind, which is only
safe while no other build is writing.

Names used here: a *staging folder* is where a backend wrote (``StagedFile``);
a *temporary file* is a new content written beside its target before the
swap; a file *kept aside* is an old content renamed beside its target until
the commit is complete. Both of the last two have names that match
``LEFTOVER_NAME`` and nothing else a build writes does.

The manifest (``MANIFEST_NAME``) records which backend wrote which files,
with their SHA-256; a backend that ran removes its files of the last build
that it no longer writes, unless their bytes changed since (then they are
kept, with a warning, and no longer owned).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Literal

import attrs

from dazzle.backends import interrupts

#: The file in the output folder that records what each backend wrote.
MANIFEST_NAME = ".dazzle-manifest.json"
MANIFEST_FORMAT = 1
#: Temporary files and files kept aside: ``.NAME.dazzle-tmp-XXXXXXXX``,
#: ``.NAME.dazzle-old-XXXXXXXX`` or, for a NAME too long for that,
#: ``.dazzle-tmp-XXXXXXXX``. The next build removes files with such names.
LEFTOVER_NAME = re.compile(r"\.(?:.+\.)?dazzle-(?:tmp|old)-[0-9a-f]{8}", re.DOTALL)  # a name may hold a line break
#: How many bytes are read at a time when two files are compared or hashed.
COMPARE_CHUNK = 1 << 20
NAME_MAX = 255

#: Tests set this to act where a race or a kill matters. It is called with
#: ("write", "") after the plan was checked and before anything is written,
#: with ("written", path) after each temporary file is complete, with
#: ("swap", path) before each file is moved into place or aside and with
#: ("finish", "") once the commit is complete, before the clean-up.
test_hook: Callable[[str, str], None] | None = None

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: a FIFO swapped in for a file must not hang the build (no effect on files).
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class CommitError(Exception):
    """A staged file or the output folder that cannot be committed; nothing
    has been written when this is raised by ``collect_staged`` or ``plan_commit``,
    and ``apply_commit`` has undone what it did when it raises it."""


@attrs.frozen
class StagedFile:
    path: str  # relative to the output folder, with "/" separators
    source: Path
    backend: str


@attrs.frozen
class Change:
    """A file the build adds or rewrites."""

    kind: Literal["add", "update"]
    file: StagedFile
    sha256: str

    @property
    def path(self) -> str:
        return self.file.path


@attrs.frozen
class Removal:
    """A file a backend wrote in an earlier build and no longer writes."""

    path: str
    backend: str


@attrs.frozen
class KeptFile:
    """A file a backend no longer writes but that is kept: it changed since."""

    path: str
    backend: str
    reason: str  # a clause: "its bytes changed since that backend wrote it"


@attrs.frozen
class CommitPlan:
    out_dir: Path  # the real path
    changes: tuple[Change, ...]
    unchanged: tuple[str, ...]
    removals: tuple[Removal, ...] = ()
    kept: tuple[KeptFile, ...] = ()
    #: The manifest's new bytes, or None when it stays as it is.
    manifest: bytes | None = None
    #: Whether a manifest file exists now (so the summary says add or update).
    manifest_exists: bool = False
    #: Problems worth a warning that do not stop the build (a corrupt manifest).
    warnings: tuple[str, ...] = ()
    #: The folders (relative, "" the output folder) where builds of this output
    #: folder write: the folders of the staged files and of every file the
    #: manifest lists. Leftovers of interrupted builds are looked for there only.
    leftover_folders: tuple[str, ...] = ("",)

    @property
    def pending(self) -> bool:
        """Whether applying the plan would change the output folder."""
        return bool(self.changes or self.removals or self.manifest is not None)


# --- collecting what backends staged -----------------------------------------------------------


def collect_staged(stages: Mapping[str, Path]) -> tuple[StagedFile, ...]:
    """Every regular file under each backend's staging folder (keyed by
    backend name), sorted by path."""
    by_path: dict[str, StagedFile] = {}
    for backend, root in stages.items():
        for staged in _walk(root, backend):
            other = by_path.get(staged.path)
            if other is not None:
                raise CommitError(f"backends '{other.backend}' and '{backend}' both wrote '{staged.path}'")
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


def _walk(root: Path, backend: str, prefix: str = "") -> Iterator[StagedFile]:
    with os.scandir(root) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            relative = prefix + entry.name
            if entry.is_symlink():
                raise CommitError(
                    f"backend '{backend}' staged '{relative}', a symbolic link; a backend must write regular files"
                )
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path), backend, relative + "/")
            elif entry.is_file(follow_symlinks=False):
                if relative == MANIFEST_NAME or LEFTOVER_NAME.fullmatch(entry.name):
                    raise CommitError(f"backend '{backend}' staged '{relative}', a name dazzle keeps for itself")
                yield StagedFile(relative, Path(entry.path), backend)
            else:
                raise CommitError(f"backend '{backend}' staged '{relative}', which is not a regular file")


# --- reading the output folder without following links ----------------------------------------


class _Folders:
    """Open folders of the output folder by relative path, each opened from
    its parent with ``O_NOFOLLOW``; closed together. Only the ``OPEN_AT_ONCE``
    used last stay open (and the output folder): a build may write into more
    folders than a process may keep open, so one closed is opened again when
    needed, again without following a link."""

    OPEN_AT_ONCE = 32

    def __init__(self, out_dir: Path, root: int | None) -> None:
        self.out_dir = out_dir
        self.fds: dict[str, int] = {} if root is None else {"": root}  # in the order of their last use

    @classmethod
    def open(cls, out_dir: Path) -> _Folders:
        try:
            root = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            return cls(out_dir, None)
        except NotADirectoryError:
            raise CommitError(f"the output folder '{out_dir}' is not a folder") from None
        return cls(out_dir, root)

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds.clear()

    def get(self, folder: str, *, create: list[tuple[str | None, str]] | None = None, why: str = "") -> int | None:
        """The descriptor of ``folder`` ("" is the output folder), or None when
        it does not exist; with ``create``, missing folders are made and
        recorded there as (parent, name)."""
        if folder in self.fds:
            self.fds[folder] = self.fds.pop(folder)  # now the last used
            return self.fds[folder]
        if folder == "":
            if create is None:
                return None
            missing = []
            above = self.out_dir
            while not os.path.lexists(above):
                missing.append(above)
                above = above.parent
            for path in reversed(missing):
                os.mkdir(path)
                create.append((None, str(path)))
            self.fds[""] = os.open(self.out_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            return self.fds[""]
        parent_path, _, name = folder.rpartition("/")
        parent = self.get(parent_path, create=create, why=why)
        if parent is None:
            return None
        try:
            fd = os.open(name, _DIRECTORY, dir_fd=parent)
        except FileNotFoundError:
            if create is None:
                return None
            os.mkdir(name, 0o777, dir_fd=parent)
            create.append((parent_path, name))
            fd = os.open(name, _DIRECTORY, dir_fd=parent)
        except OSError as error:
            if error.errno not in (errno.ELOOP, errno.ENOTDIR):
                raise
            what = "a symbolic link" if _is_link(name, parent) else "not a folder"
            raise CommitError(f"cannot write {why}: '{self.out_dir / folder}' is {what}") from None
        if len(self.fds) > self.OPEN_AT_ONCE:
            oldest = next(f for f in self.fds if f != "")
            os.close(self.fds.pop(oldest))
        self.fds[folder] = fd
        return fd

    def get_quietly(self, folder: str) -> int | None:
        """``get`` for undoing and tidying: None also when the folder cannot be opened."""
        try:
            return self.get(folder)
        except (CommitError, OSError):
            return None


def _is_link(name: str, folder: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _lstat(name: str, folder: int) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _chunks(fd: int) -> Iterator[bytes]:
    while chunk := os.read(fd, COMPARE_CHUNK):
        yield chunk


def _sha256(fd: int) -> str:
    digest = hashlib.sha256()
    for chunk in _chunks(fd):
        digest.update(chunk)
    return digest.hexdigest()


def _same_bytes(a: int, b: int, digest: hashlib._Hash) -> bool:
    """Whether two open files (at their start, of equal size) hold the same
    bytes, hashing all of ``a`` into ``digest`` on the way; read in chunks,
    so a large file is never held whole."""
    same = True
    for chunk in _chunks(a):
        digest.update(chunk)
        if same and os.read(b, len(chunk)) != chunk:
            same = False
    return same


def _split(path: str) -> tuple[str, str]:
    folder, _, name = path.rpartition("/")
    return folder, name


# --- the manifest ----------------------------------------------------------------------------------


def _read_manifest(folders: _Folders) -> tuple[dict[str, dict[str, str]], str | None]:
    """The files each backend wrote (path -> sha256), and a warning when the
    manifest cannot be used (then nothing is owned)."""
    root = folders.get("")
    if root is None:
        return {}, None
    where = folders.out_dir / MANIFEST_NAME
    try:
        fd = os.open(MANIFEST_NAME, _READ, dir_fd=root)
    except FileNotFoundError:
        return {}, None
    except OSError as error:
        return {}, f"{where}: cannot read the manifest ({error.strerror}); no file is removed"
    try:
        with os.fdopen(fd, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                return {}, f"{where}: the manifest is not a file; no file is removed"
            data = json.loads(stream.read().decode("utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        return {}, f"{where}: the manifest is not valid JSON ({error}); no file is removed"
    backends = data.get("backends") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("format") != MANIFEST_FORMAT
        or not isinstance(backends, dict)
        or not all(
            isinstance(files, dict)
            and all(isinstance(p, str) and isinstance(h, str) and _is_safe_path(p) for p, h in files.items())
            for files in backends.values()
        )
    ):
        return {}, (
            f"{where}: the manifest is not one this dazzle wrote (format {MANIFEST_FORMAT}); no file is removed"
        )
    return backends, None


def _is_safe_path(path: str) -> bool:
    parts = path.split("/")
    return all(p not in ("", ".", "..") and "\0" not in p for p in parts) and path != MANIFEST_NAME


def _manifest_bytes(backends: Mapping[str, Mapping[str, str]]) -> bytes:
    data = {"format": MANIFEST_FORMAT, "backends": {b: dict(f) for b, f in backends.items() if f}}
    # ASCII with \u escapes: a file name that is not UTF-8 (kept by Python as
    # surrogates) still makes a valid file, and reads back as the same name.
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode("ascii")


# --- planning ------------------------------------------------------------------------------------


def plan_commit(staged: tuple[StagedFile, ...], out_dir: Path, backends: Iterable[str] | None = None) -> CommitPlan:
    """Compare the staged files with ``out_dir`` and with its manifest; write
    nothing. ``backends`` are the backends that ran (default: those that
    staged a file): only their files of the last build can be removed."""
    real_out = Path(os.path.realpath(out_dir))
    ran = set(backends) if backends is not None else {f.backend for f in staged}
    folders = _Folders.open(real_out)
    try:
        owned, warning = _read_manifest(folders)
        changes: list[Change] = []
        unchanged: list[str] = []
        written: dict[str, str] = {}
        targets: dict[tuple[int, int], str] = {}
        for file in staged:
            kind, written[file.path] = _compare(folders, file)
            identity = None if kind == "add" else _identity(folders, file.path)
            if identity is not None:
                if identity in targets and _one_name(targets[identity], file.path):
                    raise CommitError(
                        f"'{targets[identity]}' and '{file.path}' are one file in '{real_out}'; "
                        "one would replace the other"
                    )
                targets[identity] = file.path
            if kind is None:
                unchanged.append(file.path)
            else:
                changes.append(Change(kind, file, written[file.path]))
        removals, kept, new_owned = _removals(folders, owned, ran, staged, written, targets)
        root = folders.get("")
        manifest_exists = root is not None and _lstat(MANIFEST_NAME, root) is not None
        current = _manifest_bytes(owned) if manifest_exists and warning is None else None
        manifest: bytes | None = _manifest_bytes(new_owned)
        if manifest == current or (not manifest_exists and not any(new_owned.values())):
            manifest = None
        if manifest is not None and root is not None and manifest_exists:
            existing = _lstat(MANIFEST_NAME, root)
            if existing is not None and not stat.S_ISREG(existing.st_mode):
                raise CommitError(f"'{real_out / MANIFEST_NAME}' exists and is not a file")
    finally:
        folders.close()
    written_in = {_split(f.path)[0] for f in staged} | {_split(p)[0] for files in owned.values() for p in files}
    return CommitPlan(
        real_out,
        tuple(changes),
        tuple(unchanged),
        removals,
        kept,
        manifest,
        manifest_exists,
        () if warning is None else (warning,),
        tuple(sorted(written_in | {""})),
    )


def _staged_sha256(file: StagedFile) -> str:
    fd = os.open(file.source, _READ)
    try:
        return _sha256(fd)
    finally:
        os.close(fd)


def _compare(folders: _Folders, file: StagedFile) -> tuple[Literal["add", "update"] | None, str]:
    folder_path, name = _split(file.path)
    folder = folders.get(folder_path, why=f"'{file.path}' from backend '{file.backend}'")
    target = None if folder is None else _lstat(name, folder)
    if target is None:
        return "add", _staged_sha256(file)
    where = folders.out_dir / file.path
    if stat.S_ISLNK(target.st_mode):
        raise CommitError(
            f"'{where}' is a symbolic link; refusing to replace it with '{file.path}' from backend '{file.backend}'"
        )
    if not stat.S_ISREG(target.st_mode):
        raise CommitError(f"'{where}' exists and is not a file; backend '{file.backend}' wrote a file there")
    assert folder is not None
    source = os.open(file.source, _READ)
    try:
        if os.fstat(source).st_size != target.st_size:
            return "update", _sha256(source)
        old = os.open(name, _READ, dir_fd=folder)
        try:
            digest = hashlib.sha256()
            same = _same_bytes(source, old, digest)
        finally:
            os.close(old)
        return (None if same else "update"), digest.hexdigest()
    finally:
        os.close(source)


def _removals(
    folders: _Folders,
    owned: Mapping[str, Mapping[str, str]],
    ran: set[str],
    staged: tuple[StagedFile, ...],
    written: Mapping[str, str],
    written_files: Mapping[tuple[int, int], str],
) -> tuple[tuple[Removal, ...], tuple[KeptFile, ...], dict[str, dict[str, str]]]:
    """What the backends that ran no longer write, and the new manifest.
    ``written_files`` maps the device and inode of each existing file the build writes to its path."""
    staged_by = {f.path: f.backend for f in staged}
    new_owned: dict[str, dict[str, str]] = {}
    for backend, files in owned.items():
        if backend not in ran:  # not run this time: its files stay its own, unless another took one over
            new_owned[backend] = {p: h for p, h in files.items() if p not in staged_by}
    for file in staged:
        new_owned.setdefault(file.backend, {})[file.path] = written[file.path]
    removals: list[Removal] = []
    kept: list[KeptFile] = []
    looked_at: set[str] = set()
    for backend in sorted(ran & set(owned)):
        for path, digest in sorted(owned[backend].items()):
            if path in staged_by or path in looked_at:
                continue  # written again, or claimed by two backends (a manifest edited by hand)
            looked_at.add(path)
            state = _state(folders, path)
            if state is None:
                continue  # already gone
            if state == digest:
                identity = _identity(folders, path)
                other = None if identity is None else written_files.get(identity)
                if other is not None and _one_name(other, path):
                    # Another name of a file the build writes: on a folder that
                    # ignores case, 'Schema.ts' after a rename to 'schema.ts'.
                    continue
                removals.append(Removal(path, backend))
            else:
                reason = _KEPT_BECAUSE.get(state, "its bytes changed since that backend wrote it")
                kept.append(KeptFile(path, backend, reason))
    return tuple(sorted(removals, key=lambda r: r.path)), tuple(kept), new_owned


_KEPT_BECAUSE = {"a symbolic link": "it is now a symbolic link", "not a file": "it is now not a plain file"}


def _one_name(a: str, b: str) -> bool:
    """Whether two paths of one file (same device and inode) are one name
    on a folder that ignores case or Unicode normalisation (macOS, Windows):
    'Model.ts' and 'model.ts'. Two names of one file that differ otherwise
    are hard links: replacing or removing one leaves the other as it was."""
    return unicodedata.normalize("NFC", a).casefold() == unicodedata.normalize("NFC", b).casefold()


def _identity(folders: _Folders, path: str) -> tuple[int, int] | None:
    """The device and inode of the file at ``path``, if there is one."""
    folder_path, name = _split(path)
    folder = folders.get_quietly(folder_path)
    info = None if folder is None else _lstat(name, folder)
    return None if info is None else (info.st_dev, info.st_ino)


def _state(folders: _Folders, path: str) -> str | None:
    """The SHA-256 of the file at ``path``, None when there is none, or why it is not a plain file."""
    folder_path, name = _split(path)
    try:
        folder = folders.get(folder_path, why=f"'{path}'")
    except CommitError:
        return "not a file"  # a folder on the way became a link or a file: not ours to touch
    if folder is None:
        return None
    info = _lstat(name, folder)
    if info is None:
        return None
    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link"
    if not stat.S_ISREG(info.st_mode):
        return "not a file"
    fd = os.open(name, _READ, dir_fd=folder)
    try:
        return _sha256(fd)
    finally:
        os.close(fd)


# --- applying --------------------------------------------------------------------------------------


@attrs.define
class _Pending:
    """One file of the commit, from its temporary file to its place."""

    path: str
    folder: str  # relative to the output folder, opened through ``_Folders`` when used
    name: str
    temporary: str | None  # None for a removal
    #: The device and inode of the temporary file, which it keeps once in place.
    identity: tuple[int, int] | None = None
    kept_aside: str | None = None
    placed: bool = False


def _temporary_name(name: str, kind: Literal["tmp", "old"]) -> str:
    tag = f"dazzle-{kind}-{secrets.token_hex(4)}"
    long = f".{name}.{tag}"
    return long if len(os.fsencode(long)) <= NAME_MAX else f".{tag}"


def _call_hook(step: str, path: str) -> None:
    if test_hook is not None:
        test_hook(step, path)


def apply_commit(plan: CommitPlan) -> None:
    """Make the output folder match ``plan``: remove leftovers of interrupted
    builds, then write, swap and (on any failure) roll back. The caller
    holds the output folder's lock."""
    _call_hook("write", "")
    folders = _Folders.open(plan.out_dir)
    created: list[tuple[str | None, str]] = []
    pending: list[_Pending] = []
    try:
        remove_leftovers(folders, plan.leftover_folders)
        try:
            _write(plan, folders, created, pending)
            # A stop signal must not land between two moves of the swap or
            # of the roll back (the folder would be left half one build and
            # half the other): the swap ends, then the stop rolls it back.
            # Once the swap stands, the commit is complete: a later stop
            # undoes nothing, and is told when the build has ended.
            with interrupts.held():
                _swap(plan, folders, pending)
                interrupts.check()
                interrupts.hold_to_end()
        except BaseException:
            with interrupts.held():
                _roll_back(folders, created, pending)
            raise
        _finish(plan, folders, pending)
    finally:
        folders.close()


def remove_leftovers(folders: _Folders, where: Iterable[str]) -> int:
    """Remove the temporary files and kept-aside files of earlier builds in
    the folders ``where`` (not below them, without following links); return
    how many. Only folders builds of this output folder write into are
    searched: a tree below it may be another project's output folder, whose
    build (under a lock of its own) has live temporary files there."""
    removed = 0
    for folder_path in where:
        folder = folders.get_quietly(folder_path)
        if folder is None:
            continue  # not made yet, or no longer a folder
        try:
            with os.scandir(folder) as entries:
                names = [
                    e.name for e in entries if e.is_file(follow_symlinks=False) and LEFTOVER_NAME.fullmatch(e.name)
                ]
        except OSError:
            continue
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=folder)
                removed += 1
    return removed


def _write(plan: CommitPlan, folders: _Folders, created: list[tuple[str | None, str]], pending: list[_Pending]) -> None:
    """Write every new content into a temporary file beside its target, and
    list the files to remove; the manifest comes last, so it is swapped last."""
    for change in plan.changes:
        _write_one(folders, created, pending, change.path, change.file.source, change.file.backend)
    for removal in plan.removals:
        folder_path, name = _split(removal.path)
        if folders.get(folder_path, why=f"'{removal.path}'") is not None:
            pending.append(_Pending(removal.path, folder_path, name, None))
    if plan.manifest is not None:
        _write_one(folders, created, pending, MANIFEST_NAME, plan.manifest, "dazzle")


def _write_one(
    folders: _Folders,
    created: list[tuple[str | None, str]],
    pending: list[_Pending],
    path: str,
    content: Path | bytes,
    backend: str,
) -> None:
    folder_path, name = _split(path)
    folder = folders.get(folder_path, create=created, why=f"'{path}' from backend '{backend}'")
    assert folder is not None
    temporary = _temporary_name(name, "tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder)
    item = _Pending(path, folder_path, name, temporary)
    pending.append(item)
    try:
        info = os.fstat(fd)
        item.identity = (info.st_dev, info.st_ino)
        if isinstance(content, bytes):
            _write_all(fd, content)
            mode = 0o644
        else:
            source = os.open(content, _READ)
            try:
                mode = os.fstat(source).st_mode
                for chunk in _chunks(source):
                    _write_all(fd, chunk)
            finally:
                os.close(source)
        # Only the permission bits: a staged setuid/setgid/sticky bit is never committed.
        os.fchmod(fd, stat.S_IMODE(mode) & 0o777)
    finally:
        os.close(fd)
    _call_hook("written", path)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _swap(plan: CommitPlan, folders: _Folders, pending: list[_Pending]) -> None:
    """Move each old file aside and each new content into place."""
    placed: dict[tuple[int, int], str] = {}
    for item in pending:
        _call_hook("swap", item.path)
        folder = folders.get(item.folder, why=f"'{item.path}'")
        if folder is None:
            raise CommitError(f"'{folders.out_dir / item.folder}' was removed during the commit")
        info = _lstat(item.name, folder)
        if info is not None:
            if not stat.S_ISREG(info.st_mode):
                raise CommitError(
                    f"'{folders.out_dir / item.path}' is "
                    f"{'a symbolic link' if stat.S_ISLNK(info.st_mode) else 'not a file'}; refusing to replace it"
                )
            other = placed.get((info.st_dev, info.st_ino))
            if other is not None and _one_name(other, item.path):
                raise CommitError(
                    f"'{other}' and '{item.path}' are one file in '{folders.out_dir}'; one would replace the other"
                )
            item.kept_aside = _temporary_name(item.name, "old")
            os.replace(item.name, item.kept_aside, src_dir_fd=folder, dst_dir_fd=folder)
        if item.temporary is not None:
            os.replace(item.temporary, item.name, src_dir_fd=folder, dst_dir_fd=folder)
            if item.identity is not None:
                placed[item.identity] = item.path
        item.placed = True


def _roll_back(folders: _Folders, created: list[tuple[str | None, str]], pending: list[_Pending]) -> None:
    """Put every old file back, remove every temporary file and every folder made."""
    for item in reversed(pending):
        folder = folders.get_quietly(item.folder)
        if folder is None:
            continue
        if item.placed and item.temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(item.name, dir_fd=folder)
        if item.kept_aside is not None:
            with contextlib.suppress(OSError):
                os.replace(item.kept_aside, item.name, src_dir_fd=folder, dst_dir_fd=folder)
        if not item.placed and item.temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(item.temporary, dir_fd=folder)
    for parent, name in reversed(created):
        with contextlib.suppress(OSError):
            if parent is None:  # the output folder or one above it, by its real path
                os.rmdir(name)
            elif (parent_fd := folders.get_quietly(parent)) is not None:
                os.rmdir(name, dir_fd=parent_fd)


def _finish(plan: CommitPlan, folders: _Folders, pending: list[_Pending]) -> None:
    """Drop the kept-aside files, then the folders that removals left empty
    (never the output folder itself)."""
    _call_hook("finish", "")
    for item in pending:
        if item.kept_aside is not None and (fd := folders.get_quietly(item.folder)) is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(item.kept_aside, dir_fd=fd)
    emptied = {r.path.rpartition("/")[0] for r in plan.removals} - {""}
    for folder in sorted(emptied, key=lambda f: -f.count("/")):
        while folder:
            parent_path, name = _split(folder)
            parent = folders.get_quietly(parent_path)
            if parent is None:
                break
            try:
                os.rmdir(name, dir_fd=parent)
            except OSError:
                break  # not empty (or not ours to remove): its parents are not empty either
            folder = parent_path
