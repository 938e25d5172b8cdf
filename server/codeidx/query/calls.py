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
from codeidx.query.types import (
    Call,
    CallGroup,
    CallSite,
    CallsQuery,
    CallsResult,
    Coverage,
    Recursion,
    SourceLines,
    Symbol,
)
from codeidx.store import nodes, stats
from codeidx.store.edges import unpack_sites
from codeidx.store.nodes import EdgeHit, NodeRow
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
        hits = nodes.edges_touching(conn, [r.node_id for r in rows], CALL_KINDS, query.incoming)
        others = nodes.nodes_by_ids(conn, [h.src_id if query.incoming else h.dst_id for h in hits])
        source = SourceLines(root)
        groups: list[CallGroup] = []
        if not query.include_guesses:
            hits = _sure_or_dispatched(conn, hits, query.incoming)
        for row in rows:
            mine = [h for h in hits if (h.dst_id if query.incoming else h.src_id) == row.node_id]
            calls = _calls(mine, others, query.incoming, source)
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
    text).  Reads in one snapshot; raises nothing of its own.
    """
    with stats.read_snapshot(conn):
        row = nodes.nodes_by_ids(conn, [node_id]).get(node_id)
        if row is None:
            return None
        source = SourceLines(root, blank=not with_text)
        return _group(conn, row, incoming, source, include_guesses)


def _group(
    conn: sqlite3.Connection,
    row: NodeRow,
    incoming: bool,
    source: SourceLines,
    include_guesses: bool,
) -> CallGroup:
    hits = nodes.edges_touching(conn, [row.node_id], CALL_KINDS, incoming)
    if not include_guesses:
        hits = _sure_or_dispatched(conn, hits, incoming)
    others = nodes.nodes_by_ids(conn, [h.src_id if incoming else h.dst_id for h in hits])
    calls = _calls(hits, others, incoming, source)
    recursion, complete = find_recursion(conn, row.node_id)
    return CallGroup(Symbol.of(row), calls, recursion, complete)


def _sure_or_dispatched(
    conn: sqlite3.Connection, hits: list[EdgeHit], incoming: bool
) -> list[EdgeHit]:
    """The edges a caller list shows by default: sure ones, and guesses settled by dispatch.

    A by-name guess with rivals is left out (it would pass a guess off as a
    call), except when every rival at the same call site is the callee's
    override family (a method, the methods it overrides and those overriding
    it): ``s.area()`` on a receiver of unknown type whose only candidates are
    ``Shape.area`` and ``Square.area`` is a call of ``Shape.area`` whichever
    runs.  Only incoming calls are settled this way; callees stay sure-only.
    """
    kept = [h for h in hits if is_sure(h.resolution, h.confidence)]
    guesses = [h for h in hits if not is_sure(h.resolution, h.confidence)]
    if not incoming or not guesses:
        return kept
    families: dict[int, set[int]] = {}
    for h in guesses:
        family = families.get(h.dst_id)
        if family is None:
            related = nodes.edges_touching(conn, [h.dst_id], ("overrides",), True)
            related += nodes.edges_touching(conn, [h.dst_id], ("overrides",), False)
            family = {h.dst_id} | {e.src_id for e in related} | {e.dst_id for e in related}
            families[h.dst_id] = family
    # The calls made by every guessing caller, read in a few statements
    # rather than one per guess (a common method has thousands).
    callees: dict[int, list[EdgeHit]] = {}
    for e in nodes.edges_touching(conn, sorted({h.src_id for h in guesses}), CALL_KINDS, False):
        callees.setdefault(e.src_id, []).append(e)
    for h in guesses:
        sites = set(unpack_sites(h.sites))
        rivals = {
            e.dst_id
            for e in callees.get(h.src_id, [])
            if e.path == h.path and not sites.isdisjoint(unpack_sites(e.sites))
        }
        if rivals <= families[h.dst_id]:
            kept.append(h)
    return kept


def _calls(
    hits: list[EdgeHit], others: dict[int, NodeRow], incoming: bool, source: SourceLines
) -> list[Call]:
    merged: dict[tuple[int, str], list[EdgeHit]] = {}
    for h in hits:
        other = h.src_id if incoming else h.dst_id
        if other in others:
            merged.setdefault((other, h.kind), []).append(h)
    calls: list[Call] = []
    for (other, kind), group in merged.items():
        best = max(group, key=lambda h: h.confidence)
        calls.append(
            Call(
                Symbol.of(others[other]),
                kind,
                sum(h.count for h in group),
                best.confidence,
                best.resolution,
                _sites(group, source),
            )
        )
    # Callers read best in the order they appear in the code; callees, too.
    calls.sort(key=lambda c: (c.symbol.path, c.symbol.line, c.symbol.col, c.kind))
    return calls


def _sites(group: list[EdgeHit], source: SourceLines) -> list[CallSite]:
    """The sites of a caller's edges in (path, line, col) order.

    Sorting plain tuples compares them in C; a much called method has tens
    of thousands of sites, so no key function runs per site, and no line is
    looked up when the answer carries no text.
    """
    if len(group) == 1:
        path = group[0].path
        found = [(path, line, col) for line, col in unpack_sites(group[0].sites)]
    else:
        found = [(h.path, line, col) for h in group for line, col in unpack_sites(h.sites)]
    found.sort()
    if source.blank:
        return [CallSite(path, line, col, "") for path, line, col in found]
    text = source.line
    return [CallSite(path, line, col, text(path, line)) for path, line, col in found]


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
