"""SQLite connections: the one place they are opened and configured.

Every connection has an owner and a close path.  The writer opens one
read-write connection; readers open their own read-only connections on the
thread that uses them (SQLite's same-thread check stays on).  WAL mode lets
readers and the writer work at once; ``data_version`` tells a reader that
another connection (another process, too) committed, which the database
file's mtime cannot tell because WAL commits land in the ``-wal`` sidecar.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from codeidx.errors import IndexUnavailable

T = TypeVar("T")

DB_NAME = "index.sqlite"
BUSY_TIMEOUT_MS = 10_000


def connect_writer(path: Path) -> sqlite3.Connection:
    """Open the read-write connection of the single writer, creating the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    # Only effective on a new database: 8 KiB pages hold the packed
    # occurrence blobs with less overflow waste than the default 4 KiB.
    conn.execute("PRAGMA page_size=8192")
    _configure(conn)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


def connect_reader(path: Path) -> sqlite3.Connection:
    """Open a read-only connection; raises IndexUnavailable when there is no index."""
    if not path.exists():
        raise IndexUnavailable(
            f"no index at {path.parent}", hint="run `codeidx index` in the workspace first"
        )
    conn = sqlite3.connect(
        f"{path.as_uri()}?mode=ro",
        uri=True,
        isolation_level=None,
        timeout=BUSY_TIMEOUT_MS / 1000,
    )
    try:
        _configure(conn)
        conn.execute("PRAGMA query_only=ON")
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise IndexUnavailable(f"cannot open the index at {path}: {exc}") from exc
    return conn


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-32000")
    conn.execute("PRAGMA temp_store=MEMORY")


def data_version(conn: sqlite3.Connection) -> int:
    """A number that changes when another connection commits (see module doc)."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def read_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """A value of the index's ``meta`` table (None when unset)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def write_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Set a value of the ``meta`` table (in the caller's transaction, if any)."""
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def delete_meta(conn: sqlite3.Connection, key: str) -> None:
    """Unset a value of the ``meta`` table (in the caller's transaction, if any)."""
    conn.execute("DELETE FROM meta WHERE key = ?", (key,))


def is_read_only(conn: sqlite3.Connection) -> bool:
    """Whether the connection was opened to read only (``connect_reader``)."""
    return bool(conn.execute("PRAGMA query_only").fetchone()[0])


def schema_cookie(conn: sqlite3.Connection) -> int:
    """A number that changes whenever any connection changes the schema (a migration)."""
    return int(conn.execute("PRAGMA schema_version").fetchone()[0])


def database_file(conn: sqlite3.Connection) -> str:
    """The file of the connection's main database ("" for an in-memory one)."""
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return str(file or "")
    return ""


def checkpoint(conn: sqlite3.Connection) -> None:
    """Fold the WAL back into the main file (at shutdown and after big runs)."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def checkpoint_passive(conn: sqlite3.Connection) -> None:
    """Copy the WAL into the main file without waiting for readers or the writer.

    A language server calls it after each save: a save writes hundreds of
    WAL pages, and the commit that crosses ``wal_autocheckpoint`` pays for
    the checkpoint itself, in the middle of someone's save.  Needs a
    read-write connection.
    """
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


#: The ``meta`` key of the indexes a bulk build dropped and has yet to recreate.
_PENDING_INDEXES = "pending_indexes"

#: Secondary indexes worth dropping during a bulk build of an empty index.
_BULK_INDEXES = (
    "nodes_name",
    "nodes_parent",
    "occurrences_name",
    "file_deps_target",
    "edges_src",
    "edges_dst",
)


def drop_bulk_indexes(conn: sqlite3.Connection) -> None:
    """Drop secondary indexes before a bulk build of an empty index.

    Building an index once after the rows are in is about twice as fast as
    maintaining it row by row.  The indexes' SQL (read from ``sqlite_master``,
    so the schema is still only written in ``migrations/``) is saved in the
    same transaction as the drops, so a run killed before it recreates them
    leaves a note that the next start acts on (``restore_indexes``).
    """
    marks = ",".join("?" * len(_BULK_INDEXES))
    saved = [
        str(sql)
        for (sql,) in conn.execute(
            f"SELECT sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
            _BULK_INDEXES,
        )
    ]
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name in _BULK_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        write_meta(conn, _PENDING_INDEXES, json.dumps(saved))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def restore_indexes(conn: sqlite3.Connection) -> int:
    """Recreate indexes a bulk build dropped; returns how many (0 when none pending).

    Called after every bulk build and at the start of every run, so a killed
    build never leaves the index without them.
    """
    pending = read_meta(conn, _PENDING_INDEXES)
    if pending is None:
        return 0
    saved = json.loads(pending)
    conn.execute("BEGIN IMMEDIATE")
    try:
        for sql in saved:
            conn.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
        delete_meta(conn, _PENDING_INDEXES)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(saved)


#: Bound parameters per ``IN (...)`` statement: SQLite limits them, and 500
#: is safe with every build.
IN_CHUNK = 500


def chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """``values`` in runs of ``IN_CHUNK``, one ``IN (...)`` statement each."""
    for i in range(0, len(values), IN_CHUNK):
        yield values[i : i + IN_CHUNK]
