"""The build pipeline without the CLI: selection, staging, commit."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest
from dazzle.backends import Backend, BackendError, BackendRegistry, BackendWarning
from dazzle.backends.committer import MANIFEST_NAME, CommitError
from dazzle.backends.registry import UnknownBackendError
from dazzle.backends.runner import BackendRunError, build, load_targets, select_backends
from dazzle.core import ir

APPSPEC = ir.AppSpec(name="demo", title="Demo", version="1.0", location=ir.NO_LOCATION)


class Writes(Backend):
    """Writes one file named after the app."""

    def generate(self, appspec, output_dir, **options):
        (output_dir / f"{appspec.name}.txt").write_text(appspec.title)


class Escapes(Backend):
    """Writes beside its output folder instead of inside it."""

    def generate(self, appspec, output_dir, **options):
        (output_dir / ".." / "sneaky.txt").write_text("outside")


class RemovesItsFolder(Backend):
    def generate(self, appspec, output_dir, **options):
        output_dir.rmdir()


class Exits(Backend):
    def generate(self, appspec, output_dir, **options):
        raise SystemExit(7)


class Refuses(Backend):
    def validate_config(self, **options):
        raise BackendError("needs a url")

    def generate(self, appspec, output_dir, **options):
        raise AssertionError("generate must not run after validate_config failed")


@pytest.fixture
def registry():
    registry = BackendRegistry(distributions=lambda: ())
    for name, cls in [
        ("writes", Writes),
        ("escapes", Escapes),
        ("removes", RemovesItsFolder),
        ("exits", Exits),
        ("refuses", Refuses),
    ]:
        registry.register(name, cls)
    return registry


def run(registry, out, *names, check=False):
    targets = load_targets(registry, names)
    return build(APPSPEC, targets, {name: {} for name in names}, out, check=check)


def test_build_writes_and_reports_the_plan(registry, tmp_path):
    plan = run(registry, tmp_path / "out", "writes")
    assert [(c.kind, c.path) for c in plan.changes] == [("add", "demo.txt")]
    assert (tmp_path / "out" / "demo.txt").read_text() == "Demo"


def test_check_writes_nothing(registry, tmp_path):
    plan = run(registry, tmp_path / "out", "writes", check=True)
    assert len(plan.changes) == 1
    assert not (tmp_path / "out").exists()


def test_a_backend_writing_outside_its_folder_is_refused(registry, tmp_path):
    with pytest.raises(CommitError, match=r"backend 'escapes' wrote outside its output folder: \.\./sneaky.txt"):
        run(registry, tmp_path / "out", "writes", "escapes")
    assert not (tmp_path / "out").exists()


def test_a_backend_removing_its_folder_is_refused(registry, tmp_path):
    with pytest.raises(CommitError, match="backend 'removes' wrote outside its output folder"):
        run(registry, tmp_path / "out", "removes")


def test_sys_exit_in_a_backend_does_not_end_the_build(registry, tmp_path):
    with pytest.raises(BackendRunError, match=r"backend 'exits' \(.*\) failed in generate: SystemExit: 7"):
        run(registry, tmp_path / "out", "writes", "exits")
    assert not (tmp_path / "out").exists()


def test_validate_config_of_every_backend_runs_before_any_generate(registry, tmp_path):
    with pytest.raises(BackendRunError, match="refuses: needs a url") as caught:
        run(registry, tmp_path / "out", "writes", "refuses")
    assert isinstance(caught.value.error, BackendError) and caught.value.step == "validate_config"


def test_select_backends(registry):
    assert select_backends(registry, ["writes", "refuses", "writes"], ["escapes"]) == (["writes", "refuses"], [])
    assert select_backends(registry, [], ["escapes"]) == (["escapes"], [])
    names, skipped = select_backends(registry, [], None)
    assert names == ["escapes", "exits", "refuses", "removes", "writes"] and skipped == []
    with pytest.raises(UnknownBackendError, match="did you mean 'writes'"):
        select_backends(registry, ["write"], None)


def test_backends_generate_with_the_cyclic_collector_paused_and_it_is_restored(tmp_path):
    import gc

    class Watches(Backend):
        def generate(self, appspec, output_dir, **options):
            raise BackendError(f"collector enabled: {gc.isenabled()}")

    registry = BackendRegistry(distributions=lambda: ())
    registry.register("watches", Watches)
    assert gc.isenabled()
    with pytest.raises(BackendRunError, match="collector enabled: False"):
        build(APPSPEC, load_targets(registry, ["watches"]), {"watches": {}}, tmp_path / "out")
    assert gc.isenabled()


class NamesItsFile(Backend):
    """Fails naming a file under its output folder, as a backend naturally does."""

    def generate(self, appspec, output_dir, **options):
        target = output_dir / "docs" / "schema.md"
        if options.get("bug"):
            open(target, encoding="utf-8")  # the folder does not exist: FileNotFoundError
        raise BackendError(f"cannot write {target}: disk full; see also {output_dir}")


@pytest.mark.parametrize("bug", [False, True])
def test_errors_name_files_in_the_output_folder_not_the_staging_folder(tmp_path, bug):
    registry = BackendRegistry(distributions=lambda: ())
    registry.register("names", NamesItsFile)
    out = tmp_path / "build"
    targets = load_targets(registry, ["names"])
    with pytest.raises(BackendRunError) as caught:
        build(APPSPEC, targets, {"names": {"bug": bug}}, out)
    message = str(caught.value)
    assert "dazzle-build-" not in message
    if bug:
        assert f"FileNotFoundError: [Errno 2] No such file or directory: '{out / 'docs' / 'schema.md'}'" in message
    else:
        assert message == f"names: cannot write {out / 'docs' / 'schema.md'}: disk full; see also {out}"
        # The backend's own exception says the same (the kit's run_backend raises it).
        assert str(caught.value.error) == message.removeprefix("names: ")


def test_in_output_folder_replaces_only_whole_path_parts(tmp_path):
    from dazzle.backends.runner import in_output_folder

    staging = tmp_path / "0" / "out"
    text = f"{staging}/a.md, {staging}put/b.md, {staging}"
    assert in_output_folder(text, staging, tmp_path / "mine") == (
        f"{tmp_path / 'mine'}/a.md, {staging}put/b.md, {tmp_path / 'mine'}"
    )


def test_a_backend_changing_the_working_folder_does_not_move_the_commit(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    class Wanders(Backend):
        def generate(self, appspec, output_dir, **options):
            (output_dir / "a.txt").write_text("a")
            os.chdir(elsewhere)

    registry = BackendRegistry(distributions=lambda: ())
    registry.register("wanders", Wanders)
    monkeypatch.chdir(tmp_path)
    plan = build(APPSPEC, load_targets(registry, ["wanders"]), {"wanders": {}}, Path("out"))
    assert plan.out_dir == tmp_path.resolve() / "out"
    assert (tmp_path / "out" / "a.txt").read_text() == "a"
    assert list(elsewhere.iterdir()) == []


def test_staging_lives_in_the_cache_and_is_removed_after_the_build(registry, tmp_path, cache_folder):
    class Looks(Backend):
        def generate(self, appspec, output_dir, **options):
            (output_dir / "x.txt").write_text(str(output_dir))  # the worker's list would not reach this process

    registry.register("looks", Looks)
    run(registry, tmp_path / "out", "looks")
    staging = Path((tmp_path / "out" / "x.txt").read_text())
    assert staging.is_relative_to(cache_folder)
    assert not staging.exists()


# --- a backend cannot reach the build, nor the other backends (worker processes) ------------------

SPEC = ir.AppSpec(
    name="demo",
    title="Demo",
    version="1.0",
    location=ir.NO_LOCATION,
    metadata=ir.Options.of({"owner": "me"}),
)


def app_facts(appspec) -> str:
    return f"{appspec.name} {appspec.title} {dict(appspec.metadata)}\n"


class Mutates(Backend):
    """Changes the AppSpec it was given, both ways immutability can be got round."""

    def generate(self, appspec, output_dir, **options):
        (output_dir / "mutates.txt").write_text(app_facts(appspec))
        appspec.metadata._map["owner"] = "mutates"
        object.__setattr__(appspec, "name", "hijacked")


class Reads(Backend):
    def generate(self, appspec, output_dir, **options):
        (output_dir / "reads.txt").write_text(app_facts(appspec))


class ChangesFolder(Backend):
    def generate(self, appspec, output_dir, **options):
        os.chdir(output_dir)
        (output_dir / "changes.txt").write_text("here\n")


class Raises(Backend):
    """Raises what its `what` option names."""

    def generate(self, appspec, output_dir, **options):
        what = options["what"]
        if what == "exit":
            sys.exit(4)
        if what == "interrupt":
            raise KeyboardInterrupt
        if what == "base":
            raise GeneratorExit("odd")
        if what == "kill":
            os._exit(7)
        if what == "loop":
            while True:
                pass
        if what == "block":
            read_end, _ = os.pipe()
            os.read(read_end, 1)
        raise AssertionError(what)


class Prints(Backend):
    def generate(self, appspec, output_dir, **options):
        print("from print")
        sys.stderr.write("from sys.stderr\n")
        os.write(1, b"from fd 1\n")
        subprocess.run([sys.executable, "-c", "import os; os.write(2, b'from a child on fd 2')"], check=True)
        (output_dir / "prints.txt").write_text("x")


def runner_registry(*backends):
    registry = BackendRegistry(distributions=lambda: ())
    for name, cls in backends:
        registry.register(name, cls)
    return registry


def snapshot(folder):
    """The files the backends wrote (not the build's manifest)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST_NAME
    }


