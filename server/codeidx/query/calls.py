"""Call hierarchy: callers and callees of a named symbol, with recursion detection.

This module owns answering "who calls X" and "what does X call" from the
stored ``calls`` and ``instantiates`` edges, with every call site, and the
recursion flag: ``direct`` when X calls itself, ``mutual`` when X lies on a
cycle of the call graph, found as the strongly connected component holding
X in the part of the graph reachable from it (explored breadth-first up to
``MAX_REACHABLE`` symbols, so a huge graph costs bounded time and the answer
says when it stopped early).

Reads only; any thread may call ``find_calls`` (by name) or
``find_calls_by_id`` (one definition) with a read connection it owns.
``find_calls`` raises UsageError for an empty name.

Calls resolved only by a guess among several same-named definitions (a
method called on a receiver of unknown type) are left out unless asked for
(``include_guesses``): a caller list should not pass a guess off as a call.
"""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

from codeidx.errors import UsageError
from codeidx.index.resolve import CALLABLE, CLASS_LIKE, is_sure
from codeidx.parse import registry
from codeidx.query.types import (
    CallGroup,
    CallList,
    CallRow,
    CallsQuery,
    CallsResult,
    Coverage,
    Recursion,
    SourceLines,
    Symbol,
)
from codeidx.store import nodes, stats
from codeidx.store.edges import share_a_site
from codeidx.store.nodes import CallEdge, NodeRow
from codeidx.support.graph import shortest_cycle, strongly_connected_components

CALL_KINDS = ("calls", "instantiates")
#: How many symbols the recursion check explores from the queried one.
MAX_REACHABLE = 5000


def matching_symbols(conn: sqlite3.Connection, name: str) -> list[NodeRow]:
    """Definitions a user means by ``name``: simple (``run``) or qualified (``Engine.run``).

    A qualified name matches a definition whose qualified name equals it or
    ends with it at a separator (``.`` and ``::`` are interchangeable), so
    ``core.helper`` finds ``pkg.core.helper``.  Callables and classes are
    preferred; other kinds are returned only when nothing callable matches.
    """
    wanted = name.strip().replace("::", ".").strip(".")
    if not wanted:
        raise UsageError(
            "the symbol name is empty", hint="pass a name such as `main` or `Engine.run`"
        )
    last = wanted.rsplit(".", 1)[-1]
    rows = [r for r in nodes.nodes_named(conn, last) if r.kind != "module"]
    if "." in wanted:
        rows = [r for r in rows if _matches_qualified(r.qualified_name, wanted)]
    preferred = [r for r in rows if r.kind in CALLABLE or r.kind in CLASS_LIKE or r.kind == "macro"]
    return preferred or rows


def _matches_qualified(qualified: str, wanted: str) -> bool:
    normalized = qualified.replace("::", ".")
    return normalized == wanted or normalized.endswith("." + wanted)


def find_calls(conn: sqlite3.Connection, root: Path, query: CallsQuery) -> CallsResult:
    """Callers (``query.incoming``) or callees of every symbol matching ``query.name``."""
    with stats.read_snapshot(conn):
        coverage = Coverage.of(stats.coverage(conn))
        rows = matching_symbols(conn, query.name)
        edges = nodes.call_edges(conn, [r.node_id for r in rows], CALL_KINDS, query.incoming)
        if not query.include_guesses:
            edges = _sure_or_dispatched(conn, edges, query.incoming, rows)
        paths = _paths(conn, edges)
        source = SourceLines(root)
        mine: dict[int, list[CallEdge]] = {}
        for e in edges:
            mine.setdefault(e[1] if query.incoming else e[0], []).append(e)
        groups: list[CallGroup] = []
        for row in rows:
            calls = CallList(_call_rows(mine.get(row.node_id, []), paths, query.incoming), source)
            recursion, complete = find_recursion(conn, row.node_id)
            groups.append(CallGroup(Symbol.of(row), calls, recursion, complete))
        return CallsResult(query.name, query.incoming, groups, coverage)


