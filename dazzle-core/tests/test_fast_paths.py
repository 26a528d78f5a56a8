"""The parser's fast paths (one regular expression for the commonest line
shapes) give exactly what the general path gives: the same AppSpec and the
same diagnostics, on valid and on broken input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dazzle.core import parser
from dazzle.core.compiler import compile_path, compile_source

NEVER = re.compile(r"(?!)")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PROJECTS = Path(__file__).resolve().parent / "projects"
TEXTS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.rglob("*.dsl"))]
LINES = [
    "  id: uuid pk", "  id: int pk", "  name: str(80) required", "  n: str(0)", "  a: text optional",
    "  b: bool required optional", "  c: date auto_add", "  d: datetime auto_add auto_update", "  e: email unique?",
    "  f: email unique", "  g: ref Thing?", "  h: ref Thing required", "  i: ref Nope", "  j: int pk pk",
    "  k: int? pk", "  l: str(5)?", "  m : text", "  n: uuid  required  ", "  o: email unique? required",
    "  index: int", "  index o,n", "  p: ref Thing auto_update", "    q: text", "  r: text # note",
]


FAST_PATHS = [
    "_PLAIN_FIELD_RE", "_PLAIN_ELEMENT_RE", "_USES_ENTITY_RE", "_MODE_RE", "_ON_SURFACE_RE", "_MEMBER_HEADER_RE",
]


def general_only(monkeypatch) -> None:
    for name in FAST_PATHS:
        monkeypatch.setattr(parser, name, NEVER)


def both_ways(compile_once, monkeypatch):
    fast = compile_once()
    with monkeypatch.context() as m:
        general_only(m)
        general = compile_once()
    return fast, general


def assert_same(fast, general) -> None:
    assert fast.diagnostics == general.diagnostics
    assert fast.appspec == general.appspec


@pytest.mark.parametrize("project", [EXAMPLES / "helpdesk", EXAMPLES / "bookshop", PROJECTS / "warehouse"])
def test_examples_are_read_the_same_both_ways(project, monkeypatch):
    assert_same(*both_ways(lambda: compile_path(project), monkeypatch))


@pytest.mark.shared
def test_shared_examples_are_read_the_same_both_ways(shared_examples, monkeypatch):
    for project in ("support_tickets", "vat_tools"):
        assert_same(*both_ways(lambda p=project: compile_path(shared_examples / p), monkeypatch))


def test_the_fast_paths_are_taken(monkeypatch):
    """Guard against a fast path that silently never matches."""
    calls = []
    original = parser.ModuleParser.plain_field
    monkeypatch.setattr(parser.ModuleParser, "plain_field",
                        lambda self, m, line: calls.append(line.number) or original(self, m, line))
    compile_path(EXAMPLES / "bookshop")
    assert len(calls) > 10
    assert parser._PLAIN_ELEMENT_RE.match('    field title "Title"', 4)
    assert parser._USES_ENTITY_RE.match("  uses entity Book", 2)
    assert parser._MODE_RE.match("  mode: list", 2)
    assert parser._ON_SURFACE_RE.match("    on click -> surface order_create", 4)


SURFACE_LINES = [
    "uses entity Thing", "uses entity Thing", "uses entity Nope", "uses  entity   Thing  ", "mode: view",
    "mode: list", "mode:view", "mode : edit", "mode: lst", "meta a=1",
]
ON_LINES = [
    "on click -> surface s", "on submit->surface s", "on auto -> surface nope", "on clik -> surface s",
    "on click -> experience x", "on click -> surface s extra",
]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=8),
       st.lists(st.sampled_from(SURFACE_LINES), max_size=4),
       st.lists(st.sampled_from(['field title "T"', 'field nope', 'field title "A" w=1', 'field  x   "y"  ',
                                 'field title "a\\"b"', 'field title', 'field title "dup"']),
                min_size=1, max_size=4),
       st.lists(st.sampled_from(ON_LINES), max_size=2))
def test_random_lines_are_read_the_same_both_ways(entity_lines, surface_lines, section_lines, on_lines):
    text = (
        "app a\nentity Thing:\n" + "\n".join(entity_lines) + "\n"
        "surface s:\n" + "".join("  " + line + "\n" for line in surface_lines) + "  section main:\n"
        + "\n".join("    " + line for line in section_lines) + "\n"
        + "  action go:\n" + "".join("    " + line + "\n" for line in on_lines)
    )
    fast = compile_source(text, "t.dsl")
    with pytest.MonkeyPatch.context() as m:
        general_only(m)
        general = compile_source(text, "t.dsl")
    assert_same(fast, general)


@pytest.mark.parametrize("index", range(len(TEXTS)))
def test_example_files_alone_are_read_the_same_both_ways(index, monkeypatch):
    assert_same(*both_ways(lambda: compile_source(TEXTS[index], "x.dsl"), monkeypatch))


@pytest.mark.parametrize("headers", [
    ['section main:', 'section main "Main":'], ['section main:', 'section main:'], ['action go:', 'action go "Go":'],
    ['section  list  "Tickets"  :', 'action end:'], ['section main "a\\"b":'], ['section main "x" extra:'],
    ['section main"x":'], ['action go:', 'action go:'],
])
def test_surface_member_headers_are_read_the_same_both_ways(headers, monkeypatch):
    body = {"section": "    field title\n", "action": "    on click -> surface s\n"}
    text = "app a\nentity Thing:\n  id: uuid pk\n  title: text\nsurface s:\n  uses entity Thing\n  mode: view\n"
    text += "".join(f"  {h}\n" + body[h.split()[0]] for h in headers)
    assert_same(*both_ways(lambda: compile_source(text, "t.dsl"), monkeypatch))
