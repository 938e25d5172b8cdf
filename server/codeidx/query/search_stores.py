"""The read side of the search stores of one index: what ``query.search`` is handed.

``SearchStores`` opens the full-text and vector stores read-only on first
use and keeps them for the life of the process (the server) or the command
(the CLI); each search gets a ``Backends`` with the stores that work, the
reasons for those that do not, and the coverage figures.  Nothing here
writes: a damaged store is reported ("run `codeidx doctor --repair`", or
the server's writer rebuilds it) and search falls back to what is left.

Coverage compares each store's manifest with SQLite's files, so it is
exact; it is recomputed when an indexed file changed (``files_signature``) or after
``invalidate`` (the server calls it after each sync), and at most every
few seconds otherwise (another process may have embedded meanwhile).

Any thread may call ``backends`` with a connection it owns; the stores'
own search methods are safe to call from several threads (their modules
say how).  ``close`` is called once, when no search runs any more.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from codeidx.errors import CodeidxError
from codeidx.index.models import ModelHolder
from codeidx.index.search_sync import TEXT_DIR, VECTOR_DIR, compare, vector_store_id
from codeidx.query.search import Backends, SearchCoverage, Weights
from codeidx.store import projection
from codeidx.store.text_index import TextIndex

if TYPE_CHECKING:
    from codeidx.store.vector_index import VectorIndex

log = logging.getLogger(__name__)

#: Coverage older than this is recomputed even when SQLite did not change.
_COVERAGE_SECONDS = 5.0


class SearchStores:
    """Read-only stores and the query model for one index (see module doc)."""

    def __init__(
        self,
        index_dir: Path,
        models: ModelHolder | None,
        weights: Weights | None = None,
        wait_for_model: bool = True,
    ) -> None:
        self.index_dir = index_dir
        self.models = models
        self.weights = weights or Weights()
        self.wait_for_model = wait_for_model
        self._lock = threading.Lock()
        self._text: TextIndex | None = None
        self._text_error: str | None = None
        self._vectors: VectorIndex | None = None
        self._vectors_error: str | None = None
        self._coverage: tuple[tuple[int, int, int], float, SearchCoverage] | None = None

    def invalidate(self) -> None:
        """Forget cached coverage and failed opens (a sync or repair just ran)."""
        with self._lock:
            self._coverage = None
            if self._text is None:
                self._text_error = None
            if self._vectors is None:
                self._vectors_error = None

    def text(self) -> TextIndex | None:
        with self._lock:
            if self._text is None and self._text_error is None:
                try:
                    self._text = TextIndex.open(self.index_dir / TEXT_DIR, writable=False)
                except CodeidxError as exc:
                    self._text_error = str(exc)
            return self._text

    def vectors(self) -> VectorIndex | None:
        """The vector store for the configured model; None while the model loads or fails."""
        if self.models is None:
            return None
        try:
            model = self.models.get(wait=self.wait_for_model)
        except CodeidxError as exc:
            with self._lock:
                if self._vectors is None:
                    self._vectors_error = str(exc)
            return None
        with self._lock:
            if self._vectors is None:
                from codeidx.store.vector_index import VectorIndex

                try:
                    self._vectors = VectorIndex.open(
                        self.index_dir / VECTOR_DIR,
                        model_id=vector_store_id(model.model_id),
                        dim=model.dim,
                        writable=False,
                    )
                    self._vectors_error = None
                except CodeidxError as exc:
                    self._vectors_error = str(exc)
            return self._vectors

    def encode(self, text: str) -> np.ndarray:
        """The query's vector (raises EmbedderUnavailable when the model cannot serve)."""
        assert self.models is not None
        model = self.models.get(wait=self.wait_for_model)
        return np.asarray(model.encode([text])[0], dtype=np.float32)

    def backends(self, conn: sqlite3.Connection) -> Backends:
        """The stores one search may use now, with coverage (see module doc)."""
        text = self.text()
        vectors = self.vectors()
        why_vectors = self._vectors_error
        if self.models is None:
            why_vectors = "embedding is turned off (search.embed is false)"
        coverage = self.coverage(conn, text, vectors)
        return Backends(
            text,
            vectors,
            self.encode if vectors is not None else None,
            coverage,
            self.weights,
            why_no_text=self._text_error,
            why_no_vectors=why_vectors,
        )

    def coverage(
        self,
        conn: sqlite3.Connection,
        text: TextIndex | None,
        vectors: VectorIndex | None,
    ) -> SearchCoverage:
        version = projection.files_signature(conn)
        now = time.monotonic()
        with self._lock:
            cached = self._coverage
        if cached is not None and cached[0] == version and now - cached[1] < _COVERAGE_SECONDS:
            return cached[2]
        files = projection.indexed_files(conn)
        counts = projection.searchable_counts(conn)
        total = sum(counts.values())
        text_lag = vec_lag = len(files)
        indexed = embedded = 0
        if text is not None:
            manifest = text.manifest()
            drift = compare(files, manifest)
            text_lag = drift.lag
            stale = set(drift.stale)
            indexed = sum(n for p, n in counts.items() if p not in stale)
        if vectors is not None:
            drift = compare(files, vectors.manifest())
            vec_lag = drift.lag
            stale = set(drift.stale)
            embedded = sum(n for p, n in counts.items() if p not in stale)
        reasons = []
        if text_lag:
            reasons.append(f"{text_lag} files are not in the full-text store yet")
        if vec_lag and self.models is not None:
            reasons.append(f"{vec_lag} files are not embedded yet")
        coverage = SearchCoverage(
            total,
            indexed,
            embedded,
            len(files),
            text_lag,
            vec_lag,
            partial=bool(reasons),
            reason="; ".join(reasons) or None,
        )
        if self.models is None:
            coverage = replace(coverage, files_lagging_vectors=0)
        with self._lock:
            self._coverage = (version, now, coverage)
        return coverage

    def close(self) -> None:
        with self._lock:
            text, vectors = self._text, self._vectors
            self._text = self._vectors = None
        for store in (text, vectors):
            if store is not None:
                try:
                    store.close()
                except CodeidxError as exc:
                    log.warning("closing a search store: %s", exc)
