"""The output committer: staging folders -> the user's output folder."""

from __future__ import annotations

import hashlib
import json
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
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST_NAME
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
        ("README.txt", "a"),
        ("api/openapi.yaml", "a"),
        ("prisma/schema.prisma", "b"),
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
        ("add", "README.txt"),
        ("add", "api/openapi.yaml"),
        ("add", "prisma/schema.prisma"),
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
        MANIFEST_NAME,
        "README.txt",
        "api",
        "openapi.yaml",
        "prisma",
        "schema.prisma",
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
    with pytest.raises(
        CommitError, match="is a symbolic link; refusing to replace it with 'README.txt' from backend 'a'"
    ):
        plan_commit(collect_staged(stages), out)
    assert target.read_text() == "precious\n"


def test_a_folder_link_leading_outside_the_output_folder_is_refused(stages, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (out / "api").symlink_to(outside, target_is_directory=True)
    refused = "cannot write 'api/openapi.yaml' from backend 'a': .*/out/api' is a symbolic link"
    with pytest.raises(CommitError, match=refused):
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
    names = sorted(p.name for p in out.rglob("*") if p.is_file())
    assert names == sorted([MANIFEST_NAME, *(Path(k).name for k in before)])
    assert (out / MANIFEST_NAME).read_bytes() == manifest


# --- links planted while the build runs ------------------------------------------------------------


@pytest.fixture
def hook(monkeypatch):
    """Set ``committer.test_hook`` for one test."""

    def set_hook(function):
        monkeypatch.setattr(committer, "test_hook", function)

    return set_hook


def test_a_folder_swapped_for_a_link_between_check_and_write_is_refused(stages, tmp_path, hook):
    out = tmp_path / "out"
    commit(stages, out)
    write(stages["b"] / "prisma" / "schema.prisma", "model Y {}\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    plan = plan_commit(collect_staged(stages), out)  # the check: prisma/ is a plain folder
    assert [c.path for c in plan.changes] == ["prisma/schema.prisma"]

    def swap(step, path):
        if step == "write":
            (out / "prisma").rename(tmp_path / "moved-prisma")
            (out / "prisma").symlink_to(outside, target_is_directory=True)

    hook(swap)
    refused = "cannot write 'prisma/schema.prisma' from backend 'b': .*/out/prisma' is a symbolic link"
    with pytest.raises(CommitError, match=refused):
        apply_commit(plan)
    assert list(outside.iterdir()) == []
    assert (tmp_path / "moved-prisma" / "schema.prisma").read_text() == "model X {}\n"


def test_a_folder_swapped_for_a_link_after_it_was_opened_gets_the_write_not_the_link(stages, tmp_path, hook):
    out = tmp_path / "out"
    commit(stages, out)
    write(stages["b"] / "prisma" / "schema.prisma", "model Y {}\n")
    outside = tmp_path / "outside"
    outside.mkdir()

    def swap(step, path):
        if (step, path) == ("swap", "prisma/schema.prisma"):
            (out / "prisma").rename(out / "prisma-real")
            (out / "prisma").symlink_to(outside, target_is_directory=True)

    hook(swap)
    commit(stages, out)
    assert list(outside.iterdir()) == []
    assert (out / "prisma-real" / "schema.prisma").read_text() == "model Y {}\n"


def test_a_target_swapped_for_a_link_before_the_swap_is_refused_and_rolled_back(stages, tmp_path, hook):
    out = tmp_path / "out"
    commit(stages, out)
    for file in stages["a"].rglob("*"):
        if file.is_file():
            file.write_text("v2\n")
    write(stages["b"] / "prisma" / "schema.prisma", "model Y {}\n")
    precious = write(tmp_path / "precious.txt", "precious\n")

    def swap(step, path):
        if (step, path) == ("swap", "prisma/schema.prisma"):
            (out / "prisma" / "schema.prisma").unlink()
            (out / "prisma" / "schema.prisma").symlink_to(precious)

    hook(swap)
    with pytest.raises(CommitError, match="prisma/schema.prisma' is a symbolic link; refusing to replace it"):
        commit(stages, out)
    assert precious.read_text() == "precious\n"
    assert (out / "README.txt").read_text() == "from a\n"  # moved into place before, then put back
    assert not list(out.rglob("*dazzle-tmp-*")) and not list(out.rglob("*dazzle-old-*"))


# --- what is committed -------------------------------------------------------------------------------


def test_setuid_setgid_and_sticky_bits_are_not_committed(stages, tmp_path):
    tool = write(stages["a"] / "tool", "#!/bin/sh\n")
    tool.chmod(0o7755)
    assert stat.S_IMODE(tool.stat().st_mode) & 0o7000  # the staged file does carry them
    out = tmp_path / "out"
    commit(stages, out)
    assert stat.S_IMODE((out / "tool").stat().st_mode) == 0o755


def test_a_name_too_long_for_a_temporary_name_beside_it_is_committed(stages, tmp_path, hook):
    name = "n" * 250  # ".NAME.dazzle-tmp-XXXXXXXX" would pass 255 bytes
    write(stages["a"] / name, "first\n")
    out = tmp_path / "out"
    seen = []
    hook(lambda step, path: seen.append(sorted(p.name for p in out.iterdir())) if path == name else None)
    commit(stages, out)
    assert (out / name).read_text() == "first\n"
    assert any(n.startswith(".dazzle-tmp-") for n in seen[0])  # the short temporary name

    write(stages["a"] / name, "second\n")  # an update keeps the old content aside under a short name too
    seen.clear()
    commit(stages, out)
    assert (out / name).read_text() == "second\n"
    assert not [p for p in out.iterdir() if "dazzle-tmp" in p.name or "dazzle-old" in p.name]


def test_an_unchanged_large_file_is_compared_in_chunks(stages, tmp_path, monkeypatch):
    data = bytes(range(256)) * 40  # 10 KiB
    write(stages["a"] / "big.bin", "").write_bytes(data)
    out = tmp_path / "out"
    commit(stages, out)
    sizes = []
    real_read = os.read

    def spy(fd, size):
        sizes.append(size)
        return real_read(fd, size)

    monkeypatch.setattr(committer, "COMPARE_CHUNK", 512)
    monkeypatch.setattr(committer.os, "read", spy)
    plan = plan_commit(collect_staged(stages), out)
    assert "big.bin" in plan.unchanged
    assert max(sizes) <= 512 and len(sizes) >= 2 * len(data) // 512  # both files, chunk by chunk

    (out / "big.bin").write_bytes(data[:-1] + b"!")  # same size, last byte differs
    sizes.clear()
    plan = plan_commit(collect_staged(stages), out)
    assert [c.path for c in plan.changes] == ["big.bin"]
    assert max(sizes) <= 512


def test_a_backend_cannot_stage_the_names_dazzle_keeps(stages):
    write(stages["a"] / MANIFEST_NAME, "{}")
    with pytest.raises(CommitError, match=f"backend 'a' staged '{MANIFEST_NAME}', a name dazzle keeps for itself"):
        collect_staged(stages)
    (stages["a"] / MANIFEST_NAME).unlink()
    write(stages["b"] / "prisma" / ".schema.prisma.dazzle-tmp-0123abcd", "x")
    with pytest.raises(CommitError, match="a name dazzle keeps for itself"):
        collect_staged(stages)


# --- leftovers of interrupted builds ----------------------------------------------------------------


LEFTOVERS = [
    ".README.txt.dazzle-tmp-0123abcd",
    "api/.openapi.yaml.dazzle-old-89abcdef",
    ".dazzle-tmp-00ff00ff",
    "prisma/.x.y.dazzle-tmp-abcdef01",
]
LOOK_ALIKES = [
    "README.txt.dazzle-tmp-0123abcd",
    ".README.txt.dazzle-tmp-0123ABCD",
    ".a.dazzle-tmp-0123abcde",
    ".a.dazzle-new-0123abcd",
    ".a.dazzle-tmp-0123abc",
    "notes.md",
]


def test_the_next_build_removes_leftovers_of_interrupted_builds_and_nothing_else(stages, tmp_path):
    out = tmp_path / "out"
    for name in LEFTOVERS + LOOK_ALIKES:
        write(out / name, "x")
    (out / ".d.dazzle-tmp-0123abcd").mkdir()  # a folder with such a name is not one of ours
    (out / ".l.dazzle-tmp-0123abcd").symlink_to(out / "notes.md")  # nor is a link
    outside = write(tmp_path / "elsewhere" / ".e.dazzle-tmp-0123abcd", "not below the output folder")
    (out / "link").symlink_to(outside.parent, target_is_directory=True)

    plan = plan_commit(collect_staged(stages), out)
    assert all((out / name).exists() for name in LEFTOVERS)  # --check removes nothing
    apply_commit(plan)

    assert not any((out / name).exists() for name in LEFTOVERS)
    assert all((out / name).read_text() == "x" for name in LOOK_ALIKES)
    assert (out / ".d.dazzle-tmp-0123abcd").is_dir() and (out / ".l.dazzle-tmp-0123abcd").is_symlink()
    assert outside.exists()


# --- the manifest: a backend owns what it wrote --------------------------------------------------------


def manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST_NAME).read_text())


