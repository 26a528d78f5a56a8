"""`dazzle build`, `dazzle backends` and `dazzle --version`, run in-process
with backends registered by hand (no backend distribution installed)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import time
import warnings
from pathlib import Path

import pytest
from backend_calls import calls, record
from click.testing import CliRunner
from dazzle.backends import (
    Backend,
    BackendCapabilities,
    BackendError,
    BackendOption,
    BackendRegistry,
    BackendWarning,
)
from dazzle.backends import registry as registry_module
from dazzle.backends.committer import MANIFEST_NAME
from dazzle.backends.registry import Plugin
from dazzle.cli import main
from shop_project import SHOP_DSL, write_shop

# The test backends record their calls as (backend, method, options).


class SummaryBackend(Backend):
    """Writes a summary of the app."""

    def get_capabilities(self):
        return BackendCapabilities(
            name="summary",
            description="A summary of the app",
            output_formats=("txt",),
            options=(
                BackendOption("greeting", str, default="hello", help="First line"),
                BackendOption("count", int, default=1),
                BackendOption("style", str, default="plain", choices=("plain", "fancy")),
            ),
        )

    def validate_config(self, **options):
        record("summary", "validate_config", options)
        if options["count"] < 0:
            raise BackendError("count must not be negative")

    def generate(self, appspec, output_dir, **options):
        record("summary", "generate", options)
        lines = [options["greeting"]] * options["count"] + [appspec.name]
        (output_dir / "summary").mkdir()
        (output_dir / "summary" / "app.txt").write_text("\n".join(lines) + "\n")


class RawBackend:
    """Echoes its options."""

    def generate(self, appspec, output_dir, **options):
        record("raw", "generate", options)
        (output_dir / "raw.json").write_text(json.dumps(options, sort_keys=True))


class FailingBackend(Backend):
    """Writes a file, then fails as its `how` option says."""

    def get_capabilities(self):
        return BackendCapabilities(name="failing", options=(BackendOption("how", default="crash"),))

    def generate(self, appspec, output_dir, **options):
        record("failing", "generate", options)
        (output_dir / "summary-of-failure.txt").write_text("half\n")
        if options["how"] == "crash":
            raise KeyError("kaboom")
        raise BackendError("cannot build this app")


class BrokenCapabilities(RawBackend):
    def get_capabilities(self):
        raise RuntimeError("no capabilities today")


@pytest.fixture
def registry(monkeypatch, calls_log):
    registry = BackendRegistry(distributions=lambda: ())
    registry.register("summary", SummaryBackend)
    registry.register("raw", RawBackend)
    monkeypatch.setattr(registry_module, "_registry", registry)
    return registry


@pytest.fixture
def project(tmp_path):
    return write_shop(tmp_path / "shop")


def run(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args))
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args))
    finally:
        os.chdir(old)


def configure(project: Path, text: str) -> None:
    with (project / "dazzle.toml").open("a") as stream:
        stream.write("\n" + text)


def files(folder: Path) -> dict[str, str]:
    """The artifacts under ``folder``: every file but the manifest."""
    return {
        str(p.relative_to(folder)): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST_NAME
    }


# --- dazzle build -------------------------------------------------------------------


def test_build_with_chosen_backends_into_the_default_folder(registry, project):
    result = run("build", str(project), "-b", "summary", "-b", "raw", "-O", "greeting=hi", "-O", "raw.depth=2")
    assert result.exit_code == 0, result.output
    assert files(project / "build") == {
        "raw.json": '{"depth": "2", "greeting": "hi"}',  # it declares no options: it gets all, as strings
        "summary/app.txt": "hi\nshop\n",
    }
    assert "shop: valid (0 errors, 0 warnings)" in result.stderr
    assert "build: 2 added, 0 updated, 0 removed, 0 unchanged (summary, raw)" in result.stderr
    assert result.stdout.splitlines() == [
        f"added   {project / 'build' / MANIFEST_NAME}",
        f"added   {project / 'build' / 'raw.json'}",
        f"added   {project / 'build' / 'summary' / 'app.txt'}",
    ]


def test_build_options_are_converted_checked_and_reach_the_backend(registry, project):
    result = run("build", str(project), "-b", "summary", "-O", "count=2", "-O", "style=fancy")
    assert result.exit_code == 0, result.output
    expected = {"greeting": "hello", "count": 2, "style": "fancy"}
    assert calls() == [("summary", "validate_config", expected), ("summary", "generate", expected)]


def test_build_reads_backends_out_and_options_from_dazzle_toml(registry, project, tmp_path):
    configure(
        project,
        '[build]\nbackends = ["summary"]\nout = "artifacts"\n\n'
        '[build.options.summary]\ngreeting = "howdy"\ncount = 2\n\n[build.options.elsewhere]\nx = 1\n',
    )
    result = run("build", str(project), "-O", "count=3")
    assert result.exit_code == 0, result.output
    assert files(project / "artifacts") == {"summary/app.txt": "howdy\nhowdy\nhowdy\nshop\n"}
    assert not (project / "build").exists()


def test_out_on_the_command_line_wins_and_is_relative_to_the_working_folder(registry, project, tmp_path):
    configure(project, '[build]\nout = "artifacts"\n')
    result = run("build", str(project), "-b", "raw", "-o", "here", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "here" / "raw.json").exists()
    assert not (project / "artifacts").exists()


def test_without_a_choice_every_available_backend_runs_and_broken_ones_are_skipped(registry, project):
    registry.register("broken", BrokenCapabilities)
    result = run("build", str(project))
    assert result.exit_code == 0, result.output
    assert sorted(files(project / "build")) == ["raw.json", "summary/app.txt"]
    assert "warning: skipping backend 'broken': backend 'broken': get_capabilities() failed" in result.stderr


def test_no_backend_at_all_is_an_error(monkeypatch, project):
    monkeypatch.setattr(registry_module, "_registry", BackendRegistry(distributions=lambda: ()))
    result = run("build", str(project))
    assert result.exit_code == 1
    assert "Error: no backend to run: none is installed" in result.stderr


def test_a_single_dsl_file_builds_beside_itself(registry, tmp_path):
    source = tmp_path / "app" / "core.dsl"
    source.parent.mkdir()
    source.write_text(SHOP_DSL)
    result = run("build", str(source), "-b", "raw")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "app" / "build" / "raw.json").exists()


UNUSED = "\nentity Unused:\n  id: uuid pk\n"  # a warning (W002), printed if the spec were compiled


def test_an_unknown_backend_is_a_usage_error_before_any_compiling(registry, project):
    (project / "dsl" / "core.dsl").write_text(SHOP_DSL + UNUSED)
    result = run("build", str(project), "-b", "sumary")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: unknown backend 'sumary' (did you mean 'summary'?); available backends: raw, summary"
    )
    assert "W002" not in result.stderr and "shop: valid" not in result.stderr
    assert not (project / "build").exists()


def test_an_unknown_backend_that_is_no_typo_names_the_distribution_that_may_provide_it(registry, project):
    result = run("build", str(project), "-b", "graphql")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: unknown backend 'graphql'; available backends: raw, summary; "
        "`pip install dazzle-backend-graphql` may provide it"
    )
    result = run("build", str(project), "-b", "json_schema")
    assert "`pip install dazzle-backend-json-schema` may provide it" in result.stderr
    result = run("build", str(project), "-b", "../x")
    assert "pip install" not in result.stderr


def test_an_unknown_backend_in_dazzle_toml_is_an_error(registry, project):
    configure(project, '[build]\nbackends = ["openapi"]\n')
    result = run("build", str(project))
    assert result.exit_code == 1
    assert "unknown backend 'openapi'" in result.stderr


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("greeting", "Error: invalid option 'greeting': expected KEY=VALUE or BACKEND.KEY=VALUE"),
        ("count=many", "Error: option 'count' of backend 'summary' must be an integer, not 'many'"),
        ("style=loud", "Error: option 'style' of backend 'summary' must be one of plain, fancy, not 'loud'"),
        (
            "summary.colour=red",
            "Error: unknown option 'colour' for backend 'summary' (-O summary.colour=red); "
            "valid options: greeting, count, style",
        ),
        ("colour=red", "Error: unknown option 'colour' (-O colour=red): no backend in this build accepts it"),
        ("sumary.count=1", "(did you mean 'summary'?)"),
    ],
)
def test_bad_options_are_usage_errors_before_any_compiling(registry, project, option, message):
    (project / "dsl" / "core.dsl").write_text(SHOP_DSL + UNUSED)
    result = run("build", str(project), "-b", "summary", "-O", option)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "W002" not in result.stderr and "shop: valid" not in result.stderr
    assert "Traceback" not in result.output
    assert calls() == []


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[build]\nbackends = "summary"\n', "error[E010]: [build] backends must be a list of backend names"),
        ("[build]\nout = 3\n", "error[E010]: [build] out must be a folder path"),
        ("build = 1\n", "error[E010]: [build] must be a table"),
        ("[build]\noptions = 1\n", "error[E010]: [build.options] must hold one table per backend"),
        ("[build.options]\nsummary = 1\n", "error[E010]: [build.options] must hold one table per backend"),
        ('[build.options.summary]\ncount = "2"\n', "option 'count' of backend 'summary' must be an integer"),
    ],
)
def test_a_bad_build_table_is_a_clear_error(registry, project, toml, message):
    config = project / "dazzle.toml"
    config.write_text(toml + config.read_text())  # top-level keys before the first table
    result = run("build", str(project), "-b", "summary")
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert calls() == []


def test_a_spec_with_errors_stops_before_any_backend_runs(registry, project):
    (project / "dsl" / "core.dsl").write_text(SHOP_DSL + "\nentity Broken:\n  name: str(10)\n")
    result = run("build", str(project), "-b", "summary")
    assert result.exit_code == 1
    assert "validation failed" in result.stderr
    assert calls() == [] and not (project / "build").exists()


def test_strict_stops_on_warnings(registry, project):
    (project / "dsl" / "core.dsl").write_text(SHOP_DSL + "\nentity Unused:\n  id: uuid pk\n")
    result = run("build", str(project), "-b", "summary", "--strict")
    assert result.exit_code == 1
    assert "warnings fail under --strict" in result.stderr
    assert calls() == []
    assert run("build", str(project), "-b", "summary").exit_code == 0


def test_a_failing_validate_config_stops_before_any_generate(registry, project):
    result = run("build", str(project), "-b", "raw", "-b", "summary", "-O", "count=-1")
    assert result.exit_code == 1
    assert "Backend error: summary: count must not be negative" in result.stderr
    assert [c[:2] for c in calls()] == [("summary", "validate_config")]


@pytest.fixture
def earlier_build(registry, project):
    """An output folder from an earlier build, plus a file of the user's."""
    registry.register("failing", FailingBackend)
    assert run("build", str(project), "-b", "summary", "-O", "greeting=old").exit_code == 0
    (project / "build" / "notes.md").write_text("mine\n")
    return files(project / "build")


