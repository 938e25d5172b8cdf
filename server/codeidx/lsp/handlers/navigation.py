"""Navigation: definition sites, references, hover and document highlights.

``definition_answer`` serves definition and declaration (``handlers.links``
registers them and picks links or locations).  Each handler turns the
request into a ``Cursor`` on the loop, then on a query worker turns it
into a position in what the user sees (``lsp.live``),
calls one function of the query overlay (``query.overlay``: open buffers
over the index) and turns the answer into LSP values.  Positions on any
line of an open buffer, edited or not, are answered from its current text,
and results in open buffers come back at their live positions.  A file
codeidx does not index, or that is neither open nor indexed yet, gets an
empty answer; a line past the end of the document is InvalidParams.
References carry no line text (LSP shows none), are built as JSON and
encoded on the worker (``convert.JsonAnswer``: an answer may hold tens of
thousands of locations), and document highlights search the cursor's file
only.  No SQL, no parsing here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from lsprotocol import types

from codeidx.errors import IndexUnavailable
from codeidx.lsp import convert, hovers
from codeidx.lsp.answers import remembered
from codeidx.lsp.core import CodeidxServer
from codeidx.lsp.live import Cursor, Views
from codeidx.lsp.runner import CancelToken
from codeidx.query.definition import Lookup
from codeidx.query.types import (
    DefinitionQuery,
    DefinitionResult,
    HoverResult,
    Location,
    ReferencesQuery,
    ReferencesResult,
)

R = TypeVar("R")


def indexed(answer: Callable[[], R]) -> R | None:
    """The answer, or None when the file is not in the index (yet)."""
    try:
        return answer()
    except IndexUnavailable:
        return None


def to_locations(root: Path, found: Iterable[Location]) -> list[types.Location]:
    """Query locations (already where the user sees them) as LSP locations."""
    uris = convert.UriCache(root)
    at = convert.to_lsp_location_at
    return [at(uris(loc.path), loc.line, loc.col, loc.end_col) for loc in found]


def references_answer(root: Path, result: ReferencesResult | None) -> convert.JsonAnswer:
    """The references of a query result as an encoded list of LSP locations."""
    if result is None:
        return convert.JsonAnswer.of([])
    uri = convert.UriCache(root).json
    at = convert.json_location
    return convert.JsonAnswer.of_array(
        [at(uri(r.path), r.line, r.col, r.end_col) for r in result.references]
    )


def definition_at(
    conn: sqlite3.Connection, root: Path, views: Views, cursor: Cursor
) -> DefinitionResult | None:
    """Go to definition at the cursor, or None when nothing can answer."""
    position = views.position(cursor)
    if position is None:
        return None
    overlay = views.overlay(conn)
    return indexed(lambda: overlay.find_definition(DefinitionQuery(position)))


def hover_at(
    conn: sqlite3.Connection, root: Path, views: Views, cursor: Cursor
) -> HoverResult | None:
    """Hover at the cursor, or None when nothing can answer."""
    position = views.position(cursor)
    if position is None:
        return None
    overlay = views.overlay(conn)
    return indexed(lambda: overlay.describe(DefinitionQuery(position)))


def references_at(
    conn: sqlite3.Connection,
    root: Path,
    views: Views,
    cursor: Cursor,
    declaration: bool,
    in_file_only: bool = False,
    found: Lookup | None = None,
) -> ReferencesResult | None:
    """References at the cursor (in its file only, for highlights), or None when nothing can answer.

    The locations carry no line text: LSP answers show none.  ``found`` is
    the overlay's lookup at the cursor, when the caller made it already.
    """
    position = views.position(cursor)
    if position is None:
        return None
    query = ReferencesQuery(
        position, include_declaration=declaration, in_file_only=in_file_only, with_text=False
    )
    overlay = views.overlay(conn)
    return indexed(lambda: overlay.find_references(query, found))


async def definition_answer(
    ls: CodeidxServer, method: str, uri: str, position: types.Position, links: bool
) -> list[types.Location] | list[types.LocationLink]:
    """Definition sites at a position, as ``LocationLink``s when ``links``.

    A link's origin range (the identifier under the cursor) is computed on
    the same query worker as the sites, so the answer takes one trip to the
    pool.
    """
    found = ls.cursor(uri, position)
    if found is None:
        return []
    state, cursor = found
    root, views = state.root, ls.views(state)

    def work(
        conn: sqlite3.Connection, token: CancelToken
    ) -> list[types.Location] | list[types.LocationLink]:
        result = definition_at(conn, root, views, cursor)
        if result is None:
            return []
        locations = to_locations(root, (d.location for d in result.definitions))
        if not links or not locations:
            return locations
        return convert.to_lsp_definitions(locations, views.word_range(cursor), links)

    return await state.runner.read(method, work, ls.unchanged(uri))


async def references(
    ls: CodeidxServer, params: types.ReferenceParams
) -> list[types.Location] | convert.JsonAnswer:
    uri = params.text_document.uri
    found = ls.cursor(uri, params.position)
    if found is None:
        return []
    state, cursor = found
    root, views = state.root, ls.views(state)
    declaration = params.context.include_declaration
    generation = state.settled_generation()

    def work(conn: sqlite3.Connection, token: CancelToken) -> convert.JsonAnswer:
        # The key's lookup is the search's: one lookup, in one version of the index.
        with views.overlay(conn).snapshot():
            key, found = _references_key(conn, views, cursor, declaration)

            def build() -> convert.JsonAnswer:
                result = references_at(conn, root, views, cursor, declaration, found=found)
                return references_answer(root, result)

            if key is None:
                return build()
            return remembered(state.answers, key, generation, views, conn, build)

    return await state.runner.read(types.TEXT_DOCUMENT_REFERENCES, work, ls.unchanged(uri))


def _references_key(
    conn: sqlite3.Connection, views: Views, cursor: Cursor, declaration: bool
) -> tuple[tuple[object, ...] | None, Lookup | None]:
    """What a references answer is about: the definitions at the cursor, not the cursor.

    Every position naming the same definitions has the same references, so
    an answer kept for one serves them all.  No key for a local variable
    (its answer is one function's, cheap) or where nothing resolves.  With
    the key comes the lookup it was read from, which the search then uses.
    """
    position = views.position(cursor)
    if position is None:
        return None, None
    found = indexed(lambda: views.overlay(conn).lookup(position))
    if found is None or found.name is None or found.scope is not None or not found.targets:
        return None, None
    ids = tuple(sorted(t.node_id for t in found.targets))
    return (types.TEXT_DOCUMENT_REFERENCES, ids, declaration), found


async def hover(ls: CodeidxServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    found = ls.cursor(uri, params.position)
    if found is None:
        return None
    state, cursor = found
    root, views, client = state.root, ls.views(state), ls.client

    def work(conn: sqlite3.Connection, token: CancelToken) -> types.Hover | None:
        result = hover_at(conn, root, views, cursor)
        if result is None or result.name is None:
            return None
        word = views.word_range(cursor)
        if result.local:
            line = result.binding.line if result.binding is not None else None
            return convert.to_lsp_local_hover(result.name, line, word, client)
        note = result.coverage.reason if result.coverage.partial else None
        return hovers.to_lsp_hover(result.targets, word, root, client, note)

    return await state.runner.read(types.TEXT_DOCUMENT_HOVER, work, ls.unchanged(uri))


async def highlight(
    ls: CodeidxServer, params: types.DocumentHighlightParams
) -> list[types.DocumentHighlight]:
    uri = params.text_document.uri
    found = ls.cursor(uri, params.position)
    if found is None:
        return []
    state, cursor = found
    root, views = state.root, ls.views(state)

    def work(conn: sqlite3.Connection, token: CancelToken) -> list[types.DocumentHighlight]:
        result = references_at(conn, root, views, cursor, declaration=True, in_file_only=True)
        if result is None:
            return []
        out = []
        for ref in result.references:
            if ref.path != cursor.path:
                continue
            where = convert.to_lsp_range(ref.line, ref.col, ref.line, ref.end_col)
            out.append(types.DocumentHighlight(where, convert.to_lsp_highlight_kind(ref.role)))
        return out

    return await state.runner.read(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT, work, ls.unchanged(uri))
