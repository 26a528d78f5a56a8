"""The conformance check: what every backend must do, checked on a real install.

``check_conformance("NAME")`` runs these checks on the installed backend
``NAME`` and returns a report; ``assert_conforms("NAME")`` raises an
``AssertionError`` listing every failure.

1. **entry point** — one installed distribution declares ``NAME`` in the
   entry-point group ``dazzle.backends``, and it loads as a backend class
   for this ``API_VERSION`` that can be created.
2. **capabilities** — ``get_capabilities()`` returns ``BackendCapabilities``
   named ``NAME``, with a one-line description, and options whose names are
   identifiers, whose defaults and choices have the declared type, the same
   on every call.
3. **builds** — each project (the bundled examples unless told otherwise)
   builds through the pipeline of ``dazzle build``; no project at all fails.
4. **writes only inside its output folder** — nothing escapes the staging
   folder, and nothing appears in the working folder, the temporary folder
   or the project folder of a ``dazzle build`` run in a child process.
5. **deterministic** — ``dazzle build`` run in child processes with different
   ``PYTHONHASHSEED`` values writes the same bytes as the in-process build;
   no seed at all fails.
6. **rejects unknown options** (for a backend that declares options) —
   ``dazzle build -O NAME.unknown=...`` fails, and so do ``validate_config``
   and ``generate`` called directly with an unknown option, with
   ``BackendError``.
7. **failures are BackendError** — the backend raises nothing but
   ``BackendError`` on the projects, on an application that declares
   nothing, and when its output folder cannot be written.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
import sysconfig
import tempfile
import traceback
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from dazzle.backends.api import (
    API_VERSION,
    OPTION_TYPES,
    Backend,
    BackendCapabilities,
    BackendError,
    option_type_name,
)
from dazzle.backends.build_cache import CACHE_DIR_VARIABLE
from dazzle.backends.committer import MANIFEST_NAME, CommitError
from dazzle.backends.options import CONFIG, OptionError, OptionSetting, as_string, resolve_options
from dazzle.backends.registry import ENTRY_POINT_GROUP, BackendRegistry, UnknownBackendError
from dazzle.testing.appspecs import SpecError, compile_dsl, compile_project_at
from dazzle.testing.build import BuildOutput, run_backend
from dazzle.testing.examples import EXAMPLE_NAMES, example_path

ENTRY_POINT = "entry point"
CAPABILITIES = "capabilities"
BUILDS = "builds"
CONFINED = "writes only inside its output folder"
DETERMINISTIC = "deterministic"
UNKNOWN_OPTIONS = "rejects unknown options"
BACKEND_ERRORS = "failures are BackendError"

#: The checks, in the order they run.
CHECKS: tuple[str, ...] = (
    ENTRY_POINT,
    CAPABILITIES,
    BUILDS,
    CONFINED,
    DETERMINISTIC,
    UNKNOWN_OPTIONS,
    BACKEND_ERRORS,
)

#: The hash seeds of the child builds. 0 turns hash randomisation off; the
#: others give different orders to sets of strings.
DEFAULT_SEEDS: tuple[str, ...] = ("0", "1", "2")

#: The option no backend declares.
UNKNOWN_OPTION = "dazzle_conformance_no_such_option"

#: An application that declares nothing: a backend must cope, or say why not.
EMPTY_APP = 'app conformance_check "Conformance check"\n'

#: How long one child build may take before it counts as hung (not a time limit
#: on the backend: a safety net so that a hang cannot stop the test run).
CHILD_TIMEOUT = 900


@attrs.frozen
class CheckResult:
    check: str
    status: Literal["pass", "fail", "skip"]
    #: What was checked, or what went wrong (one problem per line).
    detail: str = ""


@attrs.frozen
class ConformanceReport:
    backend: str
    results: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.status == "fail")

    def fail(self, check: str, problem: str) -> ConformanceReport:
        """A copy of this report with ``check`` failed and ``problem`` a line
        of its detail: how a test adds a check of its own. A check the
        report does not hold yet is added at the end."""
        if check not in (r.check for r in self.results):
            return attrs.evolve(self, results=(*self.results, CheckResult(check, "fail", problem)))
        results = tuple(
            r
            if r.check != check
            else CheckResult(check, "fail", f"{r.detail}\n{problem}" if r.status == "fail" else problem)
            for r in self.results
        )
        return attrs.evolve(self, results=results)

    def result(self, check: str) -> CheckResult:
        for result in self.results:
            if result.check == check:
                return result
        raise KeyError(check)

    def __str__(self) -> str:
        failed = len(self.failures)
        head = f"backend '{self.backend}': " + (
            f"{failed} of {len(self.results)} conformance checks failed" if failed else "every conformance check passed"
        )
        lines = [head]
        for result in self.results:
            detail = result.detail.replace("\n", "\n      ")
            lines.append(f"  {result.status.upper():4} {result.check}" + (f": {detail}" if detail else ""))
        return "\n".join(lines)


class ConformanceError(AssertionError):
    """A backend failed the conformance check; ``report`` says how."""

    def __init__(self, report: ConformanceReport) -> None:
        super().__init__(str(report))
        self.report = report


def assert_conforms(
    name: str,
    *,
    projects: Sequence[str | os.PathLike[str]] | None = None,
    options: Mapping[str, Any] | None = None,
    seeds: Sequence[int | str] = DEFAULT_SEEDS,
) -> ConformanceReport:
    """Run ``check_conformance``; raise ``ConformanceError`` (an
    ``AssertionError``) listing every check if any failed."""
    report = check_conformance(name, projects=projects, options=options, seeds=seeds)
    if not report.ok:
        raise ConformanceError(report)
    return report


def check_conformance(
    name: str,
    *,
    projects: Sequence[str | os.PathLike[str]] | None = None,
    options: Mapping[str, Any] | None = None,
    seeds: Sequence[int | str] = DEFAULT_SEEDS,
) -> ConformanceReport:
    """Check the installed backend ``name`` (see this module's docstring).

    ``projects`` are the project folders or ``.dsl`` files to build (default:
    every bundled example). ``options`` are given to every build, typed as in
    ``dazzle.toml`` (a backend with ``requires_config`` needs them).
    ``seeds`` are the ``PYTHONHASHSEED`` values of the child builds:
    integers from 0 to 4294967295, as ``int`` or as text (``(0, 1)`` or
    ``("0", "1")``); anything else is a ``ValueError``.
    """
    hash_seeds = tuple(_hash_seed(seed) for seed in seeds)
    paths = [Path(p).resolve() for p in projects] if projects is not None else [example_path(n) for n in EXAMPLE_NAMES]
    with tempfile.TemporaryDirectory(prefix="dazzle-conformance-") as work:
        run = _Run(name, paths, dict(options or {}), hash_seeds, Path(work))
        return ConformanceReport(name, run.results())


def _hash_seed(seed: int | str) -> str:
    """A seed as the environment variable PYTHONHASHSEED takes it."""
    text = str(seed).strip() if isinstance(seed, int | str) and not isinstance(seed, bool) else ""
    if not text.isdigit() or not text.isascii() or int(text) > 4294967295:
        raise ValueError(f"seeds must be integers from 0 to 4294967295 (PYTHONHASHSEED), not {seed!r}")
    return str(int(text))


def _result(check: str, problems: Sequence[str], passed: str) -> CheckResult:
    """A check's result: failed with its problems, or passed with what was checked."""
    if problems:
        return CheckResult(check, "fail", "\n".join(problems))
    return CheckResult(check, "pass", passed)


def _skip(check: str, reason: str) -> CheckResult:
    return CheckResult(check, "skip", reason)


@attrs.define
class _Builds:
    """What the in-process and child builds found, by check: checks 3 to 5
    (and 7) are judged on the same builds."""

    outputs: dict[Path, BuildOutput] = attrs.Factory(dict)
    problems: dict[str, list[str]] = attrs.Factory(lambda: {check: [] for check in CHECKS})

    def fail(self, check: str, problem: str) -> None:
        self.problems[check].append(problem)


class _Run:
    """One conformance check: its settings, and one method per check, each
    returning its ``CheckResult``."""

    def __init__(self, name: str, projects: list[Path], options: dict, seeds: tuple[str, ...], work: Path):
        self.name = name
        self.projects = projects
        self.options = options
        self.seeds = seeds
        self.work = work

    def results(self) -> tuple[CheckResult, ...]:
        entry_point, backend = self.check_entry_point()
        if backend is None:
            not_run = f"not run: the check '{ENTRY_POINT}' failed"
            return (entry_point, *(_skip(check, not_run) for check in CHECKS[1:]))
        capabilities_result, capabilities = self.check_capabilities(backend)
        builds = self.build_everything()
        return (
            entry_point,
            capabilities_result,
            self.check_builds(builds),
            self.check_confined(builds),
            self.check_deterministic(builds),
            self.check_unknown_options(backend, capabilities),
            self.check_failures(backend, capabilities, builds),
        )

    # --- 1. entry point ----------------------------------------------------------------------------

    def check_entry_point(self) -> tuple[CheckResult, Any]:
        """The result, and the backend created through the registry (None
        when it cannot be). A registry of its own, without the backends
        registered by hand: the check is about the installed metadata."""
        registry = BackendRegistry()
        registry.discover()
        try:
            backend = registry.get(self.name)
        except UnknownBackendError:
            return _result(
                ENTRY_POINT,
                [
                    f"no installed distribution declares '{self.name}' in the entry-point group "
                    f"'{ENTRY_POINT_GROUP}'. DAZZLE finds backends only through installed metadata: declare "
                    f'it under [project.entry-points."{ENTRY_POINT_GROUP}"] in pyproject.toml and install '
                    "the distribution (pip install -e .)"
                ],
                "",
            ), None
        except BackendError as error:
            return _result(ENTRY_POINT, [str(error)], ""), None
        plugin = registry.plugin_of(self.name)
        return _result(ENTRY_POINT, [], f"{plugin.origin}: {plugin.entry_point} (API version {API_VERSION})"), backend

    # --- 2. capabilities ---------------------------------------------------------------------------

    def check_capabilities(self, backend: Any) -> tuple[CheckResult, BackendCapabilities | None]:
        """The result, and the capabilities (None when they cannot be read)."""
        problems: list[str] = []
        capabilities = read_own_capabilities(backend, problems)
        if capabilities is not None:
            problems.extend(capability_problems(capabilities, self.name))
            again = read_own_capabilities(backend, [])
            if again != capabilities:
                problems.append("get_capabilities() returns something different on a second call")
        passed = ""
        if capabilities is not None:
            options = ", ".join(o.name for o in capabilities.options) or "none"
            passed = f"{capabilities.description!r}; options: {options}"
        return _result(CAPABILITIES, problems, passed), capabilities

    # --- 3 to 5: the builds ----------------------------------------------------------------------------

    def build_everything(self) -> _Builds:
        """Every project built in this process, then in child processes; what
        went wrong, by check."""
        builds = _Builds()
        before = {project: snapshot(project) for project in self.projects}
        self.build_in_process(builds)
        self.build_in_children(builds)
        for project, files in before.items():
            changed = _changed(files, snapshot(project))
            if changed:
                builds.fail(CONFINED, f"{project}: the build changed the project folder: {changed}")
        return builds

    def check_builds(self, builds: _Builds) -> CheckResult:
        if not self.projects:
            # A check that built nothing must not pass: it would prove nothing.
            return _result(
                BUILDS,
                [
                    "no projects given (projects=[]): nothing was built; name at least one, or leave projects out "
                    "to build the bundled examples"
                ],
                "",
            )
        return _result(
            BUILDS,
            builds.problems[BUILDS],
            f"{_count(len(builds.outputs), 'project')}: "
            + ", ".join(
                f"{project.name} ({_count(len(output.files), 'file')})" for project, output in builds.outputs.items()
            ),
        )

    def check_confined(self, builds: _Builds) -> CheckResult:
        return _result(
            CONFINED,
            builds.problems[CONFINED],
            "in process, and in child processes (working, temporary and project folders)",
        )

    def check_deterministic(self, builds: _Builds) -> CheckResult:
        problems = builds.problems[DETERMINISTIC]
        if not builds.outputs and not problems:
            return _skip(DETERMINISTIC, "not run: no project built")
        if not self.seeds:
            # No child build: nothing was compared.
            return _result(
                DETERMINISTIC,
                [
                    "no seeds given (seeds=()): no build ran in a child process; give at least one, or leave seeds out "
                    "for the default (0, 1, 2)"
                ],
                "",
            )
        return _result(
            DETERMINISTIC, problems, f"in process and in child processes with PYTHONHASHSEED={', '.join(self.seeds)}"
        )

    def build_in_process(self, builds: _Builds) -> None:
        for project in self.projects:
            try:
                builds.outputs[project] = run_backend(self.name, project, options=self.options)
            except SpecError as error:
                builds.fail(BUILDS, f"{project}: {error}")
            except OptionError as error:
                builds.fail(BUILDS, f"{project}: {error} (give options with options=...)")
            except CommitError as error:
                builds.fail(BUILDS, f"{project}: {error}")
                builds.fail(CONFINED, f"{project}: {error}")
            except BackendError as error:
                builds.fail(BUILDS, f"{project}: Backend error: {error}")
            except (Exception, SystemExit) as error:
                builds.fail(BUILDS, f"{project}: {_describe(error)}")
                builds.fail(BACKEND_ERRORS, f"{project}: the build raised {_describe(error)}")

    def build_in_children(self, builds: _Builds) -> None:
        for index, seed in enumerate(self.seeds):
            for number, (project, expected) in enumerate(builds.outputs.items()):
                run_dir = self.work / f"seed-{index}-project-{number}"
                result = self.child_build(project, run_dir, seed)
                where = f"{project.name}, PYTHONHASHSEED={seed}"
                if result.returncode != 0:
                    builds.fail(
                        DETERMINISTIC,
                        (
                            f"{where}: `dazzle build` in a child process exited {result.returncode}:\n"
                            + _tail(result.stderr)
                        ),
                    )
                    continue
                for folder, what in (("cwd", "working folder"), ("tmp", "temporary folder")):
                    # Coverage, when the tests run under it, may leave its data files there.
                    files = _relative_files(run_dir / folder)
                    left = sorted(p for p in files if not p.startswith(".coverage"))
                    if left:
                        builds.fail(CONFINED, f"{where}: left files in its {what}: {', '.join(left)}")
                out = run_dir / "out"
                # The manifest is the build's record, not the backend's output.
                got = {path: (out / path).read_bytes() for path in _relative_files(out) if path != MANIFEST_NAME}
                difference = describe_difference(expected.files, got)
                if difference:
                    builds.fail(
                        DETERMINISTIC,
                        (
                            f"{where}: `dazzle build` in a child process wrote other bytes than the build "
                            f"in this process: {difference}"
                        ),
                    )

    def child_build(self, project: Path, run_dir: Path, seed: str) -> subprocess.CompletedProcess:
        for folder in ("cwd", "tmp"):
            (run_dir / folder).mkdir(parents=True)
        command = [sys.executable, "-m", "dazzle", "build", str(project), "-b", self.name, "-o", str(run_dir / "out")]
        for key, value in self.options.items():
            command += ["-O", f"{self.name}.{key}={_option_text(key, value)}"]
        temporary = str(run_dir / "tmp")
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "TMPDIR": temporary,
            "TEMP": temporary,
            "TMP": temporary,
            # The build's lock and staging: beside the run, not in the author's own cache.
            CACHE_DIR_VARIABLE: str(run_dir / "cache"),
        }
        return subprocess.run(
            command,
            cwd=run_dir / "cwd",
            env=env,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=CHILD_TIMEOUT,
            check=False,
        )

    # --- 6. rejects unknown options --------------------------------------------------------------------

    def check_unknown_options(self, backend: Any, capabilities: BackendCapabilities | None) -> CheckResult:
        if capabilities is None:
            return _skip(UNKNOWN_OPTIONS, "not run: the capabilities could not be read")
        if not capabilities.options:
            return _skip(UNKNOWN_OPTIONS, "declares no options, so it receives every option, as strings")
        problems: list[str] = []
        first = self.projects[0] if self.projects else compile_dsl(EMPTY_APP, "conformance.dsl")
        try:
            run_backend(self.name, first, options=self.options, command_line=[f"{self.name}.{UNKNOWN_OPTION}=1"])
        except OptionError as error:
            if UNKNOWN_OPTION not in str(error):
                problems.append(f"`dazzle build` refused it without naming it: {error}")
        except (Exception, SystemExit) as error:
            problems.append(
                f"`dazzle build -O {self.name}.{UNKNOWN_OPTION}=1` raised "
                f"{_describe(error)} instead of refusing the option"
            )
        else:
            problems.append(f"`dazzle build -O {self.name}.{UNKNOWN_OPTION}=1` succeeded")
        passed = "by `dazzle build`, and by validate_config() and generate() called directly"
        resolved = self.resolved(capabilities)
        if resolved is None:
            return _result(UNKNOWN_OPTIONS, problems, passed)
        given = {**resolved, UNKNOWN_OPTION: "1"}
        validate_config = getattr(backend, "validate_config", None)
        if validate_config is not None:
            problem = _expect_backend_error(lambda: validate_config(**given), "validate_config")
            if problem:
                problems.append(f"validate_config() with the unknown option {UNKNOWN_OPTION!r}: {problem}")
        out = self.work / "unknown-option" / "out"
        out.mkdir(parents=True)
        appspec = compile_dsl(EMPTY_APP, "conformance.dsl")
        problem = _expect_backend_error(lambda: backend.generate(appspec, out, **given), "generate")
        if problem:
            problems.append(f"generate() with the unknown option {UNKNOWN_OPTION!r}: {problem}")
        return _result(UNKNOWN_OPTIONS, problems, passed)

    def resolved(self, capabilities: BackendCapabilities) -> dict[str, Any] | None:
        """The keyword arguments the backend gets for ``self.options``."""
        try:
            settings = [OptionSetting(k, v, self.name, "options", CONFIG) for k, v in self.options.items()]
            return resolve_options({self.name: capabilities}, settings)[self.name]
        except OptionError:
            return None  # already reported by the builds

    # --- 7. failures are BackendError --------------------------------------------------------------------

    def check_failures(self, backend: Any, capabilities: BackendCapabilities | None, builds: _Builds) -> CheckResult:
        problems = list(builds.problems[BACKEND_ERRORS])
        passed = (
            "on the projects, on an application that declares nothing, and on an output folder that cannot be written"
        )
        empty = compile_dsl(EMPTY_APP, "conformance.dsl")
        try:
            run_backend(self.name, empty, options=self.options)
        except (BackendError, OptionError, CommitError):
            pass  # a refusal it explains; option and commit problems are reported by other checks
        except (Exception, SystemExit) as error:
            problems.append(f"an application that declares nothing: {_describe(error)}")
        resolved = self.resolved(capabilities) if capabilities is not None else dict(self.options)
        if resolved is None:
            return _result(BACKEND_ERRORS, problems, passed)
        blocker = self.work / "not-a-folder"
        blocker.write_text("a file where a folder should be\n", encoding="utf-8")
        appspec = empty
        if self.projects:
            try:
                appspec = compile_project_at(self.projects[0])
            except SpecError:
                pass
        blocked = blocker / "out"
        try:
            backend.generate(appspec, blocked, **resolved)
        except BackendError:
            pass
        except (Exception, SystemExit) as error:
            problems.append(
                f"generate() into an output folder that cannot be written ({blocked}) raised "
                f"{_describe(error)}; catch OSError and raise BackendError saying which file "
                "could not be written and why"
            )
        return _result(BACKEND_ERRORS, problems, passed)


