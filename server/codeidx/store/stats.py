"""Read side of index-wide figures: counts, sessions, coverage, read snapshots.

This module owns the SQL behind ``codeidx status`` and behind the coverage
figures every query answer carries (is the index partial, how many files
still wait for linking).  It also owns ``read_snapshot``, the read
transaction a query runs in so that all its statements see one version of
the index while the writer commits.  It only reads; any thread may call it
with a read connection that thread owns.  No LSP, no file system access.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the enclosed reads in one transaction (one consistent version of the index).

    In WAL mode a reader's transaction pins the version it first reads, so a
    query's statements cannot see half of a writer's work.  Nested use is a
    no-op: the outer snapshot holds.
    """
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One recorded index run."""

    session_id: int
    started_at: float
    ended_at: float | None
    mode: str
    status: str
    saw_everything: bool
    files_seen: int
    files_parsed: int
    files_restored: int
    files_unchanged: int
    files_skipped: int
    files_failed: int
    files_deleted: int
    nodes: int
    edges: int
    reasons: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    git_commit: str | None = None
    git_author: str | None = None
    git_branch: str | None = None
    error: str | None = None


_SESSION_SELECT = (
    "SELECT session_id, started_at, ended_at, mode, status, saw_everything, files_seen,"
    " files_parsed, files_restored, files_unchanged, files_skipped, files_failed,"
    " files_deleted, nodes, edges, reasons, timings, git_commit, git_author, git_branch,"
    " error FROM sessions"
)


def _session(row: tuple[object, ...]) -> SessionRow:
    n = [int(v) for v in row[6:15]]  # type: ignore[call-overload]
    return SessionRow(
        int(row[0]),  # type: ignore[call-overload]
        float(row[1]),  # type: ignore[arg-type]
        float(row[2]) if row[2] is not None else None,  # type: ignore[arg-type]
        str(row[3]),
        str(row[4]),
        bool(row[5]),
        files_seen=n[0],
        files_parsed=n[1],
        files_restored=n[2],
        files_unchanged=n[3],
        files_skipped=n[4],
        files_failed=n[5],
        files_deleted=n[6],
        nodes=n[7],
        edges=n[8],
        reasons={str(k): int(v) for k, v in json.loads(str(row[15] or "{}")).items()},
        timings={str(k): float(v) for k, v in json.loads(str(row[16] or "{}")).items()},
        git_commit=str(row[17]) if row[17] is not None else None,
        git_author=str(row[18]) if row[18] is not None else None,
        git_branch=str(row[19]) if row[19] is not None else None,
        error=str(row[20]) if row[20] is not None else None,
    )


def last_session(conn: sqlite3.Connection) -> SessionRow | None:
    """The most recent index run, whatever its outcome."""
    row = conn.execute(f"{_SESSION_SELECT} ORDER BY session_id DESC LIMIT 1").fetchone()
    return _session(tuple(row)) if row is not None else None


def last_complete_session(conn: sqlite3.Connection) -> SessionRow | None:
    """The most recent run that finished (to say how old the last full picture is)."""
    row = conn.execute(
        f"{_SESSION_SELECT} WHERE status = 'complete' ORDER BY session_id DESC LIMIT 1"
    ).fetchone()
    return _session(tuple(row)) if row is not None else None


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """What a query needs to say whether its answer covers the whole workspace."""

    files: int
    unlinked_files: int
    last_status: str | None


def coverage(conn: sqlite3.Connection) -> CoverageRow:
    """Indexed files, files still waiting for their edges, and the last run's status."""
    files = int(conn.execute("SELECT COUNT(*) FROM files").fetchone()[0])
    unlinked = int(conn.execute("SELECT COUNT(*) FROM files WHERE linked = 0").fetchone()[0])
    row = conn.execute("SELECT status FROM sessions ORDER BY session_id DESC LIMIT 1").fetchone()
    return CoverageRow(files, unlinked, str(row[0]) if row else None)


