"""Go to definition: which definition the identifier at a position refers to.

This module owns finding the identifier under a cursor (a stored occurrence
or a definition's own name) and resolving it with ``index.resolve.Resolver``,
the same resolution the linker uses, so navigation and the call graph agree.
A local variable resolves to the assignment that reaches the use (or its
parameter) in the same function.  A keyword argument's name (``f(key=1)``)
resolves to the parameter of the callee, or to the field a class's call sets
(a dataclass's); a parameter is no definition of its own, so the answer is
where the callee binds it.  A name that enters the workspace from
outside through a re-export (``from _collections import deque`` in
``collections``) goes to that import statement, which has no symbol.
``references`` builds on ``lookup`` here.

Reads only, through ``store`` functions; never parses, never writes.  Any
thread may call ``find_definition`` with a read connection it owns; the
caller closes the connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from codeidx.errors import IndexUnavailable, UsageError
from codeidx.index.bindings import binding_scope
from codeidx.index.resolve import LOCAL, Resolver, Target
from codeidx.index.targets import dedupe
from codeidx.parse import registry
from codeidx.parse.registry import language_for_path
from codeidx.query.types import (
    Coverage,
    Definition,
    DefinitionQuery,
    DefinitionResult,
    Location,
    Position,
    SourceLines,
    Symbol,
)
from codeidx.store import navigation, nodes, stats, symbols
from codeidx.store.nodes import NodeRow
from codeidx.store.occurrences import StoredOccurrence, col_of, iter_raw, role_of, unpack
from codeidx.store.symbols import FileFacts


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (columns in the index count these)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(slots=True)
class Lookup:
    """What the identifier at a position is and what it resolves to.

    Exactly one of these holds: ``name`` is None (no identifier there);
    ``scope`` is set (a local of the function with that ordinal); or
    ``targets`` lists the definitions (empty when resolution found none).
    """

    facts: FileFacts | None
    name: str | None = None
    scope: int | None = None
    targets: list[Target] = field(default_factory=list)
    rows: dict[int, NodeRow] = field(default_factory=dict)
    #: Start byte of the occurrence under the cursor (for a local's binding).
    at: int | None = None
    #: The occurrence under the cursor (None on a definition's own name).
    occurrence: StoredOccurrence | None = None
    #: Ids among ``targets`` that stand for their parameter ``name``: the
    #: cursor is on a keyword argument, and these are the callables it goes to.
    parameters: frozenset[int] = frozenset()


def lookup(conn: sqlite3.Connection, resolver: Resolver, position: Position) -> Lookup:
    """Find and resolve the identifier at ``position`` (see ``Lookup``).

    Raises UsageError for a file codeidx does not index and IndexUnavailable
    for a source file that is not in the index yet.
    """
    file_id = symbols.file_id_for(conn, position.path)
    if file_id is None:
        if language_for_path(position.path) is None:
            raise UsageError(f"{position.path} is not a source file that codeidx indexes")
        raise IndexUnavailable(
            f"{position.path} is not in the index", hint="run `codeidx index` to index it"
        )
    facts = symbols.file_facts(conn, file_id)
    if facts is None:  # Deleted between the two reads; the snapshot prevents it.
        raise IndexUnavailable(f"{position.path} is not in the index")
    own = navigation.nodes_named_on_line(conn, file_id, position.line)
    found = identifier_at(facts, own, position)
    if found is None:
        return Lookup(facts)
    if isinstance(found, NodeRow):
        target = Target(found.node_id, found.kind, 1.0, "exact")
        return Lookup(facts, found.name, None, [target], {found.node_id: found})
    name, occ = found
    if occ.role == "argument":
        targets, parameters = resolve_argument(resolver, facts, name, occ)
        targets, rows = existing(conn, targets)
        return Lookup(facts, name, None, targets, rows, occurrence=occ, parameters=parameters)
    resolved = resolve_occurrence(resolver, facts, name, occ)
    if resolved == LOCAL:
        scope = binding_scope(facts, name, occ.enclosing)
        return Lookup(facts, name, scope, at=occ.start_byte, occurrence=occ)
    targets, rows = existing(conn, resolved if isinstance(resolved, list) else [])
    return Lookup(facts, name, None, targets, rows, occurrence=occ)


def existing(
    conn: sqlite3.Connection, targets: list[Target]
) -> tuple[list[Target], dict[int, NodeRow]]:
    """The targets whose definitions exist, with their rows, best first."""
    rows = nodes.nodes_by_ids(conn, [t.node_id for t in targets])
    kept = [t for t in targets if t.node_id in rows]
    kept.sort(key=lambda t: (-t.confidence, rows[t.node_id].path, rows[t.node_id].name_line))
    return kept, rows


def resolve_argument(
    resolver: Resolver, facts: FileFacts, name: str, occ: StoredOccurrence
) -> tuple[list[Target], frozenset[int]]:
    """What a keyword argument goes to, each once, and which of those stand for a parameter.

    The second part is ``Lookup.parameters``: the callables whose parameter it names.
    """
    answers = resolver.argument(facts, name, occ.receiver, occ.enclosing)
    parameters = frozenset(a.target.node_id for a in answers if a.parameter)
    return dedupe([a.target for a in answers]), parameters


def resolve_occurrence(
    resolver: Resolver, facts: FileFacts, name: str, occ: StoredOccurrence
) -> list[Target] | str:
    """Resolve one stored occurrence as the linker does (imports by their statement).

    A pattern's key (``a`` of ``const { a: b } = value``) is the member of
    the value it names, which the linker leaves to queries.
    """
    if occ.role == "key":
        return resolver.unpacked(facts, name, occ.start_byte, occ.enclosing)
    if occ.role == "import":
        # ``from email import charset as _charset``: the name is looked up
        # in the imported module, not in this file's scopes.
        return resolver.resolve_import_name(facts, name, occ.line)
    return resolver.resolve(facts, name, occ.receiver, occ.enclosing, occ.role)


def identifier_at(
    facts: FileFacts, own: list[NodeRow], position: Position
) -> NodeRow | tuple[str, StoredOccurrence] | None:
    """The occurrence or definition name under the cursor.

    A cursor just after an identifier counts too (editors place it there
    after typing a name), but an identifier that contains the cursor wins.
    A definition's name that is also an occurrence is the definition, unless
    its kind's name refers to another definition (a Rust ``impl Foo``): a
    TypeScript parameter property ``constructor(private x: T)`` is the
    field first.
    """
    line, col = position.line, position.col
    referring = registry.hooks(facts.language).HOOKS.reference_names
    best: tuple[int, NodeRow | tuple[str, StoredOccurrence]] | None = None
    for name, occs in occurrences_on_line(facts, line):
        width = utf16_len(name)
        for occ in occs:
            if occ.line == line and occ.col <= col <= occ.col + width:
                rank = 0 if col < occ.col + width else 1
                if best is None or rank < best[0]:
                    best = (rank, (name, occ))
    for row in own:
        if row.kind == "module" or row.name_line != line:
            continue
        if row.name_col <= col <= row.name_end_col:
            rank = 0 if col < row.name_end_col else 1
            if best is None or rank < best[0] or (rank == best[0] and row.kind not in referring):
                best = (rank, row)
    return best[1] if best is not None else None


def occurrences_on_line(
    facts: FileFacts, line: int
) -> Iterator[tuple[str, list[StoredOccurrence]]]:
    """The names with an occurrence on ``line``, with those occurrences.

    Decodes only the names that occur on the line: a large file holds tens
    of thousands of occurrences, and a cursor needs a handful.
    """
    receivers = facts.receivers
    for name, blob in facts.blobs.items():
        if line in navigation.occurrence_lines(blob):
            yield (
                name,
                [
                    StoredOccurrence(
                        start, at, col_of(cr), role_of(cr), enclosing, receivers[r - 1] if r else ""
                    )
                    for start, at, cr, enclosing, r in iter_raw(blob)
                    if at == line
                ],
            )


def occurrences_named(facts: FileFacts, name: str) -> list[StoredOccurrence]:
    """The occurrences of one name in a file, decoding no other name's."""
    blob = facts.blobs.get(name)
    return list(unpack(blob, facts.receivers)) if blob is not None else []