def test_the_manifest_records_each_backends_files_with_their_sha256(stages, tmp_path):
    out = tmp_path / "out"
    commit(stages, out)
    text = (out / MANIFEST_NAME).read_text()
    assert manifest(out) == {
        "format": 1,
        "backends": {
            "a": {
                "README.txt": hashlib.sha256(b"from a\n").hexdigest(),
                "api/openapi.yaml": hashlib.sha256(b"openapi: 3.1.0\n").hexdigest(),
            },
            "b": {"prisma/schema.prisma": hashlib.sha256(b"model X {}\n").hexdigest()},
        },
    }
    assert text == json.dumps(manifest(out), indent=2, sort_keys=True) + "\n"  # stable: sorted, one layout


def test_a_file_a_backend_no_longer_writes_is_removed_with_its_emptied_folders(stages, tmp_path):
    out = tmp_path / "out"
    write(stages["a"] / "api" / "v1" / "old.yaml", "old\n")
    commit(stages, out)
    write(out / "api" / "mine.txt", "the user's\n")
    (stages["a"] / "api" / "v1" / "old.yaml").unlink()
    (stages["a"] / "api" / "v1").rmdir()

    plan = plan_commit(collect_staged(stages), out, ["a", "b"])
    assert [(r.path, r.backend) for r in plan.removals] == [("api/v1/old.yaml", "a")]
    assert (out / "api" / "v1" / "old.yaml").exists()  # planning removes nothing
    apply_commit(plan)
    assert not (out / "api" / "v1").exists()  # emptied by the removal
    assert (out / "api" / "mine.txt").exists() and (out / "api" / "openapi.yaml").exists()
    assert "api/v1/old.yaml" not in manifest(out)["backends"]["a"]


