"""Bad input of every kind ends in a diagnostic and exit status 1 (2 for usage
errors), never a traceback and never a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from dazzle.cli import main

GOOD_TOML = '[project]\nname = "x"\nroot = "core"\n[modules]\npaths = ["dsl"]\n'
APP = "app x\n"

# (id, files to write, path to validate, expected code, expected location "file:line:col" or None)
CASES = [
    ("empty file", {"a.dsl": ""}, "a.dsl", "E012", "a.dsl:1:1"),
    ("only comments", {"a.dsl": "# nothing here\n   # still nothing\n"}, "a.dsl", "E012", "a.dsl:1:1"),
    ("NUL byte", {"a.dsl": b"app x\nentity A:\n  id: uu\x00id pk\n"}, "a.dsl", "E003", "a.dsl:3:9"),
    ("binary file", {"a.dsl": bytes(range(256))}, "a.dsl", "E003", "a.dsl:1:1"),
    ("latin-1 text", {"a.dsl": 'app x "Caf\xe9"\n'.encode("latin-1")}, "a.dsl", "E002", "a.dsl:1:11"),
    ("UTF-16 text", {"a.dsl": "app x\n".encode("utf-16")}, "a.dsl", "E003", "a.dsl:1:4"),
    ("empty dazzle.toml", {"dazzle.toml": "", "dsl/core.dsl": APP}, ".", "E010", "dazzle.toml:0:0"),
    ("dangling link", {"main.dsl": APP, "@link gone.dsl": "nowhere.dsl"}, ".", "E001", "gone.dsl:0:0"),
    ("FIFO named like a module", {"main.dsl": APP, "@fifo pipe.dsl": ""}, ".", "E001", "pipe.dsl:0:0"),
    ("not a .dsl file", {"notes.txt": "app x\n"}, "notes.txt", "E010", "notes.txt:0:0"),
    ("empty folder", {"sub/keep.txt": ""}, "sub", "E010", "sub:0:0"),
    ("dazzle.toml not TOML", {"dazzle.toml": "[project\nroot = 1\n"}, ".", "E010", "dazzle.toml:1:9"),
    ("dazzle.toml not UTF-8", {"dazzle.toml": b'[project]\nname = "\xff"\n'}, ".", "E010", "dazzle.toml:0:0"),
    ("dazzle.toml without [project]", {"dazzle.toml": '[modules]\npaths = ["dsl"]\n'}, ".", "E010", "dazzle.toml:0:0"),
    ("root is not a string", {"dazzle.toml": "[project]\nroot = 3\n"}, ".", "E010", "dazzle.toml:2:1"),
    ("root is not a module name", {"dazzle.toml": '[project]\nroot = "a..b"\n'}, ".", "E010", "dazzle.toml:2:1"),
    (
        "paths is not a list",
        {"dazzle.toml": '[project]\nroot = "core"\n[modules]\npaths = "dsl"\n'},
        ".",
        "E010",
        "dazzle.toml:4:1",
    ),
    ("paths folder missing", {"dazzle.toml": GOOD_TOML}, ".", "E010", "dazzle.toml:5:1"),
    ("no modules under paths", {"dazzle.toml": GOOD_TOML, "dsl/readme.txt": "hi"}, ".", "E010", "dazzle.toml:5:1"),
    (
        "version is not a string",
        {"dazzle.toml": GOOD_TOML.replace('name = "x"', "version = 1.0"), "dsl/core.dsl": APP},
        ".",
        "E010",
        "dazzle.toml:2:1",
    ),
    ("root module missing", {"dazzle.toml": GOOD_TOML, "dsl/other.dsl": APP}, ".", "E011", "dazzle.toml:3:1"),
    ("tab indentation", {"a.dsl": APP + "entity A:\n\tid: uuid pk\n"}, "a.dsl", "E101", "a.dsl:3:1"),
    (
        "non-breaking space indentation",
        {"a.dsl": APP + "entity A:\n\u00a0 id: uuid pk\n"},
        "a.dsl",
        "E106",
        "a.dsl:3:1",
    ),
    ("lone carriage return", {"a.dsl": APP + "entity A:\r  id: uuid pk\n"}, "a.dsl", "E106", "a.dsl:2:10"),
    ("unicode identifier", {"a.dsl": APP + "entity Entité:\n  id: uuid pk\n"}, "a.dsl", "E106", "a.dsl:2:13"),
    ("unterminated string", {"a.dsl": 'app x "X\n'}, "a.dsl", "E105", "a.dsl:1:7"),
    ("block never opened", {"a.dsl": APP + "entity A:\n"}, "a.dsl", "E103", "a.dsl:2:9"),
    ("indent without block", {"a.dsl": APP + "  entity A:\n    id: uuid pk\n"}, "a.dsl", "E102", "a.dsl:2:3"),
    ("declaration without name", {"a.dsl": APP + "entity:\n  id: uuid pk\n"}, "a.dsl", "E100", "a.dsl:2:7"),
    ("lone colon", {"a.dsl": APP + ":\n"}, "a.dsl", "E107", "a.dsl:2:1"),
    ("garbage after header", {"a.dsl": APP + "entity A: extra\n  id: uuid pk\n"}, "a.dsl", "E100", "a.dsl:2:11"),
    ("unknown top-level word", {"a.dsl": APP + "workspace main:\n  x: 1\n"}, "a.dsl", "E107", "a.dsl:2:1"),
    ("number where a name goes", {"a.dsl": APP + "entity 42:\n  id: uuid pk\n"}, "a.dsl", "E100", "a.dsl:2:8"),
    ("negative str length", {"a.dsl": APP + "entity A:\n  id: uuid pk\n  s: str(-1)\n"}, "a.dsl", "E305", "a.dsl:4:10"),
    (
        "deep indentation",
        {
            "a.dsl": APP
            + "entity A:\n  id: uuid pk\n"
            + "".join(" " * (2 * i) + "x:\n" for i in range(2, 400))
            + " " * 800
            + "y: int\n"
        },
        "a.dsl",
        "E102",
        "a.dsl:4:5",
    ),
    (
        "very long line",
        {"a.dsl": APP + "entity A:\n  id: uuid pk " + "required " * 20000 + "\n"},
        "a.dsl",
        "E109",
        "a.dsl:3:24",
    ),
]


def write(root: Path, files: dict) -> None:
    for rel, content in files.items():
        if rel.startswith("@link "):
            (root / rel[6:]).symlink_to(root / content)
            continue
        if rel.startswith("@fifo "):
            os.mkfifo(root / rel[6:])
            continue
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")


@pytest.mark.parametrize(("files", "path", "code", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gives_a_diagnostic(tmp_path, monkeypatch, files, path, code, where):
    write(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", path, "--json"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    import json

    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    found = [d for d in payload["diagnostics"] if d["code"] == code]
    assert found, payload
    d = found[0]
    location = f"{Path(d['file']).name if d['file'] not in ('.', '') else '.'}:{d['line']}:{d['column']}"
    assert location == where, d["message"]
    assert d["severity"] == "error"


def test_there_are_at_least_thirty_bad_input_cases():
    assert len(CASES) >= 30


def test_bad_input_through_the_installed_command_has_no_traceback(tmp_path):
    (tmp_path / "a.dsl").write_bytes(b"app x\nentity A:\n\tid: \xff\x00\n")
    proc = subprocess.run(
        [sys.executable, "-m", "dazzle", "validate", str(tmp_path / "a.dsl")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "error[E003]" in proc.stderr


def test_missing_path_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nope")], catch_exceptions=False)
    assert result.exit_code == 2
    assert "does not exist" in result.output
