"""Document outline: the definitions of one file as a tree.

This module owns nesting a file's definitions by parent, with each
definition's full extent (lines and UTF-16 columns), its name (the selection
range), kind and signature.  The module node is the file itself, so its
children are the top level; a definition whose parent is not in the file
moves up to the top level.

Reads only, through ``store`` functions; never writes.  Any thread may call
``file_outline`` with a read connection it owns.
"""

from __future__ import annotations

import sqlite3

from codeidx.query.types import Coverage, OutlineNode, OutlineResult, Symbol
from codeidx.store import nodes, stats, symbols
from codeidx.store.nodes import NodeRow, NodeSpan


def file_outline(conn: sqlite3.Connection, path: str) -> OutlineResult | None:
    """The outline of ``path``; None when the file is not in the index.

    Reads in one snapshot; raises nothing of its own.
    """
    with stats.read_snapshot(conn):
        coverage = Coverage.of(stats.coverage(conn))
        file_id = symbols.file_id_for(conn, path)
        if file_id is None:
            return None
        rows = nodes.nodes_in_file(conn, file_id)
        spans = nodes.node_spans(conn, file_id)
    return OutlineResult(path, build_tree(rows, spans), coverage)


def build_tree(rows: list[NodeRow], spans: dict[int, NodeSpan]) -> list[OutlineNode]:
    """Nest ``rows`` (document order) by parent, leaving out the file's module node."""
    roots = {row.node_id for row in rows if row.kind == "module" and row.parent_id is None}
    ids = {row.node_id for row in rows} - roots
    children: dict[int | None, list[NodeRow]] = {}
    for row in rows:
        if row.node_id in roots:
            continue
        parent = row.parent_id if row.parent_id in ids else None
        children.setdefault(parent, []).append(row)

    def node(row: NodeRow) -> OutlineNode:
        span = spans.get(row.node_id)
        start = (row.start_line, 0) if span is None else (span.start_line, span.start_col)
        end = (row.end_line, row.name_end_col) if span is None else (span.end_line, span.end_col)
        # The extent always contains the name (LSP requires it of documentSymbol).
        start = min(start, (row.name_line, row.name_col))
        end = max(end, (row.name_line, row.name_end_col))
        inner = [node(child) for child in children.get(row.node_id, [])]
        return OutlineNode(Symbol.of(row), start[0], start[1], end[0], end[1], inner)

    return [node(row) for row in children.get(None, [])]