def test_only_the_files_of_backends_that_ran_are_removed(stages, tmp_path):
    out = tmp_path / "out"
    commit(stages, out)
    write(out / "notes.md", "the user's\n")
    # This time only 'a' runs, and writes nothing.
    plan = plan_commit((), out, ["a"])
    assert sorted(r.path for r in plan.removals) == ["README.txt", "api/openapi.yaml"]
    apply_commit(plan)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        MANIFEST_NAME,
        "notes.md",
        "prisma/schema.prisma",
    ]
    assert list(manifest(out)["backends"]) == ["b"]


def test_a_file_edited_since_it_was_written_is_kept_and_no_longer_owned(stages, tmp_path):
    out = tmp_path / "out"
    commit(stages, out)
    write(out / "README.txt", "edited by hand\n")
    (stages["a"] / "README.txt").unlink()
    plan = plan_commit(collect_staged(stages), out, ["a", "b"])
    assert plan.removals == ()
    assert [(k.path, k.backend, k.reason) for k in plan.kept] == [
        ("README.txt", "a", "its bytes changed since that backend wrote it"),
    ]
    apply_commit(plan)
    assert (out / "README.txt").read_text() == "edited by hand\n"
    assert "README.txt" not in manifest(out)["backends"]["a"]
    assert plan_commit(collect_staged(stages), out, ["a", "b"]).kept == ()  # warned once, then it is the user's


