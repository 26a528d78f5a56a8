"""`dazzle validate`, `dazzle inspect`, `dazzle --version` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from dazzle import __version__
from dazzle.cli import main

WARNING_APP = 'app x "X"\nentity Lonely:\n  id: uuid pk\n'
ERROR_APP = 'app x "X"\nentity Broken:\n  id: uuid pk\n  owner: ref Nobody\n  parent: ref Broken\n'


def run(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args), catch_exceptions=False)
    with runner.isolated_filesystem(temp_dir=cwd):
        return runner.invoke(main, list(args), catch_exceptions=False)


def test_validate_valid_project(examples):
    result = run("validate", str(examples / "helpdesk"))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.strip() == "helpdesk: valid (0 errors, 0 warnings)"


def test_validate_defaults_to_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "app.dsl").write_text('app here "Here"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.exit_code == 0
    assert "here: valid" in result.stderr


def test_validate_with_warnings_passes_unless_strict(tmp_path):
    path = tmp_path / "app.dsl"
    path.write_text(WARNING_APP, encoding="utf-8")
    lenient = run("validate", str(path))
    assert lenient.exit_code == 0
    assert f"{path}:2:8: warning[W002]: Unused entities (not referenced anywhere): Lonely" in lenient.stderr
    assert "   2 | entity Lonely:" in lenient.stderr
    strict = run("validate", str(path), "--strict")
    assert strict.exit_code == 1
    assert "warnings fail under --strict" in strict.stderr


def test_validate_with_errors_fails_and_shows_source_and_hint(tmp_path):
    path = tmp_path / "app.dsl"
    path.write_text(ERROR_APP, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{path}:4:14: error[E205]: unknown entity 'Nobody'" in result.stderr
    assert "   4 |   owner: ref Nobody\n     |              ^" in result.stderr
    assert "validation failed: 1 error, 0 warnings" in result.stderr


def test_validate_json_has_exactly_the_documented_shape(tmp_path):
    path = tmp_path / "app.dsl"
    path.write_text(ERROR_APP, encoding="utf-8")
    result = run("validate", str(path), "--json")
    assert result.exit_code == 1
    assert result.stderr == ""
    payload = json.loads(result.stdout)
    assert list(payload) == ["ok", "diagnostics"]
    assert payload["ok"] is False
    assert payload["diagnostics"] == [
        {
            "severity": "error",
            "code": "E205",
            "message": "unknown entity 'Nobody'",
            "file": str(path),
            "line": 4,
            "column": 14,
            "help": None,
        }
    ]


def test_validate_json_strict_turns_warnings_into_failure(tmp_path):
    path = tmp_path / "app.dsl"
    path.write_text(WARNING_APP, encoding="utf-8")
    lenient = json.loads(run("validate", str(path), "--json").stdout)
    assert lenient["ok"] is True and [d["code"] for d in lenient["diagnostics"]] == ["W002"]
    strict = run("validate", str(path), "--json", "--strict")
    assert strict.exit_code == 1
    assert json.loads(strict.stdout)["ok"] is False


def test_unknown_option_is_a_usage_error():
    result = run("validate", "--bogus")
    assert result.exit_code == 2


def test_inspect_prints_the_appspec_as_sorted_json(examples):
    result = run("inspect", str(examples / "helpdesk"))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["format_version"] == 1
    app = data["appspec"]
    assert (app["name"], app["title"], app["version"]) == ("helpdesk", "Help Desk — Support Centre", "1.2.0")
    ticket = next(e for e in app["domain"]["entities"] if e["name"] == "Ticket")
    status = next(f for f in ticket["fields"] if f["name"] == "status")
    assert status["type"]["kind"] == "enum"
    assert status["type"]["enum_values"] == ["open", "in_progress", "waiting", "resolved", "closed"]
    assert status["default"] == "open"
    assert status["location"]["line"] == 13
    invoice = next(e for e in app["domain"]["entities"] if e["name"] == "Invoice")
    vat = next(f for f in invoice["fields"] if f["name"] == "vat_rate")
    assert vat["default"] == "0.2000"  # decimals keep their exact digits, as strings
    surface = next(s for s in app["surfaces"] if s["name"] == "ticket_queue")
    assert surface["metadata"] == {"ui:layout": "kanban", "group_by": "status"}
    assert result.stdout == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_inspect_is_deterministic_across_hash_seeds(examples):
    outputs = set()
    for seed in ("1", "2", "3"):
        proc = subprocess.run(
            [sys.executable, "-m", "dazzle", "inspect", str(examples / "helpdesk")],
            capture_output=True,
            timeout=120,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        )
        assert proc.returncode == 0, proc.stderr
        outputs.add(proc.stdout)
    assert len(outputs) == 1


def test_inspect_with_errors_prints_no_json(tmp_path):
    path = tmp_path / "app.dsl"
    path.write_text(ERROR_APP, encoding="utf-8")
    result = run("inspect", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error[E205]" in result.stderr


def test_version_names_the_core():
    result = run("--version")
    assert result.exit_code == 0
    assert f"dazzle-core {__version__}" in result.stdout


def test_help_lists_the_commands():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("validate", "inspect"):
        assert command in result.stdout


def test_validate_imports_no_backend(examples):
    code = (
        "import sys; from click.testing import CliRunner; from dazzle.cli import main;"
        f"r = CliRunner().invoke(main, ['validate', {str(examples / 'helpdesk')!r}]);"
        "assert r.exit_code == 0, r.output;"
        "print(sorted(m for m in sys.modules if m.startswith('dazzle_backend') or m == 'dazzle.backends.registry'))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_help_imports_only_the_cli(examples):
    """`dazzle --help` and `dazzle build --help` stay fast: neither the
    compiler, the plugin machinery nor attrs is imported for them."""
    code = (
        "import sys; from click.testing import CliRunner; from dazzle.cli import main;"
        "rs = [CliRunner().invoke(main, args) for args in (['--help'], ['build', '--help'])];"
        "assert all(r.exit_code == 0 for r in rs), [r.output for r in rs];"
        "print(sorted(m for m in sys.modules if m.startswith(('dazzle.core', 'dazzle.backends', 'attr'))))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_every_error_is_printed_however_many(tmp_path):
    path = tmp_path / "app.dsl"
    path.write_text("app x\n" + "bogus\n" * 250, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stderr.count("error[E107]") == 250
    assert "more warning" not in result.stderr
    assert "validation failed: 250 errors, 0 warnings" in result.stderr


def test_very_many_warnings_are_cut_for_people_but_no_error_is_hidden_and_json_has_all(tmp_path):
    # 300 warnings placed before the one error: a cap on all diagnostics would hide it.
    (tmp_path / "dazzle.toml").write_text(
        '[project]\nroot = "core"\n[modules]\npaths = ["zz"]\n' + "".join(f"unknown{i} = 1\n" for i in range(300)),
        encoding="utf-8",
    )
    (tmp_path / "zz").mkdir()
    (tmp_path / "zz" / "core.dsl").write_text("app x\nbogus\n", encoding="utf-8")
    result = run("validate", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.count("error[E107]") == 1
    assert result.stderr.count("warning[W010]") == 199
    assert "... and 101 more warnings (`dazzle validate --json` lists them all)" in result.stderr
    assert "validation failed: 1 error, 300 warnings" in result.stderr
    assert len(json.loads(run("validate", str(tmp_path), "--json").stdout)["diagnostics"]) == 301
