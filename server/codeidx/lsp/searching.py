"""The language server's search: its stores follow the index, its model embeds in the background.

This module owns *when* the server syncs and embeds, never *how* (that is
``index.search_sync``), like ``lsp.indexing`` for the index itself.

``SearchService`` keeps the full-text and vector stores following SQLite
while the server runs, and answers searches:

- ``after_run(paths)`` is called on the index writer thread after every
  index run, with the paths the run changed (None: check every file, as on
  start).  It only queues them: the full-text thread syncs them at once —
  a save is searchable by BM25 right after the writer is done with it —
  and then wakes the embedding thread.  The writer never waits for the
  full-text store (a Tantivy commit takes tens of milliseconds, hundreds
  on a busy machine), so the next save starts at once; runs that end
  while a sync is under way are synced together by the next one.  The
  full-text thread syncs without the index's writer lock, which the index
  writer needs for the next save; Tantivy's own writer lock keeps a CLI
  ``codeidx index`` from writing the store at the same time.
- The embedding thread loads the model on first need, embeds every file
  the vector store lags behind (cache first), in batches, and reports
  progress through ``emit``.  Navigation never waits for it: it holds no
  lock that requests need, and the model's calls are serialised per batch.
- ``search`` runs on query workers with their own read connection.
- ``reconfigure`` adopts new search settings: a new model empties the
  vector store's view and re-embeds everything (from the cache where it can).

``stop`` ends the threads and closes the model and stores; nothing is left
behind.  Errors never escape the threads: they are logged and reported as
notes in ``status``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from codeidx.config import SearchSettings
from codeidx.errors import CodeidxError
from codeidx.index.models import ModelHolder
from codeidx.index.search_sync import SyncReport, TextSync, VectorSync
from codeidx.lsp.memory import release_free_memory
from codeidx.query.search import SearchQuery, SearchResult, Weights, search
from codeidx.query.search_stores import SearchStores
from codeidx.store import db

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EmbedEvent:
    """Embedding began (``begin``), progressed, or ended (``end``, with its report)."""

    kind: str  # begin | progress | end
    done: int = 0
    total: int = 0
    report: SyncReport | None = None
    error: str | None = None


def weights_of(settings: SearchSettings) -> Weights:
    return Weights(
        settings.fts_weight, settings.vector_weight, settings.symbol_weight, settings.rrf_k
    )


class SearchService:
    """Search for one workspace (see module doc)."""

    def __init__(
        self,
        root: Path,
        index_dir: Path,
        settings: SearchSettings,
        emit: Callable[[EmbedEvent], None] | None = None,
    ) -> None:
        self.root = root
        self.index_dir = index_dir
        self.settings = settings
        self._emit = emit or (lambda event: None)
        self._text = TextSync(root, index_dir)
        self._models = ModelHolder(settings.model, settings.device) if settings.embed else None
        self.stores = SearchStores(
            index_dir, self._models, weights_of(settings), wait_for_model=False
        )
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._restart = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.embedding = False
        self.last_embed: SyncReport | None = None
        self.notes: list[str] = []
        # The full-text thread's queue: paths to sync (None: every file) and
        # whether anything is queued; guarded by the condition.
        self._text_cond = threading.Condition()
        self._text_paths: set[str] | None = set()
        self._text_queued = False
        self._text_busy = False
        self._text_stop = threading.Event()
        self._text_thread: threading.Thread | None = None
        #: The last full-text sync's report (None before the first).
        self.last_text: SyncReport | None = None

    # Writer thread -------------------------------------------------------------

    def after_run(self, paths: Sequence[str] | None) -> None:
        """Queue the full-text sync of what a run changed (None: every file); returns at once."""
        with self._text_cond:
            if paths is None:
                self._text_paths = None
            elif self._text_paths is not None:
                self._text_paths.update(paths)
            self._text_queued = True
            self._text_cond.notify()
        if self._text_thread is None:
            self._sync_queued()  # Not started (tests, tools): sync on the caller's thread.

    def text_idle(self, timeout: float) -> bool:
        """Wait until no full-text sync is queued or running; True if so within ``timeout``."""
        with self._text_cond:
            return self._text_cond.wait_for(
                lambda: not self._text_queued and not self._text_busy, timeout
            )

    # Full-text thread ------------------------------------------------------------

    def _text_loop(self) -> None:
        while True:
            with self._text_cond:
                self._text_cond.wait_for(lambda: self._text_queued or self._text_stop.is_set())
                if self._text_stop.is_set():
                    return
            self._sync_queued()

    def _sync_queued(self) -> None:
        """Sync what is queued, then let the embedder follow (full-text thread)."""
        with self._text_cond:
            if not self._text_queued:
                return
            paths, self._text_paths = self._text_paths, set()
            self._text_queued = False
            self._text_busy = True
        try:
            self._sync_text(None if paths is None else sorted(paths))
            self.stores.invalidate()
            if self._models is not None:
                self._wake.set()
        except Exception as exc:  # a library failure must not end the thread silently
            log.error("the full-text sync failed", exc_info=exc)
            self.notes.append(f"full-text sync failed: {type(exc).__name__}: {exc}")
        finally:
            with self._text_cond:
                self._text_busy = False
                self._text_cond.notify_all()
        # Each sync starts and stops Tantivy's threads, whose memory the
        # allocator would otherwise keep.
        release_free_memory()

    def _sync_text(self, paths: Sequence[str] | None) -> None:
        try:
            conn = db.connect_reader(self.index_dir / db.DB_NAME)
        except CodeidxError as exc:
            log.warning("search stores not synced: %s", exc)
            return
        try:
            self.last_text = self._text.sync(
                conn, paths, should_stop=self._text_stop.is_set, writer_lock=False
            )
            self.notes.extend(self._text.notes)
            self._text.notes.clear()
        except CodeidxError as exc:
            log.warning("the full-text store could not be synced: %s", exc)
            self.notes.append(f"full-text sync failed: {exc}")
        finally:
            conn.close()

    # Embedding thread ----------------------------------------------------------

    def start(self) -> None:
        """Start the full-text thread and the embedding thread (idle until ``after_run``)."""
        if self._text_thread is None and not self._text_stop.is_set():
            self._text_thread = threading.Thread(
                target=self._text_loop, name="codeidx-text", daemon=True
            )
            self._text_thread.start()
        if self._models is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="codeidx-embed", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            if self._stopping.is_set():
                return
            self._wake.clear()
            self._restart.clear()
            self._embed_once()

    def _embed_once(self) -> None:
        models = self._models
        if models is None:
            return
        vectors = VectorSync(self.root, self.index_dir, lambda: models.get(wait=True))
        self.embedding = True
        self._emit(EmbedEvent("begin"))
        report: SyncReport | None = None
        error: str | None = None
        conn: sqlite3.Connection | None = None
        try:
            conn = db.connect_reader(self.index_dir / db.DB_NAME)
            report = vectors.sync(
                conn,
                should_stop=lambda: self._stopping.is_set() or self._restart.is_set(),
                progress=lambda done, total: self._emit(EmbedEvent("progress", done, total)),
            )
            self.notes.extend(vectors.notes)
            self.last_embed = report
        except CodeidxError as exc:
            error = str(exc)
            log.warning("embedding stopped: %s", exc)
        except Exception as exc:  # a library failure must not end the thread silently
            error = f"{type(exc).__name__}: {exc}"
            log.exception("embedding failed")
        finally:
            if conn is not None:
                conn.close()
            vectors.close()  # the model itself stays loaded in the holder
            self.embedding = False
            self.stores.invalidate()
            self._emit(EmbedEvent("end", report=report, error=error))

    # Any thread ----------------------------------------------------------------

    def search(self, conn: sqlite3.Connection, query: SearchQuery) -> SearchResult:
        """Answer one search with what the stores hold now (see ``query.search``)."""
        result = search(conn, self.stores.backends(conn), query)
        if self._models is not None and self._models.loading:
            result.notes.append("the embedding model is loading; vector results will follow")
        return result

    def reconfigure(self, settings: SearchSettings) -> None:
        """Adopt new search settings (loop or any thread); a model change re-embeds."""
        old = self.settings
        self.settings = settings
        self.stores.weights = weights_of(settings)
        if (old.model, old.device, old.embed) == (settings.model, settings.device, settings.embed):
            return
        self._stop_thread()
        self.stores.close()
        if self._models is not None:
            self._models.close()
        self._models = ModelHolder(settings.model, settings.device) if settings.embed else None
        self.stores = SearchStores(
            self.index_dir, self._models, weights_of(settings), wait_for_model=False
        )
        self._stopping.clear()
        self.start()
        self._wake.set()

    def status(self) -> dict[str, object]:
        """What ``codeidx/status`` shows of search."""
        models = self._models
        return {
            "model": self.settings.model if models is not None else None,
            "modelState": (
                "off"
                if models is None
                else "failed"
                if models.error
                else "loading"
                if models.loading
                else "ready"
                if not models.error and self.last_embed is not None
                else "idle"
            ),
            "modelError": models.error if models is not None else None,
            "embedding": self.embedding,
            "notes": list(self.notes[-5:]),
        }

    def _stop_thread(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("the embedding thread did not stop within %.0f s", timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """End the threads and release model and stores (blocking; off the loop)."""
        with self._text_cond:
            self._text_stop.set()
            self._text_cond.notify_all()
        text_thread, self._text_thread = self._text_thread, None
        if text_thread is not None:
            text_thread.join(timeout)
            if text_thread.is_alive():
                log.warning("the full-text thread did not stop within %.0f s", timeout)
        self._stop_thread(timeout)
        self.stores.close()
        if self._models is not None:
            self._models.close()
