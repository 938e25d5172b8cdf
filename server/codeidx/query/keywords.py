"""Keyword arguments as references of the parameters they name.

A parameter is no definition of its own: its callable binds it the way it
binds its locals.  So the references of a parameter are its occurrences in
the callable plus every keyword argument that names it (``f(key=1)``,
``Server(workers=4)`` for a parameter of ``Server.__init__``), wherever the
cursor is: on the parameter, on a use of it in the body, or on such a
keyword argument.

Keyword arguments make no edges (a parameter is no node), so candidates are
the stored occurrences of the name with the ``argument`` role whose callee
ends with the callable's name (or, for a constructor, with the name of its
class or of a subclass); each is resolved with ``Resolver.argument``, once
per callee and scope.

Reads only, through ``store`` functions; the caller holds the snapshot.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from codeidx.index.resolve import CALLABLE, Resolver, Target, is_sure
from codeidx.parse import registry
from codeidx.parse.records import ROLE_CODES
from codeidx.query.definition import (
    Lookup,
    first_binding,
    local_occurrences,
    occurrences_named,
    utf16_len,
)
from codeidx.query.types import (
    Coverage,
    Location,
    ReferencesQuery,
    ReferencesResult,
    SourceLines,
    Symbol,
)
from codeidx.store import nodes, symbols
from codeidx.store.nodes import NodeRow
from codeidx.store.occurrences import ROLE_MASK, StoredOccurrence, col_of, iter_raw
from codeidx.store.symbols import FileFacts

_ARGUMENT = ROLE_CODES["argument"]
#: How many levels of subclasses a constructor's callers are looked for in.
_SUBCLASS_DEPTH = 6

#: The keyword arguments of one name, file by file: its path, its facts
#: (or its id, for facts read only when a candidate must be resolved) and
#: those occurrences.
Candidates = list[tuple[str, FileFacts | int, list[StoredOccurrence]]]
#: The targets that still exist, with their rows (``definition.existing``;
#: an overlay gives rows at live positions).
RowsFn = Callable[[list[Target]], tuple[list[Target], dict[int, NodeRow]]]


def keyword_arguments(
    conn: sqlite3.Connection,
    name: str,
    here: FileFacts | None,
    in_file_only: bool,
    live: Sequence[FileFacts] = (),
) -> Candidates:
    """The keyword arguments named ``name`` that a parameter's references look at.

    Those of the cursor's file ``here`` for highlights, else the
    workspace's, with open buffers (``live``) standing in for their saved
    files.
    """
    if in_file_only:
        return [(here.path, here, _arguments_in(here, name))] if here is not None else []
    skip = {facts.path for facts in live}
    out: Candidates = []
    for file_id, path, blob, receivers in symbols.occurrence_rows(conn, name):
        if path in skip:
            continue
        found = [
            StoredOccurrence(start, line, col_of(cr), "argument", enclosing, receivers[recv - 1])
            for start, line, cr, enclosing, recv in iter_raw(blob)
            if cr & ROLE_MASK == _ARGUMENT and recv
        ]
        if found:
            out.append((path, file_id, found))
    for facts in live:
        found = _arguments_in(facts, name)
        if found:
            out.append((facts.path, facts, found))
    return out


def _arguments_in(facts: FileFacts, name: str) -> list[StoredOccurrence]:
    """The keyword arguments named ``name`` in one file whose facts are at hand."""
    return [o for o in occurrences_named(facts, name) if o.role == "argument" and o.receiver]


def as_parameter(resolver: Resolver, found: Lookup, rows: RowsFn) -> Lookup | None:
    """The lookup of a local that is a parameter, as a keyword argument naming it gives it.

    None when the local is not a parameter of the function that binds it.
    """
    facts, name, scope = found.facts, found.name, found.scope
    if facts is None or name is None or scope is None or scope >= len(facts.nodes):
        return None
    node = facts.nodes[scope]
    if node.kind not in CALLABLE or name not in resolver.parameter_names(node.node_id):
        return None
    targets, found_rows = rows([Target(node.node_id, node.kind, 1.0, "exact")])
    if not targets:
        return None
    parameters = frozenset({node.node_id})
    return Lookup(facts, name, None, targets, found_rows, parameters=parameters)


def keyword_sites(
    conn: sqlite3.Connection,
    resolver: Resolver,
    callable_row: NodeRow,
    name: str,
    candidates: Candidates,
    query: ReferencesQuery,
    source: SourceLines,
) -> list[Location]:
    """The keyword arguments among ``candidates`` that name ``callable_row``'s parameter."""
    callees = _callee_names(conn, callable_row)
    sep = registry.LANGUAGES[callable_row.language].separator
    width = utf16_len(name)
    text = None if source.blank else source.line
    out: list[Location] = []
    for path, where, occurrences in candidates:
        memo: dict[tuple[str, int], tuple[float, str] | None] = {}
        facts = where if isinstance(where, FileFacts) else None
        for occ in occurrences:
            if occ.receiver.rpartition(sep)[2] not in callees:
                continue
            key = (occ.receiver, occ.enclosing)
            if key not in memo:
                memo[key] = None
                if facts is None:
                    assert isinstance(where, int)
                    facts = resolver.facts(where)
                    if facts is None:
                        break  # Deleted between reads; the snapshot prevents it.
                for answer in resolver.argument(facts, name, occ.receiver, occ.enclosing):
                    t = answer.target
                    if (
                        answer.parameter
                        and t.node_id == callable_row.node_id
                        and (query.include_guesses or is_sure(t.resolution, t.confidence))
                    ):
                        memo[key] = (t.confidence, t.resolution)
                        break
            hit = memo[key]
            if hit is not None:
                shown = "" if text is None else text(path, occ.line)
                out.append(
                    Location(
                        path, occ.line, occ.col, occ.col + width, "argument", shown, hit[0], hit[1]
                    )
                )
    return out


