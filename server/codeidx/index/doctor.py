"""``codeidx doctor``: check the three stores against each other, and repair them.

The checks, in the order a repair needs them:

1. **SQLite** (the index of record): ``PRAGMA quick_check`` and the schema
   version.  A damaged database cannot be repaired from anything but the
   source files: the advice is ``codeidx index --force``.
2. **Full text** (Tantivy): opens, and its manifest matches SQLite's files
   (stale and orphan files are the lag).
3. **Vectors** (LanceDB): the same for the configured model; a store built
   with another model counts every file as stale.
4. **Embedding cache**: how many vectors it holds for the model.

``repair`` syncs each projection from SQLite for the drifted files only,
rebuilding a store that cannot be opened, and embeds from the cache where
it can (so a deleted vector folder costs lookups, not a re-embed).

Runs on the caller's thread with its own read connection; writes only
through ``TextSync`` and ``VectorSync``, under the index's writer lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from codeidx.errors import CodeidxError
from codeidx.index.models import ModelHolder
from codeidx.index.search_sync import (
    CACHE_NAME,
    TEXT_DIR,
    VECTOR_DIR,
    SyncReport,
    TextSync,
    VectorSync,
    compare,
    vector_store_id,
)
from codeidx.store import health, projection
from codeidx.store.text_index import TextIndex


@dataclass(slots=True)
class StoreHealth:
    """One store's state; ``problem`` is a sentence when something is wrong."""

    name: str  # sqlite | text | vectors | cache
    location: str
    ok: bool
    count: int = 0
    stale: int = 0
    orphans: int = 0
    problem: str | None = None
    detail: str | None = None

    @property
    def lag(self) -> int:
        return self.stale + self.orphans


@dataclass(slots=True)
class DoctorReport:
    stores: list[StoreHealth]
    repairs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.stores)


def check(conn: sqlite3.Connection, index_dir: Path, models: ModelHolder | None) -> DoctorReport:
    """The health of every store (see module doc); reads only."""
    stores = [_check_sqlite(conn, index_dir)]
    files = projection.indexed_files(conn)
    text = _text_health(files, index_dir)
    if text.ok and text.lag:
        text.ok = False
        text.problem = f"{text.lag} files differ from the index"
    stores.append(text)
    stores.append(_check_vectors(files, index_dir, models))
    return DoctorReport(stores)


def _text_health(files: dict[str, projection.IndexedFile], index_dir: Path) -> StoreHealth:
    """The full-text store's documents and drift; ``ok`` is False only when it cannot be read."""
    text = StoreHealth("text", str(index_dir / TEXT_DIR), ok=True)
    try:
        index = TextIndex.open(index_dir / TEXT_DIR, writable=False)
    except CodeidxError as exc:
        text.ok, text.problem, text.stale = False, str(exc), len(files)
        return text
    try:
        drift = compare(files, index.manifest())
        text.count, text.stale, text.orphans = (
            index.doc_count(),
            len(drift.stale),
            len(drift.orphans),
        )
    finally:
        index.close()
    return text


def _check_sqlite(conn: sqlite3.Connection, index_dir: Path) -> StoreHealth:
    found = health.quick_check(conn)
    store = StoreHealth("sqlite", str(index_dir), ok=not found, count=health.node_count(conn))
    if found:
        store.problem = (
            f"the database reports damage ({found[0]}); rebuild it with `codeidx index --force`"
        )
    return store


