"""One regression test per class of hostile input found by the attack on the
front end (issue 10): each ended in a traceback, a hang, a hidden error or a
terminal-unsafe message. Scaling is shown by `bench/run.py --pathological`,
not here."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from dazzle.cli import main
from dazzle.core.compiler import compile_path, compile_source
from dazzle.core.diagnostics import printable
from dazzle.core.linker import Linker, Reachability
from dazzle.core.project import read_regular_file
from hypothesis import given, settings
from hypothesis import strategies as st

APP = 'app x "X"\n'
ENTITY = APP + "entity Thing:\n  id: uuid pk\n"
HUGE = "9" * 5000  # past Python's int-string limit (4,300 digits)


def codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


def only(result, code: str):
    found = [d for d in result.diagnostics if d.code == code]
    assert len(found) == 1, [(d.code, d.message) for d in result.diagnostics]
    return found[0]


# --- numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "fits"),
    [
        ("x: decimal(30,29)=1.5", True),  # more digits than the decimal module's default context (28)
        ("x: decimal(1000,999)=0." + "1" * 999, True),
        ("x: decimal(1000,0)=" + "9" * 1000, True),
        ("x: decimal(1000,0)=1" + "0" * 1000, False),
        ("x: decimal(4,2)=1.50", True),
        ("x: decimal(4,2)=1.505", False),
        ("x: decimal(4,2)=100.5", False),
        ("x: decimal(4,2)=-99.99", True),
        ("x: decimal(3,3)=0.000", True),
        ("x: decimal(2,0)=0", True),
    ],
)
def test_decimal_defaults_are_checked_by_their_digits(field, fits):
    result = compile_source(ENTITY + "  " + field + "\n", "m.dsl")
    assert ("E303" not in codes(result)) is fits, result.diagnostics


@pytest.mark.parametrize("precision", ["1001", "9999999"])
def test_a_decimal_wider_than_any_database_is_an_error(precision):
    d = only(compile_source(ENTITY + f"  x: decimal({precision},0)=1\n", "m.dsl"), "E305")
    assert f"decimal({precision},0): the precision must be at most 1000" in d.message
    assert (d.line, d.column) == (4, 14)


@pytest.mark.parametrize(
    ("line", "column"),
    [
        (f"  x: str({HUGE})\n", 10),
        (f"  x: decimal({HUGE},2)\n", 14),
        (f"  x: decimal(10,{HUGE})\n", 17),
        (f"  x: int={HUGE}\n", 10),
        (f"  x: int default={HUGE}\n", 18),
        (f"  x: decimal(10,2)=1.{HUGE}\n", 20),
        (f"  x: int=-{HUGE}\n", 10),
    ],
)
def test_a_number_past_the_int_string_limit_is_an_error_in_a_field(line, column):
    d = only(compile_source(ENTITY + line, "m.dsl"), "E112")
    assert (d.line, d.column) == (4, column)
    assert "at most 1001" in d.message


def test_a_number_past_the_int_string_limit_is_an_error_as_an_option_and_a_call_literal():
    text = (
        APP + "entity Thing:\n  id: uuid pk\n  x: int\n"
        f"surface s:\n  uses entity Thing\n  mode: list\n  meta ui:size={HUGE}\n  section main:\n    field x\n"
        'service mailer:\n  spec: inline "m"\n'
        "integration notify:\n  uses service mailer\n  action go:\n    call mailer.send with:\n"
        f"      count <- {HUGE}\n"
    )
    result = compile_source(text, "m.dsl")
    assert [(d.code, d.line) for d in result.diagnostics if d.is_error] == [("E112", 8), ("E112", 17)]


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        (f"{HUGE} * * * *", "is outside 0-59"),
        (f"1-{HUGE} * * * *", "is outside 0-59"),
        (f"*/{HUGE} * * * *", None),  # a step longer than the range is valid cron: it runs at 0 only
    ],
)
def test_a_cron_value_past_the_int_string_limit_is_checked_without_int(schedule, problem):
    text = (
        APP + "entity Reading:\n  id: uuid pk\n  v: int\n"
        'service api:\n  spec: url "https://example.com/openapi.json"\n'
        "foreign_model Row from api:\n  key: id\n  field id: str(20)\n"
        "integration sync_in:\n  uses service api\n  uses foreign_model Row\n"
        f'  sync pull:\n    mode: scheduled\n    schedule: "{schedule}"\n'
        "    from api.list as Row\n    into entity Reading\n    match on:\n      id <-> v\n"
    )
    result = compile_source(text, "m.dsl")
    if problem is None:
        assert "E309" not in codes(result)
    else:
        assert problem in only(result, "E309").message


# --- the lexer's own errors at the top level ----------------------------------------


@pytest.mark.parametrize("line", ['"\\q"', '"\\q" entity', f"{HUGE}"])
def test_a_token_error_on_the_first_word_of_a_top_level_line_is_a_diagnostic(line):
    result = compile_source(line + "\n" + APP, "m.dsl")
    assert result.diagnostics and result.diagnostics[0].line == 1


# --- dazzle.toml ----------------------------------------------------------------


def project(tmp_path: Path, toml: str, dsl: str = APP) -> Path:
    (tmp_path / "dazzle.toml").write_text('[project]\nroot = "core"\n' + toml, encoding="utf-8")
    (tmp_path / "core.dsl").write_text(dsl, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("value", ["[" * 500 + "]" * 500, "{a=" * 500 + "1" + "}" * 500])
def test_a_deeply_nested_dazzle_toml_is_an_error(tmp_path, value):
    d = only(compile_path(project(tmp_path, f"x = {value}\n")), "E010")
    assert "nests arrays or tables too deeply" in d.message


def test_unknown_dazzle_toml_keys_are_located_each_on_its_line(tmp_path):
    keys = "".join(f"key{i} = 1\n" for i in range(50)) + '[build]\nout = "b"\nbackendz = []\n"quoted" = 2\n'
    result = compile_path(project(tmp_path, keys))
    w010 = [d for d in result.diagnostics if d.code == "W010"]
    assert [(d.line, d.column) for d in w010[:3]] == [(3, 1), (4, 1), (5, 1)]
    assert [(d.line, d.column) for d in w010 if "backendz" in d.message] == [(55, 1)]
    assert [(d.line, d.column) for d in w010 if "quoted" in d.message] == [(56, 2)]


# --- files that are not regular files ----------------------------------------------


def test_a_module_linked_to_a_kernel_file_is_not_read(tmp_path):
    # /proc files claim size 0 and then give data (or, like /proc/kmsg, block).
    (tmp_path / "core.dsl").write_text(APP, encoding="utf-8")
    (tmp_path / "kernel.dsl").symlink_to("/proc/self/status")
    result = compile_path(tmp_path)
    d = only(result, "E001")
    assert Path(d.file).name == "kernel.dsl" and (d.line, d.column) == (0, 0)


def test_a_module_linked_to_a_fifo_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "core.dsl").write_text(APP, encoding="utf-8")
    (tmp_path / "pipe.dsl").symlink_to(tmp_path / "pipe")
    assert "not a regular file" in only(compile_path(tmp_path), "E001").message


def test_read_regular_file_reads_a_regular_file_whole(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 100_000)
    assert read_regular_file(tmp_path / "a") == b"x" * 100_000
    (tmp_path / "empty").write_bytes(b"")
    assert read_regular_file(tmp_path / "empty") == b""


# --- no project: no made-up place -------------------------------------------------


def test_with_no_project_found_the_place_is_the_full_folder_name_and_no_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "."])
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{tmp_path}: error[E010]: no dazzle.toml and no .dsl files"), first
    assert ".:1:1" not in result.stderr


# --- long tokens --------------------------------------------------------------------


def test_a_very_long_token_is_quoted_as_a_short_excerpt():
    name = "x" * 2_000_000
    result = compile_source(APP + f"entity Thing:\n  id: uuid pk\n  {name}\n", "m.dsl")
    rendered = "\n".join(result.render_diagnostics())
    assert result.diagnostics and len(rendered) < 2000
    assert "(2000000 characters)" in rendered


# --- terminal safety ------------------------------------------------------------------


BIDI_AND_C1 = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u0080",
    "\u009b",
    "\u009f",
    "\x1b",
    "\x7f",
]


@pytest.mark.parametrize("ch", BIDI_AND_C1, ids=[f"U+{ord(c):04X}" for c in BIDI_AND_C1])
def test_bidi_and_control_characters_are_escaped_in_source_lines_values_and_file_names(tmp_path, ch):
    folder = tmp_path / f"odd{ch}name"
    folder.mkdir()
    (folder / "core.dsl").write_text(
        APP + f'entity Thing "T{ch}":\n  id: uuid pk\n  s: str(1)="ab{ch}"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 1
    assert "E303" in result.stderr
    assert ch not in result.stderr
    assert "odd\ufffdname" in result.stderr
    as_json = CliRunner().invoke(main, ["validate", str(folder), "--json"])
    assert ch in json.loads(as_json.stdout)["diagnostics"][0]["file"]


def test_printable_keeps_text_tabs_and_newlines():
    assert printable("héllo\tworld\n→ “ok”") == "héllo\tworld\n→ “ok”"


# --- issue 13: diagnostics worth one more pass -------------------------------------


def test_use_is_accepted_anywhere_at_the_top_level(tmp_path):
    (tmp_path / "dazzle.toml").write_text('[project]\nroot = "core"\n', encoding="utf-8")
    (tmp_path / "core.dsl").write_text(
        'app x "X"\nentity Order:\n  id: uuid pk\n  customer: ref Customer\nuse people\n'
        "surface orders:\n  uses entity Order\n  mode: list\n  section main:\n    field customer\n",
        encoding="utf-8",
    )
    (tmp_path / "people.dsl").write_text("entity Customer:\n  id: uuid pk\n", encoding="utf-8")
    result = compile_path(tmp_path)
    assert result.ok, result.diagnostics
    assert not {"E108", "E206", "W003"} & set(codes(result))


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("interger", "int"),
        ("integer", "int"),
        ("strng", "str"),
        ("string", "str"),
        ("boolean", "bool"),
        ("timestamp", "datetime"),
        ("decimel", "decimal"),
    ],
)
def test_a_misspelt_or_foreign_type_name_gets_the_type_meant(written, meant):
    d = only(compile_source(APP + f"entity Thing:\n  id: {written} pk\n", "m.dsl"), "E100")
    assert d.hint == f"did you mean '{meant}'?"


def test_the_modifier_hint_lists_unique_optional():
    d = only(compile_source(ENTITY + "  x: int uniq\n", "m.dsl"), "E100")
    assert "unique, unique?, auto_add" in d.message


def test_many_misspelt_words_cost_one_suggestion_each_word():
    result = compile_source(APP + "entiti X:\n  id: uuid pk\n" * 2000, "m.dsl")
    assert codes(result).count("E107") == 2000
    assert all(d.hint == "did you mean 'entity'?" for d in result.diagnostics if d.code == "E107")


# --- use graphs ---------------------------------------------------------------------


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    st.integers(1, 12).flatmap(lambda n: st.lists(st.lists(st.integers(0, n - 1), max_size=4), min_size=n, max_size=n))
)
def test_reachability_bit_sets_agree_with_a_search_from_each_module(edges):
    graph = {f"m{i}": list(dict.fromkeys(f"m{j}" for j in targets)) for i, targets in enumerate(edges)}
    reaches = Reachability(graph)
    for start in graph:
        found = Linker.reachable(graph, start)
        assert {target for target in graph if reaches(start, target)} == found


def test_a_long_use_chain_links_and_the_first_module_sees_the_last(tmp_path):
    n = 300
    (tmp_path / "dazzle.toml").write_text('[project]\nroot = "m0"\n', encoding="utf-8")
    for i in range(n):
        lines = [f"module m{i}"]
        if i + 1 < n:
            lines.append(f"use m{i + 1}")
        if i == 0:
            lines.append(APP.strip())
        lines += [f"entity E{i}:", "  id: uuid pk"]
        if i + 1 < n:
            lines.append(f"  next: ref E{i + 1}")
        if i == 0:
            lines.append(f"  last: ref E{n - 1}")  # seen through 299 use lines
        (tmp_path / f"m{i}.dsl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = compile_path(tmp_path)
    assert result.ok, result.diagnostics[:3]
    (tmp_path / "m5.dsl").write_text((tmp_path / "m5.dsl").read_text() + "  back: ref E0\n", encoding="utf-8")
    d = only(compile_path(tmp_path), "E206")
    assert "would close a cycle" in d.hint
