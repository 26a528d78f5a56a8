"""The build pipeline after the spec is compiled: choose the backends, load
them, settle their options, let each one generate into a staging folder of
its own, then commit everything into the output folder at once.

Every backend's ``validate_config`` runs before any ``generate``, each in a
worker process of its own (``dazzle.backends.workers``), and nothing reaches
the output folder before every ``generate`` has succeeded.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from dazzle.backends.api import Backend, BackendCapabilities, BackendWarning
from dazzle.backends.build_cache import reserve_output
from dazzle.backends.command_backends import CommandBackend
from dazzle.backends.committer import CommitError, CommitPlan, apply_commit, collect_staged, plan_commit
from dazzle.backends.registry import (
    BackendInfo,
    BackendRegistry,
    Plugin,
    UnknownBackendError,
    read_capabilities,
)
from dazzle.backends.workers import Call, Outcome, OutputSink, Step, run_calls
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
        if isinstance(self.backend, CommandBackend) and self.backend.origin:
            return self.backend.origin
        cls = type(self.backend)
        return f"{cls.__module__}.{cls.__qualname__}, registered in-process"


class BackendRunError(Exception):
    """A backend's ``validate_config`` or ``generate`` failed: it raised
    (``error`` is what it raised: a ``BackendError``, the user's to fix, or
    anything else, a bug), its worker process died, or it overran the time
    limit (then ``error`` is None). ``traceback`` is the worker's, as text."""

    def __init__(
        self,
        target: BuildTarget,
        step: str,
        outcome: Outcome,
        timeout: float | None = None,
        folders: tuple[Path, Path] | None = None,
    ) -> None:
        raised = outcome.raised
        if folders is not None and raised is not None and raised.is_backend_error:
            # Also for callers that get the backend's own exception (the kit's run_backend).
            raised.error.args = tuple(
                in_output_folder(a, *folders) if isinstance(a, str) else a for a in raised.error.args
            )
        if raised is not None and raised.is_backend_error:
            message = f"{target.name}: {raised.message}"
        elif raised is not None:
            what = f"{raised.type_name}: {raised.message}" if raised.message else raised.type_name
            message = f"backend '{target.name}' ({target.origin}) failed in {step}: {what}"
        elif outcome.timed_out:
            message = (
                f"backend '{target.name}' ({target.origin}) did not finish {step} within {timeout:g} seconds "
                "and was stopped (the limit is --timeout or [build] timeout)"
            )
        else:
            message = (
                f"backend '{target.name}' ({target.origin}) ended its worker process during {step} "
                f"without finishing ({outcome.died})"
            )
        super().__init__(message if folders is None else in_output_folder(message, *folders))
        self.target = target
        self.step = step
        self.error = raised.error if raised is not None else None
        self.traceback = raised.traceback if raised is not None else ""


