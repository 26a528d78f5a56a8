"""What the user pointed at: a project folder with ``dazzle.toml``, a folder of
``.dsl`` files, or one ``.dsl`` file; and which module files belong to it."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tomllib
from pathlib import Path

import attrs

from dazzle.core import diagnostics as diag
from dazzle.core.diagnostics import Diagnostic

CONFIG_NAME = "dazzle.toml"
#: The tables of dazzle.toml and their keys (``None``: any keys, such as the
#: per-backend tables under [build.options]).
CONFIG_KEYS: dict[str, dict[str, object] | None] = {
    "project": {"name": None, "version": None, "root": None},
    "modules": {"paths": None},
    "build": {"backends": None, "out": None, "options": None, "timeout": None},
    "backends": None,  # one table per command backend, checked by _backends_table_problems
}
#: The keys of a [backends.NAME] table and of each of its options (a project's
#: command backends, docs/command-backends.md).
COMMAND_BACKEND_KEYS = ("command", "description", "options")
COMMAND_OPTION_KEYS = ("type", "default", "choices", "help")
_OPTION_TYPES = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,), "list[str]": (list,)}
DEFAULT_VERSION = "0.1.0"
_MODULE_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_TOML_POSITION_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


@attrs.frozen
class Project:
    """A project to compile.

    ``root_module`` is None when there is no ``dazzle.toml``: the root is then
    the one module with an ``app`` line. ``config`` is the whole parsed
    ``dazzle.toml`` (``{}`` without one); other stages read their own tables
    from it (``[build]`` for ``dazzle build``). ``module_folders`` are the
    folders searched for ``.dsl`` files (each of ``[modules] paths``, or the
    folder given; none for one file): where a new module file would be found
    (``dazzle build --watch`` watches them).
    """

    root_dir: Path
    files: tuple[Path, ...]
    config_file: Path | None = None
    config: dict = attrs.field(factory=dict, eq=False)
    name: str | None = None
    version: str = DEFAULT_VERSION
    root_module: str | None = None
    module_folders: tuple[Path, ...] = ()

    def config_location(self, *keys: str) -> tuple[str, int, int]:
        """Where ``keys`` (a table path such as ``("project", "root")``) is
        written in dazzle.toml, best effort: (file, line, column)."""
        if self.config_file is None:
            return (str(self.root_dir), 1, 1)
        return TomlPlaces.of_file(self.config_file)(*keys)


class NotRegularFile(OSError):
    """The path names a folder, a device, a FIFO or a socket: something
    whose reading could block or never end."""


def read_regular_file(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file. It is opened without
    blocking and checked after opening (a link to a FIFO, ``/proc/kmsg``),
    so that reading can neither wait for a writer nor follow an endless
    stream."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"it is {'a folder' if stat.S_ISDIR(info.st_mode) else 'not a regular file'}")
        # Read no more than the size the file claims (and one byte to tell):
        # kernel files claim size 0 and then stream (/proc/kmsg).
        left, chunks = info.st_size + 1, []
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 24))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            left -= len(chunk)
        raise NotRegularFile("it holds more than its size says: a kernel file, or one being written")
    finally:
        os.close(fd)


@attrs.frozen
class TomlPlaces:
    """Where each table and key of a dazzle.toml is written, read in one pass
    over its lines (best effort: bare and quoted keys, no dotted keys), so
    that locating many keys costs one reading of the file."""

    file: str
    tables: dict[str, tuple[int, int]]
    keys: dict[tuple[str, str], tuple[int, int]]

    @classmethod
    def of_text(cls, file: str, text: str) -> TomlPlaces:
        tables: dict[str, tuple[int, int]] = {}
        keys: dict[tuple[str, str], tuple[int, int]] = {}
        current = ""
        for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), 1):
            header = _TOML_HEADER_RE.match(line)
            if header:
                current = header.group(1)
                parts = current.split(".")
                for end in range(1, len(parts) + 1):  # [a.b.c] places a, a.b and a.b.c
                    tables.setdefault(".".join(parts[:end]), (number, line.index("[") + 1))
                continue
            key = _TOML_KEY_RE.match(line)
            if key:
                name = key.group(1) or key.group(2)
                keys.setdefault((current, name), (number, key.start(1 if key.group(1) else 2) + 1))
        return cls(file, tables, keys)

    @classmethod
    def of_file(cls, path: Path) -> TomlPlaces:
        try:
            text = read_regular_file(path).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        return cls.of_text(str(path), text)

    def __call__(self, *keys: str) -> tuple[str, int, int]:
        """(file, line, column) of the table or key ``keys`` (a path such as
        ``("project", "root")``); the first line when it is not found."""
        found = [
            p
            for p in (self.tables.get(".".join(keys)), self.keys.get((".".join(keys[:-1]), keys[-1])))
            if p is not None
        ]
        if not found and len(keys) > 1:  # a key inside an inline table: the place of the nearest one written
            return self(*keys[:-1])
        line, column = min(found) if found else (1, 1)
        return (self.file, line, column)


_TOML_HEADER_RE = re.compile(r"\s*\[\[?\s*([^\]]+?)\s*\]")
_TOML_KEY_RE = re.compile(r'\s*(?:([A-Za-z0-9_-]+)|"([^"\\]*)")\s*=')


def _config_error(
    path: Path, message: str, where: tuple[str, int, int] | None = None, hint: str | None = None
) -> Diagnostic:
    """E010 at ``where``; without one, about the file or folder as a whole
    (line and column 0: no place in it is to blame)."""
    file, line, column = where or (_shown_path(path), 0, 0)
    return diag.error("E010", message, file, line, column, hint)


def _shown_path(path: Path) -> str:
    """How a diagnostic names ``path``: as given, except ``.`` (the working
    folder), named by its full path."""
    return str(path) if path.name else os.path.abspath(path)


def discover_dsl_files(folder: Path) -> list[Path]:
    """Every ``*.dsl`` file under ``folder``, recursively, in a stable order.
    Hidden folders are skipped and links to folders are not followed."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        # A folder with a dazzle.toml of its own is another project.
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not os.path.isfile(os.path.join(dirpath, d, CONFIG_NAME))
        )
        found.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".dsl"))
    return found


