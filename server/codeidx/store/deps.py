"""Read side of file dependencies (imports, includes, uses) for ``codeidx deps``.

``file_deps`` holds one row per import statement with the workspace file it
resolved to (``target_path``), or none for a dependency outside the
workspace (standard library, third-party packages) or one that could not be
resolved.  This module only reads; any thread may call it with a read
connection that thread owns.  Cycle detection lives in the query layer.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DepRow:
    """One import statement: who imports what, and where it resolved."""

    path: str  # the importing file
    line: int  # 0-based
    kind: str
    text: str
    module: str
    target_path: str | None


_DEP_SELECT = (
    "SELECT f.path, d.line, d.kind, d.text, d.module, d.target_path"
    " FROM file_deps d JOIN files f ON f.file_id = d.file_id"
)


def _dep(row: tuple[object, ...]) -> DepRow:
    return DepRow(
        str(row[0]),
        int(row[1]),  # type: ignore[call-overload]
        str(row[2]),
        str(row[3]),
        str(row[4]),
        str(row[5]) if row[5] is not None else None,
    )


def imports_of(conn: sqlite3.Connection, path: str) -> list[DepRow]:
    """The import statements of one file, in source order."""
    return [
        _dep(tuple(r))
        for r in conn.execute(f"{_DEP_SELECT} WHERE f.path = ? ORDER BY d.line, d.dep_id", (path,))
    ]


def importers_of(conn: sqlite3.Connection, path: str) -> list[DepRow]:
    """The import statements elsewhere that resolved to this file."""
    return [
        _dep(tuple(r))
        for r in conn.execute(
            f"{_DEP_SELECT} WHERE d.target_path = ? AND f.path != ? ORDER BY f.path, d.line",
            (path, path),
        )
    ]


def internal_pairs(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Distinct (importer, imported) pairs of workspace files, for cycle detection."""
    return [
        (str(a), str(b))
        for a, b in conn.execute(
            "SELECT DISTINCT f.path, d.target_path FROM file_deps d"
            " JOIN files f ON f.file_id = d.file_id WHERE d.target_path IS NOT NULL"
            " ORDER BY 1, 2"
        )
    ]


def dep_totals(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """(import statements resolved inside the workspace, ones outside, files importing)."""
    internal, external = conn.execute(
        "SELECT COALESCE(SUM(target_path IS NOT NULL), 0), COALESCE(SUM(target_path IS NULL), 0)"
        " FROM file_deps"
    ).fetchone()
    importing = conn.execute("SELECT COUNT(DISTINCT file_id) FROM file_deps").fetchone()[0]
    return int(internal), int(external), int(importing)


def most_imported(conn: sqlite3.Connection, limit: int) -> list[tuple[str, int]]:
    """(workspace file, number of distinct files importing it), most imported first."""
    return [
        (str(p), int(n))
        for p, n in conn.execute(
            "SELECT d.target_path, COUNT(DISTINCT d.file_id) FROM file_deps d"
            " JOIN files f ON f.file_id = d.file_id"
            " WHERE d.target_path IS NOT NULL AND d.target_path != f.path"
            " GROUP BY d.target_path ORDER BY 2 DESC, 1 LIMIT ?",
            (limit,),
        )
    ]


def most_used_external(conn: sqlite3.Connection, limit: int) -> list[tuple[str, int]]:
    """(module as written, number of distinct files importing it) outside the workspace."""
    return [
        (str(m), int(n))
        for m, n in conn.execute(
            "SELECT module, COUNT(DISTINCT file_id) FROM file_deps WHERE target_path IS NULL"
            " GROUP BY module ORDER BY 2 DESC, 1 LIMIT ?",
            (limit,),
        )
    ]
