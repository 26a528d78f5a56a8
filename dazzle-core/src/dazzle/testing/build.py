"""Running a backend in a test the way ``dazzle build -b NAME`` runs it.

``run_backend`` wires together the same functions as the ``build`` command
(``dazzle.backends.registry``, ``.options``, ``.runner``, ``.committer``):
the backend is loaded from the registry, its options are converted and
checked against its declaration, ``validate_config`` runs, ``generate``
writes into a staging folder (both in worker processes), and the committer
moves the files into the output folder. Only the printing is left out.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from dazzle.backends.api import BackendError, BackendWarning
from dazzle.backends.committer import CommitPlan
from dazzle.backends.interrupts import stop_signals_raise
from dazzle.backends.options import (
    CONFIG,
    OptionSetting,
    parse_command_line,
    read_config_tables,
    resolve_options,
)
from dazzle.backends.plugin_calls import plugin_call
from dazzle.backends.registry import BackendRegistry
from dazzle.backends.runner import BackendRunError, build, load_targets, select_backends
from dazzle.core import ir
from dazzle.core.compiler import compile_path
from dazzle.testing.appspecs import SpecError
from dazzle.testing.examples import Example

#: What the options given to ``run_backend`` are called in error messages.
OPTIONS_SOURCE = "run_backend(options=...)"


@attrs.frozen
class BuildOutput:
    """What one build wrote."""

    #: The backend's name.
    backend: str
    #: Every file this build produced, by path relative to the output folder
    #: ("/" separated), sorted; files the output folder held before and the
    #: build did not produce are not here.
    files: Mapping[str, bytes] = attrs.field(repr=False)
    #: The keyword arguments the backend received.
    options: Mapping[str, Any]
    #: What the committer did: which files were added, updated, unchanged, removed.
    plan: CommitPlan = attrs.field(repr=False)
    #: The output folder, or None when it was a temporary one (now removed).
    out_dir: Path | None
    #: Every ``BackendWarning`` the backend gave in ``validate_config`` and
    #: ``generate``, in order (repeats included, whatever the warning filters).
    warnings: tuple[BackendWarning, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        """The paths of ``files``, sorted."""
        return tuple(self.files)

    def text(self, path: str, encoding: str = "utf-8") -> str:
        """The content of one written file, decoded."""
        if path not in self.files:
            written = ", ".join(self.files) or "nothing"
            raise KeyError(f"backend '{self.backend}' did not write {path!r}; it wrote {written}")
        return self.files[path].decode(encoding)


def run_backend(
    backend: str | type,
    source: ir.AppSpec | Example | str | os.PathLike[str],
    *,
    options: Mapping[str, Any] | None = None,
    command_line: Sequence[str] = (),
    out_dir: str | os.PathLike[str] | None = None,
    name: str | None = None,
    timeout: float | None = None,
) -> BuildOutput:
    """Build ``source`` with one backend, through the pipeline of ``dazzle build``.

    ``backend`` is the name of an installed backend (found through its entry
    point, as ``dazzle build -b NAME`` finds it), or a backend class, which
    is registered by hand under ``name`` (default: the name its capabilities
    give) in a registry of its own.

    ``source`` is an ``AppSpec``, a bundled ``Example``, or the path of a
    project folder or ``.dsl`` file. A project's ``[build.options.NAME]``
    table in ``dazzle.toml`` applies, as it does for ``dazzle build``.

    ``options`` are typed values, as in a ``dazzle.toml`` table
    (``{"count": 3}``); ``command_line`` are strings as given to ``-O``
    (``"count=3"``, ``"NAME.count=3"``); the command line wins.

    ``out_dir`` is where the files go (default: a temporary folder, removed
    before this returns); either way the result holds their bytes.

    ``timeout`` is the most seconds ``validate_config`` and ``generate``
    may each take (default: no limit).

    As in ``dazzle build``, ``validate_config`` and ``generate`` run in
    worker processes; what they print reaches ``sys.stderr`` marked
    ``[NAME]``, and every ``BackendWarning`` they give is in the result's
    ``warnings``.

    Raises what ``dazzle build`` reports: ``SpecError`` when the source does
    not compile, ``OptionError`` for options the backend does not accept,
    ``BackendError`` when the backend cannot be loaded, ``CommitError`` when
    its output cannot be committed (it wrote outside its output folder, a
    link, ...), and whatever ``validate_config`` or ``generate`` raised, as
    they raised it (an exception that cannot be pickled arrives as a
    ``WorkerError`` with its message); ``BackendRunError`` when the worker
    died (``os._exit``, a crash) or overran ``timeout``.
    """
    appspec, config_tables = _read_source(source)
    if isinstance(backend, str):
        if name is not None and name != backend:
            raise ValueError(f"name={name!r} is only for a backend class; the backend is named {backend!r}")
        name, registry = backend, BackendRegistry()
        registry.discover()
    else:
        name = name or _name_of_class(backend)
        registry = BackendRegistry(distributions=lambda: ())
        registry.register(name, backend)
    names, _ = select_backends(registry, [name], None)
    targets = load_targets(registry, names)
    known = {*registry.list_backends(), name}
    settings = (
        read_config_tables(config_tables)
        + tuple(OptionSetting(k, v, name, OPTIONS_SOURCE, CONFIG) for k, v in (options or {}).items())
        + parse_command_line(command_line, known)
    )
    resolved = resolve_options({t.name: t.capabilities for t in targets}, settings)
    if out_dir is not None:
        return _build(appspec, targets, resolved, Path(out_dir), keep=True, timeout=timeout)
    with tempfile.TemporaryDirectory(prefix="dazzle-test-build-") as temporary:
        return _build(appspec, targets, resolved, Path(temporary) / "out", keep=False, timeout=timeout)


def _build(
    appspec: ir.AppSpec, targets: Any, resolved: dict, out_dir: Path, *, keep: bool, timeout: float | None
) -> BuildOutput:
    given: list[BackendWarning] = []
    try:
        with stop_signals_raise():
            plan = build(
                appspec,
                targets,
                resolved,
                out_dir,
                timeout=timeout,
                on_warning=lambda name, warning: given.append(warning),
            )
    except BackendRunError as error:
        if error.error is None:  # the worker died or overran the time limit
            raise
        # The backend's own exception: a test can expect it with
        # pytest.raises(BackendError, match=...). A bug also carries the
        # traceback from the worker process, where it was raised.
        if not isinstance(error.error, BackendError):
            error.error.add_note(f"Raised in the backend's worker process:\n{error.traceback.rstrip()}")
        raise error.error from None
    paths = sorted([change.path for change in plan.changes] + list(plan.unchanged))
    files = {path: (out_dir / path).read_bytes() for path in paths}
    name = targets[0].name
    return BuildOutput(name, files, resolved[name], plan, out_dir if keep else None, tuple(given))


def _read_source(source: Any) -> tuple[ir.AppSpec, Mapping[str, Any]]:
    """The AppSpec to build and the ``[build.options]`` tables that go with it."""
    if isinstance(source, ir.AppSpec):
        return source, {}
    if isinstance(source, Example):
        source = source.path
    if not isinstance(source, str | os.PathLike):
        raise TypeError(f"source must be an AppSpec, an Example or a path, not {type(source).__name__}")
    result = compile_path(Path(source))
    if not result.ok or result.appspec is None:
        raise SpecError(f"the project {os.fspath(source)!r}", result)
    config = result.project.config if result.project is not None else {}
    build_table = config.get("build", {})
    tables = build_table.get("options", {}) if isinstance(build_table, Mapping) else {}
    return result.appspec, tables


def _name_of_class(backend_class: type) -> str:
    get_capabilities = getattr(backend_class, "get_capabilities", None)
    if get_capabilities is not None:
        with plugin_call(getattr(backend_class, "__name__", "backend")):
            capabilities = get_capabilities(backend_class())
        if getattr(capabilities, "name", None):
            return capabilities.name
    raise ValueError(f"give the name to register {backend_class.__qualname__} under: name=...")
