"""Real entry-point discovery, end to end.

The `plugins` nox session pip-installs dazzle-core and every test-only backend
distribution under `dists/` into a fresh virtualenv, then runs these tests,
which run the installed `dazzle` command as a user would:

- dazzle-test-good: `good` (declares options), `raw` (declares none) and `shared`;
- dazzle-test-broken: `broken` (import fails), `notabackend`, `future` (API
  version 2), `exits` (calls sys.exit on import);
- dazzle-test-conflict: `shared` again, so `shared` is a conflict;
- dazzle-test-failing: `failing`, which writes a file and then fails;
- dazzle-test-owned: `owned`, whose files come and go with its options
  (tested in test_owned_files.py);
- dazzle-test-hostile: `hostile`, which misbehaves on purpose (in the dazzle
  process as $DAZZLE_TEST_HOSTILE says, in generate as its option `how`
  says), and `witness`, which writes what it sees of the AppSpec.

Every test plugin module appends its name to $DAZZLE_TEST_IMPORT_LOG when
imported, which is how these tests see what a command imported.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from importlib import metadata
from pathlib import Path

import pytest
from installed_command import DAZZLE, require_installed, run_dazzle
from shop_project import write_project

APP = """\
module shop.core
use shop.people

app shop "Shop"

entity Product "Product":
  id: uuid pk
  name: str(100) required
  price: decimal(10,2)
  status: enum[draft,live,retired]=draft
  owner: ref Customer

entity Order "Order":
  id: uuid pk
  product: ref Product required
  customer: ref Customer required
  placed_at: datetime auto_add
"""

PEOPLE = """\
module shop.people

entity Customer "Customer":
  id: uuid pk
  email: email unique
  name: str(200) required
"""

TOML = """\
[project]
name = "shop"
version = "2.1.0"
root = "shop.core"

[modules]
paths = ["./dsl"]

