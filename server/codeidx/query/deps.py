"""File dependencies: a file's imports and importers, and circular dependencies.

This module owns the file-level dependency answers.  Import statements and
the workspace file each resolved to are stored by the indexer; here they are
read back, and circular dependencies are found with Tarjan's algorithm
(``support.graph``) over the graph of workspace files, one cycle path per
strongly connected component.  A file importing itself is not reported as a
cycle.

Reads only; any thread may call these with a read connection it owns.
``file_deps`` raises UsageError/IndexUnavailable for a file it cannot answer for.
"""

from __future__ import annotations

import sqlite3

from codeidx.errors import IndexUnavailable, UsageError
from codeidx.parse.registry import language_for_path
from codeidx.query.types import (
    Coverage,
    DependencyCycle,
    DepsSummary,
    FileDeps,
    ImportEntry,
    Importer,
)
from codeidx.store import deps, stats, symbols
from codeidx.support.graph import cycles_by_component

#: How many entries the summary's "most imported" lists keep.
TOP = 10


def dependency_cycles(conn: sqlite3.Connection) -> list[DependencyCycle]:
    """Every circular dependency between workspace files, ordered by first member."""
    with stats.read_snapshot(conn):
        graph: dict[str, list[str]] = {}
        for src, dst in deps.internal_pairs(conn):
            if src != dst:
                graph.setdefault(src, []).append(dst)
        found = cycles_by_component(sorted(graph), lambda p: graph.get(p, []))
        return [DependencyCycle(members, path) for members, path in found]


def file_deps(conn: sqlite3.Connection, path: str, with_cycles: bool = False) -> FileDeps:
    """One file's imports (resolved or external), its importers and, on request, its cycles."""
    with stats.read_snapshot(conn):
        if symbols.file_id_for(conn, path) is None:
            if language_for_path(path) is None:
                raise UsageError(f"{path} is not a source file that codeidx indexes")
            raise IndexUnavailable(f"{path} is not in the index", hint="run `codeidx index`")
        coverage = Coverage.of(stats.coverage(conn))
        imports = [
            ImportEntry(r.line, r.kind, r.text, r.module, r.target_path)
            for r in deps.imports_of(conn, path)
        ]
        importers = [Importer(r.path, r.line, r.text) for r in deps.importers_of(conn, path)]
        cycles = [c for c in dependency_cycles(conn) if path in c.members] if with_cycles else []
        return FileDeps(path, imports, importers, cycles, coverage)


def deps_summary(conn: sqlite3.Connection, with_cycles: bool = True) -> DepsSummary:
    """Workspace-wide figures: dependency counts, most imported files and modules, cycles."""
    with stats.read_snapshot(conn):
        coverage = Coverage.of(stats.coverage(conn))
        internal, external, importing = deps.dep_totals(conn)
        return DepsSummary(
            coverage.files,
            importing,
            internal,
            external,
            deps.most_imported(conn, TOP),
            deps.most_used_external(conn, TOP),
            dependency_cycles(conn) if with_cycles else [],
            coverage,
        )