# --- pieces ----------------------------------------------------------------------------------------------


def read_own_capabilities(backend: Any, problems: list[str]) -> BackendCapabilities | None:
    """What the backend's own ``get_capabilities()`` returns, or None with a problem."""
    get_capabilities = getattr(backend, "get_capabilities", None)
    inherited = getattr(type(backend), "get_capabilities", None) is Backend.get_capabilities
    if get_capabilities is None or inherited:
        problems.append("it does not define get_capabilities(); without it `dazzle backends` shows only the class name")
        return None
    try:
        capabilities = get_capabilities()
    except Exception as error:
        problems.append(f"get_capabilities() raised {_describe(error)}")
        return None
    if not isinstance(capabilities, BackendCapabilities):
        problems.append(f"get_capabilities() returned {type(capabilities).__name__}, not BackendCapabilities")
        return None
    return capabilities


def capability_problems(capabilities: BackendCapabilities, name: str) -> list[str]:
    """What is wrong with a backend's capabilities, one sentence each."""
    problems = []
    if capabilities.name != name:
        problems.append(
            f"get_capabilities() names it {capabilities.name!r}, but its entry point names it {name!r}; "
            "they must be the same"
        )
    description = capabilities.description
    if not isinstance(description, str) or not description.strip():
        problems.append("the description is empty; `dazzle backends` shows it beside the name")
    elif "\n" in description:
        problems.append("the description has more than one line; `dazzle backends` shows it on one")
    formats = capabilities.output_formats
    if any(not isinstance(f, str) or not f or f != f.strip() for f in formats):
        problems.append(f"output_formats must be non-empty words, not {formats!r}")
    elif len(set(formats)) != len(formats):
        problems.append(f"output_formats lists a format twice: {formats!r}")
    for flag in ("supports_incremental", "requires_config"):
        if not isinstance(getattr(capabilities, flag), bool):
            problems.append(f"{flag} must be True or False, not {getattr(capabilities, flag)!r}")
    seen: set[str] = set()
    for option in capabilities.options:
        problems.extend(option_problems(option, seen))
    return problems


