"""The build pipeline after the spec is compiled: choose the backends, load
them, settle their options, let each one generate into a staging folder of
its own, then commit everything into the output folder at once.

Every backend's ``validate_config`` runs before any ``generate``, and nothing
reaches the output folder before every ``generate`` has succeeded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from dazzle.backends.api import BackendCapabilities, BackendError
from dazzle.backends.build_cache import reserve_output
from dazzle.backends.committer import CommitError, CommitPlan, apply_commit, collect_staged, plan_commit
from dazzle.backends.registry import (
    BackendInfo,
    BackendRegistry,
    Plugin,
    UnknownBackendError,
    read_capabilities,
)
from dazzle.core.compiler import cyclic_gc_paused


@attrs.frozen
class BuildTarget:
    """A loaded backend, ready to run."""

    name: str
    backend: Any
    capabilities: BackendCapabilities
    plugin: Plugin | None

    @property
    def origin(self) -> str:
        if self.plugin is not None:
            return self.plugin.origin
        cls = type(self.backend)
        return f"{cls.__module__}.{cls.__qualname__}, registered in-process"


class BackendRunError(Exception):
    """A backend's ``validate_config`` or ``generate`` raised. ``error`` is what
    it raised: a ``BackendError`` (the user's to fix) or anything else (a bug)."""

    def __init__(
        self, target: BuildTarget, step: str, error: BaseException, folders: tuple[Path, Path] | None = None
    ) -> None:
        if isinstance(error, BackendError):
            message = f"{target.name}: {error}"
        else:
            message = (
                f"backend '{target.name}' ({target.origin}) failed in {step}: {type(error).__name__}: {error}"
            )
        super().__init__(message if folders is None else in_output_folder(message, *folders))
        self.target = target
        self.step = step
        self.error = error


def select_backends(
    registry: BackendRegistry, requested: Sequence[str], configured: Sequence[str] | None
) -> tuple[list[str], list[BackendInfo]]:
    """The names to build with, and the backends skipped because they cannot
    be used. The ``requested`` ones (``-b``), else the ``configured`` ones
    (``[build] backends``), else every available one."""
    names = list(dict.fromkeys(requested or configured or ()))
    if names:
        known = set(registry.list_backends()) | {p.name for p in registry.plugins}
        for name in names:
            if name not in known:
                # Only on this error path are all backends loaded, to list the usable ones.
                available = [i.name for i in registry.describe() if i.status == "available"]
                raise UnknownBackendError(name, available)
        return names, []
    infos = registry.describe()
    return [i.name for i in infos if i.status == "available"], [i for i in infos if i.status != "available"]


def load_targets(registry: BackendRegistry, names: Sequence[str]) -> tuple[BuildTarget, ...]:
    """Load (import) exactly the named backends and read their capabilities."""
    targets = []
    for name in names:
        backend = registry.get(name)
        targets.append(BuildTarget(name, backend, read_capabilities(backend, name), registry.plugin_of(name)))
    return tuple(targets)


def build(
    appspec: Any,
    targets: Sequence[BuildTarget],
    options: Mapping[str, Mapping[str, Any]],
    out_dir: Path,
    *,
    check: bool = False,
) -> CommitPlan:
    """Run the backends and commit their output to ``out_dir`` (or, with
    ``check``, only compare). Returns the plan: what changed and what did not."""
    for target in targets:
        validate_config = getattr(target.backend, "validate_config", None)
        if validate_config is not None:
            _run(target, "validate_config", validate_config, **options[target.name])
    # The lock is taken and the output folder resolved before any generate
    # runs: builds of one folder are serialised, and a backend that changes
    # the working folder cannot move the commit.
    with reserve_output(out_dir) as reservation:
        stages = {}
        for index, target in enumerate(targets):
            home = reservation.staging_root / str(index)
            output_dir = home / "out"
            output_dir.mkdir(parents=True)
            # Backends build large documents of small, acyclic containers: left
            # on, the cyclic collector rescans them (and the AppSpec) again and
            # again as they grow, which tripled the time of big builds.
            with cyclic_gc_paused():
                _run(target, "generate", target.backend.generate, appspec, output_dir, **options[target.name],
                     _folders=(output_dir, out_dir))
            strays = sorted(set(os.listdir(home)) - {"out"})
            if strays or not output_dir.is_dir():
                raise CommitError(
                    f"backend '{target.name}' wrote outside its output folder"
                    + (f": {', '.join('../' + s for s in strays)}" if strays else "")
                )
            stages[target.name] = output_dir
        plan = plan_commit(collect_staged(stages), reservation.out_dir, [t.name for t in targets])
        if not check:
            apply_commit(plan)
    return plan


def _run(
    target: BuildTarget, step: str, method: Any, *args: Any, _folders: tuple[Path, Path] | None = None, **kwargs: Any
) -> None:
    try:
        method(*args, **kwargs)
    except (Exception, SystemExit) as error:  # a backend's failure must never end the tool
        if _folders is not None and isinstance(error, BackendError):
            # Also for callers that get the backend's own exception (the kit's run_backend).
            error.args = tuple(in_output_folder(a, *_folders) if isinstance(a, str) else a for a in error.args)
        raise BackendRunError(target, step, error, _folders) from error


def in_output_folder(text: str, staging: Path, out_dir: Path) -> str:
    """``text`` with every path inside a backend's staging folder written as
    the path it will have in the user's output folder: a message should name
    the file the user will look for, not a temporary folder that is gone by
    the time they read it."""
    for folder in sorted({str(staging), os.path.realpath(staging)}, key=len, reverse=True):
        text = re.sub(re.escape(folder) + r"(?![\w.-])", lambda _: str(out_dir), text)
    return text
