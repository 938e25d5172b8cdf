"""Read queries that navigation answers from what linking already stored.

This module owns the few statements that let references and the call
hierarchy read stored edges in bulk instead of resolving every occurrence
again: the edges that end at the queried definitions, with their sites, in one
statement; the definitions named on one line of a file; the kind of the
definition one is nested in and how many top-level definitions share a name;
the files still waiting for their edges; and a decoder of occurrence lines
that builds no object per value.  (Call edges touching definitions are
``store.nodes.edges_touching``; packed sites decode with
``store.edges.unpack_sites``.)

Reads only, and never writes; any thread may call these functions with a
read connection it owns.  They return plain tuples; SQLite errors propagate.
"""

from __future__ import annotations

import sqlite3
import sys
from array import array
from collections.abc import Iterable
from typing import NamedTuple

from codeidx.store import db
from codeidx.store.nodes import NodeRow
from codeidx.store.occurrences import TYPECODES

_SWAP = sys.byteorder != "little"
#: Values per occurrence in a packed occurrence blob (see ``store.occurrences``).
_OCCURRENCE_FIELDS = 5

#: Edge kinds whose sites are not occurrences of the target's name: an
#: ``overrides`` edge has no site, and a ``decorates`` edge's site is the
#: decorator, which names the source, not the decorated target.
_NOT_REFERENCES = ("overrides", "decorates")


class StoredEdge(NamedTuple):
    """An edge ending at one of the queried definitions, with its packed sites."""

    file_id: int
    dst_id: int
    kind: str
    confidence: float
    resolution: str
    sites: bytes | None


def edges_to(conn: sqlite3.Connection, node_ids: Iterable[int]) -> list[StoredEdge]:
    """Every edge ending at one of ``node_ids``, in one statement per 500 ids.

    Decorator and override edges are left out: their sites are not
    occurrences of the target's name.
    """
    wanted = list(dict.fromkeys(node_ids))
    out: list[StoredEdge] = []
    for chunk in db.chunks(wanted):
        marks = ",".join("?" * len(chunk))
        out.extend(
            StoredEdge(*row)
            for row in conn.execute(
                "SELECT file_id, dst_id, kind, confidence, resolution, sites FROM edges"
                f" WHERE dst_id IN ({marks}) AND kind NOT IN (?, ?)",
                (*chunk, *_NOT_REFERENCES),
            )
        )
    return out


def nodes_named_on_line(conn: sqlite3.Connection, file_id: int, line: int) -> list[NodeRow]:
    """The definitions of one file whose name is on ``line`` (what a cursor may be on)."""
    return [
        NodeRow(*row)
        for row in conn.execute(
            "SELECT n.node_id, n.file_id, f.path, f.language, n.kind, n.name, n.qualified_name,"
            " n.signature, n.parent_id, n.ordinal, n.start_line, n.end_line, n.name_line,"
            " n.name_col, n.name_end_col FROM nodes n JOIN files f ON f.file_id = n.file_id"
            " WHERE n.file_id = ? AND n.name_line = ? ORDER BY n.ordinal",
            (file_id, line),
        )
    ]


def parent_kind(conn: sqlite3.Connection, node_id: int) -> str | None:
    """The kind of the definition a definition is nested in; None for a module."""
    row = conn.execute(
        "SELECT p.kind FROM nodes n JOIN nodes p ON p.node_id = n.parent_id WHERE n.node_id = ?",
        (node_id,),
    ).fetchone()
    return str(row[0]) if row is not None else None


def top_level_named(conn: sqlite3.Connection, name: str, language: str, limit: int = 2) -> int:
    """How many definitions named ``name`` in ``language`` are defined directly in a module.

    Counts at most ``limit``; ``impl`` blocks are not counted (they name no
    definition of their own), nor are methods written at module level (Go's:
    reached through their type, as ``symbols.is_top`` says).
    """
    row = conn.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM nodes n JOIN nodes p ON p.node_id = n.parent_id"
        " JOIN files f ON f.file_id = n.file_id WHERE n.name = ? AND f.language = ?"
        " AND p.kind = 'module' AND n.kind NOT IN ('impl', 'method') LIMIT ?)",
        (name, language, limit),
    ).fetchone()
    return int(row[0])


def unlinked_file_ids(conn: sqlite3.Connection) -> set[int]:
    """Files whose stored edges are missing or out of date (``linked = 0``)."""
    return {int(r[0]) for r in conn.execute("SELECT file_id FROM files WHERE linked = 0")}


def occurrence_lines(blob: bytes) -> array[int]:
    """The line of every occurrence in one packed (name, file) blob, in blob order.

    The format is ``store.occurrences``' (a width byte, then five values per
    occurrence, the line second); a membership test on the result runs in C,
    so finding the names on one line of a large file decodes no occurrence.
    """
    values = array(TYPECODES[blob[0]])
    values.frombytes(blob[1:])
    if _SWAP:
        values.byteswap()
    return values[1::_OCCURRENCE_FIELDS]