def option_problems(option: Any, seen: set[str]) -> list[str]:
    name = getattr(option, "name", None)
    if not isinstance(name, str) or not name.isidentifier():
        return [f"option name {name!r} is not an identifier; options are keyword arguments and -O keys"]
    problems = []
    if name in seen:
        problems.append(f"option '{name}' is declared twice")
    seen.add(name)
    kind = option.type
    if kind not in OPTION_TYPES:
        return [*problems, f"option '{name}' has the type {kind!r}; use str, int, float, bool or list[str]"]
    typed = f"option '{name}' has the type {option_type_name(kind)}, but its"
    if option.default is not None and not _has_type(option.default, kind):
        problems.append(f"{typed} default is {option.default!r}")
    item_kind = str if kind == list[str] else kind
    bad_choices = [c for c in option.choices if not _has_type(c, item_kind)]
    if bad_choices:
        problems.append(f"{typed} choices include {bad_choices[0]!r}")
    elif (
        option.choices
        and option.default is not None
        and any(item not in option.choices for item in (option.default if kind == list[str] else (option.default,)))
    ):
        what = "has an item that is not" if kind == list[str] else "is not"
        problems.append(f"option '{name}': the default {option.default!r} {what} one of its choices")
    if not isinstance(option.help, str):
        problems.append(f"option '{name}': help must be text")
    return problems