[build.options.good]
greeting = "welcome"
"""

GOOD_DIST = "dazzle-test-good"


@pytest.fixture(scope="session", autouse=True)
def installed():
    require_installed(
        GOOD_DIST,
        "dazzle-test-broken",
        "dazzle-test-conflict",
        "dazzle-test-failing",
        "dazzle-test-hostile",
        session="plugins",
    )


@pytest.fixture
def project(tmp_path) -> Path:
    return write_project(tmp_path / "shop", {"core.dsl": APP, "people.dsl": PEOPLE}, TOML)


@pytest.fixture
def import_log(tmp_path, monkeypatch) -> Path:
    log = tmp_path / "imports.log"
    monkeypatch.setenv("DAZZLE_TEST_IMPORT_LOG", str(log))
    return log


def imported(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- dazzle backends and --version ---------------------------------------------------------------


def test_backends_json_shows_every_backend_with_its_origin_and_status(import_log):
    result = run_dazzle("backends", "--json")
    assert result.returncode == 0, result.stderr
    backends = {b["name"]: b for b in json.loads(result.stdout)["backends"]}

    good = backends["good"]
    assert good["status"] == "available"
    assert good["description"] == "Summaries of the app for tests"
    assert good["output_formats"] == ["txt", "json"]
    assert good["distributions"] == [
        {"name": GOOD_DIST, "version": "0.1.0", "entry_point": "good = dazzle_test_good.good:GoodBackend"}
    ]
    assert [o["name"] for o in good["options"]] == ["greeting", "count", "style", "verbose"]
    assert good["options"][1] == {
        "name": "count",
        "type": "int",
        "default": 1,
        "choices": [],
        "help": "How often to repeat the greeting",
    }
    assert backends["raw"]["status"] == "available" and backends["raw"]["options"] == []
    assert backends["failing"]["status"] == "available"

    reasons = {name: backends[name]["reason"] for name in ("broken", "notabackend", "future", "exits")}
    assert all(backends[name]["status"] == "unavailable" for name in reasons)
    assert all(backends[name]["distributions"][0]["name"] == "dazzle-test-broken" for name in reasons)
    assert reasons["broken"] == "ModuleNotFoundError: No module named 'dazzle_test_no_such_dependency'"
    assert "is not a backend class: got dict" in reasons["notabackend"]
    assert (
        "was written for backend API 2; this dazzle-core (0.1.0) speaks API 1: upgrade dazzle-core" in reasons["future"]
    )
    assert reasons["exits"] == "its import called sys.exit(3)"

    shared = backends["shared"]
    assert shared["status"] == "conflict"
    assert [(d["name"], d["version"]) for d in shared["distributions"]] == [
        ("dazzle-test-conflict", "0.2.0"),
        (GOOD_DIST, "0.1.0"),
    ]
    # Listing loads every backend but the conflicting ones.
    assert "dazzle_test_good.shared" not in imported(import_log)
    assert "dazzle_test_conflict" not in imported(import_log)


def test_backends_text():
    result = run_dazzle("backends")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "good  Summaries of the app for tests\n    from: dazzle-test-good 0.1.0\n    formats: txt, json\n" in out
    assert "      style (str, one of plain|fancy, default 'plain')\n" in out
    assert (
        "raw  Echoes its options\n    from: dazzle-test-good 0.1.0\n    formats: json\n"
        "    options: any KEY=VALUE, passed as strings\n" in out
    )
    assert (
        "broken  [UNAVAILABLE]\n    from: dazzle-test-broken 0.1.0, entry point "
        "'broken = dazzle_test_broken.missing:Backend'\n" in out
    )
    assert "shared  [CONFLICT]\n" in out
    assert (
        "reason: backend 'shared' is claimed by 2 distributions: dazzle-test-conflict 0.2.0 and "
        "dazzle-test-good 0.1.0" in out
    )


def test_version_lists_core_and_every_backend_distribution(import_log):
    result = run_dazzle("--version")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"dazzle-core {metadata.version('dazzle-core')}"
    assert "dazzle-test-broken 0.1.0 (backends: broken, exits, future, notabackend)" in lines
    assert "dazzle-test-conflict 0.2.0 (backends: shared)" in lines
    assert "dazzle-test-failing 0.1.0 (backends: failing)" in lines
    assert "dazzle-test-good 0.1.0 (backends: good, raw, shared)" in lines
    assert imported(import_log) == []


# --- what each command imports ---------------------------------------------------------------------


def test_a_build_imports_only_the_backend_it_uses(project, import_log):
    result = run_dazzle("build", str(project), "-b", "good")
    assert result.returncode == 0, result.stderr
    assert imported(import_log) == ["dazzle_test_good.good"]


def test_validate_and_help_import_no_backend(project, import_log):
    assert run_dazzle("validate", str(project)).returncode == 0
    assert run_dazzle("--help").returncode == 0
    assert run_dazzle("build", "--help").returncode == 0
    assert imported(import_log) == []


def test_the_import_log_sees_imports(import_log):
    """The check above means something: listing does import the plugins."""
    assert run_dazzle("backends").returncode == 0
    assert {
        "dazzle_test_good.good",
        "dazzle_test_good.raw",
        "dazzle_test_broken.missing",
        "dazzle_test_failing",
    } <= set(imported(import_log))


# --- shell completion ------------------------------------------------------------------------------


def complete(shell: str, words: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """What the installed `dazzle` answers when the completion script of
    ``shell`` asks about the last of ``words`` (click's protocol)."""
    asked = {"_DAZZLE_COMPLETE": f"{shell}_complete", "COMP_WORDS": " ".join(words), "COMP_CWORD": str(len(words) - 1)}
    return run_dazzle(env={**asked, **(env or {})})


def test_completion_offers_the_backend_names_with_their_origin_importing_none(project, import_log):
    result = complete("zsh", ["dazzle", "build", str(project), "-b", ""])
    assert result.returncode == 0 and result.stderr == "", result.stderr
    lines = result.stdout.splitlines()
    offered = {lines[i + 1]: lines[i + 2] for i in range(0, len(lines), 3)}
    assert offered["good"] == offered["raw"] == "dazzle-test-good 0.1.0"
    assert {"good", "raw", "failing", "hostile", "witness", "broken", "exits"} <= set(offered)
    assert "shared" not in offered  # two distributions claim it: it cannot be asked for
    assert imported(import_log) == []


def test_completion_offers_the_options_of_the_chosen_backends(project, import_log):
    result = complete("bash", ["dazzle", "build", str(project), "-b", "good", "-O", ""])
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.splitlines() == ["plain,greeting=", "plain,count=", "plain,style=", "plain,verbose="]
    assert imported(import_log) == ["dazzle_test_good.good"]
    # A backend that cannot be loaded, or prints, among them: the others' options, and nothing else.
    words = ["dazzle", "build", str(project), "-b", "exits", "-b", "hostile", "-b", "good", "-O", "c"]
    result = complete("bash", words, env={"DAZZLE_TEST_HOSTILE": "caps-print"})
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.splitlines() == ["plain,count="]


# --- dazzle build ----------------------------------------------------------------------------------


def test_build_with_declared_and_undeclared_options(project):
    result = run_dazzle(
        "build", str(project), "-b", "good", "-b", "raw", "-O", "count=2", "-O", "good.verbose=yes", "-O", "raw.depth=3"
    )
    assert result.returncode == 0, result.stderr
    out = project / "build"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        ".dazzle-manifest.json",
        "good/app.txt",
        "good/entities/Customer.txt",
        "good/entities/Order.txt",
        "good/entities/Product.txt",
        "good/options.json",
        "raw.json",
    ]
    # dazzle.toml gives greeting; the command line gives count (converted) and verbose.
    assert json.loads((out / "good" / "options.json").read_text()) == {
        "count": 2,
        "greeting": "welcome",
        "style": "plain",
        "verbose": True,
    }
    assert (out / "good" / "app.txt").read_text().startswith("welcome\nwelcome\napp shop 'Shop' 2.1.0\n")
    assert json.loads((out / "raw.json").read_text()) == {"count": ["str", "2"], "depth": ["str", "3"]}
    assert "build: 6 added, 0 updated, 0 removed, 0 unchanged (good, raw)" in result.stderr
    assert len(result.stdout.splitlines()) == 7  # one line per file, the manifest too