def find_calls_by_id(
    conn: sqlite3.Connection,
    root: Path,
    node_id: int,
    incoming: bool,
    include_guesses: bool = False,
    with_text: bool = True,
) -> CallGroup | None:
    """Callers (``incoming``) or callees of the one definition ``node_id``.

    None when no such definition is in the index (it may have been deleted
    since the caller saw it).  ``with_text=False`` leaves ``CallSite.text``
    empty instead of reading every site's line (protocol answers show no
    text, and read the packed ``CallList.rows`` besides).  Reads in one
    snapshot; raises nothing of its own.
    """
    with stats.read_snapshot(conn):
        row = nodes.nodes_by_ids(conn, [node_id]).get(node_id)
        if row is None:
            return None
        edges = nodes.call_edges(conn, [row.node_id], CALL_KINDS, incoming)
        if not include_guesses:
            edges = _sure_or_dispatched(conn, edges, incoming, [row])
        source = SourceLines(root) if with_text else None
        calls = CallList(_call_rows(edges, _paths(conn, edges), incoming), source)
        recursion, complete = find_recursion(conn, row.node_id)
        return CallGroup(Symbol.of(row), calls, recursion, complete)


def _paths(conn: sqlite3.Connection, edges: list[CallEdge]) -> dict[int, tuple[str, str]]:
    """(path, language) of the files stating the edges and of the definitions at their ends."""
    return nodes.file_names(conn, {e[3] for e in edges} | {e[8] for e in edges})


def _sure_or_dispatched(
    conn: sqlite3.Connection, edges: list[CallEdge], incoming: bool, queried: list[NodeRow]
) -> list[CallEdge]:
    """The edges a caller list shows by default: sure ones, and guesses settled by dispatch.

    A by-name guess with rivals is left out (it would pass a guess off as a
    call), except when every rival at the same call site is the callee's
    override family (a method, the methods it overrides and those overriding
    it): ``s.area()`` on a receiver of unknown type whose only candidates are
    ``Shape.area`` and ``Square.area`` is a call of ``Shape.area`` whichever
    runs.  Only incoming calls are settled this way; callees stay sure-only.

    A guess at a definition named like a method of the language's built-in
    types (``hooks.builtin_members``: ``map``, ``split``) is never settled:
    its likeliest rival, the built-in, is outside the workspace.

    ``queried`` holds the queried definitions.  The rivals of a
    guess are the other candidates the linker found for the same call, so
    they share its name: a guess's candidates are the definitions named like
    the called name (``index.resolve``), one call resolves once, and a
    caller's edges are written together (``index.link``).  So only edges to
    same-named definitions outside the family are read, not every call of
    every guessing caller (a much called method has thousands of those).
    """
    names = {r.node_id: r.name for r in queried}
    builtin = {
        r.node_id for r in queried if r.name in registry.hooks(r.language).HOOKS.builtin_members
    }
    kept: list[CallEdge] = []
    guesses: list[CallEdge] = []
    for e in edges:
        if is_sure(e[5], e[4]):
            kept.append(e)
        elif e[1] not in builtin:
            guesses.append(e)
    if not incoming or not guesses:
        return kept
    # Per guessed definition: (caller, file) → packed sites of its calls to
    # a same-named definition outside the guessed one's override family.
    outside: dict[int, dict[tuple[int, int], list[bytes | None]]] = {}
    for dst in sorted({e[1] for e in guesses}):
        related = nodes.edges_touching(conn, [dst], ("overrides",), True)
        related += nodes.edges_touching(conn, [dst], ("overrides",), False)
        family = {dst} | {r.src_id for r in related} | {r.dst_id for r in related}
        rivals: dict[tuple[int, int], list[bytes | None]] = {}
        for src, _other, file_id, sites in nodes.edges_to_named(
            conn, names[dst], CALL_KINDS, family
        ):
            rivals.setdefault((src, file_id), []).append(sites)
        outside[dst] = rivals
    for e in guesses:
        found = outside[e[1]].get((e[0], e[3]), ())
        if not any(share_a_site(e[7], sites) for sites in found):
            kept.append(e)
    return kept


