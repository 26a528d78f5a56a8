"""Property-based tests: whatever comes in, the compiler returns a clean
diagnostic result: no exception, no hang, every diagnostic well formed and
naming a file, with a line and column inside it where the problem has a
place (line 0 only for a problem with a whole file or folder).

The runs are derandomised (the "dazzle" profile in conftest.py), so CI is
reproducible, and have no per-example deadline; a watchdog turns a hang into a
failure. ``DAZZLE_PROPERTY_SCALE=20`` runs twenty times as many cases.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dazzle.core import ir
from dazzle.core.compiler import CompileResult, compile_path, compile_source
from dazzle.core.diagnostics import Severity
from dazzle.testing.specs import dsl_texts
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HELPDESK = EXAMPLES / "helpdesk"
SEED_TEXTS = [
    (HELPDESK / "dsl" / "core.dsl").read_text(encoding="utf-8"),
    (EXAMPLES / "bookshop" / "bookshop.dsl").read_text(encoding="utf-8"),
]
#: Every file of the helpdesk project (a dazzle.toml and several modules), by path.
PROJECT_FILES = sorted(p.relative_to(HELPDESK).as_posix() for p in HELPDESK.rglob("*") if p.is_file())
WORDS = [
    "entity",
    "surface",
    "experience",
    "service",
    "foreign_model",
    "integration",
    "app",
    "module",
    "use",
    "field",
    "section",
    "action",
    "step",
    "mode",
    "kind",
    "uses",
    "on",
    "->",
    "<-",
    "<->",
    ":",
    "(",
    ")",
    "[",
    "]",
    ",",
    "=",
    "?",
    ".",
    "pk",
    "ref",
    "enum",
    "str",
    "decimal",
    '"',
    "#",
    "\t",
    "\n",
    "  ",
    "42",
    "-3",
    "1.5",
    "true",
    "start",
    "at",
    "map",
    "response",
    "sync",
    "match",
    "call",
    "with",
    "when",
    "é",
    "\x00",
    '"\\q"',
    "9" * 5000,
    "decimal(1000,999)",
    "decimal(30,29)=1.5",
    "\u202e",
    "\u009b",
    "\r",
    "\ufeff",
]
TOML_WORDS = [
    "[",
    "]",
    "[[",
    "=",
    '"',
    "[project]",
    "[modules]",
    "[build]",
    "root",
    "paths",
    "x = " + "[" * 600,
    "\n",
    "'",
    "{",
    "}",
    ".",
    ",",
    "\x00",
    "\udcff",
]
SCALE = float(os.environ.get("DAZZLE_PROPERTY_SCALE", "1"))
#: A case that takes longer than this has hung (a normal one takes milliseconds).
WATCHDOG_SECONDS = 30


def cases(n: int) -> settings:
    return settings(
        max_examples=max(1, int(n * SCALE)), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
    )


class Hang(AssertionError):
    pass


@contextlib.contextmanager
def watchdog(seconds: float = WATCHDOG_SECONDS) -> Iterator[None]:
    """Fail the case (and let hypothesis shrink it) if it runs past ``seconds``."""

    def expire(signum, frame):
        raise Hang(f"no result after {seconds} s: the compiler hangs on this input")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_diagnostics(result: CompileResult, files: dict[str, str], folders: tuple[str, ...] = ()) -> None:
    """Every diagnostic is well formed and names one of ``files`` (path to
    text) or ``folders``, at a place inside the file, or at line 0 (the file
    as a whole)."""
    for d in result.diagnostics:
        assert d.severity in (Severity.ERROR, Severity.WARNING)
        assert d.code[0] in "EW" and d.code[1:].isdigit() and len(d.code) == 4, d
        assert d.message and "Traceback" not in d.message
        assert d.file in files or d.file in folders, (d, sorted(files))
        if d.line == 0:
            assert d.column == 0, d
        else:
            text = files[d.file]
            lines = text.removeprefix("\ufeff").split("\n")
            assert 1 <= d.line <= len(lines), d
            assert 1 <= d.column <= len(lines[d.line - 1]) + 1, d
        rendered = d.render(result.source_line(d))
        assert not any(ch in rendered for ch in "\x1b\x9b\u202e\u2066\r"), rendered
    assert (result.appspec is None) == (result.error_count > 0)
    if result.appspec is not None:
        assert isinstance(result.appspec, ir.AppSpec)


def check_source(text: str) -> None:
    with watchdog():
        result = compile_source(text, "fuzz.dsl")
    check_diagnostics(result, {"fuzz.dsl": text})


# --- text through compile_source ---------------------------------------------------


@cases(300)
@given(st.text(max_size=400))
def test_random_text(text):
    check_source(text)


@cases(300)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=80).map(" ".join))
def test_random_token_soup(text):
    check_source(text)


@st.composite
def mutated_text(draw, text: str, words: list[str]) -> str:
    """``text`` after one to six edits that respect its grammar's units:
    deleting a stretch, inserting or overwriting with a word, swapping lines,
    re-indenting a line, duplicating a line."""
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "swap_lines", "indent", "duplicate"]))
        lines = text.split("\n")
        i = draw(st.integers(0, len(lines) - 1))
        if action == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 30)) :]
        elif action == "insert":
            text = text[:pos] + draw(st.sampled_from(words) | st.text(max_size=5)) + text[pos:]
        elif action == "replace":
            text = text[:pos] + draw(st.sampled_from(words)) + text[pos + 3 :]
        elif action == "swap_lines":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif action == "indent":
            lines[i] = " " * draw(st.integers(0, 9)) + lines[i].lstrip(" ")
            text = "\n".join(lines)
        else:
            lines.insert(i, lines[i])
            text = "\n".join(lines)
    return text


@cases(300)
@given(st.sampled_from(SEED_TEXTS).flatmap(lambda t: mutated_text(t, WORDS)))
@example(SEED_TEXTS[1])
def test_mutated_examples(text):
    check_source(text)


def test_unmutated_seeds_are_clean():
    result = compile_source(SEED_TEXTS[1], "fuzz.dsl")
    assert result.ok and result.diagnostics == ()


# --- whole projects, byte by byte, through compile_path ----------------------------------


@st.composite
def mutated_bytes(draw, data: bytes) -> bytes:
    """``data`` after one to eight byte-level edits: flipped bits, bytes
    inserted or deleted (a stray NUL, half a UTF-8 sequence, a CR), a cut."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if action == "flip" and pos < len(data):
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif action == "insert":
            data[pos:pos] = draw(
                st.sampled_from([b"\x00", b"\xc3", b"\xe2\x80\xae", b"\r", b"\t", b"\xff"]) | st.binary(max_size=4)
            )
        elif action == "delete":
            del data[pos : pos + draw(st.integers(1, 16))]
        else:
            del data[pos:]
    return bytes(data)