def test_bad_options_are_usage_errors_with_exit_2(project):
    for args, message in [
        (["-O", "count=two"], "Error: option 'count' of backend 'good' must be an integer, not 'two' (-O count=two)"),
        (["-O", "style=loud"], "must be one of plain, fancy, not 'loud'"),
        (["-O", "colour=red"], "unknown option 'colour'"),
        (["-O", "count"], "invalid option 'count': expected KEY=VALUE"),
    ]:
        result = run_dazzle("build", str(project), "-b", "good", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr
        assert "shop: valid" not in result.stderr  # found before compiling
        assert "Traceback" not in result.stderr
    assert not (project / "build").exists()


def test_an_unknown_backend_lists_the_available_ones(project):
    result = run_dazzle("build", str(project), "-b", "godo")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: unknown backend 'godo' (did you mean 'good'?); available backends: failing, good, hostile, owned, "
        "raw, shipped, witness"
    )
    result = run_dazzle("build", str(project), "-b", "graphql")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].endswith("; `pip install dazzle-backend-graphql` may provide it")


def test_a_usage_error_is_exit_2(project):
    assert run_dazzle("build", str(project), "--no-such-flag").returncode == 2


@pytest.mark.parametrize(
    ("backend", "message"),
    [
        (
            "broken",
            "Backend error: backend 'broken' from dazzle-test-broken 0.1.0 (entry point "
            "'broken = dazzle_test_broken.missing:Backend') is unavailable: ModuleNotFoundError: "
            "No module named 'dazzle_test_no_such_dependency'",
        ),
        ("exits", "is unavailable: its import called sys.exit(3)"),
        ("future", "written for backend API 2"),
        ("notabackend", "is not a backend class"),
        (
            "shared",
            "Backend error: backend 'shared' is claimed by 2 distributions: dazzle-test-conflict 0.2.0 "
            "and dazzle-test-good 0.1.0",
        ),
    ],
)
def test_using_a_broken_or_conflicting_backend_is_an_error(project, backend, message):
    result = run_dazzle("build", str(project), "-b", backend)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "build").exists()


def test_a_broken_plugin_does_not_stop_the_others(project):
    # The broken ones are skipped with a warning when every available backend runs.
    (project / "dazzle.toml").write_text(TOML + '\n[build.options.failing]\nhow = "succeed"\n')
    result = run_dazzle("build", str(project))
    assert result.returncode == 0, result.stderr
    for name in ("broken", "exits", "future", "notabackend", "shared"):
        assert f"warning: skipping backend '{name}'" in result.stderr
    assert "(failing, good, hostile, owned, raw, shipped, witness)" in result.stderr