def _check_vectors(
    files: dict[str, projection.IndexedFile], index_dir: Path, models: ModelHolder | None
) -> StoreHealth:
    store = StoreHealth("vectors", str(index_dir / VECTOR_DIR), ok=True)
    if models is None:
        store.detail = "embedding is turned off"
        return store
    try:
        model = models.get(wait=True)
    except CodeidxError as exc:
        store.ok, store.problem = False, f"the embedding model is unavailable: {exc}"
        return store
    store.detail = model.model_id
    from codeidx.store.embed_cache import EmbeddingCache
    from codeidx.store.vector_index import VectorIndex

    try:
        index = VectorIndex.open(
            index_dir / VECTOR_DIR,
            model_id=vector_store_id(model.model_id),
            dim=model.dim,
            writable=False,
        )
    except CodeidxError as exc:
        store.ok, store.problem = False, str(exc)
        store.stale = len(files)
        return store
    try:
        drift = compare(files, index.manifest())
        store.count = index.count()
    except CodeidxError as exc:
        store.ok, store.problem = False, str(exc)
        return store
    finally:
        index.close()
    store.stale, store.orphans = len(drift.stale), len(drift.orphans)
    if drift.lag:
        store.ok = False
        store.problem = f"{drift.lag} files differ from the index (not embedded yet, or damaged)"
    cache_path = index_dir / CACHE_NAME
    if cache_path.exists():
        cache = EmbeddingCache.open(cache_path)
        try:
            store.detail = f"{model.model_id}; {cache.count(model.model_id)} vectors cached"
        finally:
            cache.close()
    return store


def repair(
    conn: sqlite3.Connection,
    root: Path,
    index_dir: Path,
    models: ModelHolder | None,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[str]:
    """Sync both projections from SQLite; returns what was done, one sentence each."""
    done: list[str] = []
    text = TextSync(root, index_dir)
    report = text.sync(conn, None, should_stop)
    done.extend(text.notes)
    done.append(_describe("full-text store", report))
    if models is not None:
        vectors = VectorSync(
            root, index_dir, lambda: models.get(wait=True), settings_key=models.settings_key
        )
        try:
            report = vectors.sync(conn, should_stop, progress)
            done.extend(vectors.notes)
            done.append(_describe("vector store", report))
        except CodeidxError as exc:
            done.append(f"vector store not repaired: {exc}")
        finally:
            vectors.close()
    return done


def _describe(store: str, report: SyncReport) -> str:
    if not (report.updated or report.deleted or report.changed_on_disk):
        return f"{store}: in step with the index"
    parts = [f"{report.updated} files rebuilt", f"{report.deleted} removed"]
    if report.embedded or report.cached:
        parts.append(f"{report.embedded} chunks embedded, {report.cached} from the cache")
    if report.changed_on_disk:
        parts.append(
            f"{len(report.changed_on_disk)} changed on disk since indexing"
            " (run `codeidx index` first)"
        )
    if report.stopped:
        parts.append("stopped before the end")
    return f"{store}: " + ", ".join(parts)


def summarize(conn: sqlite3.Connection, index_dir: Path) -> list[StoreHealth]:
    """Counts and lag of the search stores as they are, without loading a model.

    What ``codeidx status`` shows: the vector store is described with the
    model that wrote it, which may differ from the configured one.
    """
    files = projection.indexed_files(conn)
    out = [_text_health(files, index_dir)]
    out.append(_summarize_vectors(files, index_dir))
    return out


def _summarize_vectors(files: dict[str, projection.IndexedFile], index_dir: Path) -> StoreHealth:
    store = StoreHealth("vectors", str(index_dir / VECTOR_DIR), ok=True)
    directory = index_dir / VECTOR_DIR
    if not directory.exists():
        store.ok, store.stale, store.problem = False, len(files), "not built yet"
        return store
    from codeidx.store.vector_index import VectorIndex

    try:
        probe = VectorIndex.open(directory, model_id="", dim=0, writable=False)
        try:
            stored = probe.stored_model
        finally:
            probe.close()
        if stored is None:
            store.ok, store.stale, store.problem = False, len(files), "nothing embedded yet"
            return store
        index = VectorIndex.open(directory, model_id=stored[0], dim=stored[1], writable=False)
        try:
            drift = compare(files, index.manifest())
            store.count = index.count()
        finally:
            index.close()
    except CodeidxError as exc:
        store.ok, store.problem, store.stale = False, str(exc), len(files)
        return store
    store.detail = stored[0]
    store.stale, store.orphans = len(drift.stale), len(drift.orphans)
    return store
