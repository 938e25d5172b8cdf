"""Go to implementation: ``textDocument/implementation``.

The handler turns the request into a cursor on the loop; on a query worker
it reads the cursor in what the user sees (``lsp.live``), calls
``query.implementation.find_implementations`` with the request's overlay
of open buffers, and returns the implementations' names as locations, best
first.  When the client advertises ``textDocument.implementation.linkSupport``
they are ``LocationLink`` values whose origin is the identifier under the
cursor, as for definition (``convert.to_lsp_definitions``).

A file codeidx does not index, or that is neither open nor indexed yet,
gets an empty answer; a line past the end of the document is InvalidParams
(raised by ``Views.position``, mapped by the runner).  No SQL, no parsing,
no ranking here.
"""

from __future__ import annotations

import sqlite3

from lsprotocol import types

from codeidx.lsp import convert
from codeidx.lsp.core import CodeidxServer
from codeidx.lsp.handlers.navigation import indexed
from codeidx.lsp.runner import CancelToken
from codeidx.query.implementation import ImplementationQuery, find_implementations


async def implementation(
    ls: CodeidxServer, params: types.ImplementationParams
) -> list[types.Location] | list[types.LocationLink]:
    uri = params.text_document.uri
    found = ls.cursor(uri, params.position)
    if found is None:
        return []
    state, cursor = found
    method = types.TEXT_DOCUMENT_IMPLEMENTATION
    root, views, links = state.root, ls.views(state), ls.client.links_for(method)

    def work(
        conn: sqlite3.Connection, token: CancelToken
    ) -> list[types.Location] | list[types.LocationLink]:
        position = views.position(cursor)
        if position is None:
            return []
        overlay = views.overlay(conn)
        query = ImplementationQuery(position, line_text=False)
        result = indexed(lambda: find_implementations(conn, root, query, overlay))
        if result is None or not result.implementations:
            return []
        locations = [
            convert.to_lsp_location(root, loc.path, loc.line, loc.col, loc.end_col)
            for loc in (i.location for i in result.implementations)
        ]
        origin = views.word_range(cursor) if links else None
        return convert.to_lsp_definitions(locations, origin, links)

    return await state.runner.read(method, work, ls.unchanged(uri))