@pytest.mark.parametrize(
    ("how", "message"),
    [
        (
            "crash",
            "Error: backend 'failing' (dazzle-test-failing 0.1.0) failed in generate: "
            "RuntimeError: the failing backend crashed (run with --debug for the traceback)",
        ),
        ("backend-error", "Backend error: failing: the failing backend cannot build this app"),
        ("invalid-config", "Backend error: failing: how=invalid-config is not a configuration that can work"),
        ("escape", "Error: backend 'failing' wrote outside its output folder: ../escaped.txt"),
        ("symlink", "Error: backend 'failing' staged 'link.txt', a symbolic link"),
        ("exit", "failed in generate: SystemExit: 4"),
    ],
)
def test_a_failing_backend_leaves_the_output_folder_exactly_as_it_was(project, how, message):
    assert run_dazzle("build", str(project), "-b", "good").returncode == 0
    (project / "build" / "notes.md").write_text("the user's own notes\n")
    before = snapshot(project / "build")

    # `good` runs first and succeeds with a new greeting; nothing of it may land either.
    result = run_dazzle(
        "build", str(project), "-b", "good", "-b", "failing", "-O", "greeting=changed", "-O", f"how={how}"
    )

    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(project / "build") == before


def test_debug_shows_the_traceback(project):
    result = run_dazzle("build", str(project), "-b", "failing", "--debug")
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert 'raise RuntimeError("the failing backend crashed")' in result.stderr


def test_a_spec_with_errors_runs_no_backend(project, import_log):
    (project / "dsl" / "core.dsl").write_text(APP + "\nentity Broken:\n  name: ref Nowhere\n")
    result = run_dazzle("build", str(project), "-b", "good")
    assert result.returncode == 1
    assert "validation failed" in result.stderr
    # Imported before compiling, to check the options given to it (usage
    # errors come first), but never run.
    assert imported(import_log) == ["dazzle_test_good.good"]
    assert not (project / "build").exists()


def test_check_lists_changes_and_writes_nothing(project):
    result = run_dazzle("build", str(project), "-b", "good", "--check")
    assert result.returncode == 1
    assert f"add    {project / 'build' / 'good' / 'app.txt'}" in result.stdout.splitlines()
    assert not (project / "build").exists()

    assert run_dazzle("build", str(project), "-b", "good").returncode == 0
    assert run_dazzle("build", str(project), "-b", "good", "--check").returncode == 0
    result = run_dazzle("build", str(project), "-b", "good", "--check", "-O", "count=3")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"update {project / 'build' / '.dazzle-manifest.json'}",
        f"update {project / 'build' / 'good' / 'app.txt'}",
        f"update {project / 'build' / 'good' / 'options.json'}",
    ]


# --- determinism ----------------------------------------------------------------------------------


def test_builds_under_different_hash_seeds_are_byte_identical(project, tmp_path):
    trees = []
    for seed in ("1", "2", "random"):
        out = tmp_path / f"out-{seed}"
        result = run_dazzle(
            "build",
            str(project),
            "-b",
            "good",
            "-b",
            "raw",
            "-O",
            "raw.z=1",
            "-O",
            "raw.a=2",
            "-o",
            str(out),
            env={"PYTHONHASHSEED": seed},
        )
        assert result.returncode == 0, result.stderr
        trees.append({path: data for path, (data, _) in snapshot(out).items()})
    assert trees[0] == trees[1] == trees[2]
    assert len(trees[0]) == 7  # six files and the manifest


def test_a_second_identical_build_rewrites_nothing(project):
    assert run_dazzle("build", str(project), "-b", "good", "-b", "raw").returncode == 0
    out = project / "build"
    for path in out.rglob("*"):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = snapshot(out)
    result = run_dazzle("build", str(project), "-b", "good", "-b", "raw")
    assert result.returncode == 0
    assert "up to date, 6 files unchanged" in result.stderr
    assert snapshot(out) == before


# --- the same distribution twice on sys.path ------------------------------------------------------------