def load_project(path: Path) -> tuple[Project | None, list[Diagnostic]]:
    """Find the project at ``path``. Returns None and diagnostics when there
    is nothing that can be compiled.

    A ``.dsl`` file or a folder inside a project (under a folder with a
    ``dazzle.toml`` whose module paths hold it) means that whole project, as
    a command run anywhere in a project means that project."""
    path = Path(path)
    if path.is_file():
        if path.name == CONFIG_NAME:
            return _load_config_project(path.parent)
        if path.suffix != ".dsl":
            return None, [
                _config_error(
                    path,
                    f"'{path}' is not a .dsl file",
                    hint="give a .dsl file, a folder of them, or a project folder with dazzle.toml",
                )
            ]
        project, problems = _enclosing_project(path) or (None, [])
        if project is None:
            project = Project(root_dir=path.parent, files=(path,))
        return project, problems
    if path.is_dir():
        if (path / CONFIG_NAME).is_file():
            return _load_config_project(path)
        project, problems = _enclosing_project(path) or (None, [])
        if project is not None:
            return project, problems
        files = discover_dsl_files(path)
        if not files:
            return None, [
                _config_error(
                    path,
                    f"no dazzle.toml and no .dsl files in '{path}'",
                    hint="create a dazzle.toml, or point at a .dsl file",
                )
            ]
        return Project(root_dir=path, files=tuple(files), module_folders=(path,)), problems
    if path.exists():
        return None, [_config_error(path, f"'{path}' is not a regular file or a folder")]
    return None, [_config_error(path, f"'{path}' does not exist")]


