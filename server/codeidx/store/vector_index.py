"""The vector store: chunk embeddings in LanceDB, with a per-file manifest.

It owns the LanceDB folder of an index (``<index>/vectors``) and three tables
in it: ``chunks`` (one row per embedded chunk: ids, path, language, kind and
the vector), ``manifest`` (path → content hash of the file whose chunks are
all present) and ``meta`` (the model identity and dimension the vectors come
from).  The SQLite index is the index of record; this is a projection of it,
and the manifest is how the index layer finds files whose vectors lag.

It must not embed, read source files or know about SQLite, LSP or chunk
texts.  Thread use: one writer thread owns a writable instance and is the
only caller of the methods that change anything (``replace_file``,
``replace_files``, ``delete_file``, ``optimize``, ``clear``).  Request threads
share one read-only instance and call ``search``, ``count``, ``manifest`` and
``model_mismatch``; it sees every version the writer committed, because its
connection checks for the latest version on every read.

Crash safety: a manifest entry is only ever written after all of its file's
chunks, and removed before any of them, so a killed writer leaves at worst
chunks that no manifest entry claims, which the next ``replace_file`` of
that path deletes.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from codeidx.errors import StoreDamaged

if TYPE_CHECKING:
    import lancedb

VECTORS_DIR = "vectors"

#: Below this many rows a flat scan is fast enough (about 1.4 µs per row of
#: 384 float32 on two cores: 28 ms at 20k rows) and an IVF index, which needs
#: a few thousand rows per partition count to train well, is not worth it.
ANN_MIN_ROWS = 20_000
#: An IVF index is retrained from scratch when the table has grown this much
#: since the build; smaller growth is folded in by ``optimize`` incrementally.
ANN_REBUILD_GROWTH = 2.0
#: Old versions kept by ``optimize`` so that a search already running on an
#: older version can finish reading its files.
_KEEP_VERSIONS_FOR = timedelta(minutes=5)
#: Partitions probed by an IVF search; with about sqrt(rows) partitions this
#: keeps recall near a flat scan for code-sized tables.
_NPROBES = 20

_CHUNKS = "chunks"
_MANIFEST = "manifest"
_META = "meta"


@dataclass(frozen=True, slots=True)
class ChunkRow:
    """One embedded chunk of a node: what the vector table stores."""

    chunk_id: str  # f"{node_id}:{window}"
    node_id: int
    window: int  # 0 for the first/only window of a node
    path: str
    language: str
    kind: str
    vector: npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class VectorHit:
    """One search answer: the node, the chunk that matched, and how well."""

    node_id: int
    chunk_id: str
    score: float  # cosine similarity, higher is better
    path: str


def _import_lancedb() -> Any:
    # LanceDB logs warnings from Rust unless told otherwise; the variable
    # must be set before the first import, and an explicit user setting wins.
    os.environ.setdefault("LANCEDB_LOG", "error")
    import lancedb as module

    return module


def quote(value: str) -> str:
    """A SQL string literal for a LanceDB filter (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def _in_list(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(quote(v) for v in values)})"


def _chunks_schema(dim: int) -> pa.Schema:
    return pa.schema(
        [
            pa.field("chunk_id", pa.string(), nullable=False),
            pa.field("node_id", pa.int64(), nullable=False),
            pa.field("window", pa.int32(), nullable=False),
            pa.field("path", pa.string(), nullable=False),
            pa.field("language", pa.string(), nullable=False),
            pa.field("kind", pa.string(), nullable=False),
            pa.field("vector", pa.list_(pa.float32(), dim), nullable=False),
        ]
    )


_MANIFEST_SCHEMA = pa.schema(
    [
        pa.field("path", pa.string(), nullable=False),
        pa.field("content_hash", pa.string(), nullable=False),
    ]
)
_META_SCHEMA = pa.schema(
    [
        pa.field("model_id", pa.string(), nullable=False),
        pa.field("dim", pa.int32(), nullable=False),
    ]
)


