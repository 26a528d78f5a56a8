"""The output committer: staging folders -> the user's output folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from dazzle.backends import committer
from dazzle.backends.committer import (
    MANIFEST_NAME,
    CommitError,
    apply_commit,
    collect_staged,
    plan_commit,
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` but the manifest, with its bytes and mtime."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST_NAME
    }


@pytest.fixture
def stages(tmp_path):
    a, b = tmp_path / "stage-a", tmp_path / "stage-b"
    write(a / "api" / "openapi.yaml", "openapi: 3.1.0\n")
    write(a / "README.txt", "from a\n")
    write(b / "prisma" / "schema.prisma", "model X {}\n")
    return {"a": a, "b": b}


def commit(stages, out: Path):
    plan = plan_commit(collect_staged(stages), out)
    apply_commit(plan)
    return plan


def test_collect_staged_is_sorted_and_names_backends(stages):
    staged = collect_staged(stages)
    assert [(s.path, s.backend) for s in staged] == [
        ("README.txt", "a"), ("api/openapi.yaml", "a"), ("prisma/schema.prisma", "b"),
    ]


def test_two_backends_writing_one_path_is_an_error_naming_both(stages):
    write(stages["b"] / "api" / "openapi.yaml", "other\n")
    with pytest.raises(CommitError, match="backends 'a' and 'b' both wrote 'api/openapi.yaml'"):
        collect_staged(stages)


def test_a_file_of_one_backend_where_another_has_a_folder_is_an_error(stages):
    write(stages["b"] / "api", "a file named api\n")
    with pytest.raises(CommitError, match="backend 'b' wrote the file 'api' and backend 'a' wrote 'api/openapi.yaml'"):
        collect_staged(stages)


def test_a_staged_link_is_refused(stages, tmp_path):
    secret = write(tmp_path / "secret.txt", "secret\n")
    (stages["a"] / "leak.txt").symlink_to(secret)
    with pytest.raises(CommitError, match="backend 'a' staged 'leak.txt', a symbolic link"):
        collect_staged(stages)


def test_a_staged_folder_link_is_refused(stages, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (stages["b"] / "prisma" / "more").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(CommitError, match="backend 'b' staged 'prisma/more', a symbolic link"):
        collect_staged(stages)


def test_a_staged_special_file_is_refused(stages):
    os.mkfifo(stages["a"] / "pipe")
    with pytest.raises(CommitError, match="backend 'a' staged 'pipe', which is not a regular file"):
        collect_staged(stages)


def test_commit_into_a_new_folder(stages, tmp_path):
    out = tmp_path / "out" / "nested"
    plan = commit(stages, out)
    assert [(c.kind, c.path) for c in plan.changes] == [
        ("add", "README.txt"), ("add", "api/openapi.yaml"), ("add", "prisma/schema.prisma"),
    ]
    assert (out / "api" / "openapi.yaml").read_text() == "openapi: 3.1.0\n"
    assert (out / "prisma" / "schema.prisma").read_text() == "model X {}\n"


def test_only_changed_files_are_written_and_others_are_left_alone(stages, tmp_path):
    out = tmp_path / "out"
    commit(stages, out)
    write(out / "notes.md", "the user's own file\n")
    for path in out.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = snapshot(out)

    write(stages["a"] / "README.txt", "changed\n")
    plan = commit(stages, out)

    assert [(c.kind, c.path) for c in plan.changes] == [("update", "README.txt")]
    assert plan.unchanged == ("api/openapi.yaml", "prisma/schema.prisma")
    after = snapshot(out)
    assert after["README.txt"][0] == b"changed\n"
    del before["README.txt"], after["README.txt"]
    assert after == before  # same bytes, same mtimes: untouched, including the user's file


def test_a_second_identical_commit_writes_nothing(stages, tmp_path):
    out = tmp_path / "out"
    commit(stages, out)
    before = snapshot(out)
    plan = commit(stages, out)
    assert plan.changes == ()
    assert snapshot(out) == before


def test_a_file_of_the_same_size_with_other_bytes_is_updated(stages, tmp_path):
    out = tmp_path / "out"
    write(out / "README.txt", "from b\n")
    plan = plan_commit(collect_staged(stages), out)
    assert ("update", "README.txt") in [(c.kind, c.path) for c in plan.changes]


def test_plan_writes_nothing(stages, tmp_path):
    out = tmp_path / "out"
    plan = plan_commit(collect_staged(stages), out)
    assert len(plan.changes) == 3
    assert not out.exists()


def test_the_file_mode_of_the_staged_file_is_kept(stages, tmp_path):
    script = write(stages["a"] / "run.sh", "#!/bin/sh\n")
    script.chmod(0o755)
    out = tmp_path / "out"
    commit(stages, out)
    assert stat.S_IMODE((out / "run.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "README.txt").stat().st_mode) == stat.S_IMODE(
        (stages["a"] / "README.txt").stat().st_mode
    )


def test_no_temporary_file_is_left_behind(stages, tmp_path):
    out = tmp_path / "out"
    commit(stages, out)
    write(stages["a"] / "README.txt", "changed\n")
    commit(stages, out)
    assert sorted(p.name for p in out.rglob("*")) == [
        MANIFEST_NAME, "README.txt", "api", "openapi.yaml", "prisma", "schema.prisma",
    ]


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary_file(stages, tmp_path, monkeypatch):
    out = tmp_path / "out"
    write(out / "README.txt", "the old content\n")

    def refuse(source, target, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(committer.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        commit(stages, out)
    assert (out / "README.txt").read_text() == "the old content\n"
    assert [p.name for p in out.iterdir()] == ["README.txt"]


def test_a_link_in_the_output_folder_is_not_replaced(stages, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    target = write(tmp_path / "precious.txt", "precious\n")
    (out / "README.txt").symlink_to(target)
    with pytest.raises(CommitError, match="is a symbolic link; refusing to replace it with 'README.txt' from backend 'a'"):
        plan_commit(collect_staged(stages), out)
    assert target.read_text() == "precious\n"


def test_a_folder_link_leading_outside_the_output_folder_is_refused(stages, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (out / "api").symlink_to(outside, target_is_directory=True)
    with pytest.raises(CommitError, match="cannot write 'api/openapi.yaml' from backend 'a': .*/out/api' is a symbolic link"):
        plan_commit(collect_staged(stages), out)
    assert list(outside.iterdir()) == []


def test_a_folder_link_is_refused_even_when_it_stays_inside_the_output_folder(stages, tmp_path):
    # Below the output folder nothing is followed: one rule, checked where the write happens.
    out = tmp_path / "out"
    (out / "real-api").mkdir(parents=True)
    (out / "api").symlink_to(out / "real-api", target_is_directory=True)
    with pytest.raises(CommitError, match="'.*/out/api' is a symbolic link"):
        commit(stages, out)
    assert list((out / "real-api").iterdir()) == []


def test_an_output_folder_that_is_itself_a_link_is_used(stages, tmp_path):
    real = tmp_path / "real-out"
    real.mkdir()
    (tmp_path / "out").symlink_to(real, target_is_directory=True)
    commit(stages, tmp_path / "out")
    assert (real / "README.txt").read_text() == "from a\n"


def test_a_file_where_a_folder_is_needed_is_an_error(stages, tmp_path):
    out = tmp_path / "out"
    write(out / "api", "a file\n")
    with pytest.raises(CommitError, match="cannot write 'api/openapi.yaml' from backend 'a': .* is not a folder"):
        plan_commit(collect_staged(stages), out)


def test_a_folder_where_a_file_is_staged_is_an_error(stages, tmp_path):
    out = tmp_path / "out"
    (out / "README.txt").mkdir(parents=True)
    with pytest.raises(CommitError, match="exists and is not a file; backend 'a' wrote a file there"):
        plan_commit(collect_staged(stages), out)


def test_an_output_folder_that_is_a_file_is_an_error(stages, tmp_path):
    out = write(tmp_path / "out", "not a folder\n")
    with pytest.raises(CommitError, match="is not a folder"):
        plan_commit(collect_staged(stages), out)


def test_a_failing_write_leaves_the_output_folder_as_it_was(stages, tmp_path, monkeypatch):
    out = tmp_path / "out"
    commit(stages, out)
    for folder in stages.values():  # every staged file changes, and one lands in a new folder
        for file in folder.rglob("*"):
            if file.is_file():
                file.write_text(file.read_text() + " v2")
    next(iter(stages.values())).joinpath("brand", "new.txt").parent.mkdir()
    next(iter(stages.values())).joinpath("brand", "new.txt").write_text("new")
    before = snapshot(out)
    calls = []
    real = committer._write_all

    def fail_on_second(fd, data):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(committer, "_write_all", fail_on_second)
    plan = plan_commit(collect_staged(stages), out)
    assert len(plan.changes) >= 3
    with pytest.raises(OSError, match="No space left"):
        apply_commit(plan)
    assert snapshot(out) == before
    assert not list(out.rglob("*dazzle-tmp-*")) and not (out / "brand").exists()


def test_a_failing_move_puts_every_file_back(stages, tmp_path, monkeypatch):
    out = tmp_path / "out"
    commit(stages, out)
    for folder in stages.values():
        for file in folder.rglob("*"):
            if file.is_file():
                file.write_text(file.read_text() + " v2")
    before = snapshot(out)
    manifest = (out / MANIFEST_NAME).read_bytes()
    real = committer.os.replace
    moves = []

    def locked_schema(source, target, **kwargs):  # the schema is locked: it cannot be moved aside
        moves.append(target)
        if str(source).endswith("schema.prisma"):
            raise PermissionError(1, "Operation not permitted", str(source))
        return real(source, target, **kwargs)

    monkeypatch.setattr(committer.os, "replace", locked_schema)
    plan = plan_commit(collect_staged(stages), out)
    with pytest.raises(PermissionError):
        apply_commit(plan)
    assert len(moves) > 2  # other files had been moved into place before the schema failed
    assert {k: v[0] for k, v in snapshot(out).items()} == {k: v[0] for k, v in before.items()}
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == sorted([MANIFEST_NAME, *(Path(k).name for k in before)])
    assert (out / MANIFEST_NAME).read_bytes() == manifest
