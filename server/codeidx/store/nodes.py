"""Read side of definitions (nodes) and the edges between them, for queries.

This module owns the SQL that the query layer needs to show a definition
(where it is, what it is) and to walk the call graph.  It only reads: any
thread may call these functions with a read connection that thread owns.
They return plain dataclasses and tuples, never cursors, and know nothing of
LSP, tree-sitter or ranking.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from codeidx.store import db


@dataclass(frozen=True, slots=True)
class NodeRow:
    """A definition with everything a query shows about it.

    Lines are 0-based, columns 0-based UTF-16 code units; ``name_*`` locate
    the definition's name, ``start_line``/``end_line`` its whole extent.
    """

    node_id: int
    file_id: int
    path: str
    language: str
    kind: str
    name: str
    qualified_name: str
    signature: str
    parent_id: int | None
    ordinal: int
    start_line: int
    end_line: int
    name_line: int
    name_col: int
    name_end_col: int


_NODE_SELECT = (
    "SELECT n.node_id, n.file_id, f.path, f.language, n.kind, n.name, n.qualified_name,"
    " n.signature, n.parent_id, n.ordinal, n.start_line, n.end_line, n.name_line,"
    " n.name_col, n.name_end_col FROM nodes n JOIN files f ON f.file_id = n.file_id"
)


def _node(row: Sequence[object]) -> NodeRow:
    # The columns come back in ``_NODE_SELECT`` order with SQLite's own types
    # (INTEGER → int, TEXT → str, NULL parent → None), which are the fields'
    # types: no conversion is needed, and a large file's outline or a type's
    # thousands of subtypes build their rows several times faster without it.
    return NodeRow(*row)  # type: ignore[arg-type]


def nodes_by_ids(conn: sqlite3.Connection, node_ids: Iterable[int]) -> dict[int, NodeRow]:
    """node id → row for the ids that exist (missing ids are left out)."""
    wanted = list(dict.fromkeys(node_ids))
    out: dict[int, NodeRow] = {}
    for chunk in db.chunks(wanted):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"{_NODE_SELECT} WHERE n.node_id IN ({marks})", chunk):
            node = _node(row)
            out[node.node_id] = node
    return out


def nodes_in_file(conn: sqlite3.Connection, file_id: int) -> list[NodeRow]:
    """Every definition of one file in document order (ordinal)."""
    return [
        _node(row)
        for row in conn.execute(
            f"{_NODE_SELECT} WHERE n.file_id = ? ORDER BY n.ordinal", (file_id,)
        )
    ]


def nodes_named(conn: sqlite3.Connection, name: str) -> list[NodeRow]:
    """Every definition whose simple name is ``name``, ordered by path and line."""
    return [
        _node(row)
        for row in conn.execute(
            f"{_NODE_SELECT} WHERE n.name = ? ORDER BY f.path, n.start_line", (name,)
        )
    ]


def symbol_names(
    conn: sqlite3.Connection,
    kinds: Sequence[str] | None,
    language: str | None,
    qualified: bool = False,
) -> list[str]:
    """Distinct simple (or qualified) names of definitions, optionally filtered.

    Module nodes are left out unless ``kinds`` asks for them: a workspace
    symbol search looks for code, not files.  The list is sorted so ranking
    ties break the same way on every run.
    """
    column = "n.qualified_name" if qualified else "n.name"
    where, params = _filters(kinds, language)
    sql = f"SELECT DISTINCT {column} FROM nodes n"
    if language is not None:
        sql += " JOIN files f ON f.file_id = n.file_id"
    return sorted(str(r[0]) for r in conn.execute(f"{sql} WHERE {where}", params))


def names_by_file(
    conn: sqlite3.Connection,
    file_ids: Sequence[int] | None,
    kinds: Sequence[str] | None,
    language: str | None,
    qualified: bool = False,
) -> dict[int, list[str]]:
    """file id → simple (or qualified) names of its definitions, filtered as in ``symbol_names``.

    ``file_ids`` None reads every file.  Files without a matching definition
    are left out.  Names repeat as often as the file defines them.
    """
    column = "n.qualified_name" if qualified else "n.name"
    where, params = _filters(kinds, language)
    sql = f"SELECT n.file_id, {column} FROM nodes n"
    if language is not None:
        sql += " JOIN files f ON f.file_id = n.file_id"
    out: dict[int, list[str]] = {}
    if file_ids is None:
        batches: Iterable[tuple[str, Sequence[object]]] = [(f"{sql} WHERE {where}", params)]
    else:
        batches = (
            (
                f"{sql} WHERE n.file_id IN ({','.join('?' * len(chunk))}) AND {where}",
                (*chunk, *params),
            )
            for chunk in db.chunks(list(file_ids))
        )
    for statement, values in batches:
        for file_id, name in conn.execute(statement, values):
            out.setdefault(int(file_id), []).append(str(name))
    return out


def nodes_with_names(
    conn: sqlite3.Connection,
    names: Sequence[str],
    kinds: Sequence[str] | None,
    language: str | None,
    qualified: bool = False,
) -> list[NodeRow]:
    """Definitions whose simple (or qualified) name is one of ``names``, filtered."""
    column = "n.qualified_name" if qualified else "n.name"
    where, params = _filters(kinds, language)
    out: list[NodeRow] = []
    for chunk in db.chunks(list(dict.fromkeys(names))):
        marks = ",".join("?" * len(chunk))
        out.extend(
            _node(row)
            for row in conn.execute(
                f"{_NODE_SELECT} WHERE {column} IN ({marks}) AND {where}", (*chunk, *params)
            )
        )
    return out


def _filters(kinds: Sequence[str] | None, language: str | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if kinds:
        clauses.append(f"n.kind IN ({','.join('?' * len(kinds))})")
        params.extend(kinds)
    else:
        clauses.append("n.kind != 'module'")
    if language is not None:
        clauses.append("f.language = ?")
        params.append(language)
    return " AND ".join(clauses), params


@dataclass(frozen=True, slots=True)
class EdgeHit:
    """One stored edge with the path of the file whose text states it."""

    src_id: int
    dst_id: int
    kind: str
    path: str
    confidence: float
    resolution: str
    count: int
    sites: bytes | None


def edges_touching(
    conn: sqlite3.Connection, node_ids: Sequence[int], kinds: Sequence[str], incoming: bool
) -> list[EdgeHit]:
    """Edges of the given kinds ending at (``incoming``) or starting from the nodes.

    Ordered by path, source, target and kind.  The columns' declared types are
    the fields' types, so SQLite's values are taken as they are, without a
    conversion per column: the callers of a much called method are tens of
    thousands of edges.
    """
    column = "e.dst_id" if incoming else "e.src_id"
    kind_marks = ",".join("?" * len(kinds))
    out: list[EdgeHit] = []
    for chunk in db.chunks(list(node_ids)):
        marks = ",".join("?" * len(chunk))
        out.extend(
            EdgeHit(*row)
            for row in conn.execute(
                "SELECT e.src_id, e.dst_id, e.kind, f.path, e.confidence, e.resolution, e.count,"
                f" e.sites FROM edges e JOIN files f ON f.file_id = e.file_id"
                f" WHERE {column} IN ({marks}) AND e.kind IN ({kind_marks})"
                " ORDER BY f.path, e.src_id, e.dst_id, e.kind",
                (*chunk, *kinds),
            )
        )
    return out


#: One edge with the definition at its other end (``call_edges``): the edge's
#: source, target, kind, file id (the file stating it), confidence,
#: resolution, site count and packed sites (``store.edges.pack_sites``), then
#: the other definition's file id, kind, name, qualified name, signature,
#: and its name's line, column and end column.
CallEdge = tuple[
    int, int, str, int, float, str, int, bytes | None, int, str, str, str, str, int, int, int
]


def call_edges(
    conn: sqlite3.Connection, node_ids: Sequence[int], kinds: Sequence[str], incoming: bool
) -> list[CallEdge]:
    """Edges of ``kinds`` ending at (``incoming``) or leaving the nodes, with the other end.

    One joined statement reads each edge with the definition at its other
    end, so the callers of a much called method (tens of thousands) cost no
    second lookup by id; an edge whose other end is not stored is left out.
    Paths come by file id (``file_names``): a few hundred files name tens of
    thousands of callers.  Rows come in no particular order and as SQLite
    returns them (the columns' declared types are ``CallEdge``'s).
    """
    column, other = ("e.dst_id", "e.src_id") if incoming else ("e.src_id", "e.dst_id")
    kind_marks = ",".join("?" * len(kinds))
    out: list[CallEdge] = []
    for chunk in db.chunks(list(node_ids)):
        marks = ",".join("?" * len(chunk))
        out.extend(
            conn.execute(
                "SELECT e.src_id, e.dst_id, e.kind, e.file_id, e.confidence, e.resolution,"
                " e.count, e.sites, n.file_id, n.kind, n.name, n.qualified_name,"
                " n.signature, n.name_line, n.name_col, n.name_end_col"
                f" FROM edges e JOIN nodes n ON n.node_id = {other}"
                f" WHERE {column} IN ({marks}) AND e.kind IN ({kind_marks})",
                (*chunk, *kinds),
            )
        )
    return out


def file_names(conn: sqlite3.Connection, file_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """file id → (path, language) for the ids that exist."""
    wanted = list(dict.fromkeys(file_ids))
    out: dict[int, tuple[str, str]] = {}
    for chunk in db.chunks(wanted):
        marks = ",".join("?" * len(chunk))
        for file_id, path, language in conn.execute(
            f"SELECT file_id, path, language FROM files WHERE file_id IN ({marks})", chunk
        ):
            out[file_id] = (path, language)
    return out


def edges_to_named(
    conn: sqlite3.Connection, name: str, kinds: Sequence[str], excluded: Iterable[int]
) -> list[tuple[int, int, int, bytes | None]]:
    """(src, dst, file id, packed sites) of edges of ``kinds`` ending at definitions named ``name``.

    Edges ending at a definition in ``excluded`` are left out, most of them
    by the statement itself: the edges ending at a much called method are
    tens of thousands, those ending at its same-named rivals few.
    """
    skipped = set(excluded)
    in_statement = sorted(skipped)[: db.IN_CHUNK]
    kind_marks = ",".join("?" * len(kinds))
    skip_marks = ",".join("?" * len(in_statement))
    return [
        (src, dst, file_id, sites)
        for src, dst, file_id, sites in conn.execute(
            "SELECT e.src_id, e.dst_id, e.file_id, e.sites FROM nodes n"
            " JOIN edges e ON e.dst_id = n.node_id"
            f" WHERE n.name = ? AND e.kind IN ({kind_marks})"
            f" AND n.node_id NOT IN ({skip_marks})",
            (name, *kinds, *in_statement),
        )
        if dst not in skipped
    ]


def edge_targets(
    conn: sqlite3.Connection, src_ids: Sequence[int], kind: str
) -> list[tuple[int, int, float]]:
    """(src, dst, confidence) of every edge of one kind leaving the given nodes."""
    out: list[tuple[int, int, float]] = []
    for chunk in db.chunks(list(src_ids)):
        marks = ",".join("?" * len(chunk))
        out.extend(
            (int(src), int(dst), float(conf))
            for src, dst, conf in conn.execute(
                f"SELECT src_id, dst_id, confidence FROM edges"
                f" WHERE src_id IN ({marks}) AND kind = ?",
                (*chunk, kind),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class NodeDetails:
    """What a hover shows beyond ``NodeRow``: doc, parameters, decorators, visibility.

    ``params`` are ``(name, type, default, variadic)`` in declaration order;
    a missing type or default is an empty string.
    """

    node_id: int
    visibility: str
    doc: str | None
    params: list[tuple[str, str, str, bool]]
    decorators: list[str]


def _json_list(text: object) -> list[object]:
    # A column written by the indexer is valid JSON; anything else reads as empty.
    if not isinstance(text, str) or not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _param(item: object) -> tuple[str, str, str, bool]:
    parts = list(item) if isinstance(item, list) else [item]
    parts += [None] * (4 - len(parts))
    name, kind, default, variadic = parts[:4]
    return (str(name or ""), str(kind or ""), str(default or ""), bool(variadic))


def node_details(conn: sqlite3.Connection, node_ids: Iterable[int]) -> dict[int, NodeDetails]:
    """node id → doc, params, decorators and visibility, for the ids that exist."""
    wanted = list(dict.fromkeys(node_ids))
    out: dict[int, NodeDetails] = {}
    for chunk in db.chunks(wanted):
        marks = ",".join("?" * len(chunk))
        for node_id, visibility, doc, params, decorators in conn.execute(
            "SELECT node_id, visibility, doc, params, decorators FROM nodes"
            f" WHERE node_id IN ({marks})",
            chunk,
        ):
            out[int(node_id)] = NodeDetails(
                int(node_id),
                str(visibility),
                str(doc) if doc is not None else None,
                [_param(p) for p in _json_list(params)],
                [str(d) for d in _json_list(decorators)],
            )
    return out


@dataclass(frozen=True, slots=True)
class NodeSpan:
    """The whole extent of a definition: 0-based lines, UTF-16 columns."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int


def node_spans(conn: sqlite3.Connection, file_id: int) -> dict[int, NodeSpan]:
    """node id → full extent of every definition of one file."""
    return {
        int(node_id): NodeSpan(int(sl), int(sc), int(el), int(ec))
        for node_id, sl, sc, el, ec in conn.execute(
            "SELECT node_id, start_line, start_col, end_line, end_col FROM nodes WHERE file_id = ?",
            (file_id,),
        )
    }
