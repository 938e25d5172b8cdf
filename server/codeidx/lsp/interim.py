"""Reads the language server needs that the query layer does not offer yet.

Each function here is a stand-in for a query function that belongs in
``query/`` (named in its docstring), built only from existing ``store``
read functions: no SQL, no ranking, no resolution.  When the query layer
grows the real function, the handler switches to it and the stand-in goes.

Worker threads only, on the request's own read connection.
"""

from __future__ import annotations

import sqlite3

from codeidx.query.types import Symbol
from codeidx.store import nodes, stats, symbols
from codeidx.store.nodes import NodeRow

#: Edge kinds from a type to the types it extends or implements.
SUPERTYPE_KINDS = ("inherits", "implements")


def file_outline(conn: sqlite3.Connection, path: str) -> list[NodeRow] | None:
    """Every definition of one indexed file in document order; None when not indexed.

    Stand-in for ``query.outline.file_outline(conn, path) -> Outline`` (the
    definitions with their full extents, columns included, and docs).
    """
    with stats.read_snapshot(conn):
        file_id = symbols.file_id_for(conn, path)
        if file_id is None:
            return None
        return nodes.nodes_in_file(conn, file_id)


def related_types(conn: sqlite3.Connection, node_id: int, supertypes: bool) -> list[Symbol]:
    """The direct supertypes (or subtypes) of a type, from inherits/implements edges.

    Stand-in for ``query.types_hierarchy.find_supertypes`` / ``find_subtypes``
    (see the report that came with this module).  Ordered by path and line.
    """
    with stats.read_snapshot(conn):
        hits = nodes.edges_touching(conn, [node_id], SUPERTYPE_KINDS, incoming=not supertypes)
        ids = [h.dst_id if supertypes else h.src_id for h in hits]
        rows = nodes.nodes_by_ids(conn, ids)
    found = [Symbol.of(rows[i]) for i in dict.fromkeys(ids) if i in rows and i != node_id]
    found.sort(key=lambda s: (s.path, s.line, s.col))
    return found
