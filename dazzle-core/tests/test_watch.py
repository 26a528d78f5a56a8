"""`dazzle build --watch`: the parse cache, and the command as a user runs it
(a subprocess, files edited under it, Ctrl-C), with bounded waits."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from dazzle.cli import main
from dazzle.cli.watch import ParseCache
from dazzle.core.compiler import compile_path

#: Runs `dazzle` with a backend registered by hand (no backend distribution is
#: installed beside dazzle-core in its own test session): it writes each
#: entity's name and field count, and the app's version.
LAUNCHER = """
from dazzle.backends import register_backend
from dazzle.cli import main


class Entities:
    def generate(self, appspec, output_dir, **options):
        lines = [appspec.version] + [f"{e.name} {len(e.fields)}" for e in appspec.entities]
        (output_dir / "entities.txt").write_text("\\n".join(lines) + "\\n", encoding="utf-8")


register_backend("entities", Entities)
main()
"""


#: A module of one entity, for a module folder outside the project.
SHELF = 'module helpdesk.shared\n\nentity Shelf "Shelf":\n  id: int pk\n'


@pytest.fixture
def helpdesk(examples, tmp_path) -> Path:
    project = tmp_path / "helpdesk"
    shutil.copytree(examples / "helpdesk", project, ignore=shutil.ignore_patterns("build"))
    return project


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_cache_parses_only_files_whose_text_changed(helpdesk):
    cache = ParseCache()
    first = compile_path(helpdesk, cache)
    assert (cache.asked, cache.parsed) == (3, 3)
    assert compile_path(helpdesk, cache) == first
    assert (cache.asked, cache.parsed) == (6, 3)
    edit(helpdesk / "dsl" / "core.dsl", "  description: text\n", "  description: text\n  summary: str(80)\n")
    again = compile_path(helpdesk, cache)
    assert (cache.asked, cache.parsed) == (9, 4)
    fresh = compile_path(helpdesk)
    assert again == fresh and again.appspec.get_entity("Ticket").get_field("summary") is not None
    edit(helpdesk / "dsl" / "billing.dsl", "entity Invoice", "entity Invoice Invoice")
    broken = compile_path(helpdesk, cache)
    assert broken.diagnostics == compile_path(helpdesk).diagnostics and not broken.ok


def test_watch_without_watchfiles_says_how_to_install_it(helpdesk, monkeypatch):
    monkeypatch.setitem(sys.modules, "watchfiles", None)  # `import watchfiles` fails
    result = CliRunner().invoke(main, ["build", str(helpdesk), "--watch"])
    assert result.exit_code == 2
    assert 'dazzle build --watch needs the watchfiles package: pip install "dazzle-core[watch]"' in result.stderr
    assert "valid" not in result.stderr and not (helpdesk / "build").exists()


def test_watch_and_check_together_are_a_usage_error(helpdesk):
    result = CliRunner().invoke(main, ["build", str(helpdesk), "--watch", "--check"])
    assert result.exit_code == 2 and "--watch and --check cannot be used together" in result.stderr


class Watcher:
    """`dazzle build --watch` in a subprocess; its stderr goes to a file."""

    def __init__(self, tmp_path: Path, project: Path) -> None:
        launcher = tmp_path / "launch_dazzle.py"
        launcher.write_text(textwrap.dedent(LAUNCHER), encoding="utf-8")
        self.log = tmp_path / "watch.log"
        self.out = project / "build" / "entities.txt"
        with self.log.open("w", encoding="utf-8") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(launcher), "build", str(project), "-b", "entities", "--watch"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def output(self) -> str:
        return self.out.read_text(encoding="utf-8") if self.out.exists() else ""

    def wait_until(self, done, what: str, timeout: float = 60) -> None:
        """Wait for ``done()``; each build reads the files as they are when
        it starts, so waiting on what a build printed or wrote (not on a
        count of builds) is safe whatever the editor's events."""
        deadline = time.monotonic() + timeout
        while not done():
            assert self.proc.poll() is None, f"the watcher stopped:\n{self.text()}"
            assert time.monotonic() < deadline, f"no {what} within {timeout}s:\n{self.text()}"
            time.sleep(0.05)

    def wait_for(self, text: str) -> None:
        self.wait_until(lambda: text in self.text(), repr(text))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@contextlib.contextmanager
def watching(tmp_path: Path, project: Path) -> Iterator[Watcher]:
    """`dazzle build --watch` of ``project`` for the block, then Ctrl-C,
    which must end it cleanly: exit 0, no traceback."""
    watcher = Watcher(tmp_path, project)
    try:
        yield watcher
    finally:
        status = watcher.stop()
    assert status == 0, watcher.text()
    assert "Traceback" not in watcher.text()


