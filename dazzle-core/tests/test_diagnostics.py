"""Every error and warning rule of the language: its code, line, column,
message and, where there is one, its suggestion."""

from __future__ import annotations

import textwrap

import pytest
from dazzle.core.compiler import compile_source

APP = 'app demo "Demo"\n'
USER = """
entity User "User":
  id: uuid pk
  name: str(80) required
surface users "Users":
  uses entity User
  mode: list
  section main:
    field name "Name"
"""


def compile_text(text: str):
    return compile_source(textwrap.dedent(text).lstrip("\n"), "app.dsl")


def only(result, code: str):
    found = [d for d in result.diagnostics if d.code == code]
    assert len(found) == 1, [f"{d.code} {d.line}:{d.column} {d.message}" for d in result.diagnostics]
    return found[0]


# (id, DSL, code, line, column, words in the message, words in the hint or None)
CASES = [
    # --- syntax ---------------------------------------------------------------
    (
        "missing colon after field name",
        APP + "entity User:\n  id uuid pk\n",
        "E100",
        3,
        6,
        "expected ':' and a type after field name 'id', found 'uuid'",
        None,
    ),
    (
        "unknown type",
        APP + "entity User:\n  id: uuid pk\n  name: strng(20)\n",
        "E100",
        4,
        9,
        "expected a type",
        "did you mean 'str'?",
    ),
    (
        "unknown modifier",
        APP + "entity User:\n  id: uuid pk\n  name: str(20) requird\n",
        "E100",
        4,
        17,
        "expected a modifier",
        "did you mean 'required'?",
    ),
    (
        "tab in indentation",
        APP + "entity User:\n\tid: uuid pk\n",
        "E101",
        3,
        1,
        "tab in indentation",
        "replace the tab with spaces",
    ),
    ("tab inside a line", APP + "entity User:\n  id:\tuuid pk\n", "E101", 3, 6, "tab character", None),
    (
        "block under a field",
        APP + "entity User:\n  id: uuid pk\n      name: text\n",
        "E102",
        4,
        7,
        "unexpected indented block under a 'field' line",
        "line it up with the line above",
    ),
    (
        "indented first line",
        "  app x\n",
        "E102",
        1,
        3,
        "unexpected indentation",
        "a declaration starts at the beginning of its line",
    ),
    (
        "header without colon",
        APP + 'entity User "User"\n  id: uuid pk\n',
        "E100",
        2,
        19,
        "expected ':' to open a block, found the end of the line",
        None,
    ),
    (
        "block expected",
        APP + "entity User:\nentity Other:\n  id: uuid pk\n",
        "E103",
        2,
        12,
        "expected an indented block under this line",
        None,
    ),
    (
        "dedent to no block",
        APP + "entity User:\n    id: uuid pk\n  name: text\n",
        "E104",
        4,
        3,
        "matches no enclosing block",
        None,
    ),
    ("unterminated string", APP + 'entity User "User:\n  id: uuid pk\n', "E105", 2, 13, "unterminated string", None),
    ("unknown escape", APP + 'entity User "a\\nb":\n  id: uuid pk\n', "E105", 2, 15, "unknown escape '\\n'", None),
    ("unexpected character", APP + "entity User:\n  id: uuid pk @\n", "E106", 3, 15, "unexpected character '@'", None),
    (
        "unknown top-level word",
        APP + "test something:\n  x: 1\n",
        "E107",
        2,
        1,
        "expected a declaration (module, use, app, entity, surface, experience, service, "
        "foreign_model, integration), found 'test'",
        None,
    ),
    (
        "misspelt top-level word",
        APP + "entiy User:\n  id: uuid pk\n",
        "E107",
        2,
        1,
        "found 'entiy'",
        "did you mean 'entity'?",
    ),
    ("module not first", APP + "module late\n", "E108", 2, 1, "'module' must be the first line", None),
    ("mode twice", APP + USER + "  mode: view\n", "E109", 11, 3, "'mode' is given more than once", None),
    ("modifier twice", APP + "entity User:\n  id: uuid pk pk\n", "E109", 3, 15, "modifier 'pk' is given twice", None),
    (
        "option twice",
        APP + USER.replace('field name "Name"', 'field name "Name" a=1 a=2'),
        "E109",
        10,
        27,
        "option 'a' is given twice",
        None,
    ),
    (
        "two defaults",
        APP + "entity User:\n  id: uuid pk\n  n: int=1 default=2\n",
        "E109",
        4,
        12,
        "the default is given twice",
        None,
    ),
    ("second app line", APP + 'app again "Again"\n' + USER, "E109", 2, 1, "at most one 'app' line", None),
    (
        "surface without mode",
        APP + USER.replace("  mode: list\n", ""),
        "E110",
        6,
        9,
        "surface 'users' has no 'mode' line",
        "mode: view",
    ),
    (
        "experience without start",
        APP + USER + "experience flow:\n  step a:\n    kind: process\n",
        "E110",
        11,
        12,
        "has no 'start at step' line",
        "start at step a",
    ),
    (
        "step without kind",
        APP + USER + "experience flow:\n  start at step a\n  step a:\n    on success -> step a\n",
        "E110",
        13,
        8,
        "step 'a' has no 'kind' line",
        None,
    ),
    (
        "surface step without surface",
        APP + USER + "experience flow:\n  start at step a\n  step a:\n    kind: surface\n",
        "E110",
        13,
        8,
        "surface step 'a' names no surface",
        None,
    ),
    ("service without spec", APP + 'service s:\n  owner: "me"\n', "E110", 2, 9, "service 's' has no 'spec' line", None),
    ("action without on line", APP + USER + "  action go:\n    foo\n", "E100", 12, 5, "expected 'on'", None),
    (
        "process step naming a surface",
        APP + USER + "experience flow:\n  start at step a\n  step a:\n    kind: process\n    surface users\n",
        "E111",
        15,
        5,
        "process step 'a' cannot name a surface",
        None,
    ),
    # --- names ------------------------------------------------------------------
    (
        "duplicate entity",
        APP + USER + "entity User:\n  id: uuid pk\n",
        "E204",
        11,
        8,
        "duplicate entity 'User': first declared at app.dsl:3:8",
        None,
    ),
    (
        "unknown ref",
        APP + USER + "entity Post:\n  id: uuid pk\n  author: ref Usr\n",
        "E205",
        13,
        15,
        "unknown entity 'Usr'",
        "did you mean 'User'?",
    ),
    (
        "unknown surface in outcome",
        APP + USER + "  action go:\n    on click -> surface user\n",
        "E205",
        12,
        25,
        "unknown surface 'user'",
        "did you mean 'users'?",
    ),
    (
        "unknown field in constraint",
        APP + "entity User:\n  id: uuid pk\n  name: text\n  index nme\n",
        "E207",
        5,
        9,
        "unknown field 'nme' in entity 'User'",
        "did you mean 'name'?",
    ),
    (
        "unknown experience step in outcome",
        APP + USER + "  action go:\n    on click -> experience flow step ed\n"
        "experience flow:\n  start at step end\n  step end:\n    kind: process\n",
        "E208",
        12,
        38,
        "unknown step 'ed' in experience 'flow'",
        "did you mean 'end'?",
    ),
    (
        "unknown transition target",
        APP + "experience flow:\n  start at step a\n  step a:\n    kind: process\n    on failure -> step b\n",
        "E208",
        6,
        24,
        "unknown step 'b' in experience 'flow'",
        None,
    ),
    (
        "unknown start step",
        APP + "experience flow:\n  start at step strt\n  step start:\n    kind: process\n",
        "E208",
        3,
        17,
        "unknown step 'strt'",
        "did you mean 'start'?",
    ),
    (
        "unknown integration action",
        APP + USER + "  action go:\n    on click -> integration i action snc\n"
        'service s:\n  spec: inline "x"\nintegration i:\n  uses service s\n  action sync_now:\n'
        "    call s.op with:\n      a <- 1\n",
        "E209",
        12,
        38,
        "unknown action or sync 'snc' in integration 'i'",
        None,
    ),
    # --- entities ---------------------------------------------------------------
    (
        "no primary key",
        APP + "entity User:\n  name: text\n",
        "E301",
        2,
        8,
        "entity 'User' has no primary key",
        "id: uuid pk",
    ),
    (
        "two primary keys",
        APP + "entity User:\n  id: uuid pk\n  code: int pk\n",
        "E301",
        4,
        3,
        "more than one primary key ('id' and 'code')",
        None,
    ),
    (
        "duplicate field",
        APP + "entity User:\n  id: uuid pk\n  name: text\n  name: int\n",
        "E302",
        5,
        3,
        "field 'name' is declared twice in entity 'User' (first on line 4)",
        None,
    ),
    (
        "duplicate step",
        APP + "experience f:\n  start at step a\n  step a:\n    kind: process\n  step a:\n    kind: process\n",
        "E302",
        6,
        8,
        "step 'a' of experience 'f' is declared twice (first on line 4)",
        None,
    ),
    (
        "enum default not a value",
        APP + "entity User:\n  id: uuid pk\n  s: enum[a,b]=c\n",
        "E303",
        4,
        16,
        "default c of field 's' is not one of the enum's values (a, b)",
        None,
    ),
    (
        "bool default",
        APP + "entity User:\n  id: uuid pk\n  b: bool default=yes\n",
        "E303",
        4,
        19,
        "must be true or false",
        None,
    ),
    ("int default", APP + "entity User:\n  id: uuid pk\n  n: int=1.5\n", "E303", 4, 10, "must be a whole number", None),
    (
        "str default too long",
        APP + 'entity User:\n  id: uuid pk\n  c: str(2)="abc"\n',
        "E303",
        4,
        13,
        "is 3 characters long, more than str(2) allows",
        None,
    ),
    (
        "decimal default too precise",
        APP + "entity User:\n  id: uuid pk\n  d: decimal(4,1)=1.25\n",
        "E303",
        4,
        19,
        "does not fit decimal(4,1)",
        None,
    ),
    (
        "date default",
        APP + 'entity User:\n  id: uuid pk\n  d: date="31/12/2024"\n',
        "E303",
        4,
        11,
        "is not a date",
        None,
    ),
    (
        "ref default",
        APP + USER + "entity Post:\n  id: uuid pk\n  a: ref User=1\n",
        "E303",
        13,
        15,
        "a reference has no literal default",
        None,
    ),
    (
        "required and optional",
        APP + "entity User:\n  id: uuid pk\n  n: text required optional\n",
        "E304",
        4,
        20,
        "field 'n' is both required and optional",
        None,
    ),
    (
        "required with ?",
        APP + "entity User:\n  id: uuid pk\n  n: text? required\n",
        "E304",
        4,
        10,
        "both required and optional",
        None,
    ),
    (
        "unique? and required",
        APP + "entity User:\n  id: uuid pk\n  e: email required unique?\n",
        "E304",
        4,
        21,
        "both required and optional",
        None,
    ),
    ("optional pk", APP + "entity User:\n  id: uuid? pk\n", "E304", 3, 11, "primary key 'id' cannot be optional", None),
    ("str(0)", APP + "entity User:\n  id: uuid pk\n  n: str(0)\n", "E305", 4, 10, "at least 1", None),
    (
        "decimal scale above precision",
        APP + "entity User:\n  id: uuid pk\n  d: decimal(2,3)\n",
        "E305",
        4,
        16,
        "the scale must be between 0 and the precision",
        None,
    ),
    ("empty enum", APP + "entity User:\n  id: uuid pk\n  s: enum[]\n", "E306", 4, 10, "at least one value", None),
    (
        "repeated enum value",
        APP + "entity User:\n  id: uuid pk\n  s: enum[a,b,a]\n",
        "E306",
        4,
        15,
        "enum value 'a' is listed twice",
        None,
    ),
    # --- integrations -----------------------------------------------------------
    (
        "service not in uses",
        APP + 'service s:\n  spec: inline "x"\nintegration i:\n  action a:\n    call s.op with:\n      x <- 1\n',
        "E307",
        6,
        10,
        "service 's' is not listed",
        "add 'uses service s'",
    ),
    (
        "scheduled sync without schedule",
        APP + USER + 'service s:\n  spec: inline "x"\n'
        "foreign_model F from s:\n  key: k\n  field k: str(10)\nintegration i:\n  uses service s\n"
        "  uses foreign_model F\n  sync pull:\n    mode: scheduled\n    from s.list as F\n    into entity User\n",
        "E308",
        19,
        8,
        "scheduled sync 'pull' has no 'schedule' line",
        None,
    ),
    (
        "bad cron",
        APP + USER + 'service s:\n  spec: inline "x"\n'
        "foreign_model F from s:\n  key: k\n  field k: str(10)\nintegration i:\n  uses service s\n"
        '  uses foreign_model F\n  sync pull:\n    mode: scheduled\n    schedule: "0 25 * * *"\n'
        "    from s.list as F\n    into entity User\n",
        "E309",
        21,
        15,
        "the hour field '25' is outside 0-23",
        None,
    ),
    (
        "unknown foreign field in match rule",
        APP + USER + 'service s:\n  spec: inline "x"\n'
        "foreign_model F from s:\n  key: k\n  field k: str(10)\nintegration i:\n  uses service s\n"
        "  uses foreign_model F\n  sync pull:\n    mode: event_driven\n    from s.list as F\n"
        "    into entity User\n    match on:\n      kk <-> name\n",
        "E207",
        24,
        7,
        "unknown field 'kk' in foreign model 'F'",
        "did you mean 'k'?",
    ),
    (
        "unknown foreign key field",
        APP + 'service s:\n  spec: inline "x"\nforeign_model F from s:\n  key: id\n  field k: str(10)\n',
        "E207",
        5,
        8,
        "unknown field 'id' in foreign model 'F'",
        None,
    ),
    (
        "unknown service of a foreign model",
        APP + 'service svc:\n  spec: inline "x"\nforeign_model F from svx:\n  key: k\n  field k: int\n',
        "E205",
        4,
        22,
        "unknown service 'svx'",
        "did you mean 'svc'?",
    ),
    # --- warnings ---------------------------------------------------------------
    (
        "unreachable step",
        APP + USER + "experience flow:\n  start at step a\n  step a:\n    kind: surface\n"
        "    surface users\n  step b:\n    kind: process\n",
        "W001",
        16,
        8,
        "Experience 'flow' has unreachable steps: b",
        None,
    ),
    (
        "unused entity",
        APP + USER + "entity Lonely:\n  id: uuid pk\n",
        "W002",
        11,
        8,
        "Unused entities (not referenced anywhere): Lonely",
        None,
    ),
    (
        "unknown surface field",
        APP + USER.replace('field name "Name"', 'field nmae "Name"'),
        "W004",
        10,
        11,
        "'nmae' is not a field of entity 'User'",
        "did you mean 'name'?",
    ),
    (
        "oauth2 without scopes",
        APP + 'service s:\n  spec: url "https://x.example/o.json"\n  auth_profile: oauth2_pkce\n',
        "W005",
        4,
        17,
        "service 's' uses oauth2_pkce without 'scopes'",
        None,
    ),
    (
        "relative spec url",
        APP + 'service s:\n  spec: url "/openapi.json"\n',
        "W006",
        3,
        13,
        'spec URL "/openapi.json" is not absolute',
        None,
    ),
    (
        "auto_add on a date",
        APP + USER.replace("  name: str(80) required\n", "  name: str(80) required\n  on: date auto_add\n"),
        "W007",
        6,
        3,
        "'auto_add' on field 'on' of type date",
        None,
    ),
    (
        "experience that never ends",
        APP + USER + "experience loop:\n  start at step a\n  step a:\n"
        "    kind: surface\n    surface users\n    on success -> step b\n  step b:\n    kind: process\n"
        "    on success -> step a\n",
        "W008",
        11,
        12,
        "Experience 'loop' never ends",
        None,
    ),
    (
        "schedule on event-driven sync",
        APP + USER + 'service s:\n  spec: inline "x"\n'
        "foreign_model F from s:\n  key: k\n  field k: str(10)\nintegration i:\n  uses service s\n"
        '  uses foreign_model F\n  sync pull:\n    mode: event_driven\n    schedule: "0 1 * * *"\n'
        "    from s.list as F\n    into entity User\n",
        "W009",
        21,
        15,
        "its schedule is ignored",
        None,
    ),
]


