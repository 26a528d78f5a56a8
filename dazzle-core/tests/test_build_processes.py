"""`dazzle build` as separate processes: two builds of one output folder at
once, and a build killed in the middle of its commit.

Each process runs a small script that registers the `gated` backend by hand
and then runs the CLI. The backend writes FILES files holding $TAG; it writes
$STARTED when it begins and, when $GATE is set, waits for that file to exist,
so the overlap of two builds is arranged, not left to chance.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dazzle.backends.committer import LEFTOVER_NAME, MANIFEST_NAME

FILES = 20

SCRIPT = f"""\
import os, sys, time
from pathlib import Path

from dazzle.backends import Backend, register_backend
from dazzle.backends import committer


class Gated(Backend):
    def generate(self, appspec, output_dir, **options):
        Path(os.environ["STARTED"]).write_text("started")
        gate = os.environ.get("GATE")
        while gate and not Path(gate).exists():
            time.sleep(0.01)
        for number in range({FILES}):
            (output_dir / f"f{{number:02}}.txt").write_text(os.environ["TAG"] + "\\n")


register_backend("gated", Gated)

kill_at = os.environ.get("KILL_AT_SWAP")
if kill_at:
    def kill(step, path):
        if step == "swap" and path == kill_at:
            os.kill(os.getpid(), 9)
    committer.test_hook = kill

from dazzle.cli import main

main(["build", *sys.argv[1:]])
"""

APP = 'app shop "Shop"\n\nentity Product "Product":\n  id: uuid pk\n'


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "shop.dsl").write_text(APP)
    (tmp_path / "gated.py").write_text(SCRIPT)
    return tmp_path


def start(project: Path, tag: str, *, gate: Path | None = None, kill_at: str = "") -> tuple[subprocess.Popen, Path]:
    stderr = project / f"stderr-{tag}.txt"
    env = {**os.environ, "TAG": tag, "STARTED": str(project / f"started-{tag}"), "KILL_AT_SWAP": kill_at}
    if gate is not None:
        env["GATE"] = str(gate)
    with stderr.open("w") as stream:
        process = subprocess.Popen(
            [sys.executable, str(project / "gated.py"), str(project / "shop.dsl"), "-b", "gated"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stream,
        )
    return process, stderr


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def artifacts(out: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(out.iterdir()) if p.name.endswith(".txt")}


def test_a_second_build_of_one_folder_waits_for_the_first_and_its_output_wins_whole(project):
    gate = project / "gate"
    first, _ = start(project, "A", gate=gate)
    wait_for((project / "started-A").exists, "the first build to start generating")

    second, second_stderr = start(project, "B")
    message = f"waiting for another build of {project / 'build'} to finish"
    wait_for(lambda: message in second_stderr.read_text(), "the second build to say it waits")
    time.sleep(0.3)
    assert not (project / "started-B").exists()  # it waits before running any backend

    gate.write_text("open")
    assert first.wait(timeout=60) == 0
    assert second.wait(timeout=60) == 0
    assert second_stderr.read_text().count(message) == 1
    assert artifacts(project / "build") == {f"f{n:02}.txt": "B\n" for n in range(FILES)}


def test_a_build_killed_during_its_commit_leaves_leftovers_that_the_next_build_removes(project, cache_folder):
    out = project / "build"
    first, _ = start(project, "A")
    assert first.wait(timeout=60) == 0

    killed, _ = start(project, "B", kill_at="f10.txt")
    assert killed.wait(timeout=60) == -9
    left = sorted(p.name for p in out.iterdir() if LEFTOVER_NAME.fullmatch(p.name))
    assert any("dazzle-tmp" in name for name in left) and any("dazzle-old" in name for name in left)
    staging = list(cache_folder.glob("builds/*/staging/*"))
    assert staging  # the killed build's staging stayed in the cache

    again, _ = start(project, "B")
    assert again.wait(timeout=60) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST_NAME, *(f"f{n:02}.txt" for n in range(FILES))])
    assert artifacts(out) == {f"f{n:02}.txt": "B\n" for n in range(FILES)}
    assert list(cache_folder.glob("builds/*/staging/*")) == []