def _has_type(value: Any, kind: Any) -> bool:
    if kind == list[str]:
        return isinstance(value, tuple) and all(isinstance(item, str) for item in value)
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def describe_difference(expected: Mapping[str, bytes], got: Mapping[str, bytes]) -> str:
    """What differs between two builds' files, or "" when nothing does."""
    parts = []
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    if missing:
        parts.append(f"missing {', '.join(missing)}")
    if extra:
        parts.append(f"extra {', '.join(extra)}")
    for path in sorted(set(expected) & set(got)):
        if expected[path] != got[path]:
            parts.append(f"{path} differs" + _first_difference(expected[path], got[path]))
    return "; ".join(parts)


def _first_difference(a: bytes, b: bytes) -> str:
    lines_a = a.decode("utf-8", "replace").splitlines()
    lines_b = b.decode("utf-8", "replace").splitlines()
    diff = list(difflib.unified_diff(lines_a, lines_b, "this process", "child process", n=0, lineterm=""))
    shown = [line for line in diff[2:] if not line.startswith("@@")][:4]
    return (":\n" + "\n".join(shown)) if shown else " (in bytes that are not lines of text)"


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` (or the file itself) with its size and time."""
    if folder.is_file():
        stat = folder.stat()
        return {folder.name: (stat.st_size, stat.st_mtime_ns)}
    return {
        path: ((folder / path).stat().st_size, (folder / path).stat().st_mtime_ns) for path in _relative_files(folder)
    }


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    return ", ".join(changed)


def _relative_files(folder: Path) -> Iterable[str]:
    if not folder.is_dir():
        return []
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        base = Path(root).relative_to(folder)
        found.extend((base / name).as_posix() for name in sorted(files))
    return found


def _expect_backend_error(call: Any, what: str) -> str:
    """ "" if ``call`` raises BackendError, else what happened instead."""
    try:
        call()
    except BackendError:
        return ""
    except (Exception, SystemExit) as error:
        return f"raised {_describe(error)} instead of BackendError"
    return f"{what}() accepted it; reject options you do not declare with BackendError"


def _describe(error: BaseException) -> str:
    """The exception, and the last line outside the standard library it came through."""
    stdlib = sysconfig.get_paths()["stdlib"]
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith(stdlib)]
    where = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


def _tail(text: str, lines: int = 15) -> str:
    kept = text.strip().splitlines()[-lines:]
    return "\n".join("  " + line for line in kept)


def _option_text(key: str, value: Any) -> str:
    """An option value as ``-O NAME.key=TEXT`` gives it: the text a backend
    that declares no options receives (``dazzle.backends.options.as_string``)."""
    return as_string(OptionSetting(key, value, "", "options", CONFIG))