def test_a_backend_error_leaves_the_output_folder_as_it_was(earlier_build, project):
    result = run("build", str(project), "-b", "summary", "-b", "failing", "-O", "how=refuse")
    assert result.exit_code == 1
    assert "Backend error: failing: cannot build this app" in result.stderr
    assert files(project / "build") == earlier_build


def test_a_crashing_backend_prints_one_line_and_leaves_the_output_folder_as_it_was(earlier_build, project):
    result = run("build", str(project), "-b", "summary", "-b", "failing")
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: backend 'failing' (")
    assert last.endswith(
        ".FailingBackend, registered in-process) failed in generate: KeyError: 'kaboom' "
        "(run with --debug for the traceback)"
    )
    assert "Traceback" not in result.stderr
    assert files(project / "build") == earlier_build


def test_debug_shows_the_traceback(earlier_build, project):
    result = run("build", str(project), "-b", "failing", "--debug")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert 'raise KeyError("kaboom")' in result.stderr


def test_two_backends_writing_one_path_is_an_error_and_nothing_is_written(registry, project):
    registry.register("summary2", SummaryBackend)
    result = run("build", str(project), "-b", "summary", "-b", "summary2")
    assert result.exit_code == 1
    assert "Error: backends 'summary' and 'summary2' both wrote 'summary/app.txt'" in result.stderr
    assert not (project / "build").exists()


def test_an_output_folder_that_cannot_be_written_is_a_clear_error(registry, project, monkeypatch):
    from dazzle.backends import committer

    def fail(fd, data):
        raise PermissionError(13, "Permission denied", "app.txt")

    monkeypatch.setattr(committer, "_write_all", fail)
    result = run("build", str(project), "-b", "summary")
    assert result.exit_code == 1
    assert "Error: cannot write the output: [Errno 13] Permission denied:" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_writes_nothing_and_lists_what_would_change(registry, project):
    result = run("build", str(project), "-b", "summary", "--check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"add    {project / 'build' / MANIFEST_NAME}",
        f"add    {project / 'build' / 'summary' / 'app.txt'}",
    ]
    assert "build: 1 to add, 0 to update, 0 to remove, 0 unchanged (summary)" in result.stderr
    assert not (project / "build").exists()

    assert run("build", str(project), "-b", "summary").exit_code == 0
    result = run("build", str(project), "-b", "summary", "--check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "build: up to date, 1 file unchanged (summary)" in result.stderr

    result = run("build", str(project), "-b", "summary", "-O", "greeting=new", "--check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"update {project / 'build' / MANIFEST_NAME}",
        f"update {project / 'build' / 'summary' / 'app.txt'}",
    ]


def test_a_second_identical_build_rewrites_nothing(registry, project):
    assert run("build", str(project), "-b", "summary", "-b", "raw").exit_code == 0
    out = project / "build"
    for path in out.rglob("*"):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    result = run("build", str(project), "-b", "summary", "-b", "raw")
    assert result.exit_code == 0
    assert "build: up to date, 2 files unchanged (summary, raw)" in result.stderr
    assert result.stdout == ""
    assert {p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == {1_000_000_000}


# --- dazzle backends ------------------------------------------------------------------


def test_backends_lists_each_backend_with_its_options(registry):
    registry.register("broken", BrokenCapabilities)
    result = run("backends")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "broken  [UNAVAILABLE]",
        "    reason: backend 'broken': get_capabilities() failed: RuntimeError: no capabilities today",
        "raw  Echoes its options.",
        "    from: registered in-process",
        "    options: any KEY=VALUE, passed as strings",
        "summary  A summary of the app",
        "    from: registered in-process",
        "    formats: txt",
        "    options:",
        "      greeting (str, default 'hello')  First line",
        "      count (int, default 1)",
        "      style (str, one of plain|fancy, default 'plain')",
    ]


def test_backends_json(registry):
    result = run("backends", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["api_version"] == 1
    by_name = {b["name"]: b for b in payload["backends"]}
    assert sorted(by_name) == ["raw", "summary"]
    assert by_name["summary"]["status"] == "available"
    assert by_name["summary"]["output_formats"] == ["txt"]
    assert by_name["summary"]["options"][2] == {
        "name": "style",
        "type": "str",
        "default": "plain",
        "choices": ["plain", "fancy"],
        "help": "",
    }
    assert by_name["raw"]["options"] == [] and by_name["raw"]["distributions"] == []


class ListsBackend(RawBackend):
    def get_capabilities(self):
        return BackendCapabilities(
            name="lists",
            options=(
                BackendOption("include", list[str], default=("Ticket", "Person")),
                BackendOption("exclude", list[str], default=()),
            ),
        )


def test_backends_shows_a_list_default_as_written_and_as_a_json_array(registry):
    registry.register("lists", ListsBackend)
    lines = run("backends").stdout.splitlines()
    assert lines[lines.index("lists") + 2 :][:3] == [
        "    options:",
        "      include (list[str], default 'Ticket,Person')",
        "      exclude (list[str], default '')",
    ]
    lists = next(b for b in json.loads(run("backends", "--json").stdout)["backends"] if b["name"] == "lists")
    assert [o["default"] for o in lists["options"]] == [["Ticket", "Person"], []]


def test_backends_with_none_installed(monkeypatch):
    monkeypatch.setattr(registry_module, "_registry", BackendRegistry(distributions=lambda: ()))
    result = run("backends")
    assert result.exit_code == 0
    assert "No backends installed" in result.stdout
    assert json.loads(run("backends", "--json").stdout)["backends"] == []


def test_backends_shows_conflicts_and_unavailable_plugins(monkeypatch, tmp_path):
    site = tmp_path / "site"
    for dist, version, entries in [
        ("dazzle-backend-a", "1.0", "shared = a_module:A\n"),
        ("dazzle-backend-b", "2.0", "shared = b_module:B\nmissing = dazzle_cli_test_no_such_module:X\n"),
    ]:
        info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text("[dazzle.backends]\n" + entries)
    import importlib_metadata

    monkeypatch.setattr(
        registry_module,
        "_registry",
        BackendRegistry(distributions=lambda: importlib_metadata.distributions(path=[str(site)])),
    )
    result = run("backends")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "missing  [UNAVAILABLE]",
        "    from: dazzle-backend-b 2.0, entry point 'missing = dazzle_cli_test_no_such_module:X'",
        "    reason: ModuleNotFoundError: No module named 'dazzle_cli_test_no_such_module'",
        "shared  [CONFLICT]",
        "    from: dazzle-backend-a 1.0, entry point 'shared = a_module:A'",
        "    from: dazzle-backend-b 2.0, entry point 'shared = b_module:B'",
        "    reason: backend 'shared' is claimed by 2 distributions: dazzle-backend-a 1.0 and "
        "dazzle-backend-b 2.0; uninstall all but one of them",
    ]
    payload = json.loads(run("backends", "--json").stdout)
    shared = payload["backends"][1]
    assert shared["status"] == "conflict"
    assert [d["name"] for d in shared["distributions"]] == ["dazzle-backend-a", "dazzle-backend-b"]


def test_version_lists_every_backend_distribution(monkeypatch):
    plugins = (
        Plugin("openapi", "dazzle-backend-openapi", "0.3.0", "x:Y"),
        Plugin("prisma", "dazzle-backend-prisma", "0.1.0", "p:Q"),
        Plugin("prisma-lite", "dazzle-backend-prisma", "0.1.0", "p:R"),
    )
    monkeypatch.setattr(registry_module, "find_plugins", lambda: plugins)
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "dazzle-core 0.1.0",
        "dazzle-backend-openapi 0.3.0 (backends: openapi)",
        "dazzle-backend-prisma 0.1.0 (backends: prisma, prisma-lite)",
    ]


def test_an_options_table_for_no_installed_backend_is_a_warning(registry, project):
    config = project / "dazzle.toml"
    config.write_text(config.read_text() + "\n[build.options.sumary]\ncount = 2\n")
    result = run("build", str(project), "-b", "summary")
    assert result.exit_code == 0, result.output
    assert (
        "warning: dazzle.toml: [build.options.sumary] names no installed backend; did you mean 'summary'?"
        in result.stderr
    )


# --- the output folder over several builds ------------------------------------------------------------


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every entry under ``folder`` (files and folders, the manifest too) with its mode and mtime."""
    return {str(p.relative_to(folder)): (p.lstat().st_mode, p.lstat().st_mtime_ns) for p in folder.rglob("*")} | {
        ".": (folder.stat().st_mode, folder.stat().st_mtime_ns)
    }


def test_check_on_a_read_only_output_folder_writes_nothing_into_it(registry, project):
    assert run("build", str(project), "-b", "summary").exit_code == 0
    out = project / "build"
    (out / ".stale.txt.dazzle-tmp-0123abcd").write_text("left by a killed build")
    folders = [out, out / "summary"]
    for folder in folders:
        folder.chmod(0o555)
    try:
        before = tree(out)
        result = run("build", str(project), "-b", "summary", "--check")
        assert result.exit_code == 0, result.output
        result = run("build", str(project), "-b", "summary", "-O", "greeting=new", "--check")
        assert result.exit_code == 1, result.output
        assert f"update {out / 'summary' / 'app.txt'}" in result.stdout.splitlines()
        assert "Error" not in result.stderr
        assert tree(out) == before  # not even the leftover was touched: --check changes nothing
    finally:
        for folder in folders:
            folder.chmod(0o755)


def test_the_summary_lists_added_updated_and_removed_files(registry, project):
    out = project / "build"
    assert run("build", str(project), "-b", "summary", "-b", "raw", "-O", "count=1").exit_code == 0
    (out / "notes.md").write_text("mine\n")
    # raw no longer runs; summary changes its file; a leftover is cleared silently.
    result = run("build", str(project), "-b", "summary", "-O", "count=2")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"updated {out / MANIFEST_NAME}",
        f"updated {out / 'summary' / 'app.txt'}",
    ]
    assert "build: 0 added, 1 updated, 0 removed, 0 unchanged (summary)" in result.stderr
    assert (out / "raw.json").exists()  # raw did not run: its file stays


class PagesBackend(Backend):
    """Writes pages/NAME.txt for each name in its `pages` option."""

    def get_capabilities(self):
        return BackendCapabilities(name="pages", options=(BackendOption("pages", default="a,b"),))

    def generate(self, appspec, output_dir, **options):
        for name in filter(None, options["pages"].split(",")):
            (output_dir / "pages" / name).mkdir(parents=True, exist_ok=True)
            (output_dir / "pages" / name / "page.txt").write_text(f"page {name}\n")


def test_a_backend_that_ran_removes_what_it_no_longer_writes_and_keeps_what_was_edited(registry, project):
    registry.register("pages", PagesBackend)
    out = project / "build"
    assert run("build", str(project), "-b", "pages", "-b", "raw", "-O", "pages.pages=a,b,c").exit_code == 0
    (out / "pages" / "mine.txt").write_text("the user's own\n")
    (out / "pages" / "c" / "page.txt").write_text("edited by hand\n")

    result = run("build", str(project), "-b", "raw", "--check")  # pages does not run: nothing of it goes
    assert result.exit_code == 0, result.output

    result = run("build", str(project), "-b", "pages", "-O", "pages=a", "--check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"update {out / MANIFEST_NAME}",
        f"remove {out / 'pages' / 'b' / 'page.txt'}",
    ]
    assert "build: 0 to add, 0 to update, 1 to remove, 1 unchanged (pages)" in result.stderr
    assert (
        f"warning: kept {out / 'pages' / 'c' / 'page.txt'}: backend 'pages' no longer writes it, but its "
        "bytes changed since that backend wrote it; it is yours now"
    ) in result.stderr
    assert (out / "pages" / "b" / "page.txt").exists()

    result = run("build", str(project), "-b", "pages", "-O", "pages=a")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"updated {out / MANIFEST_NAME}",
        f"removed {out / 'pages' / 'b' / 'page.txt'}",
    ]
    assert "build: 0 added, 0 updated, 1 removed, 1 unchanged (pages)" in result.stderr
    assert files(out) == {
        "pages/a/page.txt": "page a\n",
        "pages/c/page.txt": "edited by hand\n",
        "pages/mine.txt": "the user's own\n",
        "raw.json": "{}",
    }
    assert not (out / "pages" / "b").exists()  # the folder the removal emptied
    owned = json.loads((out / MANIFEST_NAME).read_text())["backends"]
    assert sorted(owned) == ["pages", "raw"] and sorted(owned["pages"]) == ["pages/a/page.txt"]

    result = run("build", str(project), "-b", "pages", "-O", "pages=a")  # the kept file is no longer warned about
    assert "warning:" not in result.stderr and result.stdout == ""


def test_a_corrupt_manifest_is_a_warning_and_the_build_rewrites_it(registry, project):
    out = project / "build"
    assert run("build", str(project), "-b", "summary").exit_code == 0
    (out / MANIFEST_NAME).write_text("{oops")
    result = run("build", str(project), "-b", "summary")
    assert result.exit_code == 0, result.output
    assert f"warning: {out / MANIFEST_NAME}: the manifest is not valid JSON" in result.stderr
    assert result.stdout.splitlines() == [f"updated {out / MANIFEST_NAME}"]
    assert json.loads((out / MANIFEST_NAME).read_text())["backends"] == {
        "summary": {"summary/app.txt": hashlib.sha256(b"hello\nshop\n").hexdigest()}
    }


def test_a_cache_folder_that_cannot_be_used_is_a_clear_error(registry, project, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("DAZZLE_CACHE_DIR", str(blocker))
    result = run("build", str(project), "-b", "summary")
    assert result.exit_code == 1
    assert f"Error: cannot use the cache folder {blocker}/builds/" in result.stderr
    assert "set DAZZLE_CACHE_DIR to a folder you can write" in result.stderr
    assert "Traceback" not in result.stderr


# --- worker processes, time limit, output, warnings ------------------------------------------------


class HostileBackend(Backend):
    """Misbehaves as its `how` option says."""

    def get_capabilities(self):
        return BackendCapabilities(name="hostile", options=(BackendOption("how", default="print"),))

    def generate(self, appspec, output_dir, **options):
        how = options["how"]
        (output_dir / "hostile.txt").write_text("partial\n")
        if how == "print":
            print("hello from generate")
            os.write(1, b"and from fd 1\n")
        elif how == "loop":
            while True:
                pass
        elif how == "chdir":
            os.chdir(output_dir)
        elif how == "warn":
            place = appspec.get_entity("Product").location
            warnings.warn(BackendWarning("Product has no index", location=place, code="H001"), stacklevel=1)
            warnings.warn(BackendWarning("a warning without a place"), stacklevel=1)


@pytest.fixture
def hostile(registry):
    registry.register("hostile", HostileBackend)
    return registry


def test_what_a_backend_prints_reaches_stderr_marked_never_stdout(hostile, project):
    result = run("build", str(project), "-b", "hostile", "--check")
    assert result.exit_code == 1
    assert "[hostile] hello from generate\n" in result.stderr
    assert "[hostile] and from fd 1\n" in result.stderr
    assert result.stdout.split() == [
        "add",
        str(project / "build" / ".dazzle-manifest.json"),
        "add",
        str(project / "build" / "hostile.txt"),
    ]


def test_a_backend_changing_the_working_folder_does_not_move_the_output(hostile, project, tmp_path):
    result = run("build", str(project), "-b", "hostile", "-O", "how=chdir", "-o", "out", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert files(tmp_path / "out") == {"hostile.txt": "partial\n"}
    assert f"{tmp_path / 'out'}: 1 added, 0 updated, 0 removed, 0 unchanged" in result.stderr


@pytest.mark.parametrize("where", ["command line", "dazzle.toml"])
def test_a_backend_that_overruns_the_time_limit_is_stopped_and_nothing_is_written(hostile, project, where):
    args = ["--timeout", "0.5"] if where == "command line" else []
    if where == "dazzle.toml":
        configure(project, "[build]\ntimeout = 0.5\n")
    result = run("build", str(project), "-b", "summary", "-b", "hostile", "-O", "how=loop", *args)
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: backend 'hostile' (")
    assert last.endswith(
        ".HostileBackend, registered in-process) did not finish generate within 0.5 seconds "
        "and was stopped (the limit is --timeout or [build] timeout)"
    )
    assert not (project / "build").exists()


@pytest.mark.parametrize(
    ("toml", "args", "message"),
    [
        ("[build]\ntimeout = 0\n", [], "error[E010]: [build] timeout must be a number of seconds greater than 0"),
        ('[build]\ntimeout = "1"\n', [], "error[E010]: [build] timeout must be a number of seconds"),
        ("[build]\ntimeout = true\n", [], "error[E010]: [build] timeout must be a number of seconds"),
        ("", ["--timeout", "0"], "Invalid value for '--timeout': 0.0 is not in the range x>0."),
    ],
)
def test_a_bad_time_limit_is_a_clear_error(registry, project, toml, args, message):
    configure(project, toml)
    result = run("build", str(project), "-b", "summary", *args)
    assert result.exit_code in (1, 2)
    assert message in result.stderr


def test_backend_warnings_are_shown_like_diagnostics_and_counted(hostile, project):
    result = run("build", str(project), "-b", "hostile", "-O", "how=warn")
    assert result.exit_code == 0, result.output
    place = project / "dsl" / "core.dsl"
    assert (
        f'{place}:5:8: warning[hostile H001]: Product has no index\n   5 | entity Product "Product":\n     |        ^\n'
    ) in result.stderr
    assert "\nwarning[hostile]: a warning without a place\n" in result.stderr
    assert result.stderr.splitlines()[-1].endswith(
        "1 added, 0 updated, 0 removed, 0 unchanged (hostile; 2 backend warnings)"
    )


def test_under_strict_a_backend_warning_fails_the_build_and_nothing_is_written(hostile, project):
    result = run("build", str(project), "-b", "hostile", "-O", "how=warn", "--strict")
    assert result.exit_code == 1
    assert "warning[hostile H001]: Product has no index" in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "Error: 2 backend warnings: nothing was written (warnings fail under --strict)"
    )
    assert not (project / "build").exists()


# --- plugin code that runs in the dazzle process -------------------------------------------------


class NoisyCapabilities(Backend):
    """Prints, changes the working folder and exits, as its class attribute says."""

    how = "print"

    def __init__(self):
        if self.how == "init-exit":
            sys.exit(5)
        if self.how == "init-interrupt":
            raise KeyboardInterrupt

    def get_capabilities(self):
        print("noise on stdout")
        os.write(1, b"noise on fd 1\n")
        os.chdir("/")
        if self.how == "exit":
            sys.exit(3)
        return BackendCapabilities(name="noisy", description="Noisy")

    def generate(self, appspec, output_dir, **options):
        (output_dir / "noisy.txt").write_text("n")


def noisy(how):
    return type(f"Noisy_{how.replace('-', '_')}", (NoisyCapabilities,), {"how": how})


def test_plugin_output_in_the_dazzle_process_goes_to_stderr_and_the_folder_is_restored(registry, tmp_path):
    registry.register("noisy", noisy("print"))
    result = run("backends", "--json", cwd=tmp_path)
    by_name = {b["name"]: b for b in json.loads(result.stdout)["backends"]}
    assert by_name["noisy"]["status"] == "available"
    assert "[noisy] noise on stdout\n[noisy] noise on fd 1\n" in result.stderr
    assert os.getcwd() != "/"


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("exit", "backend 'noisy': get_capabilities() failed: it called sys.exit(3)"),
        ("init-exit", "backend 'noisy' could not be created: it called sys.exit(5)"),
        ("init-interrupt", "backend 'noisy' could not be created: KeyboardInterrupt"),
    ],
)
def test_a_plugin_ending_the_process_in_the_dazzle_process_is_only_unavailable(registry, project, how, reason):
    registry.register("noisy", noisy(how))
    result = run("backends", "--json")
    assert result.exit_code == 0, result.output
    by_name = {b["name"]: b for b in json.loads(result.stdout)["backends"]}
    assert by_name["noisy"]["status"] == "unavailable"
    assert by_name["noisy"]["reason"] == reason
    result = run("build", str(project), "-b", "noisy")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"Backend error: {reason}"
    result = run("build", str(project))  # every available backend: this one is skipped
    assert result.exit_code == 0, result.output
    assert f"warning: skipping backend 'noisy': {reason}" in result.stderr


# --- where the output goes ----------------------------------------------------------------------


@pytest.mark.parametrize("out", ["/", "~"])
def test_the_filesystem_root_or_the_home_folder_is_no_output_folder(registry, project, out):
    result = run("build", str(project), "-b", "summary", "-o", os.path.expanduser(out))
    assert result.exit_code == 2
    assert "give the build a folder of its own" in result.stderr
    assert "shop: valid" not in result.stderr


def test_an_output_folder_in_dazzle_toml_outside_the_project_is_a_warning(registry, project, tmp_path):
    configure(project, '[build]\nout = "../elsewhere"\n')
    result = run("build", str(project), "-b", "summary")
    assert result.exit_code == 0, result.output
    assert (
        f"dazzle.toml:9:1: warning[W012]: [build] out = '../elsewhere' leads outside the project folder, "
        f"to {tmp_path / 'elsewhere'}"
    ) in result.stderr
    assert (tmp_path / "elsewhere" / "summary" / "app.txt").exists()
    assert run("build", str(project), "-b", "summary", "--strict").exit_code == 1


def test_an_output_folder_in_dazzle_toml_that_is_the_filesystem_root_is_refused(registry, project):
    configure(project, '[build]\nout = "/"\n')
    result = run("build", str(project), "-b", "summary")
    assert result.exit_code == 1
    assert (
        "Error: [build] out in dazzle.toml is the filesystem root (/); give the build a folder of its own"
        in result.stderr
    )


class InterruptedByTheUser(Backend):
    """Its get_capabilities is where the user's Ctrl-C lands (and, with
    `swallow`, where a plugin catches it and carries on)."""

    swallow = False

    def get_capabilities(self):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except BaseException:
            if not self.swallow:
                raise
        return BackendCapabilities(name="user")

    def generate(self, appspec, output_dir, **options):
        pass


@pytest.mark.parametrize("swallow", [False, True])
def test_a_real_ctrl_c_in_plugin_code_stops_the_command(registry, project, swallow):
    registry.register("user", type("Interrupted", (InterruptedByTheUser,), {"swallow": swallow}))
    result = run("backends")
    assert result.exit_code == 130
    assert result.stderr.splitlines()[-1] == "dazzle backends: stopped by SIGINT"
    result = run("build", str(project), "-b", "user")
    assert result.exit_code == 130
    assert result.stderr.splitlines()[-1] == "dazzle build: stopped by SIGINT; nothing was written"
    assert not (project / "build").exists()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


def test_a_command_started_with_sigint_ignored_keeps_ignoring_it(registry, project):
    # As a job that a script (or nohup) starts in the background: the Ctrl-C
    # typed for the foreground job must not stop it, as POSIX programs do.
    class CtrlCForTheForeground(SummaryBackend):
        def generate(self, appspec, output_dir, **options):
            os.kill(os.getpid(), signal.SIGINT)
            super().generate(appspec, output_dir, **options)

    registry.register("patient", CtrlCForTheForeground)
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        result = run("build", str(project), "-b", "patient")
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # left as it was
    finally:
        signal.signal(signal.SIGINT, before)
    assert result.exit_code == 0, result.output
    assert files(project / "build") == {"summary/app.txt": "hello\nshop\n"}


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize("where", ["the commit's clean-up", "the release of the output folder", "the report"])
def test_a_signal_once_the_output_is_committed_is_told_after_the_report_with_its_exit_status(
    registry, project, monkeypatch, where, signum, status
):
    from dazzle.backends import build_cache, committer
    from dazzle.cli import build as build_module

    sent: list[int] = []

    def send_once() -> None:
        if not sent:
            sent.append(signum)
            os.kill(os.getpid(), signum)

    if where == "the commit's clean-up":
        monkeypatch.setattr(committer, "test_hook", lambda step, path: send_once() if step == "finish" else None)
    elif where == "the release of the output folder":
        release = build_cache._release
        monkeypatch.setattr(build_cache, "_release", lambda lock: (send_once(), release(lock))[-1])
    else:
        echo_result = build_module.echo_result
        monkeypatch.setattr(build_module, "echo_result", lambda text: (send_once(), echo_result(text))[-1])
    result = run("build", str(project), "-b", "summary")
    assert sent
    assert result.exit_code == status, result.output
    assert files(project / "build") == {"summary/app.txt": "hello\nshop\n"}
    out = project / "build"
    assert result.stdout.splitlines() == [f"added   {out / MANIFEST_NAME}", f"added   {out / 'summary' / 'app.txt'}"]
    assert result.stderr.splitlines()[-2:] == [
        f"{out}: 1 added, 0 updated, 0 removed, 0 unchanged (summary)",
        f"dazzle build: stopped by {signal.Signals(signum).name} after the output was committed; the build is complete",
    ]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_under_watch_a_signal_once_the_output_is_committed_ends_the_watching_after_the_report(
    registry, project, monkeypatch, signum
):
    # As Ctrl-C does under --watch: the watching ends (exit 0), here after the
    # first build, which was committed and is reported in full.
    from dazzle.cli import build as build_module
    from dazzle.cli import watch

    sent: list[int] = []
    echo_result = build_module.echo_result

    def send_once_then_echo(text: str) -> None:
        if not sent:
            sent.append(signum)
            os.kill(os.getpid(), signum)
        echo_result(text)

    def went_on_watching(project) -> None:
        raise AssertionError("the watching went on after the signal")

    monkeypatch.setattr(build_module, "echo_result", send_once_then_echo)
    monkeypatch.setattr(watch, "announce", went_on_watching)  # fail, not hang
    result = run("build", str(project), "-b", "summary", "--watch")
    assert sent
    assert result.exit_code == 0, result.output
    assert files(project / "build") == {"summary/app.txt": "hello\nshop\n"}
    out = project / "build"
    assert result.stdout.splitlines() == [f"added   {out / MANIFEST_NAME}", f"added   {out / 'summary' / 'app.txt'}"]
    assert result.stderr.splitlines()[-4:] == [
        f"{out}: 1 added, 0 updated, 0 removed, 0 unchanged (summary)",
        f"dazzle build: stopped by {signal.Signals(signum).name} after the output was committed; the build is complete",
        "",
        "stopped watching",
    ]
    assert "Traceback" not in result.output
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored
