"""The manifest end to end: the installed `dazzle` command with the
pip-installed dazzle-test-owned (backend `owned`) and dazzle-test-good
(backend `good`). A backend that ran removes the files it wrote last time and
no longer writes; nothing else is removed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from installed_command import require_installed, run_dazzle

MANIFEST = ".dazzle-manifest.json"

APP = """\
app shop "Shop"

entity Product "Product":
  id: uuid pk
  name: str(100) required

entity Order "Order":
  id: uuid pk
  product: ref Product required
"""


@pytest.fixture(scope="module", autouse=True)
def installed():
    require_installed("dazzle-test-owned", "dazzle-test-good", session="plugins")


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "shop"
    root.mkdir()
    (root / "shop.dsl").write_text(APP)
    return root


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_switching_an_option_off_removes_the_file_and_the_folder_it_made(project):
    out = project / "build"
    result = run_dazzle("build", str(project), "-b", "owned", "-b", "good")
    assert result.returncode == 0, result.stderr
    assert "owned/extras/notes.txt" in files(out)
    (out / "owned" / "README.md").write_text("the user's own\n")
    before = {p: (out / p).read_bytes() for p in files(out)}

    result = run_dazzle("build", str(project), "-b", "owned", "-O", "extras=no", "--check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"update {out / MANIFEST}",
        f"remove {out / 'owned' / 'extras' / 'notes.txt'}",
    ]
    assert "build: 0 to add, 0 to update, 1 to remove, 3 unchanged (owned)" in result.stderr
    assert {p: (out / p).read_bytes() for p in files(out)} == before

    result = run_dazzle("build", str(project), "-b", "owned", "-O", "extras=no")
    assert result.returncode == 0, result.stderr
    assert f"removed {out / 'owned' / 'extras' / 'notes.txt'}" in result.stdout.splitlines()
    assert "build: 0 added, 0 updated, 1 removed, 3 unchanged (owned)" in result.stderr
    assert not (out / "owned" / "extras").exists()
    # good did not run: its files stay; the user's file stays.
    assert set(files(out)) == set(before) - {"owned/extras/notes.txt"}
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["format"] == 1
    assert sorted(manifest["backends"]["owned"]) == [
        "owned/entities/Order.txt",
        "owned/entities/Product.txt",
        "owned/main.txt",
    ]
    assert manifest["backends"]["owned"]["owned/main.txt"] == hashlib.sha256(b"app shop\n").hexdigest()
    assert "good" in manifest["backends"]

    assert run_dazzle("build", str(project), "-b", "owned", "-O", "extras=no", "--check").returncode == 0


def test_deleting_an_entity_removes_its_file_but_an_edited_one_is_kept_with_a_warning(project):
    out = project / "build"
    assert run_dazzle("build", str(project), "-b", "owned").returncode == 0
    (out / "owned" / "entities" / "Product.txt").write_text("my notes on products\n")
    (project / "shop.dsl").write_text('app shop "Shop"\n\nentity Customer "Customer":\n  id: uuid pk\n')

    result = run_dazzle("build", str(project), "-b", "owned")
    assert result.returncode == 0, result.stderr
    assert f"removed {out / 'owned' / 'entities' / 'Order.txt'}" in result.stdout.splitlines()
    assert f"added   {out / 'owned' / 'entities' / 'Customer.txt'}" in result.stdout.splitlines()
    assert (
        f"warning: kept {out / 'owned' / 'entities' / 'Product.txt'}: backend 'owned' no longer writes it, "
        "but its bytes changed since that backend wrote it; it is yours now"
    ) in result.stderr
    assert (out / "owned" / "entities" / "Product.txt").read_text() == "my notes on products\n"
    assert not (out / "owned" / "entities" / "Order.txt").exists()


def test_a_corrupt_manifest_removes_nothing_and_is_rewritten(project):
    out = project / "build"
    assert run_dazzle("build", str(project), "-b", "owned").returncode == 0
    (out / MANIFEST).write_text('{"format": 1, "backends": ["not", "a", "table"]}')
    result = run_dazzle("build", str(project), "-b", "owned", "-O", "extras=no")
    assert result.returncode == 0, result.stderr
    assert "the manifest is not one this dazzle wrote" in result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "owned" / "extras" / "notes.txt").exists()
    assert "owned/extras/notes.txt" not in json.loads((out / MANIFEST).read_text())["backends"]["owned"]
