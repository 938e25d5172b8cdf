"""Type hierarchy: the types a position names, and their direct supertypes and subtypes.

This module owns walking the ``inherits`` and ``implements`` edges in both
directions, for every language.  A Rust trait is implemented by an ``impl``
block rather than by the type itself: the impl node carries the
``implements`` edge to the trait and a ``uses_type`` edge to its self type
(the type it is named after), so ``impl Trait for Type`` makes ``Type`` a
subtype of ``Trait`` here, with the impl reported as ``via``.

Reads only, through ``store`` functions; never writes.  Any thread may call
these functions with a read connection it owns.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from codeidx.index.resolve import Resolver
from codeidx.query.definition import lookup
from codeidx.query.types import (
    Coverage,
    DefinitionQuery,
    PreparedTypes,
    Symbol,
    TypeRelation,
    TypeRelations,
)
from codeidx.store import nodes, stats
from codeidx.store.nodes import EdgeHit, NodeRow

#: Edge kinds from a type (or a Rust impl) to the types it extends or implements.
SUPERTYPE_KINDS = ("inherits", "implements")
#: Definitions a type hierarchy is about.
TYPE_KINDS = frozenset({"class", "struct", "interface", "trait", "enum", "union"})


def prepare_types(conn: sqlite3.Connection, root: Path, query: DefinitionQuery) -> PreparedTypes:
    """The types the identifier at ``query.position`` resolves to, best first.

    Raises UsageError for a file codeidx does not index and IndexUnavailable
    for a source file not in the index yet (see ``query.definition.lookup``).
    """
    with stats.read_snapshot(conn):
        coverage = Coverage.of(stats.coverage(conn))
        found = lookup(conn, Resolver(conn), query.position)
        found_types = [
            Symbol.of(found.rows[t.node_id])
            for t in found.targets
            if found.rows[t.node_id].kind in TYPE_KINDS
        ]
        return PreparedTypes(found.name, found_types, coverage)


def find_supertypes(conn: sqlite3.Connection, node_id: int) -> TypeRelations:
    """The types ``node_id`` directly extends or implements, ordered by path and line."""
    return _related(conn, node_id, supertypes=True)


def find_subtypes(conn: sqlite3.Connection, node_id: int) -> TypeRelations:
    """The types that directly extend or implement ``node_id``, ordered by path and line."""
    return _related(conn, node_id, supertypes=False)


def _related(conn: sqlite3.Connection, node_id: int, supertypes: bool) -> TypeRelations:
    with stats.read_snapshot(conn):
        coverage = Coverage.of(stats.coverage(conn))
        own = nodes.nodes_by_ids(conn, [node_id]).get(node_id)
        if own is None:
            return TypeRelations(None, supertypes, [], coverage)
        # (edge, the impl it goes through) pairs; the impl's own edges count as the type's.
        hits: list[tuple[EdgeHit, EdgeHit | None]] = [
            (h, None)
            for h in nodes.edges_touching(conn, [node_id], SUPERTYPE_KINDS, not supertypes)
        ]
        if supertypes:
            for impl_edge in _impls_of(conn, own):
                for h in nodes.edges_touching(
                    conn, [impl_edge.src_id], SUPERTYPE_KINDS, incoming=False
                ):
                    hits.append((h, impl_edge))
        others = nodes.nodes_by_ids(conn, [h.dst_id if supertypes else h.src_id for h, _ in hits])
        impl_ids = [h.src_id for h, via in hits if via is not None]
        impl_ids += [i for i, row in others.items() if row.kind == "impl"]
        impls = nodes.nodes_by_ids(conn, impl_ids)
        self_types = _self_types(conn, [i for i, row in others.items() if row.kind == "impl"])
        best: dict[int, TypeRelation] = {}
        for hit, via in hits:
            other_id = hit.dst_id if supertypes else hit.src_id
            other = others.get(other_id)
            if other is None:
                continue
            confidence = hit.confidence if via is None else min(hit.confidence, via.confidence)
            resolution = hit.resolution if via is None else _weaker(hit, via)
            impl = impls.get(via.src_id) if via is not None else None
            if other.kind == "impl":
                # A subtype found through an impl: report the impl's self type.
                target = self_types.get(other_id)
                impl = other
                if target is not None:
                    other, edge = target
                    confidence = min(confidence, edge.confidence)
                    resolution = _weaker(hit, edge)
            if other.node_id == node_id:
                continue
            relation = TypeRelation(
                Symbol.of(other),
                hit.kind,
                confidence,
                resolution,
                Symbol.of(impl) if impl is not None else None,
            )
            kept = best.get(other.node_id)
            if kept is None or relation.confidence > kept.confidence:
                best[other.node_id] = relation
    related = sorted(best.values(), key=lambda r: (r.symbol.path, r.symbol.line, r.symbol.col))
    return TypeRelations(Symbol.of(own), supertypes, related, coverage)


def _impls_of(conn: sqlite3.Connection, row: NodeRow) -> list[EdgeHit]:
    """``uses_type`` edges into a type from Rust impls of that type (``impl X for Type``)."""
    if row.kind == "impl":
        return []
    hits = nodes.edges_touching(conn, [row.node_id], ("uses_type",), incoming=True)
    impls = nodes.nodes_by_ids(conn, [h.src_id for h in hits])
    return [
        h
        for h in hits
        if (impl := impls.get(h.src_id)) is not None
        and impl.kind == "impl"
        and impl.name == row.name
    ]


def _self_types(
    conn: sqlite3.Connection, impl_ids: list[int]
) -> dict[int, tuple[NodeRow, EdgeHit]]:
    """impl id → (the type it is named after, the ``uses_type`` edge to it)."""
    if not impl_ids:
        return {}
    impls = nodes.nodes_by_ids(conn, impl_ids)
    hits = nodes.edges_touching(conn, impl_ids, ("uses_type",), incoming=False)
    targets = nodes.nodes_by_ids(conn, [h.dst_id for h in hits])
    out: dict[int, tuple[NodeRow, EdgeHit]] = {}
    for h in hits:
        impl, target = impls.get(h.src_id), targets.get(h.dst_id)
        if impl is None or target is None or target.kind not in TYPE_KINDS:
            continue
        if target.name != impl.name:
            continue
        kept = out.get(h.src_id)
        if kept is None or h.confidence > kept[1].confidence:
            out[h.src_id] = (target, h)
    return out


def _weaker(a: EdgeHit, b: EdgeHit) -> str:
    """The less certain resolution of two edges (``by_name`` over ``exact``)."""
    return a.resolution if a.resolution != "exact" else b.resolution
