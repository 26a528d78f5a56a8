"""Backends in any language: a ``CommandBackend`` is a backend whose
``generate`` runs a command that speaks the command protocol, version 1
(docs/command-backends.md; the JSON Schemas ``command_request.schema.json``
and ``command_diagnostic.schema.json`` beside this module).

It runs like any other backend (in a worker process, into a staging folder,
under ``--timeout``): the command is a child of the worker, in the worker's
process group, so stopping the worker stops it too. It gets the AppSpec on
stdin, writes files under ``output_dir`` and diagnostics as JSON lines in a
file; its stdout and stderr are the backend's output.

Two ways to have one: a ``[backends.NAME]`` table in a project's
``dazzle.toml`` (``project_backends``), or a subclass published through the
``dazzle.backends`` entry point, which sets ``command`` (and ``description``,
``options``) on the class.
"""

from __future__ import annotations

import collections
import json
import os
import shlex
import signal
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from dazzle.backends.api import Backend, BackendCapabilities, BackendError, BackendOption, BackendWarning
from dazzle.backends.options import apply_options

if TYPE_CHECKING:
    from dazzle.core import ir

#: The version of the protocol between DAZZLE and a command backend.
PROTOCOL_VERSION = 1

#: How many of the command's last stderr lines a failure shows.
STDERR_TAIL_LINES = 20

#: Where a command backend comes from when a project's dazzle.toml declares it.
PROJECT_ORIGIN = "dazzle.toml"


class CommandBackend(Backend):
    """A backend whose ``generate`` runs ``command`` (protocol 1).

    Subclass it to publish a command through the ``dazzle.backends`` entry
    point, setting on the class ``command`` (the program and its arguments;
    a program shipped in your package is best named by its full path, such
    as ``str(Path(__file__).parent / "bin" / "gen")``), ``description`` and
    ``options`` (``BackendOption`` records, checked by the core).
    """

    api_version: ClassVar[int] = 1
    command: Sequence[str] = ()
    description: str = ""
    options: Sequence[BackendOption] = ()
    #: The folder the command runs in, to which the AppSpec's file paths are
    #: relative: ``dazzle build`` sets the project folder. None: the working folder.
    project_dir: Path | None = None
    #: Where the backend was declared, for messages (set for project backends).
    origin: str | None = None

    def __init__(
        self,
        *,
        command: Sequence[str] | None = None,
        description: str | None = None,
        options: Sequence[BackendOption] | None = None,
        project_dir: Path | None = None,
        origin: str | None = None,
    ) -> None:
        # Given values (a project's table) override the class's; a subclass
        # published through an entry point is created with none.
        if command is not None:
            self.command = tuple(command)
        if description is not None:
            self.description = description
        if options is not None:
            self.options = tuple(options)
        if project_dir is not None:
            self.project_dir = project_dir
        if origin is not None:
            self.origin = origin

    def get_capabilities(self) -> BackendCapabilities:
        doc = (type(self).__doc__ or "").strip().splitlines() if type(self) is not CommandBackend else []
        return BackendCapabilities(
            name=type(self).__name__,
            description=self.description or (doc[0] if doc else ""),
            options=tuple(self.options),
        )

    def generate(self, appspec: ir.AppSpec, output_dir: Path, **options: Any) -> None:
        capabilities = self.get_capabilities()
        given = apply_options(capabilities, options) if capabilities.options else dict(options)
        if not self.command:
            raise BackendError(f"{type(self).__name__} sets no command to run")
        run_command(
            tuple(self.command), appspec, Path(output_dir), given, Path(os.path.abspath(self.project_dir or os.curdir))
        )