class VectorIndex:
    """Chunk vectors of one workspace for one embedding model (see module doc)."""

    def __init__(
        self, directory: Path, db: lancedb.DBConnection, model_id: str, dim: int, writable: bool
    ) -> None:
        self._directory = directory
        self._db = db
        self._model_id = model_id
        self._dim = dim
        self._writable = writable
        self._chunks: Any = None
        self._manifest: Any = None
        self._meta: Any = None
        self._stored_model: tuple[str, int] | None = None
        self._meta_version = -1
        # Read-only instances are shared by request threads; opening tables
        # lazily must not race.
        self._lock = threading.Lock()

    @classmethod
    def open(cls, directory: Path, *, model_id: str, dim: int, writable: bool) -> VectorIndex:
        """Open the vector store in ``directory`` for vectors of ``model_id`` (``dim`` wide).

        Writable: creates the folder and tables, and starts empty when the
        stored vectors come from another model or dimension (the caller then
        re-embeds every file, from the cache where it can).  Read-only:
        behaves as empty while the stored model differs or nothing is stored
        yet (``model_mismatch`` says which).  Raises StoreDamaged when a table
        cannot be read.  Called by the writer thread (writable) or once for
        the shared reader.
        """
        lancedb = _import_lancedb()
        if writable:
            directory.mkdir(parents=True, exist_ok=True)
        # A zero interval makes every read check for a newer version, which
        # is how a reader sees the writer's commits (a cheap manifest probe).
        db = lancedb.connect(
            directory, read_consistency_interval=None if writable else timedelta(0)
        )
        index = cls(directory, db, model_id, dim, writable)
        with index._guard():
            if writable:
                index._open_writable()
            else:
                index._refresh_reader()
        return index

    # -- properties -------------------------------------------------------

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def model_mismatch(self) -> bool:
        """True when the stored vectors are not usable for this model (read-only only).

        A read-only instance then answers as if empty; the writer will
        re-embed for the new model.  Any thread.
        """
        if self._writable:
            return False
        with self._guard():
            self._refresh_reader()
        return self._stored_model != (self._model_id, self._dim)

    @property
    def stored_model(self) -> tuple[str, int] | None:
        """(model id, dimension) of the stored vectors, None when nothing is stored.

        Lets ``codeidx status`` describe the store without loading a model.  Any thread.
        """
        if not self._writable:
            with self._guard():
                self._refresh_reader()
        return self._stored_model

    # -- writes (writer thread only) ----------------------------------------

    def replace_file(self, path: str, content_hash: str, rows: Sequence[ChunkRow]) -> None:
        """Make ``rows`` the chunks of ``path`` and record ``content_hash`` for it.

        Order: manifest entry out, old chunks out, new chunks in, manifest
        entry in; a crash at any step leaves no entry claiming missing rows.
        Writer thread only.  Raises StoreDamaged when a table cannot be written.
        """
        self.replace_files([(path, content_hash, rows)])

    def replace_files(self, items: Sequence[tuple[str, str, Sequence[ChunkRow]]]) -> None:
        """``replace_file`` for many files in four table versions instead of four each.

        Writer thread only.  A path given twice keeps its last entry.
        """
        self._require_writable()
        if not items:
            return
        latest = {path: (content_hash, rows) for path, content_hash, rows in items}
        paths = list(latest)
        table = self._rows_table(row for _, rows in latest.values() for row in rows)
        with self._guard():
            for part in _batches(paths):
                self._manifest.delete(_in_list("path", part))
            for part in _batches(paths):
                self._chunks.delete(_in_list("path", part))
            if table.num_rows:
                self._chunks.add(table)
            self._manifest.add(
                pa.table(
                    {
                        "path": paths,
                        "content_hash": [latest[p][0] for p in paths],
                    },
                    schema=_MANIFEST_SCHEMA,
                )
            )

    def delete_file(self, path: str) -> None:
        """Remove the chunks and the manifest entry of ``path`` (entry first).

        Writer thread only.
        """
        self._require_writable()
        with self._guard():
            self._manifest.delete(_in_list("path", [path]))
            self._chunks.delete(_in_list("path", [path]))

    def optimize(self) -> None:
        """Compact versions and keep the ANN index in step with the table size.

        Below ``ANN_MIN_ROWS`` rows searches scan flat.  At or above it an
        IVF_FLAT index (exact distances within the probed partitions, no
        quantisation loss) is built with about sqrt(rows) partitions, and
        retrained when the table has grown ``ANN_REBUILD_GROWTH`` times since;
        smaller growth is added to the existing index by LanceDB's own
        optimize.  Writer thread only; takes seconds on large tables.
        """
        self._require_writable()
        with self._guard():
            for table in (self._chunks, self._manifest, self._meta):
                table.optimize(cleanup_older_than=_KEEP_VERSIONS_FOR)
            rows = int(self._chunks.count_rows())
            indexed = self._indexed_rows()
            if rows >= ANN_MIN_ROWS and (indexed == 0 or rows >= indexed * ANN_REBUILD_GROWTH):
                from lancedb.index import IvfFlat

                self._chunks.create_index(
                    "vector",
                    config=IvfFlat(
                        distance_type="cosine", num_partitions=max(1, int(math.sqrt(rows)))
                    ),
                    replace=True,
                )

    def clear(self) -> None:
        """Remove every chunk and manifest entry (the model record stays).

        Writer thread only.
        """
        self._require_writable()
        with self._guard():
            self._manifest.delete("true")
            self._chunks.delete("true")

    # -- reads (any thread) -------------------------------------------------

    def manifest(self) -> dict[str, str]:
        """Path → content hash of every file whose chunks are all stored."""
        with self._guard():
            if not self._readable():
                return {}
            table = self._manifest.to_arrow()
        return dict(zip(table["path"].to_pylist(), table["content_hash"].to_pylist(), strict=True))

    def count(self) -> int:
        """How many chunks are stored (0 while the model does not match)."""
        with self._guard():
            if not self._readable():
                return 0
            return int(self._chunks.count_rows())

    def search(
        self,
        vector: npt.NDArray[np.float32],
        limit: int,
        *,
        languages: Collection[str] | None = None,
        kinds: Collection[str] | None = None,
    ) -> list[VectorHit]:
        """The ``limit`` chunks nearest to ``vector`` by cosine, best first.

        ``languages`` and ``kinds`` restrict the answer before ranking (an
        empty collection matches nothing).  Any thread; raises StoreDamaged
        when the table cannot be read, ValueError for a vector of the wrong size.
        """
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if query.size != self._dim:
            raise ValueError(f"a query vector of {query.size} values for {self._dim} dimensions")
        if limit <= 0:
            return []
        if (languages is not None and not languages) or (kinds is not None and not kinds):
            return []
        conditions = []
        if languages is not None:
            conditions.append(_in_list("language", sorted(languages)))
        if kinds is not None:
            conditions.append(_in_list("kind", sorted(kinds)))
        with self._guard():
            if not self._readable():
                return []
            chunks = self._chunks
            indexed = self._indexed_rows()
        # The search runs outside the lock so that request threads search at
        # once; the handle stays valid even if another thread refreshes.
        with _Damage(self._directory, None):
            builder = (
                chunks.search(query, vector_column_name="vector")
                .distance_type("cosine")
                .select(["chunk_id", "node_id", "path"])
                .limit(limit)
            )
            if conditions:
                builder = builder.where(" AND ".join(conditions), prefilter=True)
            if indexed:
                builder = builder.nprobes(_NPROBES)
            result = builder.to_arrow()
        return [
            VectorHit(node_id=int(n), chunk_id=str(c), score=1.0 - float(d), path=str(p))
            for c, n, p, d in zip(
                result["chunk_id"].to_pylist(),
                result["node_id"].to_pylist(),
                result["path"].to_pylist(),
                result["_distance"].to_pylist(),
                strict=True,
            )
        ]

    def close(self) -> None:
        """Drop the table handles; LanceDB holds no files or threads between calls."""
        self._chunks = self._manifest = self._meta = None

    # -- internals ----------------------------------------------------------

    def _guard(self) -> _Damage:
        return _Damage(self._directory, self._lock)

    def _require_writable(self) -> None:
        if not self._writable:
            raise RuntimeError("this vector index was opened read-only")

    def _open_writable(self) -> None:
        names = set(self._table_names())
        stored: tuple[str, int] | None = None
        if {_CHUNKS, _MANIFEST, _META} <= names:
            self._meta = self._db.open_table(_META)
            stored = self._read_meta()
        if stored == (self._model_id, self._dim):
            self._chunks = self._db.open_table(_CHUNKS)
            self._manifest = self._db.open_table(_MANIFEST)
            # Read both once so that a damaged table is reported at open.
            self._chunks.count_rows()
            self._manifest.to_arrow()
            self._stored_model = stored
            return
        # Another model, or a store left half-made: start empty.  The model
        # record goes first and comes back last, so a crash in between is
        # seen by the next open as "no model" and reset again.
        if self._meta is not None:
            self._meta.delete("true")
        self._manifest = self._db.create_table(_MANIFEST, schema=_MANIFEST_SCHEMA, mode="overwrite")
        self._chunks = self._db.create_table(
            _CHUNKS, schema=_chunks_schema(self._dim), mode="overwrite"
        )
        self._meta = self._db.create_table(
            _META,
            data=pa.table({"model_id": [self._model_id], "dim": [self._dim]}, schema=_META_SCHEMA),
            mode="overwrite",
        )
        self._stored_model = (self._model_id, self._dim)

    def _refresh_reader(self) -> None:
        """Re-read the model record when it changed (read-only instances).

        The writer may be creating the tables right now (the first embedding
        of a workspace, or after a model change): a table listed but not yet
        openable reads as "nothing stored yet", as a missing one does.
        """
        if self._meta is None:
            self._meta = self._open_if_present(_META)
            if self._meta is None:
                self._stored_model = None
                return
            self._meta_version = -1  # a table opened afresh is read in full
        version = int(self._meta.version)
        if version == self._meta_version:
            return
        stored = self._read_meta()
        chunks = manifest = None
        if stored == (self._model_id, self._dim):
            chunks = self._open_if_present(_CHUNKS)
            manifest = self._open_if_present(_MANIFEST)
            if chunks is None or manifest is None:
                self._meta = None  # look again on the next read
                self._stored_model = None
                return
        self._stored_model = stored
        self._meta_version = version
        self._chunks, self._manifest = chunks, manifest

    def _open_if_present(self, name: str) -> Any:
        """The table ``name``, or None while it does not exist (yet)."""
        if name not in set(self._table_names()):
            return None
        try:
            return self._db.open_table(name)
        except ValueError as error:
            if "not found" in str(error):
                return None
            raise

    def _readable(self) -> bool:
        if not self._writable:
            self._refresh_reader()
        return self._stored_model == (self._model_id, self._dim) and self._chunks is not None

    def _read_meta(self) -> tuple[str, int] | None:
        rows = self._meta.to_arrow().to_pylist()
        if len(rows) != 1:
            return None
        return str(rows[0]["model_id"]), int(rows[0]["dim"])

    def _table_names(self) -> list[str]:
        return list(self._db.list_tables().tables)

    def _indexed_rows(self) -> int:
        for config in self._chunks.list_indices():
            if "vector" in config.columns:
                stats = self._chunks.index_stats(config.name)
                return int(stats.num_indexed_rows) if stats is not None else 0
        return 0

    def _rows_table(self, chunk_rows: Iterable[ChunkRow]) -> pa.Table:
        rows = list(chunk_rows)
        vectors = np.zeros((len(rows), self._dim), dtype=np.float32)
        for i, row in enumerate(rows):
            vector = np.asarray(row.vector, dtype=np.float32).reshape(-1)
            if vector.size != self._dim:
                raise ValueError(
                    f"chunk {row.chunk_id} has {vector.size} values for {self._dim} dimensions"
                )
            vectors[i] = vector
        flat = pa.array(vectors.reshape(-1), type=pa.float32())
        return pa.table(
            {
                "chunk_id": pa.array([r.chunk_id for r in rows], pa.string()),
                "node_id": pa.array([r.node_id for r in rows], pa.int64()),
                "window": pa.array([r.window for r in rows], pa.int32()),
                "path": pa.array([r.path for r in rows], pa.string()),
                "language": pa.array([r.language for r in rows], pa.string()),
                "kind": pa.array([r.kind for r in rows], pa.string()),
                "vector": pa.FixedSizeListArray.from_arrays(flat, self._dim),
            },
            schema=_chunks_schema(self._dim),
        )


def _batches(values: list[str], size: int = 500) -> Iterable[list[str]]:
    """Split long IN lists so that a filter stays a reasonable size."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Damage:
    """Holds the instance lock and turns LanceDB read failures into StoreDamaged.

    LanceDB reports missing or corrupt files as OSError, RuntimeError or
    ValueError from its Rust core; to the user they all mean the vector
    store must be rebuilt.
    """

    def __init__(self, directory: Path, lock: threading.Lock | None) -> None:
        self._directory = directory
        self._lock = lock

    def __enter__(self) -> None:
        if self._lock is not None:
            self._lock.acquire()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: Any
    ) -> None:
        if self._lock is not None:
            self._lock.release()
        if error is not None and isinstance(error, (OSError, RuntimeError)):
            raise StoreDamaged(
                f"the vector store at {self._directory} cannot be read: {_first_line(error)}",
                hint="delete the folder; it is rebuilt from the index and the embedding cache",
            ) from error


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
