"""The embedding cache: vectors keyed by (model identity, text hash).

It owns its own SQLite file beside the index (``embeddings.sqlite``), whose
schema lives in ``migrations/cache/``.  Unchanged text is never embedded
twice, even after a forced rebuild or a deleted vector table, because the
cache survives both.  Vectors are stored as exact float32 bytes, so a cached
vector is bit-for-bit the one the model produced.

Each vector carries when it was last written or read (``used``), so that
``prune`` can bound the cache: a workspace edited for months would otherwise
keep the vector of every text it ever held.

It must not embed anything, know about chunks or files, or be shared between
threads: one writer thread opens it, uses it and closes it (SQLite's
same-thread check stays on).
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from codeidx.errors import StoreDamaged
from codeidx.store import db
from codeidx.store.migrate import apply_migrations

CACHE_NAME = "embeddings.sqlite"

# Bound parameters per statement; far below SQLite's limit, large enough
# that a few thousand keys take a handful of statements.
_KEYS_PER_STATEMENT = 500
_FLOAT32 = np.dtype("<f4")
#: Another model's vectors are dropped once none was used for this long (30 days).
MODEL_IDLE_SECONDS = 30 * 24 * 3600.0


def _now_us() -> int:
    """Microseconds since the Unix epoch: what ``used`` holds (seconds would tie a whole sync)."""
    return int(time.time() * 1_000_000)


def text_key(text: str) -> bytes:
    """The cache key of a chunk text: 16 bytes of blake2b over its UTF-8."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


_SQLITE_HEADER = b"SQLite format 3\x00"


