"""Colour for diagnostics: on a terminal, never in a pipe or a file.

``NO_COLOR`` (any non-empty value) turns colour off, ``FORCE_COLOR`` (any
non-empty value) turns it on even in a pipe; with both set, ``NO_COLOR`` wins,
as in CPython's own tracebacks. Styling is click's, so click strips it again
wherever colour is off.
"""

from __future__ import annotations

import os

import click

#: The style of each role of ``dazzle.core.diagnostics.Paint``.
STYLES = {
    "error": {"fg": "red", "bold": True},
    "warning": {"fg": "yellow", "bold": True},
    "gutter": {"fg": "blue", "bold": True},
    "help": {"fg": "cyan", "bold": True},
}


def colour_wanted() -> bool | None:
    """True or False when the environment decides; None lets click decide
    (colour only when the stream is a terminal)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return None


def paint(role: str, text: str) -> str:
    return click.style(text, **STYLES[role])
