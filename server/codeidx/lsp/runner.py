"""Runs query work off the event loop, with a cancel token, and maps errors to LSP errors.

This module owns the request side of STYLE.md section 7.  A handler awaits
``Runner.read(method, work)``; ``work(conn, token)`` runs on a worker thread
of a small pool with the read-only connection of that thread
(``query.status.open_index``).  A worker opens its connection on its first
read and keeps it between requests, and closes it in the ``finally`` of its
loop when the runner closes, so a connection never crosses threads and
every one has a close path.  Opening one per request cost every request a
few milliseconds: SQLite parses the schema again and starts with an empty
page cache (5 ms of a 40 ms references answer).  A kept connection is
opened again when it cannot be trusted to read what a new one would: the
index file was replaced (another inode: the index folder deleted and built
anew), the schema changed (a migration, which ``open_index`` checks), or a
read failed with a database error.  Between requests it holds no
transaction, so it never pins an old version of the index or holds back a
checkpoint.  Its reads happen inside the query functions' own snapshots.

Cancellation: when the client sends ``$/cancelRequest``, pygls cancels the
handler's task; the runner then sets the request's ``CancelToken``.  Work
that has not started yet never starts, and SQLite's progress handler aborts
a statement in flight.  When a document the request depends on changed
while it ran, the answer is ``ContentModified`` instead of a stale result.

Errors become responses in one place (``to_response_error``, applied to
work on the pool here and to every async handler by ``guard``): malformed
input → InvalidParams; cancelled → RequestCancelled; document changed →
ContentModified; no usable index → RequestFailed with a sentence; anything
else → InternalError with one line, the traceback in the log only.

The event loop calls ``read``/``call``/``close``; work functions run on the
pool's threads.  Never runs SQL on the loop.  ``settle_heap`` tunes the
garbage collector for request latency; the server calls it once, at start-up.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import inspect
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from pygls.exceptions import (
    JsonRpcContentModified,
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcRequestCancelled,
)

from codeidx.errors import Cancelled, CodeidxError, ContentModified, UsageError
from codeidx.query.status import open_index
from codeidx.store import db

log = logging.getLogger(__name__)

T = TypeVar("T")

#: SQLite virtual machine instructions between two looks at the cancel token.
_PROGRESS_STEPS = 2000


#: Middle-generation collections between two full collections in the server
#: (Python's default is 10; see ``settle_heap``).
MIDDLE_COLLECTIONS_PER_FULL = 100


def settle_heap() -> None:
    """Keep the cyclic garbage collector from pausing requests (call once, at start-up).

    A full collection walks every tracked object.  With the collector's
    defaults, an answer of tens of thousands of references (hundreds of
    thousands of objects while it is built and serialized) sets off one full
    collection after another, each walking the whole heap: in a run of the
    latency benchmark they added up to more than ten seconds, in pauses of
    50 to 800 ms in the middle of whatever request was running.  So the
    objects of start-up (modules, protocol types, converters), which live
    as long as the process, are moved out of the collector's sight
    (``gc.freeze``), and a full collection waits for
    ``MIDDLE_COLLECTIONS_PER_FULL`` middle ones instead of 10.  Young
    collections keep their default pace, and cyclic garbage is still
    collected.
    """
    gc.collect()
    gc.freeze()
    young, middle, _old = gc.get_threshold()
    gc.set_threshold(young, middle, MIDDLE_COLLECTIONS_PER_FULL)


class JsonRpcRequestFailed(JsonRpcException):
    """LSP's RequestFailed: the request was valid but could not be answered."""

    CODE = -32803
    MESSAGE = "Request Failed"


class CancelToken:
    """Set when the request is cancelled; work checks it between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise Cancelled if the request was cancelled."""
        if self._event.is_set():
            raise Cancelled("the request was cancelled")


