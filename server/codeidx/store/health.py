"""Health checks of the SQLite index: the statements ``codeidx doctor`` runs.

Read-only; any thread, with a connection it owns.
"""

from __future__ import annotations

import sqlite3

#: Messages beyond this many are not worth reading: the database needs a rebuild.
_MAX_PROBLEMS = 10


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """SQLite's ``quick_check`` messages; empty when the database is sound."""
    try:
        rows = conn.execute(f"PRAGMA quick_check({_MAX_PROBLEMS})").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def node_count(conn: sqlite3.Connection) -> int:
    """How many definitions the index holds."""
    try:
        return int(conn.execute("SELECT COUNT(*) FROM nodes").fetchone()[0])
    except sqlite3.DatabaseError:
        return 0
