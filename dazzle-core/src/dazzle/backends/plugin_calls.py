"""The calls into plugin code that run in the dazzle process itself: the
import of an entry point, the backend's ``__init__`` and its
``get_capabilities``. (``validate_config`` and ``generate`` run in worker
processes: ``dazzle.backends.workers``.)

``plugin_call`` guards each one:

- whatever it prints, on ``sys.stdout`` or on file descriptor 1 or 2, is
  captured and written to stderr afterwards, each line marked with the
  backend's name, so ``dazzle backends --json`` and ``--check``'s list on
  stdout stay clean;
- the working folder is restored afterwards, whatever the call did to it;
- any ``BaseException`` it raises (``SystemExit``, a ``KeyboardInterrupt`` of
  its own, ...) becomes ``PluginCallFailed``, except a real Ctrl-C or
  SIGTERM (see ``dazzle.backends.interrupts``), which stops the command.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator

from dazzle.backends import interrupts


class PluginCallFailed(Exception):
    """Plugin code raised something that is not an ``Exception``
    (``SystemExit``, ``KeyboardInterrupt``, ...). ``error`` is what it raised."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(describe_exception(error))
        self.error = error


def describe_exception(error: BaseException) -> str:
    """``TYPE: message`` for a message; ``sys.exit(3)`` for a SystemExit."""
    if isinstance(error, SystemExit):
        return f"it called sys.exit({error.code!r})"
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def write_marked(name: str, text: str, stream: io.TextIOBase | None = None) -> None:
    """Write a plugin's output to stderr, each line marked ``[name]``."""
    stream = stream or sys.stderr
    for line in text.splitlines():
        stream.write(f"[{name}] {line}\n")
    stream.flush()


@contextlib.contextmanager
def plugin_call(name: str) -> Iterator[None]:
    """Guard one call into plugin code made in the dazzle process (see the
    module's docstring). ``name`` marks the plugin's output."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    stderr = sys.stderr
    try:
        here: int | None = os.open(".", os.O_RDONLY)
    except OSError:  # the working folder is gone or unreadable: nothing to restore
        here = None
    captured: list[str] = []
    try:
        with _captured_output(captured):
            try:
                yield
            except Exception:
                raise
            except BaseException as error:
                if interrupts.is_real_interrupt(error):
                    raise
                raise PluginCallFailed(error) from error
    finally:
        if here is not None:
            with contextlib.suppress(OSError):
                os.fchdir(here)
            os.close(here)
        write_marked(name, "".join(captured), stderr)
    interrupts.check()


@contextlib.contextmanager
def _captured_output(captured: list[str]) -> Iterator[None]:
    """Send file descriptors 1 and 2, ``sys.stdout`` and ``sys.stderr`` into a
    temporary file for the duration; append what was written to ``captured``."""
    with tempfile.TemporaryFile() as capture:
        saved: dict[int, int] = {}
        for fd in (1, 2):
            with contextlib.suppress(OSError):  # a descriptor that is closed stays closed
                saved[fd] = os.dup(fd)
                os.dup2(capture.fileno(), fd)
        text = open(
            capture.fileno(),
            "w",
            encoding="utf-8",
            errors="backslashreplace",  # noqa: SIM115
            buffering=1,
            closefd=False,
        )
        old = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = text
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                text.flush()
            sys.stdout, sys.stderr = old
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            capture.seek(0)
            captured.append(capture.read().decode("utf-8", "backslashreplace"))
