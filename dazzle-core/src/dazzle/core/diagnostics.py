"""Diagnostics: what the compiler tells the user, and how it is shown.

Every diagnostic has a stable code. The codes and what they mean are listed in
``docs/diagnostics.md``; a code never changes meaning once released.
"""

from __future__ import annotations

import difflib
import enum
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


@attrs.frozen
class Diagnostic:
    severity: Severity
    code: str
    message: str
    file: str
    line: int
    column: int
    hint: str | None = None

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
        """``path:line:col: error[CODE]: message``, the source line with a caret
        under the column, then the hint. What comes from the user's files is
        made printable before ``paint`` adds any escape sequence of its own."""
        severity = self.severity.value
        out = [f"{_printable(self.file)}:{self.line}:{self.column}: "
               f"{paint(severity, f'{severity}[{self.code}]')}: {_printable(self.message)}"]
        if source_line is not None and self.line > 0:
            text = _printable(source_line.rstrip("\r\n"))
            column = max(self.column - 1, 0)
            if len(text) > SHOWN_WIDTH:  # show the part of a long line around the column
                start = max(0, min(column - SHOWN_WIDTH // 2, len(text) - SHOWN_WIDTH))
                head, tail = ("…" if start else ""), ("…" if start + SHOWN_WIDTH < len(text) else "")
                text = head + text[start:start + SHOWN_WIDTH] + tail
                column = column - start + len(head)
            gutter = f"{self.line:>4} | "
            out.append(paint("gutter", gutter) + text)
            # Keep the caret under the right character even for wide prefixes.
            pad = "".join(ch if ch == "\t" else " " for ch in text[:column])
            out.append(paint("gutter", " " * (len(gutter) - 2) + "| ") + pad + paint(severity, "^"))
        if self.hint:
            out.append(f"  = {paint('help', 'help')}: {_printable(self.hint)}")
        return "\n".join(out)


# Control characters from the source (an escape sequence, a carriage return)
# must not reach the terminal as such: each shows as U+FFFD.
_CONTROL = {c: "\ufffd" for c in (*range(0, 9), *range(11, 32), 127)}


def _printable(text: str) -> str:
    return text.translate(_CONTROL)


def error(code: str, message: str, file: str, line: int, column: int, hint: str | None = None) -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, message, file, line, column, hint)


def warning(code: str, message: str, file: str, line: int, column: int, hint: str | None = None) -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, message, file, line, column, hint)


def closest_match(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``name``, if any is close enough to suggest."""
    pool = list(candidates)
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
    """``did_you_mean`` on a budget. A suggestion compares the name with every
    candidate, so after ``budget`` different names no more are computed and a
    flood of unknown names stays fast; a name seen before in the same
    ``context`` gets the same suggestion for free."""

    def __init__(self, budget: int = 100) -> None:
        self.left = budget
        self.known: dict[tuple[str, str], str | None] = {}

    def __call__(self, name: str, candidates: Iterable[str], context: str = "") -> str | None:
        key = (context, name)
        if key in self.known:
            return self.known[key]
        if self.left <= 0:
            return None
        self.left -= 1
        hint = self.known[key] = did_you_mean(name, candidates)
        return hint


def sort_key(d: Diagnostic) -> tuple:
    return (d.file, d.line, d.column, d.code, d.message)
