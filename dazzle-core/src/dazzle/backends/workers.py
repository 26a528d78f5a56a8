"""Worker processes: each backend's ``validate_config`` and ``generate`` run
in a process of its own, so that nothing the backend does can reach the build
or the other backends. The worker runs its steps one phase at a time: every
worker reports on ``validate_config`` before any is told to ``generate``.

- The worker is a copy of the dazzle process (``fork``, where the platform
  has it), so the backend sees the AppSpec exactly as compiled and no change
  it makes to it, to the working folder or to global state outlives the
  call. Without ``fork`` (Windows) the worker is started with ``spawn``, and
  the call, the backend instance and the AppSpec travel by pickle.
- Everything the worker writes on stdout or stderr, from Python or from any
  program it runs, goes to a log file that the parent copies to its stderr as
  it grows, each line marked ``[backend]``; stdin is ``/dev/null``.
- The worker reports back through a pipe: the exception the call raised (any
  ``BaseException``: ``sys.exit`` and a ``KeyboardInterrupt`` of its own
  included) and every ``BackendWarning`` it gave, whatever the warning
  filters say. A worker that dies without reporting (``os._exit``, a
  crash), or that overruns the time limit, is a failure of that backend.
- The worker leads a process group of its own, so the terminal's Ctrl-C
  reaches only dazzle, and stopping a worker (time limit, Ctrl-C, another
  backend failing) kills whatever programs it started too. A worker whose
  parent is gone kills itself.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import attrs

from dazzle.backends import interrupts
from dazzle.backends.api import BackendError, BackendWarning

#: How often the parent copies the workers' output while they run, in seconds.
POLL_SECONDS = 0.1
#: How long a worker that has reported may take to end before it is killed
#: (a thread it left running, a slow exit handler), in seconds.
EXIT_GRACE_SECONDS = 5.0

#: The longest line of a worker's output passed on whole, in bytes: a longer
#: one (a backend writing megabytes with no line end) is passed on in pieces,
#: so the parent neither holds it whole nor copies it again at every poll.
MAX_LINE_BYTES = 64 * 1024

#: Where a worker's output goes: (the backend's name, one line without its end).
OutputSink = Callable[[str, str], None]


@attrs.frozen
class Step:
    """One call into a backend. ``function`` and ``args`` must pickle where
    workers are started with ``spawn``."""

    function: Callable[..., None]
    args: tuple[Any, ...]


@attrs.frozen
class Call:
    """The work of one backend, run in one worker: one step per phase
    (``None``: nothing to do in that phase). Every worker ends a phase before
    any starts the next."""

    label: str  # the backend's name: marks its output
    steps: tuple[Step | None, ...]


@attrs.frozen
class Raised:
    """What the call raised. ``error`` is the exception itself when it could
    travel back from the worker, else a stand-in of the same kind
    (``BackendError`` or ``WorkerError``) with its message."""

    error: BaseException
    type_name: str
    message: str
    traceback: str

    @property
    def is_backend_error(self) -> bool:
        return isinstance(self.error, BackendError)


class WorkerError(Exception):
    """Stands in for an exception of a backend that could not be sent back
    from its worker (it does not pickle)."""


@attrs.frozen
class Outcome:
    """How one call ended. At most one of ``raised`` (the call raised),
    ``died`` (the worker ended without reporting: why) and ``timed_out`` is set."""

    warnings: tuple[BackendWarning, ...] = ()
    raised: Raised | None = None
    died: str | None = None
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.raised is None and self.died is None and not self.timed_out


@attrs.frozen
class _Report:
    """What a worker sends back."""

    warnings: tuple[BackendWarning, ...]
    raised: Raised | None


def start_method() -> str:
    """``fork`` where the platform has it, else ``spawn``."""
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def worker_limit() -> int:
    """How many workers run at once: the CPUs this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def run_calls(
    calls: Sequence[Call],
    log_dir: Path,
    *,
    on_output: OutputSink,
    timeout: float | None = None,
    limit: int | None = None,
    method: str | None = None,
) -> list[list[Outcome | None]]:
    """Run ``calls``, one worker each, phase by phase, at most ``limit``
    steps at once; return each step's outcome, by phase then call. At the
    first failure the workers are killed and nothing more is started; the
    steps that did not run get ``None``. ``timeout`` is the most seconds each
    step may take. On any exception (``StopRequested`` from a signal
    included) every worker is killed first."""
    context = multiprocessing.get_context(method or start_method())
    limit = limit or worker_limit()
    log_dir.mkdir(parents=True, exist_ok=True)
    phases = max((len(call.steps) for call in calls), default=0)
    outcomes: list[list[Outcome | None]] = [[None] * len(calls) for _ in range(phases)]
    workers: dict[int, _Running] = {}
    failed = False
    try:
        for phase in range(phases):
            waiting = list(range(len(calls)))
            busy: list[_Running] = []
            final = phase == phases - 1
            while (waiting and not failed) or busy:
                while waiting and not failed and len(busy) < limit:
                    index = waiting.pop(0)
                    if phase == 0:
                        workers[index] = _Running.start(
                            context, index, calls[index], log_dir / f"{index}.log", on_output
                        )
                    else:
                        workers[index].go()
                    busy.append(workers[index])
                now = time.monotonic()
                wake = POLL_SECONDS
                for worker in busy:
                    wake = min(wake, max(0.0, worker.deadline(timeout, final) - now))
                multiprocessing.connection.wait(
                    [w.process.sentinel for w in busy] + [w.reports for w in busy if w.listening], timeout=wake
                )
                for worker in list(busy):
                    outcome = worker.poll(timeout, final)
                    if outcome is not None:
                        busy.remove(worker)
                        outcomes[phase][worker.index] = outcome
                        failed = failed or not outcome.ok
            if failed:
                break
    finally:
        for worker in workers.values():
            worker.stop()
    return outcomes


