"""Keeping the full-text and vector stores in step with SQLite, file by file.

SQLite is the index of record; the Tantivy store (``store.text_index``) and
the LanceDB store (``store.vector_index``) are projections of it.  Each
store records the content hash of every file it holds (its *manifest*).
Comparing a manifest with SQLite's ``files`` table gives the drift:

- a file whose hash differs, or that the store lacks, is *stale*: its
  documents are rebuilt from SQLite's rows and the file's bytes;
- a file the store holds but SQLite does not is an *orphan*: deleted.

This one comparison repairs everything a crash can leave behind — a kill
between the SQLite commit and a store write, a deleted store folder, a
store that cannot be opened (rebuilt from SQLite, with a note) — and it is
also how saves and external changes reach the stores: after every index run
the writer syncs the paths the run changed.  A store's answer is therefore
never silently wrong: a file is either at SQLite's version or listed as lag.

The bytes must match the hash SQLite recorded.  A file changed on disk
since it was indexed is left stale (and counted): the next index run
re-indexes it and then syncs it.

``TextSync`` is used by one thread at a time: the CLI after its run, or
the language server's full-text thread, which syncs without the index's
writer lock so that a save never waits for Tantivy (Tantivy's own writer
lock keeps two processes from writing the store at once, and whoever
finds it taken waits for it, ``TEXT_WRITER_WAIT_SECONDS`` at most).
``VectorSync`` embeds: it runs on the embedding thread of the server or in
the CLI after indexing, owns the vector store's writes and the embedding
cache, and loads the model on first need.  Neither
writes SQLite; each reads it through a connection its caller owns.

Which model a vector store is for is known only once the model is loaded
(its identity depends on the precision the machine supports and on the
model's own limits), and loading it takes seconds.  A caller that passes a
``settings_key`` (the CLI) lets ``VectorSync`` remember, next to the store,
the identity the model had under those settings (``MODEL_NOTE``), so that a
run with nothing to embed opens the store without loading the model; when
there is something to embed, the model is loaded and the store opened again
if its identity turns out to differ.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from codeidx.errors import CodeidxError, IndexUnavailable, StoreDamaged
from codeidx.index.chunks import Chunk, DefinitionDoc, chunks, definition_docs
from codeidx.index.fingerprint import content_hash
from codeidx.store import projection
from codeidx.store.projection import IndexedFile
from codeidx.store.text_index import TextDoc, TextIndex
from codeidx.support.paths import WriterLock

if TYPE_CHECKING:
    import numpy as np

    from codeidx.store.embed_cache import EmbeddingCache
    from codeidx.store.embedder import Embedder
    from codeidx.store.vector_index import ChunkRow, VectorIndex

log = logging.getLogger(__name__)

TEXT_DIR = "text"
VECTOR_DIR = "vectors"
CACHE_NAME = "embeddings.sqlite"
#: How long a full-text sync waits for another process's Tantivy writer.
TEXT_WRITER_WAIT_SECONDS = 30.0
_TEXT_WRITER_POLL_SECONDS = 0.05
#: Chunks embedded per model call; the embedder sorts them by length.
EMBED_BATCH = 256
#: Files written to the vector store per version (LanceDB makes one per write).
FILES_PER_WRITE = 64
#: The version of the chunk texts ``index.chunks`` makes.  Bump it whenever they
#: change: the vector store is keyed by it, so stored vectors of older texts
#: are replaced (from the embedding cache where the text did not change).
CHUNKS_VERSION = 4


def vector_store_id(model_id: str) -> str:
    """What the vector store is keyed by: the model and the chunk-text version."""
    return f"{model_id}|chunks-{CHUNKS_VERSION}"


StopFn = Callable[[], bool]
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Drift:
    """How a store differs from SQLite."""

    stale: list[str]
    orphans: list[str]

    @property
    def lag(self) -> int:
        return len(self.stale) + len(self.orphans)


def compare(files: dict[str, IndexedFile], manifest: dict[str, str]) -> Drift:
    """The drift of a store whose manifest is ``manifest``."""
    stale = sorted(p for p, f in files.items() if manifest.get(p) != f.content_hash)
    orphans = sorted(p for p in manifest if p not in files)
    return Drift(stale, orphans)


@dataclass(slots=True)
class SyncReport:
    """What one sync did."""

    updated: int = 0
    deleted: int = 0
    #: Files whose bytes on disk no longer match the index (left for the next run).
    changed_on_disk: list[str] = field(default_factory=list)
    #: Chunks embedded by the model, and chunks found in the cache.
    embedded: int = 0
    cached: int = 0
    seconds: float = 0.0
    stopped: bool = False


def read_docs(
    conn: sqlite3.Connection, root: Path, path: str
) -> tuple[IndexedFile, list[DefinitionDoc]] | None:
    """The search documents of an indexed file at its indexed version.

    None when SQLite does not hold the file or its bytes changed on disk
    since (the caller leaves it stale for the next run).
    """
    found = projection.file_definitions(conn, path)
    if found is None:
        return None
    record, definitions = found
    try:
        data = (root / path).read_bytes()
    except OSError:
        return None
    if content_hash(data) != record.content_hash:
        return None
    return record, definition_docs(path, record.language, data, definitions)


def _text_doc(doc: DefinitionDoc) -> TextDoc:
    return TextDoc(
        doc.node_id,
        doc.path,
        doc.name,
        doc.qualified_name,
        doc.kind,
        doc.language,
        doc.signature,
        doc.doc,
        doc.body,
    )


class TextSync:
    """The full-text store's writer side (see module doc); one thread.

    Tantivy allows one writer per index folder, across processes.  The
    writer is therefore opened for each sync and closed after it, and a
    sync that finds it taken waits for it: a language server and a
    ``codeidx index`` in a terminal take turns instead of failing on each
    other.
    """

    def __init__(self, root: Path, index_dir: Path) -> None:
        self.root = root
        self.index_dir = index_dir
        self.directory = index_dir / TEXT_DIR
        #: Sentences for the user about repairs done (a rebuilt store).
        self.notes: list[str] = []

    def _open(self, should_stop: StopFn | None = None) -> TextIndex:
        """The writable store; a damaged one is deleted and rebuilt from SQLite.

        Waits while another process holds the store's writer (IndexUnavailable
        after ``TEXT_WRITER_WAIT_SECONDS``, or at once when ``should_stop``).
        """
        deadline = time.monotonic() + TEXT_WRITER_WAIT_SECONDS
        while True:
            try:
                return self._open_once()
            except IndexUnavailable:
                if time.monotonic() >= deadline or (should_stop is not None and should_stop()):
                    raise
                time.sleep(_TEXT_WRITER_POLL_SECONDS)

    def _open_once(self) -> TextIndex:
        try:
            return TextIndex.open(self.directory, writable=True)
        except StoreDamaged as exc:
            message = f"the full-text store was unreadable ({exc}); rebuilding it from the index"
            log.warning("%s", message)
            self.notes.append(message)
            shutil.rmtree(self.directory, ignore_errors=True)
            return TextIndex.open(self.directory, writable=True)

    def sync(
        self,
        conn: sqlite3.Connection,
        paths: Iterable[str] | None = None,
        should_stop: StopFn | None = None,
        on_wait: Callable[[], None] | None = None,
        *,
        writer_lock: bool = True,
    ) -> SyncReport:
        """Bring ``paths`` (every drifted file when None) to SQLite's version; one commit.

        Named paths that SQLite no longer holds are deleted from the store.
        ``writer_lock=False`` syncs without the index's writer lock, relying
        on Tantivy's own (the language server, whose index writer must not
        wait for this store).
        """
        started = time.perf_counter()
        report = SyncReport()
        lock = WriterLock(self.index_dir) if writer_lock else None
        if lock is not None:
            lock.acquire(on_wait)
        try:
            index = self._open(should_stop)
            try:
                self._sync(conn, index, paths, should_stop, report)
            finally:
                index.close()
        finally:
            if lock is not None:
                lock.release()
        report.seconds = time.perf_counter() - started
        return report

    def _sync(
        self,
        conn: sqlite3.Connection,
        index: TextIndex,
        paths: Iterable[str] | None,
        should_stop: StopFn | None,
        report: SyncReport,
    ) -> None:
        if paths is None:
            drift = compare(projection.indexed_files(conn), index.manifest())
            todo, gone = drift.stale, drift.orphans
        else:
            # A save names one file: look up only the named rows.
            wanted = set(paths)
            held = projection.content_hashes(conn, wanted)
            todo = sorted(p for p in wanted if p in held)
            gone = sorted(p for p in wanted if p not in held)
        for path in gone:
            index.delete_file(path)
            report.deleted += 1
        for path in todo:
            if should_stop is not None and should_stop():
                report.stopped = True
                break
            found = read_docs(conn, self.root, path)
            if found is None:
                report.changed_on_disk.append(path)
                continue
            record, docs = found
            index.replace_file(path, record.content_hash, [_text_doc(d) for d in docs])
            report.updated += 1
        if report.updated or report.deleted:
            index.commit()


#: The embedding cache keeps the vectors used last, this many per chunk of the
#: vector store and at least ``CACHE_MIN_KEPT``: enough for the texts of a few
#: branches and recent edits, bounded however long the workspace is edited.
CACHE_KEPT_PER_CHUNK = 3
CACHE_MIN_KEPT = 20_000

#: The note, in the vector store's folder, of the model it was written for (module doc).
MODEL_NOTE = "model.json"


class VectorSync:
    """The vector store's writer side and the embedding cache (see module doc); one thread.

    ``embedder`` is made on first need by ``load`` (a model load takes
    seconds); construction does nothing heavy.
    """

    def __init__(
        self,
        root: Path,
        index_dir: Path,
        load: Callable[[], Embedder],
        settings_key: str | None = None,
    ) -> None:
        self.root = root
        self.index_dir = index_dir
        self.directory = index_dir / VECTOR_DIR
        self._load = load
        self._settings_key = settings_key
        self._embedder: Embedder | None = None
        self._index: VectorIndex | None = None
        #: Whether the store was opened for the model as loaded, not as remembered.
        self._verified = False
        self._cache: EmbeddingCache | None = None
        self.notes: list[str] = []

    @property
    def embedder(self) -> Embedder:
        """The model; raises EmbedderUnavailable (a CodeidxError) when it cannot load."""
        if self._embedder is None:
            self._embedder = self._load()
        return self._embedder

    def index(self) -> VectorIndex:
        """The writable store for the current model, rebuilt when damaged.

        Opened for the model the settings key remembers, without loading it,
        when there is such a note (see module doc and ``_confirmed``).
        """
        if self._index is None:
            remembered = self._remembered() if self._embedder is None else None
            if remembered is not None and not self._holds(*remembered):
                # The store holds another model's vectors (another process wrote
                # them): opening it for the remembered one would empty it.
                remembered = None
            if remembered is not None:
                model_id, dim = remembered
            else:
                model = self.embedder
                model_id, dim = vector_store_id(model.model_id), model.dim
            self._index = self._open(model_id, dim)
            self._verified = remembered is None
            if self._verified:
                self._remember(model_id, dim)
        return self._index

    def _open(self, model_id: str, dim: int) -> VectorIndex:
        from codeidx.store.vector_index import VectorIndex

        try:
            return VectorIndex.open(self.directory, model_id=model_id, dim=dim, writable=True)
        except StoreDamaged as exc:
            message = f"the vector store was unreadable ({exc}); rebuilding it from the index"
            log.warning("%s", message)
            self.notes.append(message)
            shutil.rmtree(self.directory, ignore_errors=True)
            return VectorIndex.open(self.directory, model_id=model_id, dim=dim, writable=True)

    def _holds(self, model_id: str, dim: int) -> bool:
        """Whether the store holds vectors of this model (read without writing)."""
        from codeidx.store.vector_index import VectorIndex

        try:
            reader = VectorIndex.open(self.directory, model_id=model_id, dim=dim, writable=False)
        except (CodeidxError, OSError):
            return False
        try:
            return reader.stored_model == (model_id, dim)
        finally:
            reader.close()

    def _confirmed(self) -> VectorIndex:
        """The store opened for the model as loaded (loading it), before anything is written."""
        index = self.index()
        if self._verified:
            return index
        model = self.embedder
        self._verified = True
        if (vector_store_id(model.model_id), model.dim) != (index.model_id, index.dim):
            # The note was wrong (another machine's precision, a changed model):
            # the store is opened for the real model, which re-embeds what it lacks.
            index.close()
            self._index = None
            index = self.index()
        return index

    def _remembered(self) -> tuple[str, int] | None:
        """(store id, dimension) the note gives for this settings key, if any."""
        if self._settings_key is None:
            return None
        try:
            note = json.loads((self.directory / MODEL_NOTE).read_text(encoding="utf-8"))
            if note["settings"] == self._settings_key:
                return str(note["model_id"]), int(note["dim"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # No note, or one from another version: the model is loaded.
        return None

    def _remember(self, model_id: str, dim: int) -> None:
        if self._settings_key is None:
            return
        note = {"settings": self._settings_key, "model_id": model_id, "dim": dim}
        path = self.directory / MODEL_NOTE
        temporary = path.with_suffix(".tmp")
        try:
            temporary.write_text(json.dumps(note), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as exc:  # Only the next run's speed depends on it.
            log.debug("could not write %s: %s", path, exc)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """The index's writer lock around a vector-store write (one writing process)."""
        lock = WriterLock(self.index_dir)
        lock.acquire()
        try:
            yield
        finally:
            lock.release()

    def cache(self) -> EmbeddingCache:
        if self._cache is None:
            from codeidx.store.embed_cache import EmbeddingCache

            self._cache = EmbeddingCache.open(self.index_dir / CACHE_NAME)
        return self._cache

    def drift(self, conn: sqlite3.Connection) -> Drift:
        return compare(projection.indexed_files(conn), self.index().manifest())

    def sync(
        self,
        conn: sqlite3.Connection,
        should_stop: StopFn | None = None,
        progress: ProgressFn | None = None,
    ) -> SyncReport:
        """Embed every drifted file and drop orphans; stops between batches when asked.

        Progress is reported in files: ``progress(done, total)``.
        """
        started = time.perf_counter()
        stop = should_stop or (lambda: False)
        index = self.index()
        report = SyncReport()
        drift = self.drift(conn)
        if drift.stale and not self._verified:
            index = self._confirmed()
            drift = self.drift(conn)
        if drift.orphans:
            with self._locked():
                for path in drift.orphans:
                    index.delete_file(path)
                    report.deleted += 1
        total = len(drift.stale)
        if progress is not None:
            progress(0, total)
        done = 0
        for start in range(0, total, FILES_PER_WRITE):
            if stop():
                report.stopped = True
                break
            batch = drift.stale[start : start + FILES_PER_WRITE]
            self._embed_files(conn, batch, report, stop)
            if report.stopped:
                break
            done += len(batch)
            if progress is not None:
                progress(done, total)
        if report.updated or report.deleted:
            with self._locked():
                index.optimize()
        if report.embedded and self._embedder is not None:
            # The cache grew: keep it within a multiple of what the store holds.
            keep = max(CACHE_MIN_KEPT, CACHE_KEPT_PER_CHUNK * index.count())
            self.cache().prune(self._embedder.model_id, keep)
        report.seconds = time.perf_counter() - started
        return report

    def _embed_files(
        self, conn: sqlite3.Connection, paths: Sequence[str], report: SyncReport, stop: StopFn
    ) -> None:
        """Chunk, embed (cache first) and write one batch of files."""
        from codeidx.store.embed_cache import text_key
        from codeidx.store.vector_index import ChunkRow

        model = self.embedder
        files: list[tuple[IndexedFile, list[DefinitionDoc], list[Chunk]]] = []
        for path in paths:
            found = read_docs(conn, self.root, path)
            if found is None:
                report.changed_on_disk.append(path)
                continue
            record, docs = found
            pieces = [c for d in docs for c in chunks(d, model.count_tokens, _text_limit(model))]
            files.append((record, docs, pieces))
        keys = {c.text: text_key(c.text) for _, _, pieces in files for c in pieces}
        vectors = self._vectors(keys, report, stop)
        if vectors is None:
            report.stopped = True
            return
        items: list[tuple[str, str, Sequence[ChunkRow]]] = []
        for record, docs, pieces in files:
            kinds = {d.node_id: d.kind for d in docs}
            rows = [
                ChunkRow(
                    f"{c.node_id}:{c.window}",
                    c.node_id,
                    c.window,
                    record.path,
                    record.language,
                    kinds[c.node_id],
                    vectors[keys[c.text]],
                )
                for c in pieces
            ]
            items.append((record.path, record.content_hash, rows))
        with self._locked():
            self.index().replace_files(items)
        report.updated += len(items)

    def _vectors(
        self, keys: dict[str, bytes], report: SyncReport, stop: StopFn
    ) -> dict[bytes, np.ndarray] | None:
        """A vector per text key: from the cache, else from the model (then cached)."""
        model = self.embedder
        cache = self.cache()
        found = cache.get_many(model.model_id, list(set(keys.values())))
        report.cached += len(found)
        missing = [text for text, key in keys.items() if key not in found]
        missing.sort(key=len)
        for start in range(0, len(missing), EMBED_BATCH):
            if stop():
                return None
            texts = missing[start : start + EMBED_BATCH]
            encoded = model.encode(texts)
            items = [(keys[t], encoded[i]) for i, t in enumerate(texts)]
            cache.put_many(model.model_id, items)
            found.update(items)
            report.embedded += len(texts)
        return found

    def close(self) -> None:
        for resource in (self._index, self._cache, self._embedder):
            if resource is not None:
                try:
                    resource.close()
                except CodeidxError as exc:  # a dead model process: nothing left to close
                    log.warning("closing the vector store: %s", exc)
        self._index = self._cache = self._embedder = None


def _text_limit(model: Embedder) -> int:
    """Tokens a chunk may have: the model's limit less its two special tokens."""
    return max(16, model.max_tokens - 2)
