"""Go to implementation: what implements, extends or overrides the symbol at a position.

This module owns answering ``textDocument/implementation`` (and ``codeidx
impl``).  The identifier under the cursor is resolved as go-to-definition
resolves it (``query.definition.lookup``, or ``Overlay.lookup`` for open
buffers); then, for each definition it names:

- a type (class, struct, interface, trait, enum, union): every type that
  extends or implements it, directly or transitively, by walking the
  ``inherits`` and ``implements`` edges backwards.  A Rust trait is
  implemented by ``impl Trait for Type`` blocks, and those blocks are the
  answer (the place the implementation is written).  For a Rust struct,
  enum or union, its impl blocks are (as rust-analyzer answers).  A Go
  interface is satisfied structurally: see below.
- a method: every method that overrides or implements it, directly or
  transitively, by walking the ``overrides`` edges backwards.  The linker
  writes one from each method to the nearest same-named member of its
  bases, so Python subclasses (ABCs or not), Java and TypeScript
  ``extends``/``implements``, C++ overrides of a virtual method and the
  methods of a Rust ``impl Trait for Type`` are all found the same way.  A
  Go interface method answers the same-named methods of the types that
  satisfy the interface.
- anything else (a function, a field, a local variable): nothing.

The definition itself is never part of the answer (go-to-definition goes
there); a concrete method nothing overrides, or a class nothing extends,
answers the empty list, as most language servers do.

Go interfaces carry no edges to their implementations: a type satisfies
one when its method set holds a method of every name the interface (and
the interfaces it embeds) declares.  Method sets are read from the index:
a Go method's qualified name is its receiver type's plus its own name, and
methods promoted through an embedded field come along the embedding's
``inherits`` edge.  Signatures are not compared (the index keeps them as
source text, whose parameter names and spelling of types differ between an
interface and its implementations), so such answers have the resolution
``structural`` and confidence ``STRUCTURAL_CONFIDENCE``.  An interface that
declares no method would match every type and answers nothing.

Confidence follows references and callers: an edge is followed when it is
exact or a by-name guess without a rival candidate (``index.resolve.is_sure``);
by-name guesses among several candidates only with ``include_guesses``.  A
cursor whose name resolves only to guesses among several candidates (a call
on a receiver of unknown type) answers from the guess whose implementations
include every other candidate (dynamic dispatch settles the guess: each
candidate is a member of one override family); otherwise the guesses are
left out and counted.  A result's confidence is the lowest along its path,
and its resolution the least certain one.  Results are deduplicated by
definition (the most confident path wins) and ranked by confidence, then
by distance from the queried symbol, then by path and line.

Reads only, through ``store`` functions; never writes and never imports
pygls.  Any thread may call these functions with a read connection it owns.
Raises what ``query.definition.lookup`` raises.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from codeidx.index.resolve import CALLABLE, Resolver, Target, is_sure
from codeidx.query.definition import Lookup, lookup
from codeidx.query.hierarchy import SUPERTYPE_KINDS, TYPE_KINDS
from codeidx.query.overlay import Overlay
from codeidx.query.types import Coverage, Location, Position, SourceLines, Symbol
from codeidx.store import nodes, stats
from codeidx.store.nodes import NodeRow

#: Confidence of a Go type found by its method set (names only; see module doc).
STRUCTURAL_CONFIDENCE = 0.9
#: Levels of a type or override hierarchy walked at most: deeper chains are
#: cut here rather than followed through a cycle of bad edges.
MAX_LEVELS = 32
#: What a Go method's receiver can be besides a struct (``type MyInt int``).
_GO_RECEIVER_KINDS = frozenset({"struct", "class", "type_alias", "enum", "union"})


@dataclass(frozen=True, slots=True)
class ImplementationQuery:
    """Find the implementations of the symbol at ``position``."""

    position: Position
    #: Also follow by-name guesses among several candidates (edges and the
    #: cursor's own resolution); they are left out by default.
    include_guesses: bool = False
    #: Read each result's line text from disk (``Location.text``).  The
    #: language server shows none and asks for none: a class with thousands
    #: of subclasses would otherwise read every file that holds one.
    line_text: bool = True


@dataclass(frozen=True, slots=True)
class Implementation:
    """One definition that implements, extends or overrides a queried symbol.

    ``symbol`` is where to go: the subtype, the overriding method, or the
    Rust ``impl`` block.  ``relation`` is the last step that reached it:
    ``inherits``, ``implements``, ``overrides``, ``impl`` (a Rust type's impl
    block) or ``structural`` (a Go method set).  ``of`` is the definition
    that step leads to (the direct supertype or overridden method), and
    ``depth`` counts the steps from the queried symbol (1: direct).
    ``resolution`` is ``exact``, ``by_name`` or ``structural``.
    ``location`` is the name of ``symbol`` with its line's text (empty when
    the query asked for none).
    """

    symbol: Symbol
    relation: str
    of: Symbol
    depth: int
    confidence: float
    resolution: str
    location: Location


@dataclass(frozen=True, slots=True)
class ImplementationResult:
    """The implementations of the definitions the identifier at a position names.

    ``name`` is None when there is no identifier there.  ``symbols`` are the
    definitions the answer is about; ``guesses_left_out`` counts by-name
    candidates the cursor resolved to that were not followed (see the
    module doc), so an empty answer can say why.
    """

    name: str | None
    symbols: list[Symbol]
    implementations: list[Implementation]
    guesses_left_out: int
    coverage: Coverage


@dataclass(slots=True)
class Reached:
    """A definition the walk reached, with the best path to it so far.

    The fields mean what ``Implementation``'s do; ``of`` is a node id.
    """

    row: NodeRow
    relation: str
    of: int
    depth: int
    confidence: float
    resolution: str


def find_implementations(
    conn: sqlite3.Connection,
    root: Path,
    query: ImplementationQuery,
    overlay: Overlay | None = None,
) -> ImplementationResult:
    """Answer go-to-implementation for the identifier at ``query.position`` (see module doc).

    With an ``overlay`` (open buffers over the index, built on ``conn``) the
    cursor is read in what the user sees and results in open buffers are
    reported at their live positions; definitions a buffer dropped are left
    out.  Implementations are found through the saved index's edges.
    """
    with stats.read_snapshot(conn):
        coverage = Coverage.of(stats.coverage(conn))
        if overlay is not None:
            found = overlay.lookup(query.position)
        else:
            found = lookup(conn, Resolver(conn), query.position)
        if found.name is None or found.scope is not None:
            return ImplementationResult(found.name, [], [], 0, coverage)
        seeds, left_out = _seeds(conn, found, query.include_guesses)
        walked = implementations_of(conn, seeds, query.include_guesses)
        source = SourceLines(root)
        live: Callable[[Symbol], Symbol | None] = (
            overlay.live_symbol if overlay is not None else (lambda s: s)
        )
        lines: dict[str, list[str]] = {}
        # What a result implements is a seed or another result, whose rows are at hand.
        targets = {item.row.node_id: item.row for item in walked}
        targets.update(
            nodes.nodes_by_ids(conn, {item.of for item in walked if item.of not in targets})
        )
        out: list[Implementation] = []
        for item in walked:
            symbol = live(Symbol.of(item.row))
            of = targets.get(item.of)
            if symbol is None or of is None:
                continue
            text = lines.get(symbol.path) if query.line_text else []
            if text is None:
                # What the user sees: the open buffer, else the saved file.
                text = lines[symbol.path] = (
                    overlay.lines(symbol.path) if overlay is not None else source.lines(symbol.path)
                )
            location = Location(
                symbol.path,
                symbol.line,
                symbol.col,
                symbol.end_col,
                item.relation,
                text[symbol.line] if 0 <= symbol.line < len(text) else "",
                item.confidence,
                item.resolution,
            )
            out.append(
                Implementation(
                    symbol,
                    item.relation,
                    live(Symbol.of(of)) or Symbol.of(of),
                    item.depth,
                    item.confidence,
                    item.resolution,
                    location,
                )
            )
        symbols = [Symbol.of(found.rows[t.node_id]) for t in seeds if t.node_id in found.rows]
        return ImplementationResult(found.name, symbols, out, left_out, coverage)


def _seeds(
    conn: sqlite3.Connection, found: Lookup, include_guesses: bool
) -> tuple[list[Target], int]:
    """The resolved definitions to answer for, and how many guesses were left out."""
    targets = [t for t in found.targets if t.node_id in found.rows]
    if include_guesses:
        return targets, 0
    sure = [t for t in targets if is_sure(t.resolution, t.confidence)]
    if sure:
        return sure, 0
    if len(targets) < 2:
        return [], len(targets)
    # Guesses among several candidates: settled only when one candidate's
    # implementations hold all the others (any of them runs, the family answers).
    ids = {t.node_id for t in targets}
    for t in targets:
        below = {item.row.node_id for item in implementations_of(conn, [t], False)}
        if ids - {t.node_id} <= below:
            return [t], 0
    return [], len(targets)


def implementations_of(
    conn: sqlite3.Connection, seeds: Iterable[Target], include_guesses: bool = False
) -> list[Reached]:
    """Everything below the seeds, deduplicated and ranked (see module doc).

    A seed's own ``confidence`` and ``resolution`` cap its results': an
    answer is no surer than the resolution of the name it started from.
    Seeds are left out of the answer.
    """
    seeds = list(seeds)
    rows = nodes.nodes_by_ids(conn, [t.node_id for t in seeds])
    best: dict[int, Reached] = {}
    for seed in seeds:
        row = rows.get(seed.node_id)
        if row is None:
            continue
        if row.kind in TYPE_KINDS:
            found = _subtypes(conn, row, include_guesses)
        elif row.kind in CALLABLE:
            found = _overriders(conn, row, include_guesses)
        else:
            continue
        for item in found:
            item.confidence = min(item.confidence, seed.confidence)
            item.resolution = _weaker(item.resolution, seed.resolution)
            _keep(best, item)
    for seed in seeds:
        best.pop(seed.node_id, None)
    return sorted(
        best.values(),
        key=lambda f: (-f.confidence, f.depth, f.row.path, f.row.name_line, f.row.name_col),
    )


def _subtypes(conn: sqlite3.Connection, row: NodeRow, include_guesses: bool) -> list[Reached]:
    """Types below ``row`` through ``inherits``/``implements`` edges, plus Rust impls and Go."""
    best = _walk(conn, row, SUPERTYPE_KINDS, include_guesses)
    if row.language == "rust" and row.kind != "trait":
        for impl in _rust_impls(conn, row, include_guesses):
            _keep(best, impl)
    if row.language == "go" and row.kind == "interface":
        for type_row, _methods in _go_method_sets(conn, row, include_guesses):
            _keep(best, _structural(type_row, row.node_id))
    best.pop(row.node_id, None)
    return list(best.values())


def _overriders(conn: sqlite3.Connection, row: NodeRow, include_guesses: bool) -> list[Reached]:
    """Methods below ``row`` through ``overrides`` edges, plus Go interface methods."""
    best = _walk(conn, row, ("overrides",), include_guesses)
    parent = None
    if row.parent_id is not None:
        parent = nodes.nodes_by_ids(conn, [row.parent_id]).get(row.parent_id)
    if row.language == "go" and parent is not None and parent.kind == "interface":
        for _type_row, methods in _go_method_sets(conn, parent, include_guesses):
            method = methods.get(row.name)
            if method is not None:
                _keep(best, _structural(method, row.node_id))
    best.pop(row.node_id, None)
    return list(best.values())


def _walk(
    conn: sqlite3.Connection, row: NodeRow, kinds: tuple[str, ...], include_guesses: bool
) -> dict[int, Reached]:
    """Breadth-first over incoming edges of ``kinds`` from ``row``, one query per level.

    A Rust impl block is an answer but not walked further: nothing extends
    an impl.
    """
    best: dict[int, Reached] = {}
    frontier: dict[int, tuple[float, str]] = {row.node_id: (1.0, "exact")}
    seen = {row.node_id}
    for depth in range(1, MAX_LEVELS + 1):
        if not frontier:
            break
        hits = [
            h
            for h in nodes.edges_touching(conn, list(frontier), kinds, incoming=True)
            if include_guesses or is_sure(h.resolution, h.confidence)
        ]
        found = nodes.nodes_by_ids(conn, [h.src_id for h in hits])
        reached: dict[int, tuple[float, str]] = {}
        for hit in hits:
            src = found.get(hit.src_id)
            if src is None or hit.src_id == row.node_id:
                continue
            conf, res = frontier[hit.dst_id]
            item = Reached(
                src,
                hit.kind,
                hit.dst_id,
                depth,
                min(conf, hit.confidence),
                _weaker(res, hit.resolution),
            )
            _keep(best, item)
            if hit.src_id not in seen and src.kind != "impl":
                kept = reached.get(hit.src_id)
                if kept is None or item.confidence > kept[0]:
                    reached[hit.src_id] = (item.confidence, item.resolution)
        seen.update(reached)
        frontier = reached
    return best


def _rust_impls(conn: sqlite3.Connection, row: NodeRow, include_guesses: bool) -> list[Reached]:
    """The impl blocks of a Rust type (``impl Type``, ``impl Trait for Type``).

    An impl block is named after its type and states a ``uses_type`` edge
    to it, like any other mention of the type: the name tells the two apart.
    """
    hits = [
        h
        for h in nodes.edges_touching(conn, [row.node_id], ("uses_type",), incoming=True)
        if include_guesses or is_sure(h.resolution, h.confidence)
    ]
    impls = nodes.nodes_by_ids(conn, [h.src_id for h in hits])
    out = []
    for hit in hits:
        impl = impls.get(hit.src_id)
        if impl is not None and impl.kind == "impl" and impl.name == row.name:
            out.append(Reached(impl, "impl", row.node_id, 1, hit.confidence, hit.resolution))
    return out


def _go_method_sets(
    conn: sqlite3.Connection, interface: NodeRow, include_guesses: bool
) -> list[tuple[NodeRow, dict[str, NodeRow]]]:
    """Go types whose method set has every method the interface declares.

    Each comes with its method set (name → the method, its own or promoted
    through an embedded field), so an interface method's implementations
    can be read from it.  See the module doc for what is compared.
    """
    wanted = _go_interface_methods(conn, interface, include_guesses)
    if not wanted:
        return []
    methods = [
        m
        for m in nodes.nodes_with_names(conn, sorted(wanted), ["method"], "go")
        if m.qualified_name.endswith("." + m.name)
    ]
    receivers = {m.qualified_name[: -len(m.name) - 1] for m in methods}
    types = {
        t.qualified_name: t
        for t in nodes.nodes_with_names(conn, sorted(receivers), None, "go", qualified=True)
        if t.kind in _GO_RECEIVER_KINDS
    }
    sets: dict[int, dict[str, NodeRow]] = {}
    rows: dict[int, NodeRow] = {}
    for m in methods:
        owner = types.get(m.qualified_name[: -len(m.name) - 1])
        if owner is not None:
            rows[owner.node_id] = owner
            sets.setdefault(owner.node_id, {}).setdefault(m.name, m)
    # Methods of an embedded field are promoted to the embedding type: walk
    # the ``inherits`` edges backwards from every type with some of the methods.
    frontier = set(sets)
    for _ in range(MAX_LEVELS):
        if not frontier:
            break
        hits = [
            h
            for h in nodes.edges_touching(conn, sorted(frontier), ("inherits",), incoming=True)
            if include_guesses or is_sure(h.resolution, h.confidence)
        ]
        embedders = nodes.nodes_by_ids(conn, [h.src_id for h in hits if h.src_id not in rows])
        rows.update(embedders)
        grown: set[int] = set()
        for hit in hits:
            if rows.get(hit.src_id) is None or rows[hit.src_id].kind == "interface":
                continue
            own = sets.setdefault(hit.src_id, {})
            before = len(own)
            for name, method in sets.get(hit.dst_id, {}).items():
                own.setdefault(name, method)
            if len(own) > before:
                grown.add(hit.src_id)
        frontier = grown
    return [
        (rows[type_id], methods_of)
        for type_id, methods_of in sets.items()
        if type_id != interface.node_id and wanted <= methods_of.keys()
    ]


def _go_interface_methods(
    conn: sqlite3.Connection, interface: NodeRow, include_guesses: bool
) -> set[str]:
    """Names of the methods a Go interface declares, with those of interfaces it embeds."""
    names: set[str] = set()
    seen: set[int] = set()
    frontier = [interface]
    for _ in range(MAX_LEVELS):
        if not frontier:
            break
        for row in frontier:
            seen.add(row.node_id)
            names.update(
                n.name
                for n in nodes.nodes_in_file(conn, row.file_id)
                if n.parent_id == row.node_id and n.kind == "method"
            )
        hits = [
            h
            for h in nodes.edges_touching(
                conn, [r.node_id for r in frontier], SUPERTYPE_KINDS, incoming=False
            )
            if include_guesses or is_sure(h.resolution, h.confidence)
        ]
        embedded = nodes.nodes_by_ids(conn, [h.dst_id for h in hits if h.dst_id not in seen])
        frontier = [r for r in embedded.values() if r.kind == "interface"]
    return names


def _structural(row: NodeRow, of: int) -> Reached:
    return Reached(row, "structural", of, 1, STRUCTURAL_CONFIDENCE, "structural")


def _keep(best: dict[int, Reached], item: Reached) -> None:
    """Keep the most confident, then the shortest, path to each definition."""
    kept = best.get(item.row.node_id)
    if kept is None or (item.confidence, -item.depth) > (kept.confidence, -kept.depth):
        best[item.row.node_id] = item


_CERTAINTY = {"exact": 0, "structural": 1, "by_name": 2}


def _weaker(a: str, b: str) -> str:
    """The less certain of two resolutions."""
    return a if _CERTAINTY.get(a, 2) >= _CERTAINTY.get(b, 2) else b