def copy_of_good_dist_info(folder: Path, version: str) -> Path:
    dist = metadata.distribution(GOOD_DIST)
    source = next(f for f in dist.files if f.name == "METADATA").locate().parent
    copy = folder / f"dazzle_test_good-{version}.dist-info"
    shutil.copytree(source, copy)
    text = (copy / "METADATA").read_text()
    (copy / "METADATA").write_text(text.replace("Version: 0.1.0", f"Version: {version}", 1))
    return copy


def test_the_same_distribution_twice_on_sys_path_counts_once(tmp_path, project):
    extra = tmp_path / "extra-site"
    copy_of_good_dist_info(extra, "0.1.0")
    env = {"PYTHONPATH": str(extra)}

    result = run_dazzle("backends", "--json", env=env)
    assert result.returncode == 0, result.stderr
    backends = {b["name"]: b for b in json.loads(result.stdout)["backends"]}
    assert backends["good"]["status"] == "available"
    assert [d["name"] for d in backends["good"]["distributions"]] == [GOOD_DIST]
    assert [d["name"] for d in backends["shared"]["distributions"]] == ["dazzle-test-conflict", GOOD_DIST]

    version = run_dazzle("--version", env=env).stdout.splitlines()
    assert sum(line.startswith(GOOD_DIST + " ") for line in version) == 1
    assert run_dazzle("build", str(project), "-b", "good", env=env).returncode == 0


def test_the_first_copy_on_sys_path_wins(tmp_path):
    extra = tmp_path / "extra-site"
    copy_of_good_dist_info(extra, "0.9.0")
    result = run_dazzle("--version", env={"PYTHONPATH": str(extra)})
    lines = result.stdout.splitlines()
    assert "dazzle-test-good 0.9.0 (backends: good, raw, shared)" in lines
    assert not any(line.startswith("dazzle-test-good 0.1.0") for line in lines)


# --- a hostile plugin cannot take the tool down (dazzle-test-hostile) --------------------------------


def hostile(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run_dazzle(*args, cwd=cwd, env={"DAZZLE_TEST_HOSTILE": "", **(env or {})})


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ("import-interrupt", "KeyboardInterrupt"),
        ("import-exit", "its import called sys.exit(9)"),
        ("init-exit", "backend 'hostile' from dazzle-test-hostile 0.1.0 could not be created: it called sys.exit(5)"),
        ("init-interrupt", "backend 'hostile' from dazzle-test-hostile 0.1.0 could not be created: KeyboardInterrupt"),
        ("caps-exit", "backend 'hostile': get_capabilities() failed: it called sys.exit(3)"),
    ],
)
def test_a_plugin_ending_the_process_in_dazzle_is_only_unavailable(project, behaviour, reason):
    env = {"DAZZLE_TEST_HOSTILE": behaviour}
    result = hostile("backends", "--json", env=env)
    assert result.returncode == 0, result.stderr
    backends = {b["name"]: b for b in json.loads(result.stdout)["backends"]}
    assert backends["hostile"]["status"] == "unavailable"
    assert backends["hostile"]["reason"] == reason
    assert backends["good"]["status"] == "available"

    result = hostile("build", str(project), "-b", "hostile", env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("Backend error: backend 'hostile'")
    assert reason in result.stderr.splitlines()[-1]
    assert not (project / "build").exists()
    # With every backend, the others still build.
    (project / "dazzle.toml").write_text(TOML + '\n[build.options.failing]\nhow = "succeed"\n')
    result = hostile("build", str(project), env=env)
    assert result.returncode == 0, result.stderr
    assert "warning: skipping backend 'hostile'" in result.stderr


@pytest.mark.parametrize("behaviour", ["import-print", "caps-print"])
def test_what_a_plugin_prints_in_dazzle_reaches_stderr_marked_and_never_stdout(project, behaviour):
    env = {"DAZZLE_TEST_HOSTILE": behaviour}
    result = hostile("backends", "--json", env=env)
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)  # clean JSON
    assert "[hostile] printed " in result.stderr and "[hostile] written to fd 1 " in result.stderr

    result = hostile("build", str(project), "-b", "hostile", "--check", env=env)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"add    {project / 'build' / '.dazzle-manifest.json'}",
        f"add    {project / 'build' / 'hostile.txt'}",
    ]