def test_each_backend_sees_the_appspec_as_compiled_whatever_the_one_before_did(tmp_path):
    registry = runner_registry(("mutates", Mutates), ("reads", Reads))
    targets = load_targets(registry, ["mutates", "reads"])
    build(SPEC, targets, {"mutates": {}, "reads": {}}, tmp_path / "out")
    assert (tmp_path / "out" / "mutates.txt").read_text() == "demo Demo {'owner': 'me'}\n"
    assert (tmp_path / "out" / "reads.txt").read_text() == "demo Demo {'owner': 'me'}\n"
    assert SPEC.name == "demo" and dict(SPEC.metadata) == {"owner": "me"}


def test_without_fork_workers_are_spawned_and_the_backends_travel_by_pickle(tmp_path, monkeypatch):
    # What Windows does. The classes must be importable by the spawned worker.
    import inspect
    import textwrap

    source = "import os, sys\nfrom dazzle.backends import Backend\n\n\n" + "\n\n".join(
        textwrap.dedent(inspect.getsource(f)) for f in (app_facts, Mutates, Reads, ChangesFolder)
    )
    (tmp_path / "spawned_backends.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    import spawned_backends

    registry = runner_registry(
        ("mutates", spawned_backends.Mutates),
        ("reads", spawned_backends.Reads),
        ("changes", spawned_backends.ChangesFolder),
    )
    targets = load_targets(registry, ["mutates", "reads", "changes"])
    build(SPEC, targets, {"mutates": {}, "reads": {}, "changes": {}}, tmp_path / "out", start_method="spawn")
    assert snapshot(tmp_path / "out") == {
        "changes.txt": b"here\n",
        "mutates.txt": b"demo Demo {'owner': 'me'}\n",
        "reads.txt": b"demo Demo {'owner': 'me'}\n",
    }


def test_a_backend_changing_the_working_folder_changes_nothing_here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    registry = runner_registry(("changes", ChangesFolder), ("writes", Writes))
    build(APPSPEC, load_targets(registry, ["changes", "writes"]), {"changes": {}, "writes": {}}, Path("out"))
    assert os.getcwd() == str(tmp_path)
    assert snapshot(tmp_path / "out") == {"changes.txt": b"here\n", "demo.txt": b"Demo"}


@pytest.mark.parametrize(
    ("what", "message"),
    [
        ("exit", r"failed in generate: SystemExit: 4$"),
        ("interrupt", r"failed in generate: KeyboardInterrupt$"),
        ("base", r"failed in generate: GeneratorExit: odd$"),
        ("kill", r"ended its worker process during generate without finishing \(exit status 7\)$"),
    ],
)
def test_a_backend_that_ends_its_process_is_a_clear_failure_and_nothing_is_written(tmp_path, what, message):
    registry = runner_registry(("raises", Raises), ("writes", Writes))
    targets = load_targets(registry, ["writes", "raises"])
    with pytest.raises(BackendRunError, match=r"^backend 'raises' \(.*Raises, registered in-process\) " + message):
        build(APPSPEC, targets, {"writes": {}, "raises": {"what": what}}, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("what", ["loop", "block"])
def test_a_backend_that_never_returns_is_stopped_at_the_time_limit(tmp_path, what):
    registry = runner_registry(("raises", Raises), ("writes", Writes))
    targets = load_targets(registry, ["writes", "raises"])
    started = time.monotonic()
    with pytest.raises(
        BackendRunError,
        match=r"^backend 'raises' .* did not finish generate within 0\.5 seconds "
        r"and was stopped \(the limit is --timeout or \[build\] timeout\)$",
    ):
        build(APPSPEC, targets, {"writes": {}, "raises": {"what": what}}, tmp_path / "out", timeout=0.5)
    assert time.monotonic() - started < 10
    assert not (tmp_path / "out").exists()


def test_what_a_backend_prints_goes_to_the_output_sink_marked_never_to_stdout(tmp_path, capfd):
    lines = []
    registry = runner_registry(("prints", Prints))
    build(
        APPSPEC,
        load_targets(registry, ["prints"]),
        {"prints": {}},
        tmp_path / "out",
        on_output=lambda name, line: lines.append((name, line)),
    )
    assert sorted(lines) == sorted(
        [
            ("prints", "from print"),
            ("prints", "from sys.stderr"),
            ("prints", "from fd 1"),
            ("prints", "from a child on fd 2"),
        ]
    )
    captured = capfd.readouterr()
    assert captured.out == "" and "from" not in captured.err


def test_by_default_a_backends_output_goes_to_stderr_marked(tmp_path, capfd):
    registry = runner_registry(("prints", Prints))
    build(APPSPEC, load_targets(registry, ["prints"]), {"prints": {}}, tmp_path / "out")
    captured = capfd.readouterr()
    assert captured.out == ""
    assert "[prints] from print\n" in captured.err and "[prints] from fd 1\n" in captured.err


def test_independent_backends_generate_in_parallel(tmp_path, monkeypatch):
    from dazzle.backends import workers

    class Meets(Backend):
        """Says it started, then waits (30 s at most) for the other backend to say so too:
        only backends that run at the same time can both see each other."""

        def generate(self, appspec, output_dir, **options):
            gate = Path(options["gate"])
            (gate / options["who"]).touch()
            other = gate / ("b" if options["who"] == "a" else "a")
            deadline = time.monotonic() + 30
            while not other.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            (output_dir / f"{options['who']}.txt").write_text(str(other.exists()))

    monkeypatch.setattr(workers, "worker_limit", lambda: 2)
    gate = tmp_path / "gate"
    gate.mkdir()
    registry = runner_registry(("a", Meets), ("b", Meets))
    out = tmp_path / "out"
    options = {w: {"who": w, "gate": str(gate)} for w in "ab"}
    build(APPSPEC, load_targets(registry, ["a", "b"]), options, out)
    assert [(out / f"{w}.txt").read_text() for w in "ab"] == ["True", "True"]  # each saw the other running


def test_the_worker_s_traceback_comes_back_with_the_error(tmp_path):
    registry = runner_registry(("raises", Raises))
    with pytest.raises(BackendRunError) as caught:
        build(APPSPEC, load_targets(registry, ["raises"]), {"raises": {"what": "other"}}, tmp_path / "out")
    assert isinstance(caught.value.error, AssertionError)
    assert "raise AssertionError(what)" in caught.value.traceback


# --- backend warnings -----------------------------------------------------------------------------

PLACE = ir.SourceLocation("app.dsl", 3, 5)


class Warns(Backend):
    """Warns the same thing twice, plus one warning of another kind."""

    def validate_config(self, **options):
        warnings.warn(BackendWarning("checked", code="W1"), stacklevel=1)

    def generate(self, appspec, output_dir, **options):
        for _ in range(2):
            warnings.warn(BackendWarning("renamed page_id", location=PLACE, code="P001"), stacklevel=1)
        warnings.warn("plain text", BackendWarning, stacklevel=1)
        (output_dir / "warns.txt").write_text("x")


def collect_warnings(tmp_path, **kwargs):
    given = []
    registry = runner_registry(("warns", Warns), ("writes", Writes))
    plan = build(
        APPSPEC,
        load_targets(registry, ["writes", "warns"]),
        {"writes": {}, "warns": {}},
        tmp_path / "out",
        on_warning=lambda name, w: given.append((name, str(w), w.location, w.code)),
        **kwargs,
    )
    return plan, given


EXPECTED_WARNINGS = [
    ("warns", "checked", None, "W1"),
    ("warns", "renamed page_id", PLACE, "P001"),
    ("warns", "renamed page_id", PLACE, "P001"),
    ("warns", "plain text", None, None),
]


@pytest.mark.parametrize("action", ["ignore", "error", "default"])
def test_every_backend_warning_is_collected_whatever_the_filters_say(tmp_path, action):
    with warnings.catch_warnings():
        warnings.simplefilter(action)
        for attempt in range(2):  # repeats across builds in one process too
            plan, given = collect_warnings(tmp_path / str(attempt))
            assert given == EXPECTED_WARNINGS
            assert len(plan.changes) == 2


def test_under_strict_a_backend_warning_fails_the_build_and_nothing_is_written(tmp_path):
    from dazzle.backends.runner import BackendWarningsError

    with pytest.raises(BackendWarningsError, match="4 backend warnings: nothing was written"):
        collect_warnings(tmp_path, strict=True)
    assert not (tmp_path / "out").exists()


def test_other_warnings_of_a_backend_follow_the_usual_filters_and_are_not_collected(tmp_path):
    class Deprecated(Backend):
        def generate(self, appspec, output_dir, **options):
            warnings.warn("old call", UserWarning, stacklevel=1)

    lines, given = [], []
    registry = runner_registry(("old", Deprecated))
    targets = load_targets(registry, ["old"])
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        build(
            APPSPEC,
            targets,
            {"old": {}},
            tmp_path / "out",
            on_output=lambda name, line: lines.append(line),
            on_warning=lambda *a: given.append(a),
        )
        assert given == []
        assert any(line.endswith("UserWarning: old call") for line in lines)
        warnings.simplefilter("ignore")
        lines.clear()
        build(APPSPEC, targets, {"old": {}}, tmp_path / "out", on_output=lambda name, line: lines.append(line))
        assert lines == []
        warnings.simplefilter("error")  # -W error makes it an error, as it would anywhere else
        with pytest.raises(BackendRunError, match="failed in generate: UserWarning: old call"):
            build(APPSPEC, targets, {"old": {}}, tmp_path / "out")


def test_an_exception_that_cannot_travel_back_arrives_as_a_stand_in_with_its_message(tmp_path):
    from dazzle.backends.workers import WorkerError

    class Odd(Exception):
        def __init__(self, a, b):
            super().__init__(f"{a} and {b}")

    class OddError(BackendError):
        def __init__(self, a, b):
            super().__init__(f"{a} or {b}")

    class RaisesOdd(Backend):
        def generate(self, appspec, output_dir, **options):
            raise (OddError if options["backend_error"] else Odd)("one", "two")

    registry = runner_registry(("odd", RaisesOdd))
    targets = load_targets(registry, ["odd"])
    with pytest.raises(BackendRunError, match=r"failed in generate: Odd: one and two$") as caught:
        build(APPSPEC, targets, {"odd": {"backend_error": False}}, tmp_path / "out")
    assert type(caught.value.error) is WorkerError
    with pytest.raises(BackendRunError, match=r"^odd: one or two$") as caught:
        build(APPSPEC, targets, {"odd": {"backend_error": True}}, tmp_path / "out")
    assert type(caught.value.error) is BackendError


#: Set in the worker by ``RaisesFragile``: its exception can be rebuilt there
#: (so it passes the worker's pickling check) but not in the dazzle process.
_FRAGILE_LOADABLE: list[bool] = []


def _rebuild_fragile(message):
    if not _FRAGILE_LOADABLE:
        raise ValueError("a Fragile cannot be rebuilt in this process")
    return Fragile(message)


class Fragile(Exception):
    def __reduce__(self):
        return (_rebuild_fragile, (str(self),))


class RaisesFragile(Backend):
    def generate(self, appspec, output_dir, **options):
        _FRAGILE_LOADABLE.append(True)
        raise Fragile("fragile failure")


def test_an_exception_that_fails_to_unpickle_in_the_dazzle_process_is_the_backend_s_failure(tmp_path):
    registry = runner_registry(("fragile", RaisesFragile))
    targets = load_targets(registry, ["fragile"])
    with pytest.raises(BackendRunError, match="fragile") as caught:
        build(APPSPEC, targets, {"fragile": {}}, tmp_path / "out")
    assert not _FRAGILE_LOADABLE  # it ran in a worker
    assert "Fragile" in str(caught.value)
    assert not (tmp_path / "out").exists()


class WarnsFromNowhere(Backend):
    def generate(self, appspec, output_dir, **options):
        unpicklable = threading.Lock()
        warnings.warn(BackendWarning("odd place", location=unpicklable, code="X1"), stacklevel=1)
        (output_dir / "made.txt").write_text("made")


def test_a_warning_whose_location_does_not_pickle_is_collected_without_it(tmp_path):
    registry = runner_registry(("nowhere", WarnsFromNowhere))
    targets = load_targets(registry, ["nowhere"])
    given = []
    build(APPSPEC, targets, {"nowhere": {}}, tmp_path / "out", on_warning=lambda name, w: given.append((name, w)))
    assert (tmp_path / "out" / "made.txt").read_text() == "made"
    assert [(name, w.message, w.location, w.code) for name, w in given] == [("nowhere", "odd place", None, "X1")]


class FragileWarning(BackendWarning):
    def __reduce__(self):
        return (_rebuild_fragile, (str(self),))


class WarnsFragilyWhenValidating(Backend):
    def validate_config(self, **options):
        _FRAGILE_LOADABLE.append(True)
        warnings.warn(FragileWarning("fragile warning"), stacklevel=1)

    def generate(self, appspec, output_dir, **options):
        raise AssertionError("generate must not run")


def test_a_report_that_fails_to_unpickle_before_the_last_step_fails_the_build_without_waiting(tmp_path):
    registry = runner_registry(("fragile", WarnsFragilyWhenValidating))
    targets = load_targets(registry, ["fragile"])
    with pytest.raises(BackendRunError, match="report could not be read: ValueError"):
        build(APPSPEC, targets, {"fragile": {}}, tmp_path / "out", timeout=60)
    assert not _FRAGILE_LOADABLE


class WritesOneLongLine(Backend):
    def generate(self, appspec, output_dir, **options):
        sys.stdout.write("é" * 100_000 + "x" * 50_000)  # 250 KB, two-byte characters, no line end


def test_a_very_long_line_of_output_is_passed_on_in_pieces_that_join_to_it(tmp_path):
    from dazzle.backends.workers import MAX_LINE_BYTES

    registry = runner_registry(("long", WritesOneLongLine))
    lines = []
    build(
        APPSPEC,
        load_targets(registry, ["long"]),
        {"long": {}},
        tmp_path / "out",
        on_output=lambda name, line: lines.append(line),
    )
    assert "".join(lines) == "é" * 100_000 + "x" * 50_000
    assert len(lines) > 1 and all(len(line.encode()) <= MAX_LINE_BYTES for line in lines)


class LeavesAProgramRunning(Backend):
    def generate(self, appspec, output_dir, **options):
        # A shell that starts it in the background and ends: the program is an orphan.
        setsid = "setsid " if options["escape"] else ""
        subprocess.run(
            ["sh", "-c", f'{setsid}sleep 300 </dev/null >/dev/null 2>&1 & echo $! > "$0"', options["pid_file"]],
            check=True,
        )


def _ended(pid: int) -> bool:
    """Whether process ``pid`` is gone (or a zombie waiting for init), waiting up to 10 s."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat_file:
                if stat_file.read().rpartition(")")[2].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("escape", [False, True], ids=["in-its-group", "own-session"])
def test_no_program_a_backend_started_outlives_the_build(tmp_path, escape):
    registry = runner_registry(("leaves", LeavesAProgramRunning))
    pid_file = tmp_path / "pid"
    build(
        APPSPEC,
        load_targets(registry, ["leaves"]),
        {"leaves": {"escape": escape, "pid_file": str(pid_file)}},
        tmp_path / "out",
    )
    pid = int(pid_file.read_text())
    try:
        assert _ended(pid)
    finally:
        with contextlib.suppress(OSError):
            os.kill(pid, 9)