def _enclosing_project(path: Path) -> tuple[Project | None, list[Diagnostic]] | None:
    """The project of the nearest ``dazzle.toml`` above ``path``, if ``path``
    is one of its module files or a folder holding some of them."""
    target = Path(os.path.abspath(path))
    for folder in target.parents:
        if (folder / CONFIG_NAME).is_file():
            if not path.is_absolute():
                with contextlib.suppress(ValueError, OSError):  # OSError: the working folder is gone
                    folder = Path(os.path.relpath(folder))
            project, problems = _load_config_project(folder)
            if project is None:  # a broken dazzle.toml above: PATH is compiled on its own, with a word
                return None, [
                    diag.warning(
                        "W011",
                        f"the {CONFIG_NAME} above ({folder / CONFIG_NAME}) has errors, so '{path}' is "
                        "compiled on its own",
                        str(path),
                        0,
                        0,
                        hint=f"run `dazzle validate {folder}` to see them",
                    )
                ]
            for file in project.files:
                absolute = Path(os.path.abspath(file))
                if absolute == target or target in absolute.parents:
                    return project, problems
            return None
    return None


def _load_config_project(folder: Path) -> tuple[Project | None, list[Diagnostic]]:
    config_file = folder / CONFIG_NAME
    try:
        text = read_regular_file(config_file).decode("utf-8").removeprefix("\ufeff")
    except OSError as exc:
        return None, [_config_error(config_file, f"cannot read {CONFIG_NAME}: {exc.strerror or exc}")]
    except UnicodeDecodeError:
        return None, [_config_error(config_file, f"{CONFIG_NAME} is not valid UTF-8")]
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _TOML_POSITION_RE.search(message)
        where = (str(config_file), int(m.group(1)), int(m.group(2))) if m else None
        reason = _TOML_POSITION_RE.sub("", message).strip()
        return None, [_config_error(config_file, f"{CONFIG_NAME} is not valid TOML: {reason}", where)]
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        return None, [
            _config_error(
                config_file,
                f"{CONFIG_NAME} nests arrays or tables too deeply to be read",
                hint="a project's settings are a few tables deep at most",
            )
        ]

    problems: list[Diagnostic] = []

    where = TomlPlaces.of_text(str(config_file), text)
    warnings = _unknown_keys(config, where)
    section = config.get("project")
    if "project" in config and not isinstance(section, dict):
        return None, [_config_error(config_file, "project must be a table: [project]", where("project"))]
    if not isinstance(section, dict):
        return None, [
            _config_error(
                config_file,
                f"{CONFIG_NAME} has no [project] table",
                hint=f"rename [{close}] to [project]"
                if (close := diag.closest_match("project", config))
                else 'add:\n    [project]\n    name = "my_app"\n    root = "my_app.core"',
            )
        ]
    root = section.get("root")
    if not isinstance(root, str) or not _MODULE_NAME_RE.match(root):
        problems.append(
            _config_error(
                config_file,
                '[project] root must name the root module, such as "support.core"',
                where("project", "root") if "root" in section else where("project"),
            )
        )
    name = section.get("name")
    if name is not None and not isinstance(name, str):
        problems.append(_config_error(config_file, "[project] name must be a string", where("project", "name")))
    version = section.get("version", DEFAULT_VERSION)
    if not isinstance(version, str):
        problems.append(
            _config_error(
                config_file, '[project] version must be a string, such as "0.1.0"', where("project", "version")
            )
        )

    modules = config.get("modules", {})
    paths = modules.get("paths", ["."]) if isinstance(modules, dict) else None
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
        problems.append(
            _config_error(
                config_file,
                '[modules] paths must be a list of folder names, such as ["./dsl"]',
                where("modules", "paths"),
            )
        )
        paths = []
    problems.extend(_build_table_problems(config.get("build", {}), where))
    backend_problems, backend_warnings = _backends_table_problems(config.get("backends", {}), where)
    problems.extend(backend_problems)
    warnings.extend(backend_warnings)
    warnings.extend(_build_out_outside(folder, config.get("build", {}), where))
    files: dict[Path, None] = {}
    seen_files: set[str] = set()
    searched: list[Path] = []
    for entry in paths:
        folder_path = folder / entry
        try:
            is_dir, exists = folder_path.is_dir(), folder_path.exists()
        except OSError as exc:  # such as a name too long
            problems.append(
                _config_error(
                    config_file, f"[modules] paths: '{entry}': {exc.strerror or exc}", where("modules", "paths")
                )
            )
            continue
        if not is_dir:
            what = "is a file, not a folder" if exists else "does not exist"
            problems.append(_config_error(config_file, f"[modules] paths: '{entry}' {what}", where("modules", "paths")))
            continue
        searched.append(folder_path)
        for f in discover_dsl_files(folder_path):
            real = os.path.realpath(f)
            if real not in seen_files:  # paths that overlap name a file once
                seen_files.add(real)
                files[f] = None
    if problems:
        return None, problems
    if not files:
        return None, [
            _config_error(config_file, f"no .dsl files under [modules] paths {paths}", where("modules", "paths"))
        ]
    return Project(
        root_dir=folder,
        files=tuple(files),
        config_file=config_file,
        config=config,
        name=name,
        version=version,
        root_module=root,
        module_folders=tuple(searched),
    ), warnings