def test_what_code_a_plugin_left_running_writes_later_never_reaches_stdout(project):
    env = {"DAZZLE_TEST_HOSTILE": "import-print-later"}
    result = hostile("backends", "--json", env=env)
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)  # clean JSON
    assert "written to fd 1 by a thread started at import\n" in result.stderr
    assert "printed by an exit handler registered at import\n" in result.stderr

    result = hostile("build", str(project), "-b", "hostile", "--check", env=env)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"add    {project / 'build' / '.dazzle-manifest.json'}",
        f"add    {project / 'build' / 'hostile.txt'}",
    ]


def test_what_generate_prints_reaches_stderr_marked_and_never_stdout(project):
    result = hostile("build", str(project), "-b", "hostile", "-O", "how=print", "--check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"add    {project / 'build' / '.dazzle-manifest.json'}",
        f"add    {project / 'build' / 'hostile.txt'}",
    ]
    for line in ("printed by generate", "written to sys.stderr by generate", "written to fd 1 by generate"):
        assert f"[hostile] {line}\n" in result.stderr


def test_a_plugin_changing_the_working_folder_in_dazzle_does_not_move_the_output(project, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    in_dazzle = {"DAZZLE_TEST_HOSTILE": "caps-chdir"}
    result = hostile("build", str(project), "-b", "hostile", "-b", "good", "-o", "out", cwd=work, env=in_dazzle)
    assert result.returncode == 0, result.stderr
    assert (work / "out" / "hostile.txt").exists() and (work / "out" / "good" / "app.txt").exists()


def test_a_backend_changing_the_working_folder_in_generate_does_not_move_the_output(project, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    result = hostile(
        "build", str(project), "-b", "hostile", "-b", "good", "-O", "hostile.how=chdir", "-o", "out", cwd=work
    )
    assert result.returncode == 0, result.stderr
    assert sorted(str(p.relative_to(work / "out")) for p in (work / "out").rglob("*.txt"))[:2] == [
        "good/app.txt",
        "good/entities/Customer.txt",
    ]
    assert (work / "out" / "hostile.txt").read_text() == "chdir\n"
    assert f"{work / 'out'}: 6 added, 0 updated, 0 removed, 0 unchanged" in result.stderr


def test_every_backend_sees_the_appspec_as_compiled(project):
    for order in (["hostile", "witness"], ["witness", "hostile"]):
        out = project / "out"
        result = hostile(
            "build",
            str(project),
            "-O",
            "hostile.how=mutate",
            "-o",
            str(out),
            *(a for name in order for a in ("-b", name)),
        )
        assert result.returncode == 0, result.stderr
        assert json.loads((out / "witness.json").read_text()) == {
            "entities": ["Product", "Order", "Customer"],
            "metadata": {"dsl_version": "0.1", "project_name": "shop", "root_module": "shop.core"},
            "name": "shop",
        }


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("exit", "Error: backend 'hostile' (dazzle-test-hostile 0.1.0) failed in generate: SystemExit: 4"),
        ("interrupt", "Error: backend 'hostile' (dazzle-test-hostile 0.1.0) failed in generate: KeyboardInterrupt"),
        (
            "os-exit",
            "Error: backend 'hostile' (dazzle-test-hostile 0.1.0) ended its worker process during generate "
            "without finishing (exit status 7)",
        ),
    ],
)
def test_a_backend_ending_its_process_is_one_clear_line_and_nothing_is_written(project, how, message):
    assert run_dazzle("build", str(project), "-b", "good").returncode == 0
    before = snapshot(project / "build")
    result = hostile("build", str(project), "-b", "good", "-b", "hostile", "-O", f"how={how}", "-O", "greeting=changed")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith(message)
    assert "Traceback" not in result.stderr
    assert snapshot(project / "build") == before


@pytest.mark.parametrize("how", ["loop", "block"])
def test_a_backend_that_never_returns_is_stopped_by_the_time_limit(project, how):
    (project / "dazzle.toml").write_text(
        TOML.replace("[build.options.good]", "[build]\ntimeout = 1\n\n[build.options.good]")
    )
    result = hostile("build", str(project), "-b", "good", "-b", "hostile", "-O", f"how={how}")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: backend 'hostile' (dazzle-test-hostile 0.1.0) did not finish generate within 1 seconds and was "
        "stopped (the limit is --timeout or [build] timeout)"
    )
    assert not (project / "build").exists()
    result = hostile("build", str(project), "-b", "hostile", "-O", f"how={how}", "--timeout", "0.5")
    assert "within 0.5 seconds" in result.stderr


