"""Read side of the search projections: what the full-text and vector stores are built from.

SQLite is the index of record; the Tantivy and LanceDB stores are projections
of it, rebuilt file by file.  This module owns the SQL that reads what a
projection needs (each file's content hash, its definitions with their byte
spans and docs) and what a search hit shows (ranges, names, a doc line).
It only reads: any thread may call it with a connection that thread owns.
It knows nothing of Tantivy, LanceDB, models or ranking.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from codeidx.store import db

#: Definition kinds that become search documents.  Fields, variables,
#: constants and enum members are found through their parents; a Rust ``impl``
#: block is found through its methods.
SEARCHABLE_KINDS = frozenset(
    {
        "module",
        "namespace",
        "class",
        "struct",
        "union",
        "enum",
        "interface",
        "trait",
        "function",
        "method",
        "constructor",
        "type_alias",
        "macro",
    }
)


@dataclass(frozen=True, slots=True)
class IndexedFile:
    """A file as SQLite holds it: the version every projection must match."""

    path: str
    content_hash: str
    language: str


@dataclass(frozen=True, slots=True)
class DefinitionText:
    """A definition of one file with what its search text is made of."""

    node_id: int
    parent_id: int | None
    kind: str
    name: str
    qualified_name: str
    signature: str
    doc: str
    start_byte: int
    end_byte: int


@dataclass(frozen=True, slots=True)
class HitRow:
    """What a search result shows about a definition (0-based lines, UTF-16 columns)."""

    node_id: int
    path: str
    language: str
    kind: str
    name: str
    qualified_name: str
    signature: str
    doc: str
    start_line: int
    start_col: int
    end_line: int
    end_col: int
    name_line: int
    name_col: int
    name_end_col: int


def indexed_files(conn: sqlite3.Connection) -> dict[str, IndexedFile]:
    """Every indexed file by path, with the content hash its rows were built from."""
    return {
        str(path): IndexedFile(str(path), str(digest), str(language))
        for path, digest, language in conn.execute("SELECT path, content_hash, language FROM files")
    }


def file_definitions(
    conn: sqlite3.Connection, path: str
) -> tuple[IndexedFile, list[DefinitionText]] | None:
    """The file's record and all its definitions in document order; None if not indexed.

    Every kind is returned, searchable or not: a class's search text lists
    its members, which are rows of their own.
    """
    row = conn.execute(
        "SELECT file_id, content_hash, language FROM files WHERE path = ?", (path,)
    ).fetchone()
    if row is None:
        return None
    file_id, digest, language = row
    cursor = conn.execute(
        "SELECT node_id, parent_id, kind, name, qualified_name, signature, doc,"
        " start_byte, end_byte FROM nodes WHERE file_id = ? ORDER BY ordinal",
        (file_id,),
    )
    found = [
        DefinitionText(
            int(r[0]),
            int(r[1]) if r[1] is not None else None,
            str(r[2]),
            str(r[3]),
            str(r[4]),
            str(r[5]),
            str(r[6] or ""),
            int(r[7]),
            int(r[8]),
        )
        for r in cursor
    ]
    return IndexedFile(path, str(digest), str(language)), found


def searchable_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """path → how many search documents the file makes (the denominator of coverage).

    A module counts only when it has a docstring, as ``index.chunks`` decides.
    """
    kinds = sorted(SEARCHABLE_KINDS)
    marks = ",".join("?" * len(kinds))
    return {
        str(path): int(count)
        for path, count in conn.execute(
            "SELECT f.path, COUNT(*) FROM nodes n JOIN files f ON f.file_id = n.file_id"
            f" WHERE n.kind IN ({marks})"
            " AND (n.kind != 'module' OR TRIM(COALESCE(n.doc, '')) != '')"
            " GROUP BY f.path",
            kinds,
        )
    }


def hit_rows(conn: sqlite3.Connection, node_ids: Iterable[int]) -> dict[int, HitRow]:
    """node id → what a result shows, for the ids that still exist."""
    wanted = list(dict.fromkeys(node_ids))
    out: dict[int, HitRow] = {}
    for chunk in db.chunks(wanted):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            "SELECT n.node_id, f.path, f.language, n.kind, n.name, n.qualified_name,"
            " n.signature, n.doc, n.start_line, n.start_col, n.end_line, n.end_col,"
            " n.name_line, n.name_col, n.name_end_col"
            f" FROM nodes n JOIN files f ON f.file_id = n.file_id WHERE n.node_id IN ({marks})",
            chunk,
        ):
            hit = HitRow(
                int(row[0]),
                str(row[1]),
                str(row[2]),
                str(row[3]),
                str(row[4]),
                str(row[5]),
                str(row[6]),
                str(row[7] or ""),
                int(row[8]),
                int(row[9]),
                int(row[10]),
                int(row[11]),
                int(row[12]),
                int(row[13]),
                int(row[14]),
            )
            out[hit.node_id] = hit
    return out


def nodes_named_any(
    conn: sqlite3.Connection, names: Iterable[str], limit: int
) -> list[tuple[int, str]]:
    """(node id, name) of searchable definitions whose name is one of ``names``.

    Case-sensitive equality on the ``nodes_name`` index; callers fold case
    themselves by asking for the spellings they expect.
    """
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return []
    kinds = sorted(SEARCHABLE_KINDS)
    out: list[tuple[int, str]] = []
    for chunk in db.chunks(wanted):
        marks = ",".join("?" * len(chunk))
        kind_marks = ",".join("?" * len(kinds))
        out.extend(
            (int(node_id), str(name))
            for node_id, name in conn.execute(
                f"SELECT node_id, name FROM nodes WHERE name IN ({marks})"
                f" AND kind IN ({kind_marks}) LIMIT ?",
                [*chunk, *kinds, limit],
            )
        )
    return out[:limit]


def content_hashes(conn: sqlite3.Connection, paths: Iterable[str]) -> dict[str, str]:
    """path → the content hash the index holds, for the given paths that are indexed."""
    wanted = list(dict.fromkeys(paths))
    out: dict[str, str] = {}
    for chunk in db.chunks(wanted):
        marks = ",".join("?" * len(chunk))
        for path, digest in conn.execute(
            f"SELECT path, content_hash FROM files WHERE path IN ({marks})", chunk
        ):
            out[str(path)] = str(digest)
    return out


def files_signature(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """A value that changes whenever any file's indexed version changes.

    (file count, newest writing session, sum of the files' session ids):
    every write of a file records the run's session, so a save, a deletion
    or a new file all change it.  Comparable across connections, unlike
    ``PRAGMA data_version``.
    """
    count, newest, total = conn.execute(
        "SELECT COUNT(*), COALESCE(MAX(session_id), 0), COALESCE(SUM(session_id), 0) FROM files"
    ).fetchone()
    return int(count), int(newest), int(total)
