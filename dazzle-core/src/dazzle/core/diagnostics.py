"""Diagnostics: what the compiler tells the user, and how it is shown.

Every diagnostic has a stable code. The codes and what they mean are listed in
``docs/diagnostics.md``; a code never changes meaning once released.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Callable, Iterable

import attrs

#: How much of a long source line a rendered diagnostic shows.
SHOWN_WIDTH = 120


#: ``paint(role, text)`` styles one part of a rendered diagnostic: the roles
#: are the severity's value (``"error"``, ``"warning"``: the label and the
#: caret), ``"gutter"`` (line number and bar) and ``"help"``. The CLI colours
#: them on a terminal; by default they stay plain.
Paint = Callable[[str, str], str]


def _unpainted(role: str, text: str) -> str:
    return text


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


#: A run of this many characters without a space or quote in a message is a
#: token from the source (a 20 MB name): the message keeps an excerpt of it.
_LONG_RUN_RE = re.compile(r"[^\s'\"]{200,}")


def _short_tokens(text: str | None) -> str | None:
    if text is None or len(text) < 200:
        return text
    return _LONG_RUN_RE.sub(lambda m: excerpt(m.group()), text)


def excerpt(text: str, width: int = 40) -> str:
    """``text`` as a message quotes it: a long token is cut to its first
    ``width`` characters, with its length."""
    return text if len(text) <= width else f"{text[:width]}… ({len(text)} characters)"


@attrs.frozen
class Diagnostic:
    severity: Severity
    code: str
    message: str = attrs.field(converter=_short_tokens)
    file: str
    line: int
    column: int
    hint: str | None = attrs.field(default=None, converter=_short_tokens)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_json(self) -> dict:
        """The documented JSON shape (``dazzle validate --json``)."""
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "help": self.hint,
        }

    def render(self, source_line: str | None = None, paint: Paint = _unpainted) -> str:
        """``path:line:col: error[CODE]: message`` (``path: ...`` for a whole
        file, line 0), the source line with a caret under the column, then the
        hint. What comes from the user's files is made printable before
        ``paint`` adds any escape sequence of its own."""
        severity = self.severity.value
        place = f"{self.file}:{self.line}:{self.column}" if self.line > 0 else self.file
        out = [f"{printable(place)}: {paint(severity, f'{severity}[{self.code}]')}: {printable(self.message)}"]
        if source_line is not None and self.line > 0:
            text = printable(source_line.rstrip("\r\n"))
            column = max(self.column - 1, 0)
            if len(text) > SHOWN_WIDTH:  # show the part of a long line around the column
                start = max(0, min(column - SHOWN_WIDTH // 2, len(text) - SHOWN_WIDTH))
                head, tail = ("…" if start else ""), ("…" if start + SHOWN_WIDTH < len(text) else "")
                text = head + text[start : start + SHOWN_WIDTH] + tail
                column = column - start + len(head)
            gutter = f"{self.line:>4} | "
            out.append(paint("gutter", gutter) + text)
            # Keep the caret under the right character even for wide prefixes.
            pad = "".join(ch if ch == "\t" else " " for ch in text[:column])
            out.append(paint("gutter", " " * (len(gutter) - 2) + "| ") + pad + paint(severity, "^"))
        if self.hint:
            out.append(f"  = {paint('help', 'help')}: {printable(self.hint)}")
        return "\n".join(out)


# Characters that must not reach a terminal as such, each shown as U+FFFD
# (one character for one, so that the caret stays under its column): C0 and
# C1 controls (an escape sequence, a carriage return, CSI U+009B) and the
# bidirectional controls that reorder what is shown (Trojan Source, CVE-2021-42574).
_UNPRINTABLE_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (tab and newline kept), DEL and C1 controls
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidi marks, embeddings, overrides, isolates
)


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: every control and bidi
    character replaced. Everything that prints diagnostics goes through it."""
    return _UNPRINTABLE_RE.sub("\ufffd", text)


def error(code: str, message: str, file: str, line: int, column: int, hint: str | None = None) -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, message, file, line, column, hint)


def warning(code: str, message: str, file: str, line: int, column: int, hint: str | None = None) -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, message, file, line, column, hint)


def closest_match(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``name``, if any is close enough to suggest."""
    # difflib's ratio is 2*matches/(len(a)+len(b)), so a candidate much
    # shorter or longer than the name cannot reach the cutoff: leave it out,
    # and with it the cost of indexing a very long name (a 20 MB word).
    pool = [c for c in candidates if len(c) * 7 >= len(name) * 3 and len(name) * 7 >= len(c) * 3]
    if not pool:
        return None
    lowered = {c.lower(): c for c in pool}
    if name.lower() in lowered and lowered[name.lower()] != name:
        return lowered[name.lower()]
    found = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint such as ``did you mean 'Ticket'?``, or None."""
    match = closest_match(name, candidates)
    return f"did you mean '{match}'?" if match else None


class Suggester:
    """``closest_match`` on a budget. A suggestion compares the name with
    every candidate, so after ``budget`` different names no more are computed
    and a flood of unknown names stays fast; a name seen before in the same
    ``context`` gets the same suggestion for free."""

    def __init__(self, budget: int = 100) -> None:
        self.left = budget
        self.known: dict[tuple[str, str], str | None] = {}

    def closest(
        self, name: str, candidates: Iterable[str] | Callable[[], Iterable[str]], context: str = ""
    ) -> str | None:
        """``candidates`` may be a function that lists them, called only when
        a suggestion is computed (listing them may cost as much)."""
        key = (context, name)
        if key in self.known:
            return self.known[key]
        if self.left <= 0:
            return None
        self.left -= 1
        match = self.known[key] = closest_match(name, candidates() if callable(candidates) else candidates)
        return match

    def __call__(
        self, name: str, candidates: Iterable[str] | Callable[[], Iterable[str]], context: str = ""
    ) -> str | None:
        """A hint such as ``did you mean 'Ticket'?``, or None."""
        match = self.closest(name, candidates, context)
        return f"did you mean '{match}'?" if match else None


def sort_key(d: Diagnostic) -> tuple:
    return (d.file, d.line, d.column, d.code, d.message)
