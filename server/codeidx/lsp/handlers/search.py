"""``codeidx/semanticSearch``: natural-language and keyword search over definitions.

The handler parses the params (``lsp.search_protocol``), runs one search per
workspace folder on that folder's query workers, each with its own read
connection (``SearchService.search``: BM25, vectors and symbol names fused,
see ``query.search``), and merges the folders' answers by score.  A folder
without an index yet adds a note instead of failing the request, unless no
folder can answer (then the error of one says why).  A store or model that is
unavailable degrades the mode and adds a note, and ``partial`` is true while
the stores lag behind the index.  No SQL and no ranking here.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from codeidx.lsp import extensions, search_protocol
from codeidx.lsp.core import CodeidxServer, search_of
from codeidx.lsp.roots import RootState
from codeidx.lsp.runner import CancelToken
from codeidx.lsp.search_protocol import SemanticSearchResult
from codeidx.query.search import SearchQuery


async def semantic_search(ls: CodeidxServer, params: Any) -> SemanticSearchResult:
    query = search_protocol.parse_params(params)
    states = list(ls.roots)
    if len(states) <= 1:
        return await _root_search(ls.first_root, query)
    answers = await asyncio.gather(
        *(_root_search(state, query) for state in states), return_exceptions=True
    )
    found = [a for a in answers if isinstance(a, SemanticSearchResult)]
    failures = [a for a in answers if isinstance(a, BaseException)]
    if not found:
        raise failures[0]
    notes = [
        f"{state.root.name}: {failure}"
        for state, failure in zip(states, answers, strict=True)
        if isinstance(failure, BaseException)
    ]
    return search_protocol.merge(found, query.limit, notes)


async def _root_search(state: RootState, query: SearchQuery) -> SemanticSearchResult:
    service = search_of(state)
    root = state.root

    def work(conn: sqlite3.Connection, token: CancelToken) -> SemanticSearchResult:
        token.check()
        result = service.search(conn, query)
        return search_protocol.to_result(root, result, [])

    return await state.runner.read(extensions.SEMANTIC_SEARCH, work, lambda: True)
