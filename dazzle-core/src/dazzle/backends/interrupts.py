"""Ctrl-C and SIGTERM during a build: a real signal from the user (or from
``timeout``, a CI runner, ``docker stop``) stops the build cleanly, and is
told apart from a plugin that raises ``KeyboardInterrupt`` itself.

While ``stop_signals_raise()`` is active (the ``dazzle`` commands that run
plugin code hold it), SIGINT and SIGTERM are recorded and turned into
``StopRequested``, so every ``finally`` and ``with`` on the way out runs: the
worker processes are killed and the staging folder is removed. A
``KeyboardInterrupt`` that a plugin raises while no signal was recorded is the
plugin's failure, like any other exception it raises.

Once the build's output is committed (``hold_to_end``), a stop signal can
no longer undo anything: it is recorded, the command ends its work and its
report, then says so and exits with the signal's status (``final_stop``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

#: The signals that stop a build, each with the exit status it gives (128 + number).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

_received: int | None = None
_watching = False
#: While above zero, a stop signal is recorded but not raised (``held``).
_holding = 0
#: Once set, a stop signal is recorded but never raised (``hold_to_end``).
_final = False


class StopRequested(KeyboardInterrupt):
    """The user (or a supervisor) sent SIGINT or SIGTERM. A subclass of
    ``KeyboardInterrupt``, so that code which stops on Ctrl-C stops on it too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


def _handle(signum: int, frame: FrameType | None) -> None:
    global _received
    if _received is not None:
        # A second signal while stopping: cleaning up is already under way and
        # must not itself be interrupted.
        return
    _received = signum
    if _holding or _final:
        return  # raised by the holder's check() once its work is done, or told at the end (final_stop())
    raise StopRequested(signum)


@contextlib.contextmanager
def stop_signals_raise() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into ``StopRequested`` for the duration. Does
    nothing outside the main thread, where Python cannot set handlers."""
    global _received, _watching, _final
    if threading.current_thread() is not threading.main_thread() or _watching:
        yield
        return
    # A signal the process was started to ignore stays ignored, as POSIX
    # programs do: a job that a script (or nohup) started in the background
    # is not meant to stop on the Ctrl-C typed for the job in the foreground.
    previous = {
        signum: handler for signum in STOP_SIGNALS if (handler := signal.getsignal(signum)) is not signal.SIG_IGN
    }
    _received, _watching, _final = None, True, False
    for signum in previous:
        signal.signal(signum, _handle)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        _received, _watching, _final = None, False, False


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold stop signals for the duration of work that must be done whole,
    never stopped halfway (moving files into the output folder, putting them
    back). A signal that arrives meanwhile is recorded, not raised: the
    holder raises it when the work allows (``check()``, inside the hold, so
    that none lands after it unseen) or keeps it to the end (``hold_to_end``)."""
    global _holding
    _holding += 1
    try:
        yield
    finally:
        _holding -= 1


def hold_to_end() -> None:
    """The work is final (the output folder is committed): from now until
    ``stop_signals_raise`` ends, a stop signal is recorded and never raised,
    since stopping could undo nothing; the command ends its work, then tells
    it (``final_stop``). Call it while signals are ``held``, so that none
    lands between the work and this call. Does nothing while nobody watches
    for signals."""
    global _final
    if _watching:
        _final = True


def final_stop() -> StopRequested | None:
    """The stop signal received after ``hold_to_end``, if any: the command
    should say that its work was done all the same, and exit with the
    signal's status."""
    return StopRequested(_received) if _final and _received is not None else None


def received() -> int | None:
    """The stop signal received while watching, if any."""
    return _received


def is_real_interrupt(error: BaseException) -> bool:
    """Whether ``error``, caught around a call into plugin code, must stop
    the command rather than count as the plugin's failure: a signal was
    received, or a ``KeyboardInterrupt`` arrived while nobody was watching
    for signals (so it may have been a real Ctrl-C)."""
    if isinstance(error, StopRequested) or _received is not None:
        return True
    return isinstance(error, KeyboardInterrupt) and not _watching


def check() -> None:
    """Raise ``StopRequested`` if a stop signal arrived and was swallowed by
    plugin code (an ``except BaseException: pass``); never once the work is
    final (``hold_to_end``)."""
    if _received is not None and not _final:
        raise StopRequested(_received)


def reset_in_worker() -> None:
    """A worker process starts with the default handlers (but keeps ignoring
    a signal its command was started to ignore): its parent decides when it
    stops."""
    global _received, _watching, _holding, _final
    _received, _watching, _holding, _final = None, False, 0, False
    for signum, default in ((signal.SIGINT, signal.default_int_handler), (signal.SIGTERM, signal.SIG_DFL)):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, default)
