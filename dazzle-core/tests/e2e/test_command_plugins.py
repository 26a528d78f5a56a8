"""Command backends from installed distributions (run by `nox -s plugins`):
dazzle-test-command publishes `shipped`, a ``CommandBackend`` subclass whose
program is a script inside its wheel; and a project's ``[backends.good]``
collides with dazzle-test-good's `good`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from installed_command import require_installed, run_dazzle
from shop_project import SHOP_TOML, write_shop


@pytest.fixture(scope="module", autouse=True)
def installed():
    require_installed("dazzle-test-command", "dazzle-test-good", session="plugins")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_shop(tmp_path / "shop")


def test_a_published_command_backend_is_listed_with_its_distribution(project: Path) -> None:
    listed = run_dazzle("backends", "--json", cwd=project)
    assert listed.returncode == 0, listed.stderr
    shipped = {b["name"]: b for b in json.loads(listed.stdout)["backends"]}["shipped"]
    assert shipped["status"] == "available"
    assert shipped["description"] == "Notes where it ran (a script shipped in the wheel)"
    assert shipped["distributions"] == [
        {
            "name": "dazzle-test-command",
            "version": "0.1.0",
            "entry_point": "shipped = dazzle_test_command:ShippedBackend",
        }
    ]
    assert [(o["name"], o["type"], o["default"]) for o in shipped["options"]] == [
        ("prefix", "str", "shipped"),
        ("warn", "bool", False),
    ]


def test_a_published_command_backend_runs_its_shipped_program_in_the_project_folder(project: Path) -> None:
    # Built from elsewhere: the command still runs in the project folder.
    run = run_dazzle("build", str(project), "-b", "shipped", "-O", "prefix=hey", "-O", "warn=yes", cwd=project.parent)
    assert run.returncode == 0, run.stderr
    assert (project / "build" / "shipped" / "info.txt").read_text() == f"prefix=hey\ncwd={project}\n"
    assert "[shipped] shipped ran" in run.stderr
    assert f"{project / 'dsl' / 'core.dsl'}:4:1: warning[shipped X001]: shipped warns" in run.stderr
    bad = run_dazzle("build", str(project), "-b", "shipped", "-O", "warn=perhaps", cwd=project)
    assert bad.returncode == 2 and "option 'warn' of backend 'shipped' must be a boolean" in bad.stderr


def test_a_project_backend_named_like_an_installed_one_is_a_conflict(project: Path) -> None:
    (project / "dazzle.toml").write_text(SHOP_TOML + '\n[backends.good]\ncommand = ["sh", "-c", "touch ran"]\n')
    listed = run_dazzle("backends", cwd=project)
    assert listed.returncode == 0, listed.stderr
    reason = (
        "backend 'good' is claimed by dazzle.toml [backends.good] and by dazzle-test-good 0.1.0; "
        "rename the [backends.good] table or uninstall the distribution"
    )
    assert (
        f"good  [CONFLICT]\n    from: dazzle.toml [backends.good], command 'sh -c touch ran'\n"
        f"    from: dazzle-test-good 0.1.0, entry point 'good = dazzle_test_good.good:GoodBackend'\n"
        f"    reason: {reason}" in listed.stdout
    )
    run = run_dazzle("build", "-b", "good", cwd=project)
    assert run.returncode == 1
    assert f"Backend error: {reason}" in run.stderr
    assert not (project / "ran").exists() and not (project / "build").exists()
