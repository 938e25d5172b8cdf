"""Read queries that navigation answers from what linking already stored.

This module owns the few statements that let references and the call
hierarchy read stored edges in bulk instead of resolving every occurrence
again: the edges that end at the queried definitions, with their sites, in one
statement; the files still waiting for their edges; and a
decoder of packed sites that builds no list per pair.

Reads only, and never writes; any thread may call these functions with a
read connection it owns.  They return plain tuples; SQLite errors propagate.
"""

from __future__ import annotations

import sqlite3
import sys
from array import array
from collections.abc import Iterable
from typing import NamedTuple

_SWAP = sys.byteorder != "little"

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


def unlinked_file_ids(conn: sqlite3.Connection) -> set[int]:
    """Files whose stored edges are missing or out of date (``linked = 0``)."""
    return {int(r[0]) for r in conn.execute("SELECT file_id FROM files WHERE linked = 0")}


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