def local_occurrences(facts: FileFacts, name: str, scope: int) -> list[StoredOccurrence]:
    """Occurrences of a local ``name`` bound by function ``scope``, in source order.

    Occurrences in nested functions count when those functions do not bind
    the name themselves (closures read the outer variable).
    """
    out = [
        occ
        for occ in occurrences_named(facts, name)
        if not occ.receiver
        and occ.role != "key"
        and binding_scope(facts, name, occ.enclosing) == scope
    ]
    out.sort(key=lambda o: o.start_byte)
    return out


def first_binding(occurrences: list[StoredOccurrence]) -> StoredOccurrence | None:
    """The first write (assignment or parameter) of a local, else its first use."""
    for occ in occurrences:
        if occ.role == "write":
            return occ
    return occurrences[0] if occurrences else None


def reaching_binding(
    occurrences: list[StoredOccurrence], at: int | None, targets: set[int] | None = None
) -> StoredOccurrence | None:
    """The last write of a local at or before ``at`` (the binding a use sees).

    Source order stands in for flow analysis: ``s = s.strip()`` on the line
    before a use is the definition a reader wants, not the parameter ``s``.
    ``targets`` holds the start bytes of writes that open their line (the
    targets of an assignment statement): such a write on the use's own line
    is bound after its right-hand side is read, so the use sees the write
    before it.  Without a position, or with no write before it, the first
    binding.
    """
    if at is not None:
        use = next((o for o in occurrences if o.start_byte == at), None)
        before = [
            o
            for o in occurrences
            if o.role == "write"
            and o.start_byte <= at
            and not (
                use is not None
                and use.role != "write"
                and o.line == use.line
                and targets is not None
                and o.start_byte in targets
            )
        ]
        if before:
            return before[-1]
    return first_binding(occurrences)


