"""Definition and declaration answers shaped by the client: links or locations.

The definition sites come from ``handlers.navigation.definition_answer``;
when the client advertises ``linkSupport`` for the method, they become
``LocationLink`` values whose origin selection range is the identifier
under the cursor (``convert.to_lsp_definitions``).  The sites and the
origin are computed in one trip to a query worker, since the origin may
read the saved file.  No SQL, no parsing here.
"""

from __future__ import annotations

from lsprotocol import types

from codeidx.lsp.core import CodeidxServer
from codeidx.lsp.handlers import navigation


async def definition(
    ls: CodeidxServer, params: types.DefinitionParams
) -> list[types.Location] | list[types.LocationLink]:
    method = types.TEXT_DOCUMENT_DEFINITION
    links = ls.client.links_for(method)
    uri = params.text_document.uri
    return await navigation.definition_answer(ls, method, uri, params.position, links)


async def declaration(
    ls: CodeidxServer, params: types.DeclarationParams
) -> list[types.Location] | list[types.LocationLink]:
    # The index knows one kind of definition site: declaration and definition agree.
    method = types.TEXT_DOCUMENT_DECLARATION
    links = ls.client.links_for(method)
    uri = params.text_document.uri
    return await navigation.definition_answer(ls, method, uri, params.position, links)