def run_command(
    command: tuple[str, ...], appspec: ir.AppSpec, output_dir: Path, options: Mapping[str, Any], project_dir: Path
) -> None:
    """Run ``command`` in ``project_dir`` on ``appspec`` (protocol 1): give
    each warning it reports as a ``BackendWarning``, raise ``BackendError``
    for its errors and for an exit status other than 0."""
    appspec_data, names = _appspec_for(appspec, project_dir)
    with tempfile.TemporaryDirectory(prefix="dazzle-command-") as scratch:
        diagnostics = Path(scratch) / "diagnostics.jsonl"
        diagnostics.write_bytes(b"")
        request = {
            "protocol": PROTOCOL_VERSION,
            "appspec": appspec_data,
            "options": {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()},
            "output_dir": str(Path(os.path.abspath(output_dir))),
            "diagnostics": str(diagnostics),
        }
        status, tail = _run(command, json.dumps(request, ensure_ascii=False).encode("utf-8"), project_dir)
        errors = _read_diagnostics(diagnostics, names, project_dir)
    shown = shlex.join(command)
    problems = []
    if status != 0:
        problems.append(f"command `{shown}` {_status_text(status)}")
    if errors:
        problems.append(
            f"it reported {len(errors)} error{'s' * (len(errors) != 1)}:\n" + "\n".join(f"  {e}" for e in errors)
        )
    if problems:
        message = "; ".join(problems)
        if tail:
            message += "\nits last lines on stderr:\n" + "\n".join(f"  {line}" for line in tail)
        raise BackendError(message)


def _status_text(status: int) -> str:
    if status < 0:
        try:
            return f"was killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"was killed by signal {-status}"
    return f"exited with status {status}"


def _run(command: tuple[str, ...], request: bytes, cwd: Path) -> tuple[int, list[str]]:
    """Run the command with ``request`` on its stdin; its stdout goes where
    this process's does, its stderr too (line by line), and its last lines
    are kept. Returns the exit status and those lines."""
    try:
        # Same process group as the worker: killing the worker's group (the
        # time limit, a stopped build) kills the command and its children.
        process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise BackendError(
            f"cannot run `{shlex.join(command)}`: '{command[0]}' was not found (from the folder {cwd})"
        ) from None
    except PermissionError:
        raise BackendError(f"cannot run `{shlex.join(command)}`: '{command[0]}' is not executable") from None
    except OSError as error:
        raise BackendError(f"cannot run `{shlex.join(command)}`: {error.strerror or error}") from None
    tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
    stderr, stdin = process.stderr, process.stdin
    assert stderr is not None and stdin is not None  # both are pipes

    def relay() -> None:
        for line in iter(stderr.readline, b""):
            os.write(2, line if line.endswith(b"\n") else line + b"\n")
            tail.append(line.rstrip(b"\r\n").decode("utf-8", "backslashreplace"))

    reader = threading.Thread(target=relay, name="dazzle-command-stderr", daemon=True)
    reader.start()
    try:
        stdin.write(request)
    except (BrokenPipeError, OSError):  # it does not read its request: its exit status says how it went
        pass
    finally:
        try:
            stdin.close()
        except OSError:
            pass
    status = process.wait()
    reader.join()
    stderr.close()
    return status, list(tail)


