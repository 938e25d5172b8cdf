"""The language server's one index writer: a background thread fed by a queue.

This module owns *when* the server writes the index, never *how*: every run
goes through one long-lived ``index.pipeline.Indexer`` (the pipeline of
``run_index``, keeping its write connection and caches between runs, taking
the writer lock per run so a CLI ``codeidx index`` can run in between).
Three kinds of work arrive from the event loop: the initial run after
``initialized``, a full run asked for by the ``codeidx.reindex`` command,
and saved files.  Saves are debounced together: every file saved so far
runs in one ``IndexOptions(only=...)`` run once no save came for
``DEBOUNCE_SECONDS`` (a "save all" is one run), and at the latest
``DEBOUNCE_LIMIT_SECONDS`` after the first of them.  Files changed on disk (the client's file
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
writer thread after each run that ended with a result, right after its
``end`` event (the client hears of a current index first; derived stores
report their own lag); they should hand long work to threads of their own,
since a save waits for them.  Before the callbacks run, the writer waits
(briefly, bounded) for ``settle``: the server passes a function that returns
once the loop has sent the ``end`` notification, so that the work after a
run does not compete with the notification for the interpreter lock.
After the callbacks, the cyclic garbage of the run is collected (a save's
link leaves thousands of objects in reference cycles, and the server's
collector, tuned by ``lsp.runner.settle_heap`` to keep full collections
out of requests, would let them pile up: about 1.5 MB per save), the WAL
the run wrote is copied into the database (a passive checkpoint: a save
writes hundreds of WAL pages, and otherwise every third save's commit
would pay for SQLite's automatic checkpoint), and memory the run freed is
handed back to the operating system (``lsp.memory.release_free_memory``).  ``stop`` sets the
``should_stop`` token the pipeline checks between files, then joins the
thread.  Runs never raise out of the thread: a failed run is logged and
reported as an ``end`` event.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from codeidx.errors import IndexUnavailable
from codeidx.index.pipeline import Indexer, IndexOptions, RunResult
from codeidx.lsp.memory import release_free_memory
from codeidx.store import db, stats
from codeidx.store.stats import SessionRow
from codeidx.support.paths import WriterLock

log = logging.getLogger(__name__)

#: Saves of one burst ("save all") arrive within a few milliseconds of each
#: other; every millisecond waited here is a millisecond of every save.
DEBOUNCE_SECONDS = 0.005
#: A stream of saves runs at the latest this long after its first save.
DEBOUNCE_LIMIT_SECONDS = 0.2
#: The longest the writer waits for the loop to send a run's notification.
SETTLE_SECONDS = 0.25
#: How often an idle writer looks for runs by other processes (``PRAGMA data_version``).
WATCH_OTHERS_SECONDS = 0.5
#: How often a run waiting for another process's writer lock tries again.
LOCK_POLL_SECONDS = 0.1
#: One index run at a time in this process, whatever its root: a run that
#: parses inline keeps its workspace in the parse worker's process-wide
#: state (``index.worker.init_worker``), which a second root's run would
#: replace midway; and parsing holds the GIL, so runs in parallel would not
#: be faster anyway.
_RUNS = threading.Lock()
#: The pause after the last watched-file event before its batch runs.
WATCH_DEBOUNCE_SECONDS = 0.2
#: How often, at the least, an idle writer looks at the disk for changed files
#: when the client reports none (``poll_disk``).
POLL_SECONDS = 2.0
#: A look at the disk takes at most this share of the writer's time: on a
#: large workspace the looks are spaced out further.
POLL_SHARE = 0.05
#: The shortest interval between two progress events of one phase.
_PROGRESS_INTERVAL = 0.1


@dataclass(frozen=True, slots=True)
class RunEvent:
    """Something the writer reports: a run began, progressed or ended.

    ``reason`` is ``initial``, ``reindex``, ``config``, ``save`` or ``watch``, or
    ``external`` for a run another process made (an ``end`` event only); ``token``
    is the work-done progress token of a full run, if the client accepted one.
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
    #: For ``external`` events: the other process's run, as recorded.
    session: SessionRow | None = None
    #: The writer stopped before the run could start (it was waiting for the lock).
    stopped: bool = False