def _unknown_keys(config: dict, where: TomlPlaces) -> list[Diagnostic]:
    """A warning for each table or key of dazzle.toml that DAZZLE does not
    read, so that a typo (`[projetc]`, `versoin`) is not silently ignored."""
    found = []
    for table, value in config.items():
        if table not in CONFIG_KEYS:
            file, line, column = where(table)
            home = next((t for t, keys in CONFIG_KEYS.items() if keys and table in keys), None)
            if not isinstance(value, dict):
                found.append(
                    diag.warning(
                        "W010",
                        f"unknown key '{table}' at the top level",
                        file,
                        line,
                        column,
                        hint=f"move it under [{home}]" if home else diag.did_you_mean(table, CONFIG_KEYS),
                    )
                )
                continue
            found.append(
                diag.warning(
                    "W010", f"unknown table [{table}]", file, line, column, hint=diag.did_you_mean(table, CONFIG_KEYS)
                )
            )
            continue
        keys = CONFIG_KEYS[table]
        if keys is None or not isinstance(value, dict):
            continue
        for key in value:
            if key not in keys:
                file, line, column = where(table, key)
                found.append(
                    diag.warning(
                        "W010",
                        f"unknown key '{key}' in [{table}]",
                        file,
                        line,
                        column,
                        hint=diag.did_you_mean(key, keys),
                    )
                )
    return found


def _build_out_outside(folder: Path, build: object, where) -> list[Diagnostic]:
    """W012: a [build] out that leads outside the project folder. A shared
    dazzle.toml whose builds write elsewhere on the machine is a surprise
    (or an attack) for whoever runs it; it is allowed, with a word."""
    out = build.get("out") if isinstance(build, dict) else None
    if not isinstance(out, str) or not out or "\x00" in out:
        return []
    root = os.path.abspath(folder)
    target = os.path.normpath(os.path.join(root, out))
    if os.path.commonpath([root, target]) == root:
        return []
    file, line, column = where("build", "out")
    return [
        diag.warning(
            "W012",
            f"[build] out = {out!r} leads outside the project folder, to {target}",
            file,
            line,
            column,
            hint='builds write there; use a folder inside the project, such as "build"',
        )
    ]


def _build_table_problems(build: object, where) -> list[Diagnostic]:
    """The shape of [build] (read by `dazzle build`), checked by every command."""

    def error(message: str, *keys: str) -> Diagnostic:
        file, line, column = where(*keys)
        return diag.error("E010", message, file, line, column)

    if not isinstance(build, dict):
        return [error("[build] must be a table", "build")]
    problems = []
    backends = build.get("backends")
    if backends is not None and not (isinstance(backends, list) and all(isinstance(b, str) and b for b in backends)):
        problems.append(
            error('[build] backends must be a list of backend names, such as ["openapi"]', "build", "backends")
        )
    out = build.get("out")
    if out is not None and not (isinstance(out, str) and out and "\x00" not in out):
        problems.append(error('[build] out must be a folder path, such as "build"', "build", "out"))
    timeout = build.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0):
        problems.append(
            error("[build] timeout must be a number of seconds greater than 0, such as 600", "build", "timeout")
        )
    options = build.get("options", {})
    if not (isinstance(options, dict) and all(isinstance(t, dict) for t in options.values())):
        problems.append(
            error(
                "[build.options] must hold one table per backend, such as [build.options.openapi]", "build", "options"
            )
        )
    return problems


