"""Definition and declaration answers shaped by the client: links or locations.

The definition sites come from ``handlers.navigation`` unchanged (a list of
``Location``); when the client advertises ``linkSupport`` for the method,
they become ``LocationLink`` values whose origin selection range is the
identifier under the cursor (``convert.to_lsp_definitions``).  The origin
is computed on a query worker, since it may read the saved file.  No SQL,
no parsing here.
"""

from __future__ import annotations

from lsprotocol import types

from codeidx.lsp import convert
from codeidx.lsp.core import CodeidxServer
from codeidx.lsp.handlers import navigation
from codeidx.lsp.runner import CancelToken


async def _shaped(
    ls: CodeidxServer,
    method: str,
    uri: str,
    position: types.Position,
    locations: list[types.Location],
) -> list[types.Location] | list[types.LocationLink]:
    links = ls.client.links_for(method)
    if not links or not locations:
        return locations
    found = ls.cursor(uri, position)
    if found is None:
        return locations
    state, cursor = found
    views = ls.views(state)

    def origin(token: CancelToken) -> types.Range | None:
        return views.word_range(cursor)

    word = await state.runner.call(method, origin, ls.unchanged(uri))
    return convert.to_lsp_definitions(locations, word, links)


async def definition(
    ls: CodeidxServer, params: types.DefinitionParams
) -> list[types.Location] | list[types.LocationLink]:
    found = await navigation.definition(ls, params)
    method = types.TEXT_DOCUMENT_DEFINITION
    return await _shaped(ls, method, params.text_document.uri, params.position, found)


async def declaration(
    ls: CodeidxServer, params: types.DeclarationParams
) -> list[types.Location] | list[types.LocationLink]:
    found = await navigation.declaration(ls, params)
    method = types.TEXT_DOCUMENT_DECLARATION
    return await _shaped(ls, method, params.text_document.uri, params.position, found)