def files_by_language(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """language → (files, lines)."""
    return {
        str(lang): (int(n), int(lines or 0))
        for lang, n, lines in conn.execute(
            "SELECT language, COUNT(*), SUM(line_count) FROM files"
            " GROUP BY language ORDER BY 2 DESC, 1"
        )
    }


def nodes_by_kind(conn: sqlite3.Connection) -> dict[str, int]:
    """node kind → count (module nodes included: one per file)."""
    return {
        str(kind): int(n)
        for kind, n in conn.execute(
            "SELECT kind, COUNT(*) FROM nodes GROUP BY kind ORDER BY 2 DESC, 1"
        )
    }


def nodes_by_language(conn: sqlite3.Connection) -> dict[str, int]:
    """language → node count."""
    return {
        str(lang): int(n)
        for lang, n in conn.execute(
            "SELECT f.language, COUNT(*) FROM nodes n JOIN files f ON f.file_id = n.file_id"
            " GROUP BY f.language ORDER BY 2 DESC, 1"
        )
    }


def edges_by_kind(conn: sqlite3.Connection) -> dict[str, int]:
    """edge kind → count."""
    return {
        str(kind): int(n)
        for kind, n in conn.execute(
            "SELECT kind, COUNT(*) FROM edges GROUP BY kind ORDER BY 2 DESC, 1"
        )
    }


def edges_by_language(conn: sqlite3.Connection) -> dict[str, int]:
    """language of the stating file → edge count."""
    return {
        str(lang): int(n)
        for lang, n in conn.execute(
            "SELECT f.language, COUNT(*) FROM edges e JOIN files f ON f.file_id = e.file_id"
            " GROUP BY f.language ORDER BY 2 DESC, 1"
        )
    }


def unlinked_paths(conn: sqlite3.Connection, limit: int) -> tuple[int, list[str]]:
    """(count, first ``limit`` paths) of files whose edges are not computed yet."""
    count = int(conn.execute("SELECT COUNT(*) FROM files WHERE linked = 0").fetchone()[0])
    paths = [
        str(r[0])
        for r in conn.execute(
            "SELECT path FROM files WHERE linked = 0 ORDER BY path LIMIT ?", (limit,)
        )
    ]
    return count, paths


def files_with_syntax_errors(conn: sqlite3.Connection) -> int:
    """How many indexed files tree-sitter had to recover from errors in."""
    return int(conn.execute("SELECT COUNT(*) FROM files WHERE error_count > 0").fetchone()[0])


def file_stats(conn: sqlite3.Connection) -> list[tuple[str, int, int, str]]:
    """(path, size, mtime_ns, content_hash) of every indexed file, for the staleness check."""
    return [
        (str(p), int(s), int(m), str(h))
        for p, s, m, h in conn.execute(
            "SELECT path, size, mtime_ns, content_hash FROM files ORDER BY path"
        )
    ]


def index_identity(conn: sqlite3.Connection) -> tuple[str, int, float] | None:
    """(database file, id and start time of the first run): tells indexes apart.

    An index deleted and built again at the same place starts its sessions
    anew, so its file and session ids can repeat; the first run's start time
    does not.  None while no run was recorded.
    """
    database = next((str(r[2]) for r in conn.execute("PRAGMA database_list")), "")
    row = conn.execute(
        "SELECT session_id, started_at FROM sessions ORDER BY session_id LIMIT 1"
    ).fetchone()
    return (database, int(row[0]), float(row[1])) if row is not None else None


def files_fingerprint(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """(count, sum and max of the writing sessions' ids) of the file rows.

    It changes whenever a file row is added, deleted or written again:
    session ids only grow, so a file written anew raises the sum, and as
    many files added as deleted still raise it (each new row carries an id
    above every existing one).  A third of the cost of ``file_sessions``.
    """
    row = conn.execute("SELECT COUNT(*), TOTAL(session_id), MAX(session_id) FROM files").fetchone()
    return int(row[0]), int(row[1]), int(row[2] or 0)


def file_sessions(conn: sqlite3.Connection) -> dict[int, int]:
    """file id → the session that last wrote the file's row (and its definitions).

    A file's definitions are only ever written together with its row, which
    then takes the writing session's id, so a reader that remembers this map
    can tell which files changed since it last looked.
    """
    return {int(f): int(s) for f, s in conn.execute("SELECT file_id, session_id FROM files")}