def _check_header(path: Path) -> None:
    """Refuse a file that is not a SQLite database before connecting to it.

    Checking first keeps the connection helper from failing half-way through
    its set-up on such a file.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    if head and head != _SQLITE_HEADER:
        raise StoreDamaged(
            f"the embedding cache at {path} is not a SQLite database",
            hint="delete the file; it is rebuilt as text is embedded again",
        )


class EmbeddingCache:
    """Cached vectors of one index, for every model that embedded it.

    Thread use: the thread that called ``open`` is the only one that may call
    the other methods, including ``close``.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._models: dict[str, tuple[int, int]] = {}

    @classmethod
    def open(cls, path: Path) -> EmbeddingCache:
        """Open (creating and migrating) the cache file at ``path``.

        Raises StoreDamaged when the file is not a readable database,
        SchemaTooNew or MigrationError from the migrations runner.
        """
        _check_header(path)
        conn = db.connect_writer(path)
        try:
            apply_migrations(conn, folder="cache")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreDamaged(
                f"the embedding cache at {path} cannot be read: {exc}",
                hint="delete the file; it is rebuilt as text is embedded again",
            ) from exc
        except BaseException:
            conn.close()
            raise
        return cls(conn)

    def get_many(
        self, model_id: str, keys: Sequence[bytes]
    ) -> dict[bytes, npt.NDArray[np.float32]]:
        """The cached vectors among ``keys`` for ``model_id``; missing keys are absent.

        Raises StoreDamaged when a stored vector has the wrong size.
        """
        model = self._model(model_id, None)
        if model is None or not keys:
            return {}
        model_rowid, dim = model
        found: dict[bytes, npt.NDArray[np.float32]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _KEYS_PER_STATEMENT):
            part = unique[start : start + _KEYS_PER_STATEMENT]
            marks = ",".join("?" * len(part))
            rows = self._conn.execute(
                "SELECT text_key, vector FROM embeddings"
                f" WHERE embedding_model_id = ? AND text_key IN ({marks})",
                (model_rowid, *part),
            )
            for key, blob in rows:
                if len(blob) != dim * _FLOAT32.itemsize:
                    raise StoreDamaged(
                        f"the embedding cache holds a vector of {len(blob)} bytes"
                        f" for a model of {dim} dimensions",
                        hint="delete embeddings.sqlite in the index folder",
                    )
                found[bytes(key)] = np.frombuffer(blob, dtype=_FLOAT32).astype(np.float32)
        if found:
            self._mark_used(model_rowid, list(found))
        return found

    def _mark_used(self, model_rowid: int, keys: Sequence[bytes]) -> None:
        """Record that these vectors were needed now (``prune`` keeps the recent ones)."""
        now = _now_us()
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.executemany(
                "UPDATE embeddings SET used = ? WHERE embedding_model_id = ? AND text_key = ?",
                ((now, model_rowid, key) for key in keys),
            )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def put_many(
        self, model_id: str, items: Sequence[tuple[bytes, npt.NDArray[np.float32]]]
    ) -> None:
        """Store vectors for ``model_id`` in one transaction (replacing equal keys).

        Raises ValueError when a vector's size differs from the model's
        dimension recorded by the first ``put_many`` for that model.
        """
        if not items:
            return
        dims = {int(np.asarray(vector).size) for _, vector in items}
        if len(dims) != 1:
            raise ValueError(f"vectors of different sizes for one model: {sorted(dims)}")
        dim = dims.pop()
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            model_rowid, known_dim = self._model(model_id, dim) or (0, 0)
            if known_dim != dim:
                raise ValueError(f"model {model_id!r} has {known_dim} dimensions, not {dim}")
            now = _now_us()
            self._conn.executemany(
                "INSERT OR REPLACE INTO embeddings (embedding_model_id, text_key, vector, used)"
                " VALUES (?, ?, ?, ?)",
                (
                    (
                        model_rowid,
                        key,
                        np.ascontiguousarray(vector, dtype=_FLOAT32).tobytes(),
                        now,
                    )
                    for key, vector in items
                ),
            )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            # A model row created in this transaction is gone with it.
            self._models.pop(model_id, None)
            raise

    def count(self, model_id: str) -> int:
        """How many vectors are cached for ``model_id``."""
        model = self._model(model_id, None)
        if model is None:
            return 0
        row = self._conn.execute(
            "SELECT COUNT(*) FROM embeddings WHERE embedding_model_id = ?", (model[0],)
        ).fetchone()
        return int(row[0])

    def prune(self, model_id: str, keep: int, idle_seconds: float = MODEL_IDLE_SECONDS) -> int:
        """Bound the cache; returns how many vectors went.

        Keeps the ``keep`` vectors of ``model_id`` used last and drops the
        others, and drops every other model none of whose vectors was used
        for ``idle_seconds`` (a model switched away from long ago).  A
        dropped vector costs only embedding its text again, should it come
        back.
        """
        model = self._model(model_id, None)
        cutoff = _now_us() - int(idle_seconds * 1_000_000)
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            gone = 0
            if model is not None:
                gone += self._conn.execute(
                    "DELETE FROM embeddings WHERE embedding_model_id = ? AND text_key IN ("
                    " SELECT text_key FROM embeddings WHERE embedding_model_id = ?"
                    " ORDER BY used DESC LIMIT -1 OFFSET ?)",
                    (model[0], model[0], max(0, keep)),
                ).rowcount
            stale = [
                (int(rowid), str(name))
                for rowid, name in self._conn.execute(
                    "SELECT m.embedding_model_id, m.name FROM embedding_models m"
                    " WHERE m.name != ? AND COALESCE((SELECT MAX(e.used) FROM embeddings e"
                    " WHERE e.embedding_model_id = m.embedding_model_id), 0) < ?",
                    (model_id, cutoff),
                )
            ]
            for rowid, name in stale:
                gone += self._conn.execute(
                    "DELETE FROM embeddings WHERE embedding_model_id = ?", (rowid,)
                ).rowcount
                self._conn.execute(
                    "DELETE FROM embedding_models WHERE embedding_model_id = ?", (rowid,)
                )
                self._models.pop(name, None)
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return gone

    def close(self) -> None:
        """Close the connection; the cache cannot be used afterwards."""
        self._conn.close()

    def _model(self, model_id: str, create_dim: int | None) -> tuple[int, int] | None:
        """The (row id, dim) of a model; created with ``create_dim`` when given and unknown.

        Creating must happen inside the caller's transaction.
        """
        known = self._models.get(model_id)
        if known is not None:
            return known
        row = self._conn.execute(
            "SELECT embedding_model_id, dim FROM embedding_models WHERE name = ?", (model_id,)
        ).fetchone()
        if row is None:
            if create_dim is None:
                return None
            cursor = self._conn.execute(
                "INSERT INTO embedding_models (name, dim) VALUES (?, ?)", (model_id, create_dim)
            )
            row = (int(cursor.lastrowid or 0), create_dim)
        known = (int(row[0]), int(row[1]))
        self._models[model_id] = known
        return known