def _appspec_for(appspec: ir.AppSpec, project_dir: Path) -> tuple[Any, dict[str, str]]:
    """The ``appspec`` of ``dazzle inspect`` with every file path relative to
    ``project_dir`` (with ``/``), and the compiler's name of each such path."""
    from dazzle.core.serialize import appspec_to_data

    names: dict[str, str] = {}

    def relative(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: (_rename(v, names, project_dir) if k == "file" and isinstance(v, str) else relative(v))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [relative(v) for v in value]
        return value

    return relative(appspec_to_data(appspec)["appspec"]), names


def _rename(file: str, names: dict[str, str], project_dir: Path) -> str:
    if not file or file.startswith("<"):  # no file ("<none>", "<string>")
        return file
    relative = Path(os.path.relpath(os.path.abspath(file), project_dir)).as_posix()
    names.setdefault(relative, file)
    return relative


_DIAGNOSTIC_KEYS = {"severity", "message", "file", "line", "column", "code"}


def _read_diagnostics(path: Path, names: Mapping[str, str], project_dir: Path) -> list[str]:
    """Give each warning line of the diagnostics file as a ``BackendWarning``;
    return the error lines (and lines that are not diagnostics) as text."""
    from dazzle.core import ir

    errors = []
    text = path.read_bytes().decode("utf-8", "backslashreplace")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            problem = _diagnostic_problem(entry)
        except json.JSONDecodeError as error:
            problem = f"not JSON ({error.msg})"
        if problem is not None:
            errors.append(f"diagnostics line {number} is not a diagnostic of protocol 1: {problem}: {line[:200]}")
            continue
        location = None
        if "file" in entry:
            file = names.get(entry["file"]) or str(project_dir / entry["file"])
            location = ir.SourceLocation(file, entry.get("line", 0), entry.get("column", 0))
        if entry["severity"] == "warning":
            warnings.warn(BackendWarning(entry["message"], location=location, code=entry.get("code")), stacklevel=1)
        else:
            errors.append(f"{location}: {entry['message']}" if location is not None else entry["message"])
    return errors


def _diagnostic_problem(entry: Any) -> str | None:
    """What is wrong with a diagnostic line (see command_diagnostic.schema.json), or None."""
    if not isinstance(entry, dict):
        return "it must be a JSON object"
    unknown = sorted(set(entry) - _DIAGNOSTIC_KEYS)
    if unknown:
        return f"unknown key {unknown[0]!r}"
    if entry.get("severity") not in ("warning", "error"):
        return 'severity must be "warning" or "error"'
    if not isinstance(entry.get("message"), str):
        return "message must be a string"
    for key in ("file", "code"):
        if key in entry and not isinstance(entry[key], str):
            return f"{key} must be a string"
    for key in ("line", "column"):
        if key in entry and (type(entry[key]) is not int or entry[key] < 1):
            return f"{key} must be an integer from 1"
    if ("line" in entry or "column" in entry) and "file" not in entry:
        return "line and column need a file"
    return None


def command_protocol_schemas() -> dict[str, Any]:
    """The JSON Schemas of protocol 1: ``{"request": ..., "diagnostic": ...}``."""
    folder = resources.files("dazzle.backends")
    return {
        kind: json.loads(folder.joinpath(f"command_{kind}.schema.json").read_text(encoding="utf-8"))
        for kind in ("request", "diagnostic")
    }


# --- project backends: [backends.NAME] in dazzle.toml ---------------------------------

#: The keys of a [backends.NAME] table, and of one of its options.
BACKEND_KEYS = ("command", "description", "options")
OPTION_KEYS = ("type", "default", "choices", "help")
_TYPES: dict[str, Any] = {"str": str, "int": int, "float": float, "bool": bool, "list[str]": list[str]}


@attrs.frozen
class ProjectBackend:
    """A command backend declared in a project's ``dazzle.toml``."""

    name: str
    command: tuple[str, ...]
    description: str
    options: tuple[BackendOption, ...]
    project_dir: Path

    @property
    def origin(self) -> str:
        return f"{PROJECT_ORIGIN} [backends.{self.name}]"

    def create(self) -> CommandBackend:
        return CommandBackend(
            command=self.command,
            description=self.description,
            options=self.options,
            project_dir=self.project_dir,
            origin=self.origin,
        )


def project_backends(project: Any) -> tuple[ProjectBackend, ...]:
    """The ``[backends.NAME]`` tables of a loaded project (whose loader has
    checked their shape)."""
    tables = project.config.get("backends", {}) if project.config_file is not None else {}
    project_dir = Path(os.path.abspath(project.root_dir))
    found = []
    for name, table in tables.items():
        options = tuple(
            BackendOption(
                option,
                _TYPES[spec.get("type", "str")],
                _default(spec),
                tuple(spec.get("choices", ())),
                spec.get("help", ""),
            )
            for option, spec in table.get("options", {}).items()
        )
        found.append(ProjectBackend(name, tuple(table["command"]), table.get("description", ""), options, project_dir))
    return tuple(found)


def _default(spec: Mapping[str, Any]) -> Any:
    default = spec.get("default")
    if spec.get("type") == "float" and isinstance(default, int):
        return float(default)
    return default
