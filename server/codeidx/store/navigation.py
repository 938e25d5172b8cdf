"""Read queries that navigation answers from what linking already stored.

This module owns the few statements that let references and the call
hierarchy read stored edges in bulk instead of resolving every occurrence
again: the edges that end at the queried definitions, with their sites, in one
statement; the call edges touching definitions, as ``EdgeHit``s built
without per-value conversion; the definitions named on one line of a file;
the files still waiting for their edges; and decoders of packed sites and
occurrence lines that build no object per value.

Reads only, and never writes; any thread may call these functions with a
read connection it owns.  They return plain tuples; SQLite errors propagate.
"""

from __future__ import annotations

import sqlite3
import sys
from array import array
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from codeidx.store.nodes import EdgeHit, NodeRow

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
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
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


def edges_touching(
    conn: sqlite3.Connection, node_ids: Sequence[int], kinds: Sequence[str], incoming: bool
) -> list[EdgeHit]:
    """``store.nodes.edges_touching``'s rows, built without a conversion per column.

    The same edges in the same order: those of the given kinds ending at
    (``incoming``) or starting from the nodes, ordered by path, source,
    target and kind.  The columns' declared types are the fields' types, so
    SQLite's values are taken as they are: the callers of a much called
    method are tens of thousands of edges.
    """
    kind_marks = ",".join("?" * len(kinds))
    column = "e.dst_id" if incoming else "e.src_id"
    wanted = list(node_ids)
    out: list[EdgeHit] = []
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        marks = ",".join("?" * len(chunk))
        out.extend(
            EdgeHit(*row)
            for row in conn.execute(
                "SELECT e.src_id, e.dst_id, e.kind, f.path, e.confidence, e.resolution, e.count,"
                " e.sites FROM edges e JOIN files f ON f.file_id = e.file_id"
                f" WHERE {column} IN ({marks}) AND e.kind IN ({kind_marks})"
                " ORDER BY f.path, e.src_id, e.dst_id, e.kind",
                (*chunk, *kinds),
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


def unlinked_file_ids(conn: sqlite3.Connection) -> set[int]:
    """Files whose stored edges are missing or out of date (``linked = 0``)."""
    return {int(r[0]) for r in conn.execute("SELECT file_id FROM files WHERE linked = 0")}


def occurrence_lines(blob: bytes) -> array[int]:
    """The line of every occurrence in one packed (name, file) blob, in blob order.

    The format is ``store.occurrences``' (a width byte, then five values per
    occurrence, the line second); a membership test on the result runs in C,
    so finding the names on one line of a large file decodes no occurrence.
    """
    values = array(chr(blob[0]))
    values.frombytes(blob[1:])
    if _SWAP:
        values.byteswap()
    return values[1::_OCCURRENCE_FIELDS]


def site_pairs(blob: bytes | None) -> list[tuple[int, int]]:
    """(line, col) of every site packed in an edge (the format of ``store.edges.pack_sites``)."""
    if not blob:
        return []
    values = array(chr(blob[0]))
    values.frombytes(blob[1:])
    if _SWAP:
        values.byteswap()
    pairs = iter(values)
    return list(zip(pairs, pairs, strict=True))