class IndexWatch:
    """Notices commits to an index by other connections; writer thread only.

    It keeps one read connection, opened when the index first exists.
    ``check`` returns the newest ended session when the data changed since
    the last check and that session was not returned before, else None.
    """

    def __init__(self, index_dir: Path) -> None:
        self._path = index_dir / db.DB_NAME
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self._last: int | None = None

    def check(self) -> SessionRow | None:
        if self._conn is None:
            if not self._path.exists():
                return None
            try:
                self._conn = db.connect_reader(self._path)
            except IndexUnavailable:
                return None
        version = db.data_version(self._conn)
        first = self._version is None
        if not first and version == self._version:
            return None
        self._version = version
        try:
            row = stats.last_session(self._conn)
        except sqlite3.OperationalError:
            return None  # No tables yet: the first run is still creating them.
        if row is None or row.ended_at is None:
            return None
        if first or row.session_id == self._last:
            self._last = row.session_id
            return None
        self._last = row.session_id
        return row

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._version = None


@dataclass(frozen=True, slots=True)
class _Full:
    reason: str
    token: str | None
    force: bool


class IndexWriter:
    """The writer thread and its queue (see module doc).

    ``settle(timeout)``, when given, is called on the writer thread after a
    run's ``end`` event and returns once that event was delivered (or after
    ``timeout`` seconds).
    """

    def __init__(
        self,
        root: Path,
        index_dir: Path,
        emit: Callable[[RunEvent], None],
        debounce: float = DEBOUNCE_SECONDS,
        watch_debounce: float = WATCH_DEBOUNCE_SECONDS,
        options: IndexOptions | None = None,
        watch_interval: float = WATCH_OTHERS_SECONDS,
        settle: Callable[[float], None] | None = None,
    ) -> None:
        self._root = root
        self._index_dir = index_dir
        self._emit = emit
        self._debounce = debounce
        self._cond = threading.Condition()
        self._full: _Full | None = None
        self._saves: set[str] = set()
        #: When the queued saves run: ``debounce`` after the last, capped after the first.
        self._saves_due = 0.0
        self._saves_limit = 0.0
        self._settle = settle
        self._watch_debounce = watch_debounce
        self._watched: set[str] = set()
        self._watch_due = 0.0
        self._options = options if options is not None else IndexOptions()
        self._stop = threading.Event()
        self._running: str | None = None
        self._after_run: list[Callable[[RunResult], None]] = []
        self._on_external: list[Callable[[], None]] = []
        self._own_sessions: set[int] = set()
        self._watch = IndexWatch(index_dir)
        #: The writer thread's connection for checkpoints, opened on first need.
        self._checkpoints: sqlite3.Connection | None = None
        self._watch_interval = watch_interval
        self._next_check = 0.0
        #: Whether the writer looks at the disk itself (``poll_disk``), when next.
        self._poll = False
        self._poll_due = 0.0
        #: What the last looks queued: path → its stat then (None: gone).  A
        #: file that no run takes in (unreadable) is queued again only once
        #: it changes.
        self._polled: dict[str, tuple[int, int] | None] = {}
        self._indexer: Indexer | None = None
        #: True while a run waits for another process's writer lock.
        self.waiting = False
        # A daemon thread, so that a writer blocked on another process's
        # writer lock cannot keep the process alive after ``exit``.
        self._thread = threading.Thread(target=self._loop, name="codeidx-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add_after_run(self, callback: Callable[[RunResult], None]) -> None:
        """Run ``callback(result)`` on the writer thread after every run with a result.

        The run's writer lock is released by then: a callback that writes a
        store takes the lock itself.  The next run waits for the callbacks,
        so they should be quick (hand work to a thread of their own).
        Register before ``start``.  A callback that raises is logged; the run
        still counts, and the other callbacks still run.
        """
        self._after_run.append(callback)

    def add_on_external(self, callback: Callable[[], None]) -> None:
        """Run ``callback()`` on the writer thread when another process's run is noticed.

        It runs before the ``external`` event, without the writer lock (a
        callback that writes a store takes the lock itself, as
        ``index.search_sync`` does).  Register before ``start``; a callback
        that raises is logged.
        """
        self._on_external.append(callback)

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
        """Queue a saved file; queued saves run together once no save came for a while."""
        with self._cond:
            now = time.monotonic()
            if not self._saves:
                self._saves_limit = now + max(self._debounce, DEBOUNCE_LIMIT_SECONDS)
            self._saves.add(path)
            self._saves_due = min(now + self._debounce, self._saves_limit)
            self._cond.notify()

    def request_paths(self, paths: Iterable[str]) -> None:
        """Queue files changed on disk; the batch runs once no event came for a while."""
        with self._cond:
            self._watched.update(paths)
            self._watch_due = time.monotonic() + self._watch_debounce
            self._cond.notify()

    def poll_disk(self, on: bool = True) -> None:
        """Look at the disk for changed files between runs (``on``), for a client that reports none.

        Every ``POLL_SECONDS`` at the most often, and never more than
        ``POLL_SHARE`` of the time; what changed runs as a batch of watched
        files (reason ``watch``).
        """
        with self._cond:
            if on and not self._poll:
                self._poll_due = time.monotonic() + POLL_SECONDS
            self._poll = on
            self._cond.notify()

    @property
    def polling(self) -> bool:
        """Whether the writer looks at the disk itself (``poll_disk``)."""
        return self._poll

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
        """The next job and the options to run it with; None once stopped.

        Between jobs, every ``watch_interval`` seconds, the index is checked
        for runs another process made (``_notice_others``).
        """
        with self._cond:
            while not self._stop.is_set():
                if time.monotonic() >= self._next_check:
                    self._cond.release()
                    try:
                        self._notice_others()
                    finally:
                        self._cond.acquire()
                    self._next_check = time.monotonic() + self._watch_interval
                    continue
                if self._full is not None:
                    full, self._full = self._full, None
                    return full, self._options
                now = time.monotonic()
                if self._watched and self._watch_due <= now:
                    batch = tuple(sorted(self._watched))
                    self._watched.clear()
                    return ("watch", batch), self._options
                if self._saves and self._saves_due <= now:
                    saved = tuple(sorted(self._saves))
                    self._saves.clear()
                    return ("save", saved), self._options
                if self._poll and self._poll_due <= now and not (self._saves or self._watched):
                    options = self._options
                    self._cond.release()
                    try:
                        changed, took = self._look_at_disk(options)
                    finally:
                        self._cond.acquire()
                    self._poll_due = time.monotonic() + max(POLL_SECONDS, took / POLL_SHARE)
                    if changed:
                        self._watched.update(changed)
                        self._watch_due = time.monotonic()
                    continue
                deadlines = [self._next_check]
                if self._poll:
                    deadlines.append(self._poll_due)
                if self._saves:
                    deadlines.append(self._saves_due)
                if self._watched:
                    deadlines.append(self._watch_due)
                self._cond.wait(max(0.0, min(deadlines) - now))
            return None

    def _look_at_disk(self, options: IndexOptions) -> tuple[list[str], float]:
        """(files changed on disk that no look queued as they are now, seconds it took)."""
        started = time.monotonic()
        indexer = self._indexer
        try:
            found = indexer.changed_on_disk(options) if indexer is not None else None
        except Exception as exc:
            log.warning("could not look for files changed on disk: %s", exc)
            found = None
        took = time.monotonic() - started
        if found is None:
            return [], took
        fresh = [path for path, stat in found.items() if self._polled.get(path, ...) != stat]
        self._polled = found
        if fresh:
            log.info("%d files changed on disk; indexing them", len(fresh))
        return sorted(fresh), took

    def _notice_others(self) -> None:
        """Report runs another process committed to this index (writer thread).

        ``PRAGMA data_version`` on a connection of this thread changes when any
        other connection commits; the newest session then says whose run it
        was.  Another process's run that ended is reported as an ``end`` event
        with reason ``external`` (after the ``add_on_external`` callbacks);
        this writer's own runs are known by their session ids.
        """
        try:
            seen = self._watch.check()
        except Exception as exc:
            log.warning("could not look for index changes by other processes: %s", exc)
            self._watch.close()
            return
        if seen is None or seen.session_id in self._own_sessions:
            return
        log.info("another codeidx process updated the index (run %d)", seen.session_id)
        for callback in self._on_external:
            try:
                callback()
            except Exception as exc:
                log.error("a step after another process's run failed", exc_info=exc)
        self._emit(RunEvent("end", "external", session=seen))

    @contextlib.contextmanager
    def _writer_lock(self) -> Iterator[bool]:
        """Hold the index's writer lock, waiting politely for another process's run.

        Yields False when the writer was stopped while waiting (the lock is
        then not held).  Polling instead of blocking keeps ``stop`` prompt.
        """
        lock = WriterLock(self._index_dir)
        told = False
        while not lock.try_acquire():
            # The flag goes up before the message: a client that reads the
            # message and then asks for the status must see it.
            self.waiting = True
            if not told:
                log.info("another codeidx process is writing the index; waiting for it")
                told = True
            if self._stop.wait(LOCK_POLL_SECONDS):
                self.waiting = False
                yield False
                return
        self.waiting = False
        try:
            yield True
        finally:
            lock.release()

    def _loop(self) -> None:
        indexer = self._indexer = Indexer(self._root, self._index_dir)
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
            self._watch.close()
            if self._checkpoints is not None:
                self._checkpoints.close()
                self._checkpoints = None

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

        # Wait here, stoppably, rather than blocked inside the run's own lock.
        with self._writer_lock() as free:
            if not free:
                self._running = None
                self._emit(RunEvent("end", reason, token, paths=paths, stopped=True))
                return
        started = time.monotonic()
        try:
            with _RUNS:
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
        seconds = time.monotonic() - started
        self._own_sessions.add(result.session_id)
        self._running = None
        # The client hears of the updated index first (before the log line,
        # which also travels to the client): navigation is current now, and
        # the derived stores say they lag until their steps ran.
        self._emit(RunEvent("end", reason, token, paths=paths, result=result))
        log.info(
            "%s index run %s in %.2f s: %d parsed, %d unchanged, %d deleted",
            reason,
            result.status,
            seconds,
            result.counts.files_parsed,
            result.counts.files_unchanged,
            result.counts.files_deleted,
        )
        if self._settle is not None:
            self._settle(SETTLE_SECONDS)
        for callback in self._after_run:
            try:
                callback(result)
            except Exception as exc:
                log.error("a step after the %s index run failed", reason, exc_info=exc)
        # Now, between runs and right after the client heard of this one,
        # rather than in the middle of some later request.
        gc.collect()
        self._checkpoint()
        # A run allocates and frees tens of megabytes (the parse, the rows,
        # SQLite's pages); without this the allocator keeps them resident.
        release_free_memory()

    def _checkpoint(self) -> None:
        """Copy the WAL into the database now, between runs (see module doc)."""
        try:
            if self._checkpoints is None:
                self._checkpoints = db.connect_writer(self._index_dir / db.DB_NAME)
            db.checkpoint_passive(self._checkpoints)
        except sqlite3.Error as exc:
            # The next commit checkpoints by itself; nothing is lost.
            log.debug("could not checkpoint the index: %s", exc)