def test_a_file_another_backend_now_writes_changes_owner(stages, tmp_path):
    out = tmp_path / "out"
    commit(stages, out)
    (stages["a"] / "README.txt").unlink()
    write(stages["b"] / "README.txt", "from b now\n")
    commit({"b": stages["b"]}, out)  # only b runs
    assert manifest(out)["backends"]["b"]["README.txt"] == hashlib.sha256(b"from b now\n").hexdigest()
    assert "README.txt" not in manifest(out)["backends"]["a"]
    plan = plan_commit(collect_staged({"a": stages["a"]}), out, ["a"])  # a runs: b's file is not a's to remove
    assert plan.removals == ()


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"format": 2, "backends": {}}',
        b'{"format": 1, "backends": {"a": {"../x": "0"}}}',
        b"\xff\xfe",
        b"[" * 100_000,
        *(
            b'{"format": 1, "backends": {"a": {"%s": "0"}}}' % p
            for p in (
                b"/etc/passwd",
                b"api/../../x",
                b"api//x",
                b"./x",
                b"x/",
                b"",
                b"x\\u0000y",
                b".dazzle-manifest.json",
            )
        ),
    ],
)
def test_a_corrupt_manifest_owns_nothing_warns_and_is_rewritten(stages, tmp_path, content):
    out = tmp_path / "out"
    commit(stages, out)
    (out / MANIFEST_NAME).write_bytes(content)
    (stages["a"] / "README.txt").unlink()
    plan = plan_commit(collect_staged(stages), out, ["a", "b"])
    assert plan.removals == ()
    assert len(plan.warnings) == 1 and "no file is removed" in plan.warnings[0]
    apply_commit(plan)
    assert (out / "README.txt").exists()
    assert set(manifest(out)["backends"]["a"]) == {"api/openapi.yaml"}


def test_a_manifest_that_is_a_fifo_is_refused_without_hanging(stages, tmp_path):
    out = tmp_path / "out"
    commit(stages, out)
    (out / MANIFEST_NAME).unlink()
    os.mkfifo(out / MANIFEST_NAME)
    folders = committer._Folders.open(out)
    try:
        assert committer._read_manifest(folders) == (
            {},
            f"{out / MANIFEST_NAME}: the manifest is not a file; no file is removed",
        )
    finally:
        folders.close()
    with pytest.raises(CommitError, match=f"'{out / MANIFEST_NAME}' exists and is not a file"):
        plan_commit(collect_staged(stages), out, ["a", "b"])


def test_a_missing_manifest_owns_nothing(stages, tmp_path):
    out = tmp_path / "out"
    commit(stages, out)
    (out / MANIFEST_NAME).unlink()
    (stages["a"] / "README.txt").unlink()
    plan = plan_commit(collect_staged(stages), out, ["a", "b"])
    assert plan.removals == () and plan.warnings == ()
    assert plan.manifest is not None and not plan.manifest_exists


def test_a_failing_commit_puts_removed_files_back(stages, tmp_path, monkeypatch):
    out = tmp_path / "out"
    write(stages["a"] / "old" / "gone.txt", "gone\n")
    commit(stages, out)
    (stages["a"] / "old" / "gone.txt").unlink()
    write(stages["b"] / "prisma" / "schema.prisma", "model Y {}\n")
    before = snapshot(out)
    manifest_before = (out / MANIFEST_NAME).read_bytes()
    real = committer.os.replace

    def fail_last(source, target, **kwargs):  # the manifest is moved into place last
        if target == MANIFEST_NAME and "dazzle-tmp" in source:
            raise OSError(28, "No space left on device")
        return real(source, target, **kwargs)

    plan = plan_commit(collect_staged(stages), out, ["a", "b"])
    assert [r.path for r in plan.removals] == ["old/gone.txt"]
    monkeypatch.setattr(committer.os, "replace", fail_last)
    with pytest.raises(OSError, match="No space left"):
        apply_commit(plan)
    assert snapshot(out) == before
    assert (out / MANIFEST_NAME).read_bytes() == manifest_before