@st.composite
def mutated_project(draw) -> dict[str, bytes]:
    """The helpdesk project with one or two of its files mutated, by grammar
    (text edits) or by bytes."""
    files = {rel: (HELPDESK / rel).read_bytes() for rel in PROJECT_FILES}
    for rel in draw(st.lists(st.sampled_from(PROJECT_FILES), min_size=1, max_size=2, unique=True)):
        if draw(st.booleans()):
            files[rel] = draw(mutated_bytes(files[rel]))
        else:
            words = TOML_WORDS if rel.endswith(".toml") else WORDS
            text = draw(mutated_text(files[rel].decode("utf-8"), words))
            files[rel] = text.encode("utf-8", "surrogateescape")
    return files


@cases(200)
@given(mutated_project())
def test_mutated_projects(files):
    root = Path(tempfile.mkdtemp(prefix="dazzle-fuzz-"))
    try:
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        with watchdog():
            result = compile_path(root)
        texts = {str(root / rel): data.decode("utf-8", "replace") for rel, data in files.items()}
        check_diagnostics(result, texts, folders=(str(root),))
    finally:
        shutil.rmtree(root)


# --- generated valid specs ---------------------------------------------------------------


@cases(200)
@given(dsl_texts())
def test_generated_specs_compile_with_no_error(text):
    with watchdog():
        result = compile_source(text, "generated.dsl")
    assert result.ok, "\n\n".join(result.render_diagnostics()) + "\n\n" + text
    check_diagnostics(result, {"generated.dsl": text})


def test_the_watchdog_turns_a_hang_into_a_failure():
    try:
        with watchdog(0.2):
            signal.pause()
    except Hang as exc:
        assert "hangs" in str(exc)
    else:
        raise AssertionError("the watchdog did not fire")
