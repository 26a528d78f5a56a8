"""The build pipeline without the CLI: selection, staging, commit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dazzle.backends import Backend, BackendError, BackendRegistry
from dazzle.backends.committer import CommitError
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
    for name, cls in [("writes", Writes), ("escapes", Escapes), ("removes", RemovesItsFolder),
                      ("exits", Exits), ("refuses", Refuses)]:
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

    seen = []

    class Watches(Backend):
        def generate(self, appspec, output_dir, **options):
            seen.append(gc.isenabled())
            raise BackendError("stop here")

    registry = BackendRegistry(distributions=lambda: ())
    registry.register("watches", Watches)
    assert gc.isenabled()
    with pytest.raises(BackendRunError):
        build(APPSPEC, load_targets(registry, ["watches"]), {"watches": {}}, tmp_path / "out")
    assert seen == [False]
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
    seen = []

    class Looks(Backend):
        def generate(self, appspec, output_dir, **options):
            seen.append(output_dir)
            (output_dir / "x.txt").write_text("x")

    registry.register("looks", Looks)
    run(registry, tmp_path / "out", "looks")
    assert seen[0].is_relative_to(cache_folder)
    assert not seen[0].exists()
