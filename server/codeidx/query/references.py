"""Find references: every occurrence that resolves to the definition at a position.

This module owns the references search.  Candidates are the stored
occurrences of the definition's name across the workspace (one row per
file that mentions the name); each is resolved with the same
``index.resolve.Resolver`` as go-to-definition and kept when it resolves to
one of the target definitions.  So a same-named method of an unrelated class
is not a reference, and an import alias under another name is not found (the
index stores occurrences by the name written).  A call on a receiver of
unknown type counts only when the name has a single candidate in the
workspace; guesses among several are left out unless the query asks for them
(``ReferencesQuery.include_guesses``).  A local variable's
references are its occurrences in the function that binds it.

Reads only; any thread may call ``find_references`` with a read connection
it owns.  Raises what ``definition.lookup`` raises.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from codeidx.index.resolve import LOCAL, Resolver, is_sure
from codeidx.query.definition import (
    Lookup,
    declaration,
    first_binding,
    local_occurrences,
    lookup,
    resolve_occurrence,
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
from codeidx.store import stats, symbols
from codeidx.store.occurrences import unpack


def find_references(
    conn: sqlite3.Connection, root: Path, query: ReferencesQuery
) -> ReferencesResult:
    """Answer find-references for the identifier at ``query.position`` (see module doc)."""
    with stats.read_snapshot(conn):
        coverage = Coverage.of(stats.coverage(conn))
        resolver = Resolver(conn)
        found = lookup(conn, resolver, query.position)
        source = SourceLines(root)
        if found.name is None:
            return ReferencesResult(None, False, [], [], 0, coverage)
        if found.scope is not None and found.facts is not None:
            return local_references(found, found.name, found.scope, source, query, coverage)
        wanted = {t.node_id: t for t in found.targets}
        rows = [found.rows[t.node_id] for t in found.targets]
        out: list[Location] = []
        if query.include_declaration:
            out.extend(declaration(row, source) for row in rows)
        files = 0
        for name in sorted({row.name for row in rows}):
            for file_id, path, blob, receivers in symbols.occurrence_rows(conn, name):
                facts = resolver.facts(file_id)
                if facts is None:
                    continue
                files += 1
                width = utf16_len(name)
                # Resolution depends only on these fields, and a name often
                # occurs many times in one scope: resolve each key once.
                memo: dict[tuple[str, int, str], tuple[float, str] | None] = {}
                for occ in unpack(blob, receivers):
                    # Imports resolve by their statement, calls may guess.
                    kind = occ.role if occ.role in ("call", "import") else ""
                    where = occ.line if kind == "import" else occ.enclosing
                    key = (occ.receiver, where, kind)
                    if key not in memo:
                        memo[key] = None
                        targets = resolve_occurrence(resolver, facts, name, occ)
                        if targets != LOCAL and isinstance(targets, list):
                            for t in targets:
                                if t.node_id in wanted and (
                                    query.include_guesses or is_sure(t.resolution, t.confidence)
                                ):
                                    memo[key] = (t.confidence, t.resolution)
                                    break
                    hit = memo[key]
                    if hit is None:
                        continue
                    out.append(
                        Location(
                            path,
                            occ.line,
                            occ.col,
                            occ.col + width,
                            occ.role,
                            source.line(path, occ.line),
                            hit[0],
                            hit[1],
                        )
                    )
        out.sort(key=lambda loc: (loc.path, loc.line, loc.col))
        return ReferencesResult(
            found.name, False, [Symbol.of(r) for r in rows], out, files, coverage
        )


def local_references(
    found: Lookup,
    name: str,
    scope: int,
    source: SourceLines,
    query: ReferencesQuery,
    coverage: Coverage,
) -> ReferencesResult:
    facts = found.facts
    assert facts is not None
    occs = local_occurrences(facts, name, scope)
    binding = first_binding(occs)
    width = utf16_len(name)
    out = [
        Location(
            facts.path,
            occ.line,
            occ.col,
            occ.col + width,
            "definition" if occ is binding else occ.role,
            source.line(facts.path, occ.line),
            1.0,
            "local",
        )
        for occ in occs
        if query.include_declaration or occ is not binding
    ]
    return ReferencesResult(name, True, [], out, 1, coverage)