class _Running:
    """A worker process and what the parent knows of it."""

    def __init__(
        self, index: int, call: Call, process: Any, reports: Any, log: BinaryIO, on_output: OutputSink
    ) -> None:
        self.index = index
        self.call = call
        self.process = process
        self.reports = reports
        self.log = log
        self.on_output = on_output
        self.partial = b""
        self.started = time.monotonic()
        self.report: _Report | None = None
        self.reported_at = 0.0
        #: Whether the worker may still report on its step (it has not, and
        #: its end of the pipe is open).
        self.listening = True
        self.finished = False
        #: Why the worker's report could not be read, if it could not.
        self.unreadable: str | None = None

    @classmethod
    def start(cls, context: Any, index: int, call: Call, log_path: Path, on_output: OutputSink) -> _Running:
        log_path.write_bytes(b"")
        log = log_path.open("rb")
        reports, child_end = context.Pipe()
        # Whatever the dazzle process has buffered must not be copied into
        # the worker and written again from there.
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.flush()
        process = context.Process(
            target=_worker_main, args=(call, child_end, str(log_path)), name=f"dazzle-{call.label}"
        )
        try:
            process.start()
        except BaseException:
            log.close()
            raise
        finally:
            child_end.close()
        if hasattr(os, "setpgid"):
            with contextlib.suppress(OSError):  # the worker does the same; whichever runs first wins
                os.setpgid(process.pid, process.pid)
        return cls(index, call, process, reports, log, on_output)

    def go(self) -> None:
        """Start the next step (the worker waits for the word)."""
        self.report, self.listening, self.started = None, True, time.monotonic()
        with contextlib.suppress(OSError):  # it died meanwhile: poll() will say so
            self.reports.send("go")

    def deadline(self, timeout: float | None, final: bool) -> float:
        if self.report is not None and (final or self.report.raised is not None):
            return self.reported_at + EXIT_GRACE_SECONDS  # its work is done: it only has to end
        return self.started + timeout if timeout is not None else float("inf")

    def poll(self, timeout: float | None, final: bool) -> Outcome | None:
        """The outcome of the current step once known, else None (after
        copying the worker's output). After the last step, or a failed one,
        the worker must also have ended."""
        self.relay()
        if self.listening and self.reports.poll():
            self.receive()
        if self.unreadable is not None:
            self.stop()  # it may be waiting for a next step that will not come
            return self._outcome()
        if self.process.exitcode is not None:
            self.process.join()
            if self.listening and self.reports.poll():
                self.receive()
            self.finish()
            return self._outcome()
        if self.report is not None and not final and self.report.raised is None:
            return self._outcome()  # it waits for the next phase
        if time.monotonic() >= self.deadline(timeout, final):
            self.stop()
            if self.report is not None:  # it finished its work, then did not end: its result stands
                return self._outcome()
            return Outcome(timed_out=True)
        return None

    def receive(self) -> None:
        """Read the worker's report on its step; once read, or once the pipe
        is closed, the worker is not listened to until its next step."""
        self.listening = False
        try:
            self.report = self.reports.recv()
        except (EOFError, OSError):
            return
        except Exception as error:  # noqa: BLE001 - rebuilding the backend's objects ran its code
            # What the backend raised or warned passed the worker's pickling
            # check yet cannot be rebuilt here (its __reduce__ depends on the
            # worker's state): the step failed, and says why.
            self.unreadable = f"its report could not be read: {type(error).__name__}: {error}"
            return
        self.reported_at = time.monotonic()

    def _outcome(self) -> Outcome:
        if self.report is not None:
            return Outcome(self.report.warnings, self.report.raised)
        return Outcome(died=self.unreadable or _exit_description(self.process.exitcode))

    def relay(self) -> None:
        if self.finished:
            return
        while chunk := self.log.read(MAX_LINE_BYTES):
            *lines, self.partial = (self.partial + chunk).split(b"\n")
            for line in lines:
                self.on_output(self.call.label, line.rstrip(b"\r").decode("utf-8", "backslashreplace"))
            while len(self.partial) > MAX_LINE_BYTES:
                cut = MAX_LINE_BYTES
                while cut > MAX_LINE_BYTES - 4 and self.partial[cut] & 0xC0 == 0x80:
                    cut -= 1  # not inside a UTF-8 sequence
                piece, self.partial = self.partial[:cut], self.partial[cut:]
                self.on_output(self.call.label, piece.decode("utf-8", "backslashreplace"))

    def finish(self) -> None:
        if self.finished:
            return
        self.relay()
        if self.partial:
            self.on_output(self.call.label, self.partial.decode("utf-8", "backslashreplace"))
            self.partial = b""
        self.finished = True
        self.log.close()
        self.reports.close()

    def stop(self) -> None:
        """Kill the worker and every process of its group; copy what it wrote."""
        # Also once the worker has ended: a program it started in the
        # background keeps the group (and so its id) alive.
        _kill_group(self.process)
        self.process.join()
        self.finish()


