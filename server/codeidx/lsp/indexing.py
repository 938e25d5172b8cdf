"""The language server's one index writer: a background thread fed by a queue.

This module owns *when* the server writes the index, never *how*: every run
goes through one long-lived ``index.pipeline.Indexer`` (the pipeline of
``run_index``, keeping its write connection and caches between runs, taking
the writer lock per run so a CLI ``codeidx index`` can run in between).
Three kinds of work arrive from the event loop: the initial run after
``initialized``, a full run asked for by the ``codeidx.reindex`` command,
and saved files.  Saves are debounced per path (``DEBOUNCE_SECONDS`` after
the last save of that path) and run together as one
``IndexOptions(only=...)`` run.  Files changed on disk (the client's file
watcher) gather in one batch that runs ``WATCH_DEBOUNCE_SECONDS`` after the
last event, as one ``only`` run, however many files a ``git checkout``
touched.  A pending full run goes first and absorbs repeated requests.  The
options of every run (include/exclude globs, size limit) are the ones last
given to ``set_options``.

Only the writer thread runs the pipeline, and it opens and closes the
``Indexer`` (so its connection never leaves that thread); the loop only
enqueues.  Progress and outcomes leave through ``emit`` (called on the
writer thread; the server forwards them to the loop).  Other writers of
derived stores register ``add_after_run`` callbacks, which run on the
writer thread after each run that ended with a result, before its ``end``
event, so they may write their own stores from the same thread.  ``stop`` sets the
``should_stop`` token the pipeline checks between files, then joins the
thread.  Runs never raise out of the thread: a failed run is logged and
reported as an ``end`` event.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from codeidx.index.pipeline import Indexer, IndexOptions, RunResult

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.1
#: The pause after the last watched-file event before its batch runs.
WATCH_DEBOUNCE_SECONDS = 0.2
#: The shortest interval between two progress events of one phase.
_PROGRESS_INTERVAL = 0.1


@dataclass(frozen=True, slots=True)
class RunEvent:
    """Something the writer reports: a run began, progressed or ended.

    ``reason`` is ``initial``, ``reindex``, ``config``, ``save`` or ``watch``; ``token`` is the
    work-done progress token of a full run, if the client accepted one.
    """

    kind: str  # begin | progress | end
    reason: str
    token: str | None = None
    phase: str = ""
    done: int = 0
    total: int = 0
    paths: tuple[str, ...] = ()
    result: RunResult | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Full:
    reason: str
    token: str | None
    force: bool


class IndexWriter:
    """The writer thread and its queue (see module doc)."""

    def __init__(
        self,
        root: Path,
        index_dir: Path,
        emit: Callable[[RunEvent], None],
        debounce: float = DEBOUNCE_SECONDS,
        watch_debounce: float = WATCH_DEBOUNCE_SECONDS,
        options: IndexOptions | None = None,
    ) -> None:
        self._root = root
        self._index_dir = index_dir
        self._emit = emit
        self._debounce = debounce
        self._cond = threading.Condition()
        self._full: _Full | None = None
        self._saves: dict[str, float] = {}
        self._watch_debounce = watch_debounce
        self._watched: set[str] = set()
        self._watch_due = 0.0
        self._options = options if options is not None else IndexOptions()
        self._stop = threading.Event()
        self._running: str | None = None
        self._after_run: list[Callable[[RunResult], None]] = []
        # A daemon thread, so that a writer blocked on another process's
        # writer lock cannot keep the process alive after ``exit``.
        self._thread = threading.Thread(target=self._loop, name="codeidx-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add_after_run(self, callback: Callable[[RunResult], None]) -> None:
        """Run ``callback(result)`` on the writer thread after every run with a result.

        Register before ``start``.  A callback that raises is logged; the
        run still counts, and the other callbacks still run.
        """
        self._after_run.append(callback)

    @property
    def started(self) -> bool:
        return self._thread.is_alive() or self._thread.ident is not None

    # Called on the event loop ---------------------------------------------------

    def request_full(self, reason: str, token: str | None = None, force: bool = False) -> bool:
        """Queue a full run; False when one is already queued (it absorbs this one)."""
        with self._cond:
            if self._full is not None:
                self._full = _Full(self._full.reason, self._full.token, self._full.force or force)
                return False
            self._full = _Full(reason, token, force)
            self._cond.notify()
            return True

    def request_save(self, path: str) -> None:
        """Queue a saved file, re-indexed once no save of it came for the debounce time."""
        with self._cond:
            self._saves[path] = time.monotonic() + self._debounce
            self._cond.notify()

    def request_paths(self, paths: Iterable[str]) -> None:
        """Queue files changed on disk; the batch runs once no event came for a while."""
        with self._cond:
            self._watched.update(paths)
            self._watch_due = time.monotonic() + self._watch_debounce
            self._cond.notify()

    def set_options(self, options: IndexOptions) -> None:
        """The options of the runs that start from now on (``only`` and ``force`` aside)."""
        with self._cond:
            self._options = options

    @property
    def running(self) -> str | None:
        """The reason of the run in progress, or None when idle."""
        return self._running

    @property
    def pending(self) -> tuple[bool, int]:
        """(a full run is queued, how many saved or watched files are queued)."""
        with self._cond:
            return self._full is not None, len(self._saves) + len(self._watched)

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the current run at the next file and end the thread; True when it ended."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    # The writer thread ---------------------------------------------------------

    def _next(self) -> tuple[_Full | tuple[str, tuple[str, ...]], IndexOptions] | None:
        """The next job and the options to run it with; None once stopped."""
        with self._cond:
            while not self._stop.is_set():
                if self._full is not None:
                    full, self._full = self._full, None
                    return full, self._options
                now = time.monotonic()
                if self._watched and self._watch_due <= now:
                    batch = tuple(sorted(self._watched))
                    self._watched.clear()
                    return ("watch", batch), self._options
                due = [p for p, t in self._saves.items() if t <= now]
                if due:
                    for path in due:
                        del self._saves[path]
                    return ("save", tuple(sorted(due))), self._options
                deadlines = list(self._saves.values())
                if self._watched:
                    deadlines.append(self._watch_due)
                if deadlines:
                    self._cond.wait(min(deadlines) - now)
                else:
                    self._cond.wait()
            return None

    def _loop(self) -> None:
        indexer = Indexer(self._root, self._index_dir)
        try:
            while (next_job := self._next()) is not None:
                job, options = next_job
                if isinstance(job, _Full):
                    full = replace(options, force=job.force, only=None)
                    self._run(indexer, job.reason, job.token, full, ())
                else:
                    reason, paths = job
                    self._run(indexer, reason, None, replace(options, only=paths), paths)
        finally:
            indexer.close()

    def _run(
        self,
        indexer: Indexer,
        reason: str,
        token: str | None,
        options: IndexOptions,
        paths: tuple[str, ...],
    ) -> None:
        self._running = reason
        self._emit(RunEvent("begin", reason, token, paths=paths))
        last_time, last_phase = [0.0], [""]

        def progress(phase: str, done: int, total: int) -> None:
            now = time.monotonic()
            recent = now - last_time[0] < _PROGRESS_INTERVAL
            if phase == last_phase[0] and recent and done < total:
                return
            last_time[0], last_phase[0] = now, phase
            self._emit(RunEvent("progress", reason, token, phase, done, total, paths))

        def waiting() -> None:
            log.info("another codeidx process is writing the index; waiting for it")

        started = time.monotonic()
        try:
            result = indexer.run(
                options,
                progress=progress,
                should_stop=self._stop.is_set,
                on_wait=waiting,
            )
        except Exception as exc:
            log.error("the %s index run failed", reason, exc_info=exc)
            error = f"{type(exc).__name__}: {exc}"
            self._running = None
            self._emit(RunEvent("end", reason, token, paths=paths, error=error))
            return
        log.info(
            "%s index run %s in %.2f s: %d parsed, %d unchanged, %d deleted",
            reason,
            result.status,
            time.monotonic() - started,
            result.counts.files_parsed,
            result.counts.files_unchanged,
            result.counts.files_deleted,
        )
        for callback in self._after_run:
            try:
                callback(result)
            except Exception as exc:
                log.error("a step after the %s index run failed", reason, exc_info=exc)
        self._running = None
        self._emit(RunEvent("end", reason, token, paths=paths, result=result))
