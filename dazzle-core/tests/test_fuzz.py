"""Property-based tests: whatever text comes in, the compiler returns a clean
diagnostic result: no exception, no hang, every diagnostic well formed and
pointing inside the file."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from dazzle.core import ir
from dazzle.core.compiler import compile_source
from dazzle.core.diagnostics import Severity

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEED_TEXTS = [
    (EXAMPLES / "helpdesk" / "dsl" / "core.dsl").read_text(encoding="utf-8"),
    (EXAMPLES / "bookshop" / "bookshop.dsl").read_text(encoding="utf-8"),
]
WORDS = [
    "entity", "surface", "experience", "service", "foreign_model", "integration", "app", "module", "use",
    "field", "section", "action", "step", "mode", "kind", "uses", "on", "->", "<-", "<->", ":", "(", ")",
    "[", "]", ",", "=", "?", ".", "pk", "ref", "enum", "str", "decimal", "\"", "#", "\t", "\n", "  ", "42",
    "-3", "1.5", "true", "start", "at", "map", "response", "sync", "match", "call", "with", "when", "é", "\x00",
]


def check_clean(text: str) -> None:
    result = compile_source(text, "fuzz.dsl")
    lines = text.split("\n")
    for d in result.diagnostics:
        assert d.severity in (Severity.ERROR, Severity.WARNING)
        assert d.code[0] in "EW" and d.code[1:].isdigit()
        assert d.message and "Traceback" not in d.message
        assert d.file == "fuzz.dsl"
        assert 1 <= d.line <= max(len(lines), 1), d
        assert d.column >= 1
        d.render(result.source_line(d))
    assert (result.appspec is None) == (result.error_count > 0)
    if result.appspec is not None:
        assert isinstance(result.appspec, ir.AppSpec)


@settings(max_examples=400)
@given(st.text(max_size=400))
def test_random_text(text):
    check_clean(text)


@settings(max_examples=400)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=80).map(" ".join))
def test_random_token_soup(text):
    check_clean(text)


@st.composite
def mutated_example(draw):
    text = draw(st.sampled_from(SEED_TEXTS))
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "swap_lines", "indent"]))
        if action == "delete":
            end = pos + draw(st.integers(1, 30))
            text = text[:pos] + text[end:]
        elif action == "insert":
            text = text[:pos] + draw(st.sampled_from(WORDS) | st.text(max_size=5)) + text[pos:]
        elif action == "replace":
            text = text[:pos] + draw(st.sampled_from(WORDS)) + text[pos + 3:]
        elif action == "swap_lines":
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines[i] = " " * draw(st.integers(0, 9)) + lines[i].lstrip(" ")
            text = "\n".join(lines)
    return text


@settings(max_examples=300)
@given(mutated_example())
@example(SEED_TEXTS[1])
def test_mutated_examples(text):
    check_clean(text)


def test_unmutated_seeds_are_clean():
    result = compile_source(SEED_TEXTS[1], "fuzz.dsl")
    assert result.ok and result.diagnostics == ()
