"""The language server's search: its stores follow the index, its model embeds in the background.

This module owns *when* the server syncs and embeds, never *how* (that is
``index.search_sync``), like ``lsp.indexing`` for the index itself.

``SearchService`` keeps the full-text and vector stores following SQLite
while the server runs, and answers searches:

- ``after_run(paths)`` is called on the index writer thread after every
  index run, with the paths the run changed (None: check every file, as on
  start).  It syncs the full-text store at once — a save is searchable by
  BM25 as soon as the writer is done with it — and wakes the embedding
  thread.
- The embedding thread loads the model on first need, embeds every file
  the vector store lags behind (cache first), in batches, and reports
  progress through ``emit``.  Navigation never waits for it: it holds no
  lock that requests need, and the model's calls are serialised per batch.
- ``search`` runs on query workers with their own read connection.
- ``reconfigure`` adopts new search settings: a new model empties the
  vector store's view and re-embeds everything (from the cache where it can).

``stop`` ends the thread and closes the model and stores; nothing is left
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

    # Writer thread -------------------------------------------------------------

    def after_run(self, paths: Sequence[str] | None) -> SyncReport | None:
        """Sync the full-text store after an index run, then wake the embedder."""
        report = None
        try:
            conn = db.connect_reader(self.index_dir / db.DB_NAME)
        except CodeidxError as exc:
            log.warning("search stores not synced: %s", exc)
            return None
        try:
            report = self._text.sync(conn, paths)
            self.notes.extend(self._text.notes)
            self._text.notes.clear()
        except CodeidxError as exc:
            log.warning("the full-text store could not be synced: %s", exc)
            self.notes.append(f"full-text sync failed: {exc}")
        finally:
            conn.close()
        self.stores.invalidate()
        if self._models is not None:
            self._wake.set()
        return report

    # Embedding thread ----------------------------------------------------------

    def start(self) -> None:
        """Start the embedding thread (idle until the first ``after_run``)."""
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
        """End the thread and release model and stores (blocking; off the loop)."""
        self._stop_thread(timeout)
        self.stores.close()
        if self._models is not None:
            self._models.close()
