"""The command line's manners: `python -m dazzle`, the help text in --json,
colour only where it belongs, help texts that point at nothing a user lacks,
and shell completion."""

from __future__ import annotations

import json
import os
import pty
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from dazzle.cli import main
from installed_command import DAZZLE, require_installed

# One error with a hint (a misspelt entity) and one warning with a hint.
BAD_APP = 'app x "X"\nentity Ticket:\n  id: uuid pk\n  parent: ref Tickt\nentity Lonely:\n  id: uuid pk\n'
ESC = "\x1b"


@pytest.fixture
def bad_app(tmp_path: Path) -> Path:
    path = tmp_path / "app.dsl"
    path.write_text(BAD_APP, encoding="utf-8")
    return path


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_python_m_dazzle_runs_the_command(examples):
    version = subprocess.run([sys.executable, "-m", "dazzle", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("dazzle-core ")
    done = subprocess.run(
        [sys.executable, "-m", "dazzle", "validate", str(examples / "bookshop")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "bookshop: valid (0 errors, 0 warnings)"


def test_json_diagnostics_carry_the_help_people_see(bad_app):
    human = run("validate", str(bad_app))
    payload = json.loads(run("validate", str(bad_app), "--json").stdout)
    helps = {(d["code"], d["line"]): d["help"] for d in payload["diagnostics"]}
    assert helps[("E205", 4)] == "did you mean 'Ticket'?"
    assert helps[("W002", 5)] == "reference it from a ref field, a surface, a response mapping or a sync, or remove it"
    for d in payload["diagnostics"]:
        assert f"  = help: {d['help']}\n" in human.stderr


def test_no_colour_when_not_a_terminal(bad_app):
    result = run("validate", str(bad_app))
    assert "error[E205]" in result.stderr and ESC not in result.stderr


def test_force_color_colours_severities_carets_and_help(bad_app):
    result = run("validate", str(bad_app), env={"FORCE_COLOR": "1"})
    red, yellow = click.style("error[E205]", fg="red", bold=True), click.style("warning[W002]", fg="yellow", bold=True)
    assert f"{bad_app}:4:15: {red}: unknown entity 'Tickt'" in result.stderr
    assert f"{bad_app}:5:8: {yellow}: Unused entities" in result.stderr
    assert click.style("^", fg="red", bold=True) in result.stderr
    assert click.style("^", fg="yellow", bold=True) in result.stderr
    assert f"  = {click.style('help', fg='cyan', bold=True)}: did you mean 'Ticket'?" in result.stderr
    assert click.unstyle(result.stderr) == run("validate", str(bad_app)).stderr


def test_no_color_wins_over_force_color(bad_app):
    result = run("validate", str(bad_app), env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "error[E205]" in result.stderr and ESC not in result.stderr


def test_escape_sequences_from_the_source_never_reach_the_terminal(tmp_path):
    path = tmp_path / "app.dsl"
    path.write_text('app x "X"\nentity Lonely:\n  id: uuid pk # \x1b[2J\n  n: ref Nob\x1b[2Jody\n', encoding="utf-8")
    result = run("validate", str(path), env={"FORCE_COLOR": "1"})
    assert result.exit_code == 1
    assert "\x1b[2J" not in result.stderr and "\ufffd[2J" in result.stderr
    assert ESC in result.stderr  # our own colours are still there


def on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """What a command writes to stderr when stderr is a terminal (a pty)."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "dazzle", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=follower,
            env=env,
            timeout=120,
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # Linux: EIO once the pty is drained and closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert proc.returncode == 1
    return b"".join(chunks).decode("utf-8")


def test_a_terminal_gets_colour_unless_no_color(bad_app):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    coloured = on_a_terminal(["validate", str(bad_app)], env)
    assert click.style("error[E205]", fg="red", bold=True) in coloured
    plain = on_a_terminal(["validate", str(bad_app)], {**env, "NO_COLOR": "1"})
    assert "error[E205]" in plain and ESC not in plain


def every_help_text() -> dict[str, str]:
    texts = {"dazzle": main.get_help(click.Context(main, info_name="dazzle"))}
    for name, command in main.commands.items():
        texts[name] = command.get_help(click.Context(command, info_name=name))
    return texts


def test_help_texts_point_at_nothing_an_installed_user_lacks():
    texts = every_help_text()
    assert set(texts) >= {"dazzle", "validate", "inspect", "build", "backends", "new-backend"}
    for name, text in texts.items():
        assert "docs/" not in text and ".md" not in text, (name, text)
    assert '"format_version": 1' in texts["inspect"] and "dazzle inspect --schema" in texts["inspect"]


def dazzle_script() -> str:
    """The installed `dazzle` console script of this interpreter's environment."""
    require_installed(session="core")
    return str(DAZZLE)


def test_the_main_help_says_how_to_turn_on_completion():
    assert 'eval "$(_DAZZLE_COMPLETE=bash_source dazzle)"' in run("--help").stdout


def bash_completion_script() -> str:
    """What `_DAZZLE_COMPLETE=bash_source dazzle` prints: the script a user's
    shell loads."""
    env = {**os.environ, "_DAZZLE_COMPLETE": "bash_source"}
    source = subprocess.run([dazzle_script()], capture_output=True, text=True, env=env, timeout=60)
    assert source.returncode == 0, source.stderr
    return source.stdout


def bash_completes(words: list[str], cwd: Path) -> list[str]:
    """What bash offers for the last of ``words`` with the completion script
    loaded, as a user's shell does."""
    bash = shutil.which("bash")
    assert bash, "bash is needed to check the completion script"
    quoted = " ".join("'" + word.replace("'", "'\\''") + "'" for word in words)
    script = (
        bash_completion_script()
        + f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; _dazzle_completion dazzle; "
        + 'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    path = os.pathsep.join((str(Path(dazzle_script()).parent), os.environ.get("PATH", "")))
    done = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path},
        cwd=cwd,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_bash_completion_script_is_produced_and_completes(tmp_path):
    script = bash_completion_script()
    assert "_dazzle_completion()" in script
    assert "complete -o nosort -F _dazzle_completion dazzle" in script
    # What bash offers after `dazzle va<TAB>` and `dazzle build --ch<TAB>`.
    assert bash_completes(["dazzle", "va"], tmp_path) == ["validate"]
    assert bash_completes(["dazzle", "build", "--ch"], tmp_path) == ["--check"]


#: A project with two command backends (never run by completion: each would
#: leave a file named `ran` in the project folder).
COMPLETION_TOML = """\
[project]
name = "shop"
root = "shop"

[build]
backends = ["tslint"]

[backends.tsgen]
command = ["{python}", "-c", "open('ran', 'w')"]
description = "TypeScript types"
options = {{ banner = {{ type = "str", help = "A first line for every file" }}, strict = {{ type = "bool" }} }}

[backends.tslint]
command = ["{python}", "-c", "open('ran', 'w')"]
options = {{ rules = {{ type = "list[str]", choices = ["semi", "quotes", "indent"] }} }}
"""


@pytest.fixture
def completion_project(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    root.mkdir()
    (root / "shop.dsl").write_text('app shop "Shop"\n\nentity Product "Product":\n  id: uuid pk\n')
    (root / "dazzle.toml").write_text(COMPLETION_TOML.format(python=sys.executable))
    return root


def test_build_completes_backend_names_and_the_chosen_backends_options(completion_project):
    project = str(completion_project)
    assert bash_completes(["dazzle", "build", project, "-b", "ts"], completion_project) == ["tsgen", "tslint"]
    # PATH not typed yet: the project of the current folder.
    assert bash_completes(["dazzle", "build", "-b", "tsg"], completion_project) == ["tsgen"]
    # A name already chosen is not offered again.
    assert bash_completes(["dazzle", "build", project, "-b", "tsgen", "-b", "ts"], completion_project) == ["tslint"]
    # -O: the options of the backends chosen with -b, else those of [build] backends.
    assert bash_completes(["dazzle", "build", project, "-b", "tsgen", "-O", ""], completion_project) == [
        "banner=",
        "strict=",
    ]
    assert bash_completes(["dazzle", "build", project, "-O", ""], completion_project) == ["rules="]
    words = ["dazzle", "build", project, "-b", "tsgen", "-b", "tslint", "-O", "tslint."]
    assert bash_completes(words, completion_project) == ["tslint.rules="]
    assert bash_completes(["dazzle", "build", project, "-b", "tsgen", "-O", "s"], completion_project) == ["strict="]
    assert not (completion_project / "ran").exists()  # no backend was run
    assert not (completion_project / "build").exists()


def zsh_completes(words: list[str], cwd: Path) -> list[str]:
    """What zsh's completion script is given for the last of ``words``, by
    click's protocol against the installed command. (zsh, like fish, keeps
    ``KEY=VALUE`` one word; bash splits it at the ``=``, so values are
    completed in zsh and fish only.)"""
    env = {
        **os.environ,
        "_DAZZLE_COMPLETE": "zsh_complete",
        "COMP_WORDS": " ".join(shlex.quote(word) for word in words),
        "COMP_CWORD": str(len(words) - 1),
    }
    done = subprocess.run([dazzle_script()], capture_output=True, text=True, env=env, cwd=cwd, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    lines = done.stdout.strip("\n").splitlines()  # no items: an empty line
    return [lines[i + 1] for i in range(0, len(lines), 3)]  # each item: type, value, help


def test_build_completes_the_values_an_option_allows(completion_project):
    with (completion_project / "dazzle.toml").open("a") as config:
        config.write(
            f'\n[backends.tsfmt]\ncommand = ["{sys.executable}", "-c", "open(\'ran\', \'w\')"]\n'
            'options = { style = { choices = ["loose", "strict"] } }\n'
        )
    project = str(completion_project)
    both = ["dazzle", "build", project, "-b", "tsgen", "-b", "tslint", "-b", "tsfmt", "-O"]
    assert zsh_completes([*both, "strict="], completion_project) == ["strict=true", "strict=false"]
    assert zsh_completes([*both, "strict=t"], completion_project) == ["strict=true"]
    assert zsh_completes([*both, "style="], completion_project) == ["style=loose", "style=strict"]
    assert zsh_completes([*both, "banner="], completion_project) == []  # any text goes
    # A list: the items not given yet, after those given.
    assert zsh_completes([*both, "rules="], completion_project) == ["rules=semi", "rules=quotes", "rules=indent"]
    assert zsh_completes([*both, "rules=semi,"], completion_project) == ["rules=semi,quotes", "rules=semi,indent"]
    assert zsh_completes([*both, "tslint.rules=semi,i"], completion_project) == ["tslint.rules=semi,indent"]
    assert zsh_completes([*both, "tsgen.rules="], completion_project) == []  # not an option of tsgen
    assert not (completion_project / "ran").exists()