def statement_targets(facts: FileFacts, line: int) -> set[int]:
    """Start bytes of the writes a line opens with (``a, b = ...`` gives both)."""
    here = sorted(
        (o for _name, occs in occurrences_on_line(facts, line) for o in occs),
        key=lambda o: o.start_byte,
    )
    out: set[int] = set()
    for o in here:
        if o.role != "write" or o.receiver:
            break
        out.add(o.start_byte)
    return out


def find_definition(
    conn: sqlite3.Connection, root: Path, query: DefinitionQuery
) -> DefinitionResult:
    """Answer go-to-definition for the identifier at ``query.position``.

    Reads in one snapshot; raises UsageError or IndexUnavailable (see ``lookup``).
    """
    with stats.read_snapshot(conn):
        coverage = Coverage.of(stats.coverage(conn))
        resolver = Resolver(conn)
        found = lookup(conn, resolver, query.position)
        source = SourceLines(root)
        path = query.position.path
        if found.name is None:
            return DefinitionResult(None, False, [], coverage)
        if found.scope is not None:
            taken = taken_out(found, resolver, lambda t: existing(conn, t), source)
            if taken is not None:
                return DefinitionResult(found.name, False, taken, coverage)
            location = local_binding(found, path, source)
            definitions = [Definition(location, None)] if location is not None else []
            return DefinitionResult(found.name, True, definitions, coverage)
        definitions = definitions_of(found, resolver, source)
        if not definitions and found.occurrence is not None and found.facts is not None:
            site = reexport_location(
                conn, resolver, source, found.facts, found.name, found.occurrence
            )
            if site is not None:
                definitions.append(Definition(site, None))
        return DefinitionResult(found.name, False, definitions, coverage)