def test_backend_warnings_are_diagnostics_and_fail_under_strict(project):
    result = hostile("build", str(project), "-b", "hostile", "-O", "how=warn")
    assert result.returncode == 0, result.stderr
    place = project / "dsl" / "core.dsl"
    expected = f'{place}:6:8: warning[hostile H001]: Product looks odd\n   6 | entity Product "Product":\n'
    assert result.stderr.count(expected) == 2
    assert "\nwarning[hostile]: a warning with no place\n" in result.stderr
    assert result.stderr.splitlines()[-1].endswith("(hostile; 3 backend warnings)")

    (project / "build").rename(project / "before")
    # The compiler's own warning (W002, Order is not used) would stop it first.
    (project / "dsl" / "core.dsl").write_text(APP + '\nsurface orders "Orders":\n  uses entity Order\n  mode: list\n')
    result = hostile("build", str(project), "-b", "hostile", "-O", "how=warn", "--strict")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: 3 backend warnings: nothing was written (warnings fail under --strict)"
    )
    assert not (project / "build").exists()


# --- signals ----------------------------------------------------------------------------------------


def start_sleeping_build(project: Path, tmp_path: Path, how: str = "sleep") -> tuple[subprocess.Popen, int, Path]:
    """A `dazzle build` whose `hostile` backend is in generate; returns the
    process, the worker's pid and the build's temporary folder."""
    temp = tmp_path / "temp"
    temp.mkdir()
    marker = tmp_path / "generating"
    process = subprocess.Popen(
        [str(DAZZLE), "build", str(project), "-b", "good", "-b", "hostile", "-O", f"how={how}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DAZZLE_TEST_HOSTILE": "", "DAZZLE_TEST_MARKER": str(marker), "TMPDIR": str(temp)},
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "generate never started"
        time.sleep(0.05)
    return process, int(marker.read_text()), temp


def gone(pid: int, within: float = 10) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize(
    ("signum", "status", "name"), [(signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")]
)
def test_a_signal_mid_generate_stops_the_build_and_leaves_nothing(project, tmp_path, signum, status, name):
    assert run_dazzle("build", str(project), "-b", "good").returncode == 0
    before = snapshot(project / "build")
    process, worker, temp = start_sleeping_build(project, tmp_path)
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == status, err
    assert err.splitlines()[-1] == f"dazzle build: stopped by {name}; nothing was written"
    assert "Traceback" not in err and out == ""
    assert snapshot(project / "build") == before
    assert list(temp.iterdir()) == []  # the staging folder is gone
    assert gone(worker)


def test_a_worker_does_not_outlive_a_killed_build(project, tmp_path):
    process, worker, _ = start_sleeping_build(project, tmp_path, how="loop")
    process.kill()
    process.communicate(timeout=60)
    assert gone(worker)


def test_one_distribution_listing_a_name_twice_is_one_claim(tmp_path, project):
    info = tmp_path / "extra-site" / "dazzle_test_twice-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dazzle-test-twice\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(
        "[dazzle.backends]\ntwice = dazzle_test_good.raw:RawBackend\ntwice = dazzle_test_good.raw:RawBackend\n"
        "odd = dazzle_test_good.raw:RawBackend\nodd = dazzle_test_good.good:GoodBackend\n"
    )
    env = {"PYTHONPATH": str(tmp_path / "extra-site")}
    result = run_dazzle("backends", "--json", env=env)
    backends = {b["name"]: b for b in json.loads(result.stdout)["backends"]}
    assert backends["twice"]["status"] == "available"
    assert backends["odd"]["status"] == "unavailable"
    assert backends["odd"]["reason"].startswith("dazzle-test-twice 0.1.0 lists the backend name 'odd' 2 times")
    assert "twice" not in backends["shared"]["reason"]
    assert run_dazzle("build", str(project), "-b", "twice", env=env).returncode == 0