@pytest.mark.parametrize(
    ("dsl", "code", "line", "column", "message", "hint"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule(dsl, code, line, column, message, hint):
    result = compile_source(dsl, "app.dsl")
    d = only(result, code)
    assert (d.file, d.line, d.column) == ("app.dsl", line, column), d.message
    assert message in d.message
    if hint is not None:
        assert d.hint is not None and hint in d.hint
    expected_severity = "warning" if code.startswith("W") else "error"
    assert d.severity.value == expected_severity
    assert result.ok == (expected_severity == "warning" and result.error_count == 0)


def test_codes_are_listed_in_the_docs():
    """Every code the tests exercise is documented, and vice versa."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    for code in {c[2] for c in CASES}:
        assert f"`{code}`" in doc, code


def test_a_warning_does_not_stop_compilation():
    result = compile_text(APP + USER + "entity Lonely:\n  id: uuid pk\n")
    assert result.ok and result.appspec is not None
    assert result.warning_count == 1


def test_errors_everywhere_are_all_reported_in_one_run():
    result = compile_text(
        APP
        + "entity A:\n  id: uuid pk\n  x: strr\n"  # syntax error in A
        + "entity B:\n  id: uuid pk\n  y: ref Nope\n"  # unknown ref in B
        + "surface s:\n  mode: lst\n"  # bad mode
        + "bogus line\n"  # unknown top-level word
        + "entity C:\n  name: text\n"  # no pk
    )
    assert [(d.code, d.line) for d in result.errors] == [
        ("E100", 4),
        ("E205", 7),
        ("E100", 9),
        ("E107", 10),
        ("E301", 11),
    ]
    assert result.appspec is None


def test_recovery_keeps_a_broken_declaration_visible_to_others():
    """A syntax error inside User must not cause 'unknown entity User' elsewhere,
    nor 'unknown field' for names in User's broken lines."""
    result = compile_text(
        APP
        + "entity User:\n  id: uuid pk\n  name: str(\n  index name\n"
        + "entity Post:\n  id: uuid pk\n  author: ref User\n"
    )
    assert [d.code for d in result.errors] == ["E100"]


def test_hint_for_unknown_names_is_the_nearest_declared_one():
    result = compile_text(APP + USER + "entity Ticket:\n  id: uuid pk\n  owner: ref Usre\n")
    d = only(result, "E205")
    assert d.hint == "did you mean 'User'?"


def test_rendered_diagnostic_shows_the_line_and_a_caret():
    result = compile_text(APP + "entity User:\n  id: uuid pk\n  name: strng(20)\n")
    assert [d.code for d in result.diagnostics] == ["E100"]
    text = result.render_diagnostics()[0]
    assert text.splitlines() == [
        "app.dsl:4:9: error[E100]: expected a type (str(N), text, int, decimal(P,S), bool, date, datetime, "
        "uuid, email, enum[a,b], ref Entity), found 'strng'",
        "   4 |   name: strng(20)",
        "     |         ^",
        "  = help: did you mean 'str'?",
    ]