def _kill_group(process: Any) -> None:
    if hasattr(os, "killpg"):
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
            return
    if process.exitcode is None:
        with contextlib.suppress(OSError):
            process.kill()


def _exit_description(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-exitcode).name}"
        return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


# --- in the worker --------------------------------------------------------------------


def _worker_main(call: Call, reports: Any, log_path: str) -> None:
    if hasattr(os, "setpgid"):
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
    interrupts.reset_in_worker()
    _adopt_orphans()
    _redirect_output(log_path)
    _die_with_parent()
    for phase, step in enumerate(call.steps):
        if phase > 0:
            try:
                if reports.recv() != "go":
                    return
            except (EOFError, OSError):  # the parent is gone or gave up
                return
        report = _run_step(step) if step is not None else _Report((), None)
        reports.send(report)
        if report.raised is not None:
            break
    _kill_descendants()
    reports.close()


def _run_step(step: Step) -> _Report:
    raised = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # every warning, whatever the caller's filters
        try:
            step.function(*step.args)
        except BaseException as error:  # noqa: BLE001 - whatever the backend raised is its failure
            raised = _raised(error)
    given = []
    with warnings.catch_warnings():
        # Shown on this process's stderr, whatever hook the parent had (a
        # test runner's recorder would keep them in the worker's memory).
        warnings.showwarning = _show_warning
        for record in caught:
            if isinstance(record.message, BackendWarning):
                given.append(_sendable_warning(record.message))
            elif raised is None:
                # Any other warning goes through the usual filters (-W,
                # PYTHONWARNINGS) and, if shown, to stderr like other output.
                try:
                    warnings.warn_explicit(
                        record.message, record.category, record.filename, record.lineno, source=record.source
                    )
                except BaseException as error:  # noqa: BLE001 - a filter set to "error"
                    raised = _raised(error)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return _Report(tuple(given), raised)


def _show_warning(
    message: Any, category: type[Warning], filename: str, lineno: int, file: Any = None, line: str | None = None
) -> None:
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _redirect_output(log_path: str) -> None:
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    # New streams: those inherited may be a test runner's capture objects.
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)  # noqa: SIM115


def _adopt_orphans() -> None:
    """Where Linux allows, make this worker the parent of every program its
    backend starts that loses its own parent (a daemon that forks twice), so
    that ``_kill_descendants`` finds it."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _kill_descendants() -> None:
    """Kill every program the backend started and left running, also those
    that left this worker's process group (``setsid``), where ``/proc`` says
    who they are."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return
    children: dict[int, list[int]] = {}
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat_file:
                parent = int(stat_file.read().rpartition(b")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found = list(children.get(os.getpid(), ()))
    for pid in found:
        found.extend(children.get(pid, ()))
    for pid in found:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _die_with_parent() -> None:
    """Kill this worker (and its process group) when the dazzle process is
    gone, so a backend stuck in a loop does not outlive a killed build."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        if hasattr(os, "killpg"):
            with contextlib.suppress(OSError):
                os.killpg(0, signal.SIGKILL)
        os._exit(1)

    threading.Thread(target=watch, name="dazzle-parent-watch", daemon=True).start()


def _raised(error: BaseException) -> Raised:
    try:
        text = "".join(traceback.format_exception(error))
        message = str(error)
    except Exception:  # noqa: BLE001 - an exception whose str() fails is still the backend's failure
        text, message = "", f"<unprintable {type(error).__name__}>"
    sendable: BaseException = error
    if not _travels(error):
        stand_in = BackendError if isinstance(error, BackendError) else WorkerError
        sendable = stand_in(message)
    sendable.__traceback__ = None
    return Raised(sendable, type(error).__name__, message, text)


def _sendable_warning(warning: BackendWarning) -> BackendWarning:
    if _travels(warning):
        return warning
    # The stand-in keeps only what travels: a location or code of the
    # backend's own kind would make the whole report fail to send.
    location = warning.location if _travels(warning.location) else None
    code = warning.code if isinstance(warning.code, str) else None
    return BackendWarning(str(warning.message), location=location, code=code)


def _travels(value: Any) -> bool:
    """Whether ``value`` survives being pickled and unpickled."""
    try:
        pickle.loads(pickle.dumps(value))
    except Exception:  # noqa: BLE001 - any failure means it cannot be sent
        return False
    return True
