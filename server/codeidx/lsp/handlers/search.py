"""``codeidx/semanticSearch``: natural-language and keyword search over definitions.

The handler parses the params (``lsp.search_protocol``), runs one search on
a query worker with its own read connection (``SearchService.search``:
BM25, vectors and symbol names fused, see ``query.search``) and shapes the
answer.  Before the first index exists it is RequestFailed with a sentence,
like every read; a store or model that is unavailable degrades the mode and
adds a note, and ``partial`` is true while the stores lag behind the index.
No SQL and no ranking here.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from codeidx.lsp import extensions, search_protocol
from codeidx.lsp.core import CodeidxServer
from codeidx.lsp.runner import CancelToken
from codeidx.lsp.search_protocol import SemanticSearchResult


async def semantic_search(ls: CodeidxServer, params: Any) -> SemanticSearchResult:
    query = search_protocol.parse_params(params)
    service = ls.search
    root = ls.workspace_root

    def work(conn: sqlite3.Connection, token: CancelToken) -> SemanticSearchResult:
        token.check()
        result = service.search(conn, query)
        return search_protocol.to_result(root, result, [])

    return await ls.runner.read(extensions.SEMANTIC_SEARCH, work, lambda: True)