def _callee_names(conn: sqlite3.Connection, callable_row: NodeRow) -> set[str]:
    """The last names a call of ``callable_row`` is written with.

    A constructor is called through its class and through every subclass
    that inherits it (``Child(name="b")`` passes ``name`` to
    ``Server.__init__``), and directly (``super().__init__(name=n)``).
    """
    names = {callable_row.name}
    hooks = registry.hooks(callable_row.language).HOOKS
    if callable_row.name not in hooks.constructor_names or callable_row.parent_id is None:
        return names
    level = [callable_row.parent_id]
    seen = set(level)
    for _ in range(_SUBCLASS_DEPTH):
        rows = nodes.nodes_by_ids(conn, level)
        names.update(row.name for row in rows.values())
        edges = nodes.edges_touching(conn, level, ("inherits",), incoming=True)
        level = [e.src_id for e in edges if e.src_id not in seen]
        if not level:
            break
        seen.update(level)
    return names


def parameter_references(
    conn: sqlite3.Connection,
    resolver: Resolver,
    found: Lookup,
    candidates: Candidates,
    source: SourceLines,
    query: ReferencesQuery,
    coverage: Coverage,
) -> ReferencesResult:
    """References of the parameters ``found`` stands for (``found.parameters``).

    Each callable's own occurrences of the parameter, then the keyword
    arguments naming it among ``candidates`` (``keyword_arguments``).
    """
    name = found.name
    assert name is not None
    out: list[Location] = []
    paths: set[str] = set()
    symbols_out: list[Symbol] = []
    for t in found.targets:
        if t.node_id not in found.parameters:
            continue
        row = found.rows[t.node_id]
        symbols_out.append(Symbol.of(row))
        facts = found.facts
        if facts is None or facts.file_id != row.file_id:
            facts = resolver.facts_with_occurrences(row.file_id)
        if facts is not None and (not query.in_file_only or row.path == query.position.path):
            occs = local_occurrences(facts, name, row.ordinal)
            mine = local_locations(facts.path, name, occs, source, query)
            out.extend(mine)
            paths.update(loc.path for loc in mine)
        sites = keyword_sites(conn, resolver, row, name, candidates, query, source)
        out.extend(sites)
        paths.update(loc.path for loc in sites)
    out = _unique(out)
    return ReferencesResult(name, True, symbols_out, out, len(paths), coverage)


def local_locations(
    path: str,
    name: str,
    occurrences: list[StoredOccurrence],
    source: SourceLines,
    query: ReferencesQuery,
) -> list[Location]:
    """A local's occurrences as references; its first binding is its definition."""
    binding = first_binding(occurrences)
    width = utf16_len(name)
    return [
        Location(
            path,
            occ.line,
            occ.col,
            occ.col + width,
            "definition" if occ is binding else occ.role,
            source.line(path, occ.line),
            1.0,
            "local",
        )
        for occ in occurrences
        if query.include_declaration or occ is not binding
    ]


def _unique(found: list[Location]) -> list[Location]:
    """Locations once each, in path and position order."""
    seen: dict[tuple[str, int, int], Location] = {}
    for loc in found:
        seen.setdefault((loc.path, loc.line, loc.col), loc)
    return sorted(seen.values(), key=lambda loc: (loc.path, loc.line, loc.col))