def taken_out(
    found: Lookup,
    resolver: Resolver,
    rows_of: Callable[[list[Target]], tuple[list[Target], dict[int, NodeRow]]],
    source: SourceLines,
) -> list[Definition] | None:
    """Where the member a destructuring pattern's name takes out is defined, if known.

    ``const { connection } = ctx`` binds a local, yet the name is the
    member's too: going to its definition goes to ``ctx``'s
    ``connection``, as TypeScript's own server does, and to the local only
    when the value's type is unknown (None).
    """
    occ = found.occurrence
    if occ is None or found.facts is None or found.name is None or found.at is None:
        return None
    members = resolver.unpacked(found.facts, found.name, found.at, occ.enclosing)
    if not members:
        return None
    targets, rows = rows_of(members)
    if not targets:
        return None
    return [
        Definition(declaration(rows[t.node_id], source, t), Symbol.of(rows[t.node_id]))
        for t in targets
    ]


def definitions_of(found: Lookup, resolver: Resolver, source: SourceLines) -> list[Definition]:
    """Where each of a lookup's targets is defined (a parameter: where its callable binds it)."""
    out: list[Definition] = []
    for t in found.targets:
        row = found.rows[t.node_id]
        if t.node_id in found.parameters and found.name is not None:
            where = parameter_location(resolver, row, found.name, source, t)
            if where is not None:
                out.append(Definition(where, None, Symbol.of(row)))
            continue
        out.append(Definition(declaration(row, source, t), Symbol.of(row)))
    return out


def parameter_location(
    resolver: Resolver, row: NodeRow, name: str, source: SourceLines, target: Target
) -> Location | None:
    """Where the callable ``row`` binds its parameter ``name``.

    A parameter is the callable's first binding of the name: parameters come
    before the body in every language's source order.
    """
    facts = resolver.facts_with_occurrences(row.file_id)
    if facts is None:
        return None
    binding = first_binding(local_occurrences(facts, name, row.ordinal))
    if binding is None or binding.role != "write":
        return None
    return defined_at(row.path, binding, name, source, target.confidence, target.resolution)


def reexport_location(
    conn: sqlite3.Connection,
    resolver: Resolver,
    source: SourceLines,
    facts: FileFacts,
    name: str,
    occ: StoredOccurrence,
) -> Location | None:
    """The import statement through which a name from outside the workspace enters it.

    A name re-exported from a C module (``from _collections import deque``
    in ``collections``) has no definition in the workspace; that import is
    the best answer there is, like jedi's.
    """
    if occ.receiver:
        return None
    site = resolver.imports.reexport_site(facts, name, occ.line, occ.role)
    if site is None:
        return None
    file_id, line = site
    owner = symbols.file_facts(conn, file_id)
    if owner is None:
        return None
    spot = next(
        (
            o
            for o in occurrences_named(owner, name)
            if o.role == "import" and o.line >= line and not o.receiver
        ),
        None,
    )
    if spot is None:
        return None
    return defined_at(owner.path, spot, name, source, 1.0, "exact")


def local_binding(found: Lookup, path: str, source: SourceLines) -> Location | None:
    """Where the local ``found`` names is bound for the use under the cursor."""
    if found.name is None or found.scope is None or found.facts is None:
        return None
    occurrences = local_occurrences(found.facts, found.name, found.scope)
    use = next((o for o in occurrences if o.start_byte == found.at), None)
    targets = statement_targets(found.facts, use.line) if use is not None else None
    binding = reaching_binding(occurrences, found.at, targets)
    if binding is None:
        return None
    return defined_at(path, binding, found.name, source, 1.0, "local")


def defined_at(
    path: str,
    occ: StoredOccurrence,
    name: str,
    source: SourceLines,
    confidence: float,
    resolution: str,
) -> Location:
    """An occurrence that binds a name, as a ``definition`` role result."""
    return Location(
        path,
        occ.line,
        occ.col,
        occ.col + utf16_len(name),
        "definition",
        source.line(path, occ.line),
        confidence,
        resolution,
    )


def declaration(row: NodeRow, source: SourceLines, target: Target | None = None) -> Location:
    """The location of a definition's name, as a ``definition`` role result."""
    return Location(
        row.path,
        row.name_line,
        row.name_col,
        row.name_end_col,
        "definition",
        source.line(row.path, row.name_line),
        target.confidence if target is not None else 1.0,
        target.resolution if target is not None else "exact",
    )