def to_response_error(
    method: str, exc: BaseException, token: CancelToken | None = None
) -> JsonRpcException:
    """The LSP error for an exception raised while answering ``method`` (see module doc)."""
    if isinstance(exc, JsonRpcException):
        return exc
    if isinstance(exc, Cancelled) or (
        token is not None and token.cancelled and isinstance(exc, sqlite3.OperationalError)
    ):
        return JsonRpcRequestCancelled(f"{method} was cancelled")
    if isinstance(exc, ContentModified):
        return JsonRpcContentModified(str(exc))
    if isinstance(exc, UsageError):
        return JsonRpcInvalidParams(str(exc))
    if isinstance(exc, CodeidxError):
        text = str(exc)
        return JsonRpcRequestFailed(f"{text} ({exc.hint})" if exc.hint else text)
    if isinstance(exc, sqlite3.OperationalError):
        # Locked past the busy timeout, or an index a crash left unreadable.
        return JsonRpcRequestFailed(f"the index could not be read ({exc})")
    return JsonRpcInternalError(
        f"codeidx failed to answer {method} ({type(exc).__name__}); the server log has details"
    )


class _Reader:
    """One worker thread's read connection, kept between requests (see module doc).

    Used by its worker thread only.
    """

    def __init__(self, index_dir: Path) -> None:
        self._index_dir = index_dir
        self._conn: sqlite3.Connection | None = None
        #: (device, inode) of the index file the connection reads, and its schema cookie.
        self._file: tuple[int, int] | None = None
        self._cookie = 0

    def _identity(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self._index_dir / db.DB_NAME)
        except OSError:
            return None
        return (stat.st_dev, stat.st_ino)

    def connection(self) -> sqlite3.Connection:
        """The connection, opened again if the kept one no longer reads the index of record.

        Raises what ``open_index`` raises when there is no usable index.
        """
        identity = self._identity()
        conn = self._conn
        if conn is not None:
            try:
                fresh = identity == self._file and db.schema_cookie(conn) == self._cookie
            except sqlite3.Error:
                fresh = False
            if fresh:
                return conn
            self.close()
        conn = open_index(self._index_dir)
        try:
            self._cookie = db.schema_cookie(conn)
        except BaseException:
            conn.close()
            raise
        self._conn, self._file = conn, identity
        return conn

    def release(self) -> None:
        """End a request: no progress handler and no transaction are left on the connection."""
        conn = self._conn
        if conn is None:
            return
        try:
            conn.set_progress_handler(None, 0)
            if conn.in_transaction:
                conn.rollback()
        except sqlite3.Error:
            self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


_Job = Callable[[_Reader], Any]


