"""Workspace symbol search: fuzzy matching over the names of every definition.

This module owns the search: it reads the distinct candidate names from the
store (filtered by kind and language in SQL), ranks them with
``codeidx.query.fuzzy.rank`` and expands the best names into their
definitions.  A query containing ``.`` or ``::`` is matched against
qualified names (``Engine.run``), any other against simple names.  Ranking
is not done here; a test passes its own ``rank`` to check the plumbing.

Reads only; any thread may call ``search_symbols`` with a read connection it
owns.  Raises UsageError for an empty query, an unknown kind or language, or
a limit below one.  The query text is never logged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from codeidx.errors import UsageError
from codeidx.parse.records import NODE_KINDS
from codeidx.parse.registry import LANGUAGES
from codeidx.query.types import Coverage, Symbol, SymbolMatch, SymbolQuery, SymbolsResult
from codeidx.store import nodes, stats
from codeidx.store.nodes import NodeRow

RankFn = Callable[[str, Sequence[str], int], list[tuple[int, float]]]


def validate(query: SymbolQuery) -> None:
    """Raise UsageError, with the accepted values, for a malformed query."""
    if not query.text.strip():
        raise UsageError("the symbol query is empty", hint="pass part of a name, e.g. `eng`")
    if query.kind is not None and query.kind not in NODE_KINDS:
        raise UsageError(
            f"unknown symbol kind {query.kind!r}", hint=f"use one of: {', '.join(NODE_KINDS)}"
        )
    if query.language is not None and query.language not in LANGUAGES:
        raise UsageError(
            f"unknown language {query.language!r}",
            hint=f"use one of: {', '.join(sorted(LANGUAGES))}",
        )
    if query.limit < 1:
        raise UsageError(f"the limit must be at least 1, not {query.limit}")


def search_symbols(
    conn: sqlite3.Connection, query: SymbolQuery, rank: RankFn | None = None
) -> SymbolsResult:
    """The definitions whose names best match ``query.text``, best first."""
    validate(query)
    if rank is None:
        # Imported here so the rest of the query layer loads without it.
        from codeidx.query.fuzzy import rank as fuzzy_rank

        rank = fuzzy_rank
    text = query.text.strip()
    qualified = "." in text or "::" in text
    kinds = [query.kind] if query.kind is not None else None
    with stats.read_snapshot(conn):
        coverage = Coverage.of(stats.coverage(conn))
        names = nodes.symbol_names(conn, kinds, query.language, qualified)
        # Every name has at least one definition, so ``limit`` names suffice.
        ranked = rank(text, names, query.limit)
        order = {names[i]: (position, score) for position, (i, score) in enumerate(ranked)}
        rows = nodes.nodes_with_names(conn, list(order), kinds, query.language, qualified)

    def key_of(row: NodeRow) -> str:
        return row.qualified_name if qualified else row.name

    rows.sort(key=lambda r: (order[key_of(r)][0], r.path, r.name_line, r.name_col))
    matches = [SymbolMatch(Symbol.of(r), order[key_of(r)][1]) for r in rows[: query.limit]]
    return SymbolsResult(matches, len(names), coverage)
