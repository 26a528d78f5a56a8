"""The per-user cache folder that holds each output folder's lock and staging."""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import tempfile
import threading
from pathlib import Path

import pytest
from dazzle.backends import build_cache
from dazzle.backends.build_cache import cache_dir, reserve_output


def test_the_cache_folder_follows_the_variable_then_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv("DAZZLE_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("DAZZLE_CACHE_DIR")
    assert cache_dir() == tmp_path / "xdg" / "dazzle"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "dazzle"


def test_a_reservation_resolves_the_folder_and_gives_a_fresh_staging_root(tmp_path, cache_folder):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    with reserve_output(tmp_path / "link") as reservation:
        assert reservation.out_dir == real.resolve()
        assert reservation.staging_root.is_relative_to(cache_folder)
        assert list(reservation.staging_root.iterdir()) == []
        (reservation.staging_root / "left.txt").write_text("a killed build left this")
        staging = reservation.staging_root
    assert not staging.exists()
    assert list(real.iterdir()) == []  # nothing of the build's own goes into the output folder


def test_a_second_reservation_of_the_same_folder_waits_saying_so(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    waited = threading.Event()
    got: list[Path] = []
    announced: list[Path] = []

    def second():
        def on_wait(folder):
            announced.append(folder)
            waited.set()

        with reserve_output(tmp_path / "link", on_wait=on_wait) as reservation:  # the same folder, another path
            got.append(reservation.out_dir)

    with reserve_output(real):
        thread = threading.Thread(target=second)
        thread.start()
        assert waited.wait(timeout=30)
        assert got == []  # still waiting while the first holds the folder
    thread.join(timeout=30)
    assert got == [real.resolve()] and announced == [real.resolve()]


def test_reservations_of_other_folders_do_not_wait(tmp_path):
    with reserve_output(tmp_path / "a"), reserve_output(tmp_path / "b", on_wait=pytest.fail):
        pass


def test_the_wait_is_told_on_stderr(capsys, tmp_path):
    build_cache._announce_wait(tmp_path / "out")
    assert capsys.readouterr().err == f"waiting for another build of {tmp_path / 'out'} to finish\n"


def test_entries_of_output_folders_that_are_gone_are_pruned_by_the_next_build(tmp_path, cache_folder):
    kept, gone, busy = tmp_path / "kept", tmp_path / "gone", tmp_path / "busy"
    for folder in (kept, gone, busy):
        folder.mkdir()
        with reserve_output(folder):
            pass
    assert len(list((cache_folder / "builds").iterdir())) == 3
    gone.rmdir()
    busy.rmdir()
    with reserve_output(busy):  # held by a build of a folder not made yet: not pruned
        with reserve_output(tmp_path / "another"):
            pass
    entries = {(a / "out-dir").read_text().strip() for a in (cache_folder / "builds").iterdir()}
    assert entries == {str(kept), str(busy), str(tmp_path / "another")}


def test_a_reservation_after_its_entry_was_pruned_starts_afresh(tmp_path, cache_folder):
    with reserve_output(tmp_path / "a") as first:
        area = first.staging_root.parent
    build_cache._prune(cache_folder / "builds", keep=cache_folder / "none")  # 'a' never existed
    assert not area.exists()
    with reserve_output(tmp_path / "a") as again:
        assert again.staging_root.is_dir() and (area / "lock").exists()


def test_a_forked_child_does_not_keep_the_folder_locked(tmp_path, cache_folder):
    # Forked worker processes inherit every descriptor; a flock belongs to the
    # open file, so a child still running (or orphaned by a killed parent)
    # would keep the output folder locked after the build let go of it.
    ready_r, ready_w = os.pipe()
    done_r, done_w = os.pipe()
    with reserve_output(tmp_path / "out") as reservation:
        lock_path = reservation.staging_root.parent / "lock"
        child = os.fork()
        if child == 0:  # pragma: no cover - the child only waits to be told to end
            os.close(ready_r)
            os.write(ready_w, b"x")
            os.read(done_r, 1)
            os._exit(0)
        os.read(ready_r, 1)
    try:
        probe = os.open(lock_path, os.O_RDWR)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises while the child keeps it
        finally:
            os.close(probe)
    finally:
        os.write(done_w, b"x")
        os.waitpid(child, 0)
        for fd in (ready_r, ready_w, done_r, done_w):
            os.close(fd)


def _as_a_user(function):
    """Run ``function`` where permissions hold: in a child that gave up root
    when the tests run as root (root may remove anything). Its result is the
    child's exit status (0 when ``function`` returned)."""
    if os.geteuid() != 0:
        function()
        return 0
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            os.setgid(65534)
            os.setuid(65534)
            function()
        except BaseException:
            import traceback

            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    return os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])


def test_staging_a_backend_made_read_only_is_removed_and_never_blocks_the_next_build(monkeypatch):
    # A backend that copies a read-only tree (an installed package's templates)
    # leaves folders the build may not write into.
    base = Path(tempfile.mkdtemp())  # not below pytest's folder, which only root may enter
    try:
        if os.geteuid() == 0:
            os.chown(base, 65534, 65534)
        monkeypatch.setenv("DAZZLE_CACHE_DIR", str(base / "cache"))
        out = base / "out"

        def two_builds():
            out.mkdir()
            for _ in range(2):
                with reserve_output(out) as reservation:
                    locked = reservation.staging_root / "0" / "out" / "templates"
                    locked.mkdir(parents=True)
                    (locked / "a.txt").write_text("read-only")
                    locked.chmod(0o555)
                    staging = reservation.staging_root
                assert not staging.exists()

        assert _as_a_user(two_builds) == 0
    finally:
        shutil.rmtree(base)


def test_pruning_an_entry_that_is_a_link_touches_nothing_it_leads_to(tmp_path, cache_folder):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "inner").mkdir(parents=True)
    (elsewhere / "out-dir").write_text(f"{tmp_path / 'gone'}\n")
    (elsewhere / "lock").write_text("")
    (elsewhere / "inner" / "file.txt").write_text("not the cache's")
    os.chmod(elsewhere / "inner", 0o555)
    builds = cache_folder / "builds"
    builds.mkdir()
    (builds / ("f" * 32)).symlink_to(elsewhere, target_is_directory=True)
    with reserve_output(tmp_path / "out"):
        pass
    assert (elsewhere / "inner" / "file.txt").read_text() == "not the cache's"
    assert stat.S_IMODE((elsewhere / "inner").stat().st_mode) == 0o555


def test_an_entry_left_half_pruned_by_a_killed_build_is_removed(tmp_path, cache_folder):
    with reserve_output(tmp_path / "a"):
        pass
    half = cache_folder / "builds" / ".pruned-0123-4567"  # a build killed while removing it
    (half / "staging" / "0").mkdir(parents=True)
    with reserve_output(tmp_path / "b"):
        pass
    assert not half.exists()