def test_nothing_written_means_no_manifest(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    plan = plan_commit((), out, ["a"])
    assert plan.manifest is None and not plan.pending
    apply_commit(plan)
    assert list(out.iterdir()) == []


def test_an_owned_file_replaced_by_a_link_is_kept_and_not_followed(stages, tmp_path):
    out = tmp_path / "out"
    commit(stages, out)
    precious = write(tmp_path / "precious.txt", "precious\n")
    (out / "README.txt").unlink()
    (out / "README.txt").symlink_to(precious)
    (stages["a"] / "README.txt").unlink()
    plan = plan_commit(collect_staged(stages), out, ["a", "b"])
    assert [(k.path, k.reason) for k in plan.kept] == [("README.txt", "it is now a symbolic link")]
    apply_commit(plan)
    assert (out / "README.txt").is_symlink() and precious.read_text() == "precious\n"


def test_file_names_that_are_not_utf8_survive_the_manifest(stages, tmp_path):
    odd = os.fsdecode(b"caf\xe9.txt")  # Latin-1: not UTF-8
    write(stages["a"] / odd, "odd\n")
    write(stages["a"] / "café.txt", "utf-8\n")
    out = tmp_path / "out"
    commit(stages, out)
    assert (out / MANIFEST_NAME).read_bytes().isascii()
    assert {odd, "café.txt"} <= set(manifest(out)["backends"]["a"])
    (stages["a"] / odd).unlink()
    plan = plan_commit(collect_staged(stages), out, ["a", "b"])
    assert [r.path for r in plan.removals] == [odd]
    apply_commit(plan)
    assert not (out / odd).exists() and (out / "café.txt").exists()


@pytest.fixture
def few_descriptors():
    """A soft limit of open files far below the number of folders a test makes
    (1024 is a common default; the user's output folder may hold far more folders)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
    yield 64
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_folder_that_cannot_be_opened_does_not_stop_the_leftovers_search(stages, tmp_path, monkeypatch):
    out = tmp_path / "out"
    commit(stages, out)  # the manifest lists prisma/, so the next build searches it
    leftover = write(out / ".README.txt.dazzle-tmp-0123abcd", "x")
    real_open = os.open

    def open_refusing_prisma(path, flags, *args, **kwargs):
        if path == "prisma":  # as a folder of mode 000, or owned by another user, would be
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_refusing_prisma)
    commit({"a": stages["a"]}, out)  # b does not run: nothing is written into prisma/
    assert not leftover.exists() and (out / "prisma" / "schema.prisma").exists()


def test_a_build_writing_into_more_folders_than_can_be_open_at_once_is_committed(tmp_path, few_descriptors):
    stage = tmp_path / "stage"
    for index in range(3 * few_descriptors):
        write(stage / f"entity{index}" / "model.ts", f"// {index}\n")
    out = tmp_path / "out"
    commit({"a": stage}, out)
    assert (out / "entity150" / "model.ts").read_text() == "// 150\n"
    assert set(manifest(out)["backends"]["a"]) == {f"entity{i}/model.ts" for i in range(3 * few_descriptors)}


def test_a_failing_commit_into_more_folders_than_can_be_open_at_once_puts_every_file_back(
    tmp_path, monkeypatch, few_descriptors
):
    stage, out = tmp_path / "stage", tmp_path / "out"
    count = 3 * few_descriptors
    for index in range(count):
        write(stage / f"entity{index}" / "model.ts", "v1\n")
    commit({"a": stage}, out)
    before = snapshot(out)
    for index in range(count):
        write(stage / f"entity{index}" / "model.ts", "v2\n")
    write(stage / "new" / "deep" / "file.ts", "new\n")
    real = committer.os.replace

    def failing_last(source, target, **kwargs):
        if target == MANIFEST_NAME and ".dazzle-tmp-" in source:  # swapped last: every other file was moved
            raise PermissionError(1, "Operation not permitted", source)
        return real(source, target, **kwargs)

    monkeypatch.setattr(committer.os, "replace", failing_last)
    with pytest.raises(PermissionError):
        commit({"a": stage}, out)
    assert {k: v[0] for k, v in snapshot(out).items()} == {k: v[0] for k, v in before.items()}
    assert not (out / "new").exists()
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == sorted([MANIFEST_NAME] + ["model.ts"] * count)


def test_a_file_renamed_only_in_case_is_not_removed_where_both_names_are_one_file(tmp_path):
    # On a folder that ignores case (macOS, Windows), 'Schema.ts' and 'schema.ts'
    # are one file: removing the old name would remove what the build writes.
    # A hard link makes two names one file here too.
    stage, out = tmp_path / "stage", tmp_path / "out"
    write(stage / "Schema.ts", "same\n")
    commit({"a": stage}, out)
    (stage / "Schema.ts").rename(stage / "schema.ts")
    os.link(out / "Schema.ts", out / "schema.ts")  # what a folder ignoring case shows

    plan = plan_commit(collect_staged({"a": stage}), out, ["a"])
    assert plan.removals == ()
    apply_commit(plan)
    assert (out / "schema.ts").read_text() == "same\n"
    assert list(manifest(out)["backends"]["a"]) == ["schema.ts"]


def test_two_staged_names_that_are_one_file_in_the_output_folder_are_refused(tmp_path, hook):
    # 'Model.ts' and 'model.ts' are one file on a folder that ignores case: the
    # second would silently replace the first. A hard link, made as the second
    # is swapped in, makes them one file here.
    stage, out = tmp_path / "stage", tmp_path / "out"
    write(stage / "Model.ts", "upper\n")
    write(stage / "model.ts", "lower\n")
    out.mkdir()

    def one_file(step, path):
        if (step, path) == ("swap", "model.ts"):
            os.link(out / "Model.ts", out / "model.ts")

    hook(one_file)
    plan = plan_commit(collect_staged({"a": stage}), out)
    with pytest.raises(CommitError, match="'Model.ts' and 'model.ts' are one file"):
        apply_commit(plan)
    assert sorted(p.name for p in out.iterdir()) == ["model.ts"]  # only the test's own link is left


def test_the_leftover_of_a_name_with_a_line_break_is_removed_too(stages, tmp_path):
    out = tmp_path / "out"
    leftover = write(out / ".two\nlines.txt.dazzle-tmp-0123abcd", "x")
    commit(stages, out)
    assert not leftover.exists()


def test_two_staged_names_of_one_existing_file_are_refused_before_anything_is_written(tmp_path):
    stage, out = tmp_path / "stage", tmp_path / "out"
    write(stage / "Model.ts", "upper\n")
    write(stage / "model.ts", "lower\n")
    write(out / "Model.ts", "upper\n")  # unchanged, so never swapped
    os.link(out / "Model.ts", out / "model.ts")  # one file under both names, as where case is ignored
    with pytest.raises(CommitError, match="'Model.ts' and 'model.ts' are one file"):
        plan_commit(collect_staged({"a": stage}), out)


def test_a_file_two_backends_claim_in_the_manifest_is_removed_once(stages, tmp_path):
    out = tmp_path / "out"
    commit(stages, out)
    data = manifest(out)
    data["backends"]["b"]["README.txt"] = data["backends"]["a"]["README.txt"]  # edited by hand
    (out / MANIFEST_NAME).write_text(json.dumps(data))
    (stages["a"] / "README.txt").unlink()
    plan = plan_commit(collect_staged(stages), out, ["a", "b"])
    assert [r.path for r in plan.removals] == ["README.txt"]
    apply_commit(plan)
    assert not (out / "README.txt").exists()
    assert all("README.txt" not in files for files in manifest(out)["backends"].values())


def test_leftovers_are_searched_only_where_builds_of_this_folder_write(stages, tmp_path):
    # Another project's output folder inside this one has a lock of its own:
    # its build's temporary files may be live. Nor is the rest of the user's
    # tree (.git, node_modules) searched on every build.
    out = tmp_path / "out"
    commit(stages, out)
    live = write(out / "docs" / "inner-project" / ".schema.ts.dazzle-tmp-0123abcd", "being written")
    ours = [
        write(out / "api" / ".openapi.yaml.dazzle-old-89abcdef", "x"),
        write(out / ".README.txt.dazzle-tmp-0123abcd", "x"),
    ]
    commit(stages, out)
    assert live.exists()
    assert not any(path.exists() for path in ours)


def test_leftovers_are_searched_in_folders_of_files_a_backend_that_did_not_run_wrote(stages, tmp_path):
    out = tmp_path / "out"
    commit(stages, out)
    leftover = write(out / "prisma" / ".schema.prisma.dazzle-old-0123abcd", "x")  # b wrote there
    commit({"a": stages["a"]}, out)
    assert not leftover.exists()


def test_an_owned_file_whose_folder_became_a_link_is_not_removed_through_it(stages, tmp_path):
    out = tmp_path / "out"
    commit(stages, out)
    elsewhere = tmp_path / "elsewhere"
    (out / "api").rename(elsewhere)  # same bytes, now outside the output folder
    (out / "api").symlink_to(elsewhere, target_is_directory=True)
    (stages["a"] / "api" / "openapi.yaml").unlink()
    plan = plan_commit(collect_staged(stages), out, ["a", "b"])
    assert plan.removals == () and [k.path for k in plan.kept] == ["api/openapi.yaml"]
    apply_commit(plan)
    assert (elsewhere / "openapi.yaml").read_text() == "openapi: 3.1.0\n"


def test_a_disk_full_while_writing_the_manifest_leaves_everything_as_it_was(stages, tmp_path, monkeypatch):
    out = tmp_path / "out"
    commit(stages, out)
    before, old_manifest = snapshot(out), (out / MANIFEST_NAME).read_bytes()
    (stages["a"] / "README.txt").unlink()  # a removal
    write(stages["a"] / "api" / "openapi.yaml", "openapi: 3.1.1\n")  # an update
    write(stages["b"] / "prisma" / "new.prisma", "model Y {}\n")  # an addition
    real = committer._write_all

    def full_disk_for_the_manifest(fd, data):
        if data.startswith(b'{\n  "backends"'):
            raise OSError(28, "No space left on device")
        real(fd, data)

    monkeypatch.setattr(committer, "_write_all", full_disk_for_the_manifest)
    with pytest.raises(OSError, match="No space"):
        commit(stages, out)
    assert snapshot(out) == before
    assert (out / MANIFEST_NAME).read_bytes() == old_manifest
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == sorted(
        [MANIFEST_NAME, *(Path(k).name for k in before)]
    )


def test_hard_links_between_two_outputs_are_two_names_not_one(tmp_path):
    # A deduplicating tool may hard-link equal files; replacing or removing
    # one name leaves the other as it was, so the build goes on.
    stage, out = tmp_path / "stage", tmp_path / "out"
    write(stage / "a.ts", "same\n")
    write(stage / "b.ts", "same\n")
    write(stage / "c.ts", "same\n")
    commit({"a": stage}, out)
    os.unlink(out / "b.ts")
    os.link(out / "a.ts", out / "b.ts")
    os.unlink(out / "c.ts")
    os.link(out / "a.ts", out / "c.ts")
    write(stage / "a.ts", "changed\n")
    (stage / "c.ts").unlink()
    plan = plan_commit(collect_staged({"a": stage}), out, ["a"])
    assert [r.path for r in plan.removals] == ["c.ts"]
    apply_commit(plan)
    assert (out / "a.ts").read_text() == "changed\n" and (out / "b.ts").read_text() == "same\n"
    assert not (out / "c.ts").exists()


# --- stop signals during the commit -------------------------------------------------------------------


def test_a_sigint_while_rolling_back_does_not_stop_the_roll_back_halfway(stages, tmp_path, hook, monkeypatch):
    import signal

    from dazzle.backends import interrupts

    out = tmp_path / "out"
    commit(stages, out)
    before = snapshot(out)
    for file in stages["a"].rglob("*"):
        if file.is_file():
            file.write_text("v2\n")
    write(stages["b"] / "prisma" / "schema.prisma", "model Y {}\n")
    rolling_back = []

    def fail_late(step, path):
        if (step, path) == ("swap", "prisma/schema.prisma"):
            rolling_back.append(True)
            raise CommitError("the disk went away")

    real_get_quietly = committer._Folders.get_quietly

    def signalled(self, *args, **kwargs):
        if rolling_back and rolling_back.pop():  # the first folder the roll back opens
            os.kill(os.getpid(), signal.SIGINT)
        return real_get_quietly(self, *args, **kwargs)

    hook(fail_late)
    monkeypatch.setattr(committer._Folders, "get_quietly", signalled)
    plan = plan_commit(collect_staged(stages), out)
    with interrupts.stop_signals_raise(), pytest.raises((CommitError, interrupts.StopRequested)):
        apply_commit(plan)
    assert not rolling_back  # the signal was sent
    assert snapshot(out) == before
    assert not list(out.rglob("*dazzle-tmp-*")) and not list(out.rglob("*dazzle-old-*"))