class BackendWarningsError(Exception):
    """Under ``strict``, backends gave warnings: nothing was written."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"{count} backend warning{'s' * (count != 1)}: nothing was written (warnings fail under --strict)"
        )
        self.count = count


#: Receives each warning a backend gave: (the backend's name, the warning).
WarningSink = Callable[[str, BackendWarning], None]


def print_output(name: str, line: str) -> None:
    """The default place for a worker's output: stderr, marked with the backend's name."""
    sys.stderr.write(f"[{name}] {line}\n")
    sys.stderr.flush()


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
    strict: bool = False,
    timeout: float | None = None,
    on_output: OutputSink = print_output,
    on_warning: WarningSink | None = None,
    start_method: str | None = None,
) -> CommitPlan:
    """Run the backends and commit their output to ``out_dir`` (or, with
    ``check``, only compare). Returns the plan: what changed and what did not.

    Each backend's ``validate_config`` and ``generate`` run in a worker
    process of its own (``dazzle.backends.workers``), those of different
    backends in parallel; every ``validate_config`` ends before any
    ``generate`` starts.
    ``timeout`` is the most seconds each of them may take. ``on_output``
    gets the lines they print; ``on_warning`` each ``BackendWarning`` they
    give, in the order of ``targets``, before anything is committed (and
    before a failure is raised). With ``strict``, a warning fails the build.
    """
    # The lock is taken and the output folder resolved before any backend
    # runs: builds of one folder are serialised, and a backend that changes
    # the working folder cannot move the commit.
    given: list[tuple[str, BackendWarning]] = []
    with reserve_output(out_dir) as reservation:
        root = reservation.staging_root
        stages = {}
        calls = []
        for index, target in enumerate(targets):
            output_dir = root / str(index) / "out"
            output_dir.mkdir(parents=True)
            stages[target.name] = output_dir
            options_of = dict(options[target.name])
            validate = Step(_validate_config, (target.backend, options_of)) if _validates(target.backend) else None
            calls.append(
                Call(target.name, (validate, Step(_generate, (target.backend, appspec, output_dir, options_of))))
            )
        outcomes = run_calls(calls, root / "logs", on_output=on_output, timeout=timeout, method=start_method)
        for step, step_outcomes in zip(STEPS, outcomes, strict=True):
            _report_step(step, targets, step_outcomes, timeout, on_warning, given, stages, reservation.out_dir)
        for target in targets:
            output_dir = stages[target.name]
            strays = sorted(set(os.listdir(output_dir.parent)) - {"out"})
            if strays or not output_dir.is_dir():
                raise CommitError(
                    f"backend '{target.name}' wrote outside its output folder"
                    + (f": {', '.join('../' + s for s in strays)}" if strays else "")
                )
        if strict and given:
            raise BackendWarningsError(len(given))
        plan = plan_commit(collect_staged(stages), reservation.out_dir, [t.name for t in targets])
        if not check:
            apply_commit(plan)
    return plan


#: The steps each backend's worker runs, in order; every worker ends one
#: before any starts the next.
STEPS = ("validate_config", "generate")


def _report_step(
    step: str,
    targets: Sequence[BuildTarget],
    outcomes: Sequence[Outcome | None],
    timeout: float | None,
    on_warning: WarningSink | None,
    given: list[tuple[str, BackendWarning]],
    stages: Mapping[str, Path],
    out_dir: Path,
) -> None:
    """Report the warnings of one step of every target, then raise the
    failure of the first target (in order) that failed."""
    for target, outcome in zip(targets, outcomes, strict=True):
        for warning in outcome.warnings if outcome is not None else ():
            given.append((target.name, warning))
            if on_warning is not None:
                on_warning(target.name, warning)
    for target, outcome in zip(targets, outcomes, strict=True):
        if outcome is not None and not outcome.ok:
            raise BackendRunError(target, step, outcome, timeout, (stages[target.name], out_dir))


def _validates(backend: Any) -> bool:
    """Whether the backend has a ``validate_config`` of its own to run."""
    method = getattr(type(backend), "validate_config", None)
    return callable(method) and method is not Backend.validate_config


# The two functions a worker runs (module level, so that ``spawn`` can pickle them).


def _validate_config(backend: Any, options: dict[str, Any]) -> None:
    backend.validate_config(**options)


def _generate(backend: Any, appspec: Any, output_dir: Path, options: dict[str, Any]) -> None:
    # Backends build large documents of small, acyclic containers: left on,
    # the cyclic collector rescans them (and the AppSpec) again and again as
    # they grow, which tripled the time of big builds.
    with cyclic_gc_paused():
        backend.generate(appspec, output_dir, **options)


def in_output_folder(text: str, staging: Path, out_dir: Path) -> str:
    """``text`` with every path inside a backend's staging folder written as
    the path it will have in the user's output folder: a message should name
    the file the user will look for, not a temporary folder that is gone by
    the time they read it."""
    for folder in sorted({str(staging), os.path.realpath(staging)}, key=len, reverse=True):
        text = re.sub(re.escape(folder) + r"(?![\w.-])", lambda _: str(out_dir), text)
    return text
