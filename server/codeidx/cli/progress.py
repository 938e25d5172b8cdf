"""The console side of an index run: the progress bar and Ctrl-C.

``ProgressBar`` draws one self-overwriting line on stderr (never stdout,
which carries the answer) and only when stderr is a terminal; redraws are
throttled so a fast run does not spend its time printing.  ``StopOnInterrupt``
turns the first Ctrl-C into a request to stop at the next file boundary (the
pipeline polls it and records the run as interrupted) and restores the
operating system's default action, so a second Ctrl-C kills the process at
once.  A KeyboardInterrupt would not do: raised at an arbitrary point it can
be swallowed (inside logging's fork handlers, in a ``__del__``) or wait for a
long SQLite statement.  Killing is safe: each file is one transaction, the
writer lock dies with the process, and the next run marks the abandoned
session as interrupted.  Main thread only:
Python delivers signals there and ``signal.signal`` refuses other threads.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any, TextIO

_WIDTH = 24
_INTERVAL = 0.1


class ProgressBar:
    """``progress(phase, done, total)`` for ``run_index``; draws nothing when disabled."""

    def __init__(
        self, stream: TextIO, enabled: bool, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._stream = stream
        self._enabled = enabled
        self._clock = clock
        self._last_draw = 0.0
        self._phase = ""
        self._drawn = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self._enabled:
            return
        now = self._clock()
        if phase == self._phase and done != total and now - self._last_draw < _INTERVAL:
            return
        self._phase = phase
        self._last_draw = now
        self._draw(render_bar(phase, done, total))

    def finish(self) -> None:
        """Erase the bar so the summary starts on a clean line."""
        if self._drawn:
            self._draw("")
            self._stream.write("\r")
            self._stream.flush()
            self._drawn = 0

    def _draw(self, text: str) -> None:
        pad = max(0, self._drawn - len(text))
        self._stream.write("\r" + text + " " * pad)
        self._stream.flush()
        self._drawn = len(text)


def render_bar(phase: str, done: int, total: int) -> str:
    """One line of progress: phase, bar, percentage and counts."""
    if total <= 0:
        return f"{phase:<8} …"
    fraction = min(max(done / total, 0.0), 1.0)
    filled = int(fraction * _WIDTH)
    bar = "#" * filled + "-" * (_WIDTH - filled)
    return f"{phase:<8} [{bar}] {int(fraction * 100):3d}% {done}/{total}"


class StopOnInterrupt:
    """A context manager: the first Ctrl-C sets a flag, a second one kills.

    ``requested`` is the ``should_stop`` callback for ``run_index``.  Outside
    the main thread it installs nothing (and Ctrl-C behaves as usual).
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._flag = threading.Event()
        self._previous: Any = None
        self._installed = False

    def requested(self) -> bool:
        return self._flag.is_set()

    def __enter__(self) -> StopOnInterrupt:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            # None means a handler installed outside Python; fall back to the usual one.
            self._previous = previous if previous is not None else signal.default_int_handler
            signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self._flag.set()
        # Restore the default action first: a second Ctrl-C must work even if
        # the pipeline is stuck inside one file (see the module doc).
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        self._stream.write(
            "\ncodeidx: stopping after the current file (press Ctrl-C again to abort)\n"
        )
        self._stream.flush()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False
