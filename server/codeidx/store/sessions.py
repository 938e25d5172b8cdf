"""Index sessions and the change history.

Each index run is a recorded session (counts, timings, reasons, git HEAD);
each file it created, modified or deleted is a change row with the node ids
it added, removed or changed.  Written by the writer; read by ``status``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict, dataclass, field


@dataclass(slots=True)
class SessionCounts:
    """What one run did, as recorded in its session row."""

    files_seen: int = 0
    files_parsed: int = 0
    files_restored: int = 0
    files_unchanged: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    files_deleted: int = 0
    nodes: int = 0
    edges: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GitHead:
    """The commit checked out when a run started."""

    commit: str | None
    author: str | None
    branch: str | None


def latest_session_id(conn: sqlite3.Connection) -> int:
    """The id of the most recent session (0 when none).

    Every file row was written by that session or an earlier one.
    """
    return int(conn.execute("SELECT COALESCE(MAX(session_id), 0) FROM sessions").fetchone()[0])


def start_session(conn: sqlite3.Connection, mode: str, git: GitHead) -> int:
    """Record the start of a run; returns its session id."""
    cur = conn.execute(
        "INSERT INTO sessions (started_at, mode, status, git_commit, git_author, git_branch)"
        " VALUES (?, ?, 'running', ?, ?, ?)",
        (time.time(), mode, git.commit, git.author, git.branch),
    )
    return int(cur.lastrowid or 0)


def finish_session(
    conn: sqlite3.Connection,
    session_id: int,
    status: str,
    counts: SessionCounts,
    saw_everything: bool,
    error: str | None = None,
) -> None:
    """Record the end of a run with its counts."""
    values = asdict(counts)
    conn.execute(
        "UPDATE sessions SET ended_at = ?, status = ?, saw_everything = ?, files_seen = ?,"
        " files_parsed = ?, files_restored = ?, files_unchanged = ?, files_skipped = ?,"
        " files_failed = ?, files_deleted = ?, nodes = ?, edges = ?, reasons = ?, timings = ?,"
        " error = ? WHERE session_id = ?",
        (
            time.time(),
            status,
            int(saw_everything),
            values["files_seen"],
            values["files_parsed"],
            values["files_restored"],
            values["files_unchanged"],
            values["files_skipped"],
            values["files_failed"],
            values["files_deleted"],
            values["nodes"],
            values["edges"],
            json.dumps(counts.reasons, sort_keys=True),
            json.dumps({k: round(v, 4) for k, v in counts.timings.items()}),
            error,
            session_id,
        ),
    )


def close_abandoned(conn: sqlite3.Connection) -> int:
    """Mark sessions left 'running' by a killed process as interrupted."""
    return conn.execute(
        "UPDATE sessions SET status = 'interrupted', error = 'the process stopped before the"
        " run finished' WHERE status = 'running'"
    ).rowcount


def record_change(
    conn: sqlite3.Connection,
    session_id: int,
    path: str,
    change: str,
    content_hash: str | None,
    previous_hash: str | None,
    added: list[int],
    removed: list[int],
    changed: list[int],
) -> None:
    """Record one file's change with the node ids it touched."""
    conn.execute(
        "INSERT INTO changes (session_id, path, change, content_hash, previous_hash,"
        " nodes_added, nodes_removed, nodes_changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            path,
            change,
            content_hash,
            previous_hash,
            json.dumps(sorted(added)),
            json.dumps(sorted(removed)),
            json.dumps(sorted(changed)),
        ),
    )