def _call_rows(
    edges: list[CallEdge], paths: dict[int, tuple[str, str]], incoming: bool
) -> list[CallRow]:
    """One row per caller or callee and kind, in the order calls are listed.

    Edges come with the definition at their other end (``nodes.call_edges``);
    an exact call and a by-name guess from one caller are two edges and one
    row, whose confidence and resolution are the more confident edge's.
    """
    at: dict[tuple[int, str], int] = {}
    firsts: list[CallEdge] = []
    # Almost every row has one edge: only the others get a list.
    merged: dict[int, list[CallEdge]] = {}
    for e in edges:
        key = (e[0] if incoming else e[1], e[2])
        index = at.get(key)
        if index is None:
            at[key] = len(firsts)
            firsts.append(e)
        else:
            merged.setdefault(index, [firsts[index]]).append(e)
    # ``CallRow``'s own constructor is a Python function of sixteen
    # arguments; the tuple's makes the same row in a third of the time.
    make = tuple.__new__
    rows: list[CallRow] = []
    for index, e in enumerate(firsts):
        group = merged.get(index)
        if group is None:
            best, count = e, e[6]
            first_path = paths[e[3]][0]
            sites: tuple[tuple[str, bytes | None], ...] = ((first_path, e[7]),)
        else:
            best = max(group, key=lambda g: g[4])
            count = sum(g[6] for g in group)
            sites = tuple((paths[g[3]][0], g[7]) for g in group)
            first_path = min(path for path, _blob in sites)
        path, language = paths[e[8]]
        rows.append(
            make(
                CallRow,
                (
                    path,
                    e[13],
                    e[14],
                    e[2],
                    first_path,
                    e[0] if incoming else e[1],
                    e[10],
                    e[11],
                    e[9],
                    language,
                    e[15],
                    e[12],
                    count,
                    best[4],
                    best[5],
                    sites,
                ),
            )
        )
    # Callers read best in the order they appear in the code; callees, too.
    rows.sort()
    return rows


def find_recursion(
    conn: sqlite3.Connection, node_id: int, limit: int = MAX_REACHABLE
) -> tuple[Recursion | None, bool]:
    """How ``node_id`` recurses through ``calls`` edges, and whether the search was complete.

    Explores the call graph breadth-first from the symbol (at most ``limit``
    symbols), runs Tarjan's algorithm on what it saw, and reports one shortest
    cycle through the symbol.  Any cycle through the symbol lies entirely in
    the part reachable from it, so a complete exploration is an exact answer.
    """
    adjacency: dict[int, list[int]] = {}
    confidence: dict[tuple[int, int], float] = {}
    seen = {node_id}
    frontier = [node_id]
    complete = True
    while frontier:
        batch, frontier = frontier, []
        for src, dst, conf in nodes.edge_targets(conn, batch, "calls"):
            key = (src, dst)
            if key not in confidence:
                adjacency.setdefault(src, []).append(dst)
            confidence[key] = max(conf, confidence.get(key, 0.0))
            if dst not in seen:
                if len(seen) >= limit:
                    complete = False
                    continue
                seen.add(dst)
                frontier.append(dst)

    def successors(n: int) -> list[int]:
        return [d for d in adjacency.get(n, []) if d in seen]

    if node_id in adjacency.get(node_id, []):
        cycle_ids = [node_id, node_id]
        members = 1
    else:
        component = next(
            (c for c in strongly_connected_components([node_id], successors) if node_id in c), []
        )
        if len(component) < 2:
            return None, complete
        found = shortest_cycle(node_id, successors, set(component))
        if found is None:  # Cannot happen inside a component; kept for safety.
            return None, complete
        cycle_ids = found
        members = len(component)
    rows = nodes.nodes_by_ids(conn, cycle_ids)
    if any(i not in rows for i in cycle_ids):
        return None, complete
    low = min(confidence[pair] for pair in itertools.pairwise(cycle_ids))
    kind = "direct" if members == 1 else "mutual"
    return Recursion(kind, [Symbol.of(rows[i]) for i in cycle_ids], members, low), complete