class _Workers:
    """Threads that run jobs in order of arrival, each with its own ``_Reader``.

    Like a ``ThreadPoolExecutor`` (a job whose future was cancelled before
    it started never runs), except that each thread owns state for its life
    and closes it in its ``finally``.  Threads start with the first jobs.
    """

    def __init__(self, index_dir: Path, workers: int) -> None:
        self._index_dir = index_dir
        self._size = workers
        self._jobs: queue.SimpleQueue[tuple[Future[Any], _Job] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()

    def submit(self, job: Callable[[_Reader], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((future, job))
        with self._lock:
            if not self._idle.acquire(blocking=False) and len(self._threads) < self._size:
                thread = threading.Thread(
                    target=self._serve,
                    name=f"codeidx-query_{len(self._threads)}",
                    daemon=True,
                )
                self._threads.append(thread)
                thread.start()
        return future

    def _serve(self) -> None:
        reader = _Reader(self._index_dir)
        try:
            while True:
                self._idle.release()
                item = self._jobs.get()
                if item is None:
                    return
                future, job = item
                if future.set_running_or_notify_cancel():
                    try:
                        result = job(reader)
                    except BaseException as exc:
                        future.set_exception(exc)
                    else:
                        future.set_result(result)
                # An idle worker holds no answer alive.
                del item, future, job
        finally:
            reader.close()

    def shutdown(self) -> None:
        """Cancel the jobs not started, let running ones finish, join the threads (blocking)."""
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[0].cancel()
        with self._lock:
            threads = list(self._threads)
        for _ in threads:
            self._jobs.put(None)
        for thread in threads:
            thread.join()


class Runner:
    """The query pool of one server (see module doc)."""

    def __init__(
        self,
        index_dir: Path,
        workers: int = 2,
        unavailable_note: Callable[[], str | None] | None = None,
        on_internal_error: Callable[[str, BaseException], None] | None = None,
    ) -> None:
        self._index_dir = index_dir
        self._pool = _Workers(index_dir, workers)
        self._lock = threading.Lock()
        self._readers = 0
        self._tokens: set[CancelToken] = set()
        self._closed = False
        self._unavailable_note = unavailable_note
        self._on_internal_error = on_internal_error

    @property
    def readers_open(self) -> int:
        """Read connections in use right now (each by one running request)."""
        with self._lock:
            return self._readers

    async def read(
        self,
        method: str,
        work: Callable[[sqlite3.Connection, CancelToken], T],
        still_valid: Callable[[], bool] | None = None,
    ) -> T:
        """Run ``work`` on a worker with its own read connection; see module doc."""

        def with_reader(reader: _Reader, token: CancelToken) -> T:
            token.check()
            conn = reader.connection()
            with self._lock:
                self._readers += 1
            try:
                conn.set_progress_handler(lambda: 1 if token.cancelled else 0, _PROGRESS_STEPS)
                return work(conn, token)
            except sqlite3.DatabaseError:
                if not token.cancelled:
                    # A connection that failed a read is not trusted with the next one.
                    reader.close()
                raise
            finally:
                reader.release()
                with self._lock:
                    self._readers -= 1

        return await self._run(method, with_reader, still_valid)

    async def call(
        self,
        method: str,
        work: Callable[[CancelToken], T],
        still_valid: Callable[[], bool] | None = None,
    ) -> T:
        """Run ``work`` on a worker without a connection (file reads, status)."""
        return await self._run(method, lambda _reader, token: work(token), still_valid)

    async def _run(
        self,
        method: str,
        work: Callable[[_Reader, CancelToken], T],
        still_valid: Callable[[], bool] | None,
    ) -> T:
        if self._closed:
            raise JsonRpcRequestFailed("the server is shutting down")
        token = CancelToken()
        with self._lock:
            self._tokens.add(token)
        try:
            result = await asyncio.wrap_future(
                self._pool.submit(lambda reader: work(reader, token))
            )
        except asyncio.CancelledError:
            token.cancel()
            raise
        except Exception as exc:
            raise self._error(method, exc, token) from None
        finally:
            with self._lock:
                self._tokens.discard(token)
        if still_valid is not None and not still_valid():
            raise JsonRpcContentModified(f"the document changed while {method} was answered")
        return result

    def _error(self, method: str, exc: Exception, token: CancelToken) -> JsonRpcException:
        error = to_response_error(method, exc, token)
        if isinstance(error, JsonRpcRequestFailed) and self._unavailable_note is not None:
            note = self._unavailable_note()
            if note:
                error = JsonRpcRequestFailed(f"{error.message}; {note}")
        if isinstance(error, JsonRpcInternalError):
            log.error("%s failed", method, exc_info=exc)
            if self._on_internal_error is not None:
                self._on_internal_error(method, exc)
        else:
            log.debug("%s: %s", method, error.message)
        return error

    def close(self) -> None:
        """Cancel running work, drop queued work and wait for the workers (blocking)."""
        self._closed = True
        with self._lock:
            for token in self._tokens:
                token.cancel()
        self._pool.shutdown()


def guard(method: str, handler: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Wrap an async handler so that whatever it raises leaves as a mapped LSP error.

    Without this, pygls would answer an unexpected exception with its
    traceback in the response's ``data``; here the traceback goes to the log
    only.  The wrapper keeps the handler's signature (pygls inspects it).
    """
    if not inspect.iscoroutinefunction(handler):
        return handler

    @functools.wraps(handler)
    async def guarded(ls: Any, *args: Any) -> T:
        try:
            return await handler(ls, *args)
        except JsonRpcException:
            raise
        except Exception as exc:
            error = to_response_error(method, exc)
            if isinstance(error, JsonRpcInternalError):
                log.error("%s failed", method, exc_info=exc)
            raise error from None

    return guarded