def test_watch_rebuilds_on_changes_keeps_the_last_good_output_and_stops_on_ctrl_c(tmp_path, helpdesk):
    with watching(tmp_path, helpdesk) as watcher:
        watcher.wait_for("watching ")
        assert "built in" in watcher.text() and "(parsed 3 of 3 files)" in watcher.text()
        first = watcher.out.read_text(encoding="utf-8")
        assert first.startswith("1.2.0\n") and "Ticket 15\n" in first

        # An edit of one module: rebuilt, that module alone parsed again;
        # a file that is not part of the project changes nothing.
        (helpdesk / "notes.txt").write_text("not DSL\n", encoding="utf-8")
        edit(helpdesk / "dsl" / "core.dsl", "  description: text\n", "  description: text\n  summary: str(80)\n")
        watcher.wait_until(lambda: "Ticket 16\n" in watcher.output(), "the new field in the output")
        watcher.wait_for("(parsed 1 of 3 files)")
        assert "notes.txt" not in watcher.text()

        # An error: the diagnostics are printed, the output stays as it was.
        good = watcher.out.read_text(encoding="utf-8")
        edit(helpdesk / "dsl" / "billing.dsl", "ref Organisation required", "ref Organisaton required")
        watcher.wait_for("build failed")
        assert "error[E205]: unknown entity 'Organisaton'" in watcher.text()
        assert "did you mean 'Organisation'?" in watcher.text()
        assert watcher.out.read_text(encoding="utf-8") == good

        # Fixed: built again. Then dazzle.toml alone changes: built again.
        edit(helpdesk / "dsl" / "billing.dsl", "ref Organisaton required", "ref Organisation required")
        watcher.wait_until(lambda: "built in" in watcher.text().rpartition("build failed")[2], "a build after the fix")
        edit(helpdesk / "dazzle.toml", 'version = "1.2.0"', 'version = "1.3.0"')
        watcher.wait_until(lambda: watcher.output().startswith("1.3.0\n"), "the new version in the output")
        assert f"changed: {helpdesk.resolve() / 'dazzle.toml'}" in watcher.text()
    assert watcher.text().endswith("stopped watching\n")


def test_watch_follows_the_module_folders_the_project_loader_finds(tmp_path, helpdesk):
    core = helpdesk / "dsl" / "core.dsl"
    with watching(tmp_path, helpdesk) as watcher:
        watcher.wait_for("watching ")
        edit(core, "use helpdesk.billing\n", "use helpdesk.billing\nuse helpdesk.extra\n")
        watcher.wait_for("build failed")

        # A folder of modules moved in is one event, for the folder, naming no .dsl file.
        staged = tmp_path / "staged" / "extra"
        staged.mkdir(parents=True)
        (staged / "extra.dsl").write_text(
            'module helpdesk.extra\n\nentity Widget "Widget":\n  id: int pk\n  name: str(40)\n', encoding="utf-8"
        )
        os.rename(staged, helpdesk / "dsl" / "extra")
        watcher.wait_until(lambda: "Widget 2\n" in watcher.output(), "the moved-in module in the output")
        assert f"changed: {helpdesk.resolve() / 'dsl' / 'extra' / 'extra.dsl'}" in watcher.text()

        # A folder outside the project folder, named anew in dazzle.toml, is
        # watched from then on, even in a folder watchers often skip.
        shared = tmp_path / "node_modules" / "@acme" / "shared"
        shared.mkdir(parents=True)
        (shared / "shelf.dsl").write_text(SHELF)
        edit(helpdesk / "dazzle.toml", 'paths = ["./dsl"]', 'paths = ["./dsl", "../node_modules/@acme/shared"]')
        watcher.wait_for(f"watching {helpdesk.resolve()}, {shared.resolve()} for changes")
        edit(core, "use helpdesk.extra\n", "use helpdesk.extra\nuse helpdesk.shared\n")
        watcher.wait_until(lambda: "Shelf 1\n" in watcher.output(), "the new folder's module in the output")
        edit(shared / "shelf.dsl", "  id: int pk\n", "  id: int pk\n  label: str(40)\n")
        watcher.wait_until(lambda: "Shelf 2\n" in watcher.output(), "an edit in the new folder in the output")


def test_a_project_moved_away_and_back_is_waited_for_without_watching_below_its_parent(tmp_path, helpdesk):
    away = tmp_path / "away"
    with watching(tmp_path, helpdesk) as watcher:
        watcher.wait_for("watching ")
        helpdesk.rename(away)  # a checkout anew, a rename: the folder given is gone
        watcher.wait_for(f"the project is missing: watching {helpdesk.parent.resolve()} (not its sub-folders)")
        assert f"watching {helpdesk.parent.resolve()} for changes" not in watcher.text()
        edit(away / "dsl" / "core.dsl", "  description: text\n", "  description: text\n  summary: str(80)\n")
        away.rename(helpdesk)
        watcher.wait_for(f"watching {helpdesk.resolve()} for changes")
        watcher.wait_until(lambda: "Ticket 16\n" in watcher.output(), "the edit made while it was away")


def test_a_module_folder_named_before_it_exists_is_built_once_it_appears(tmp_path, helpdesk):
    # No watcher can watch a folder that is not there, and this one is outside
    # every watched folder: the project, which does not load, is found again
    # at every pause.
    shared = tmp_path / "shared"
    with watching(tmp_path, helpdesk) as watcher:
        watcher.wait_for("watching ")
        edit(helpdesk / "dazzle.toml", 'paths = ["./dsl"]', 'paths = ["./dsl", "../shared"]')
        watcher.wait_for("build failed")
        assert "[modules] paths: '../shared' does not exist" in watcher.text()

        staged = tmp_path / "staged"
        staged.mkdir()
        (staged / "shelf.dsl").write_text(SHELF)
        os.rename(staged, shared)
        watcher.wait_for(f"watching {helpdesk.resolve()}, {shared.resolve()} for changes")
        watcher.wait_until(lambda: "built in" in watcher.text().rpartition("build failed")[2], "a build once it exists")
        edit(helpdesk / "dsl" / "core.dsl", "use helpdesk.billing\n", "use helpdesk.billing\nuse helpdesk.shared\n")
        watcher.wait_until(lambda: "Shelf 1\n" in watcher.output(), "the new folder's module in the output")