def _backends_table_problems(backends: object, where) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """The shape of [backends.NAME] (a project's command backends): errors
    (E010) and unknown keys (W010). Nothing is run here."""

    def error(message: str, *keys: str) -> Diagnostic:
        file, line, column = where(*keys)
        return diag.error("E010", message, file, line, column)

    def unknown(table: dict, known: tuple[str, ...], *keys: str) -> list[Diagnostic]:
        found = []
        for key in table:
            if key not in known:
                file, line, column = where(*keys, key)
                found.append(
                    diag.warning(
                        "W010",
                        f"unknown key '{key}' in [{'.'.join(keys)}]",
                        file,
                        line,
                        column,
                        hint=diag.did_you_mean(key, known),
                    )
                )
        return found

    if not isinstance(backends, dict):
        return [error("[backends] must hold one table per command backend, such as [backends.tsgen]", "backends")], []
    problems: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    for name, table in backends.items():
        here = ("backends", name)
        if not isinstance(table, dict):
            problems.append(
                error(f'[backends.{name}] must be a table with command = ["program", "argument", ...]', *here)
            )
            continue
        if not re.match(r"[A-Za-z0-9_-]+\Z", name):
            problems.append(error(f"[backends.{name}]: a backend name is letters, digits, '-' and '_'", *here))
        warnings.extend(unknown(table, COMMAND_BACKEND_KEYS, *here))
        command = table.get("command")
        if not (isinstance(command, list) and command and all(isinstance(a, str) and a for a in command)):
            problems.append(
                error(
                    f'[backends.{name}] command must be a non-empty list of strings, such as ["node", "gen/tsgen.mjs"]',
                    *here,
                    *(("command",) if "command" in table else ()),
                )
            )
        if not isinstance(table.get("description", ""), str):
            problems.append(error(f"[backends.{name}] description must be a string", *here, "description"))
        options = table.get("options", {})
        if not isinstance(options, dict):
            problems.append(
                error(
                    f"[backends.{name}] options must be a table of options, such as "
                    'options = { banner = { type = "str", default = "" } }',
                    *here,
                    "options",
                )
            )
            continue
        for option, spec in options.items():
            problems.extend(_command_option_problems(name, option, spec, error))
            if isinstance(spec, dict):
                warnings.extend(unknown(spec, COMMAND_OPTION_KEYS, *here, "options", option))
    return problems, warnings


def _command_option_problems(backend: str, option: str, spec: object, error) -> list[Diagnostic]:
    """One option of a command backend, declared like a Python backend's
    ``BackendOption``: type, default, choices, help."""
    keys = ("backends", backend, "options", option)
    what = f"[backends.{backend}] option '{option}'"
    if not isinstance(spec, dict):
        return [error(f'{what} must be a table, such as {{ type = "str", default = "" }}', *keys)]
    kind = spec.get("type", "str")
    if kind not in _OPTION_TYPES:
        return [error(f"{what}: type must be one of {', '.join(_OPTION_TYPES)}, not {kind!r}", *keys)]

    def fits(value: object) -> bool:
        if kind == "list[str]":
            return isinstance(value, list) and all(isinstance(v, str) for v in value)
        return isinstance(value, _OPTION_TYPES[kind]) and (kind == "bool" or not isinstance(value, bool))

    problems = []
    if "default" in spec and not fits(spec["default"]):
        problems.append(error(f"{what}: default {spec['default']!r} is not of its type {kind}", *keys))
    choices = spec.get("choices", [])
    item_fits = (lambda v: isinstance(v, str)) if kind == "list[str]" else fits
    if not isinstance(choices, list) or not all(item_fits(c) for c in choices):
        problems.append(error(f"{what}: choices must be a list of values of its type {kind}", *keys))
    if not isinstance(spec.get("help", ""), str):
        problems.append(error(f"{what}: help must be a string", *keys))
    return problems
