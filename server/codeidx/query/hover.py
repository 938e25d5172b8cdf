"""Hover: what the identifier at a position is, with the documentation of its definitions.

This module owns gathering what a hover shows: for each definition the
identifier resolves to (``query.definition.lookup``, so hover, navigation and
the call graph agree) its signature, doc, parameters, decorators, visibility,
kind, qualified name and defining position; for a local variable or
parameter, where it is first bound.  Rendering (Markdown or plain text) is
the caller's.

Reads only, through ``store`` functions; never parses, never writes.  Any
thread may call ``describe`` with a read connection it owns.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from codeidx.index.resolve import Resolver
from codeidx.query.definition import local_binding, lookup
from codeidx.query.types import (
    Coverage,
    DefinitionQuery,
    HoverResult,
    HoverTarget,
    Param,
    SourceLines,
    Symbol,
)
from codeidx.store import nodes, stats


def describe(conn: sqlite3.Connection, root: Path, query: DefinitionQuery) -> HoverResult:
    """Describe the identifier at ``query.position`` (see ``HoverResult``).

    Reads in one snapshot.  Raises UsageError for a file codeidx does not
    index and IndexUnavailable for a source file not in the index yet.
    """
    with stats.read_snapshot(conn):
        coverage = Coverage.of(stats.coverage(conn))
        found = lookup(conn, Resolver(conn), query.position)
        if found.name is None:
            return HoverResult(None, False, None, [], coverage)
        if found.scope is not None:
            binding = local_binding(found, query.position.path, SourceLines(root))
            return HoverResult(found.name, True, binding, [], coverage)
        details = nodes.node_details(conn, [t.node_id for t in found.targets])
        targets = []
        for target in found.targets:
            detail = details.get(target.node_id)
            if detail is None:  # Deleted between reads; the snapshot prevents it.
                continue
            targets.append(
                HoverTarget(
                    Symbol.of(found.rows[target.node_id]),
                    detail.doc,
                    [Param(*p) for p in detail.params],
                    detail.decorators,
                    detail.visibility,
                    target.confidence,
                    target.resolution,
                )
            )
        return HoverResult(found.name, False, None, targets, coverage)
