"""Symbols: the outline of one document and the workspace-wide symbol search.

``documentSymbol`` is the outline of what the user sees (``query.overlay``:
the live parse of an open buffer, else ``query.outline.file_outline``; the
file's definitions nested by parent, with full extents), as
``DocumentSymbol`` trees when the client supports them and as flat
``SymbolInformation`` otherwise.  ``workspace/symbol`` is
``query.symbols.search_symbols`` (fuzzy, camel humps included) over every
root's index, merged by score, with matches in open buffers moved to their
live positions (and dropped when the buffer no longer defines them), and
definitions typed into edited buffers but not saved yet are ranked the same
way and merged in (``Overlay.buffer_symbols``).  Among
equal scores, definitions in the open documents come first, then those in
their folders (``query.symbols.Proximity``); LSP does not say which
document has the focus, so every open document counts alike.  Handlers run
on the loop, their work on a query worker.  No SQL here.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

from lsprotocol import types

from codeidx.lsp import convert
from codeidx.lsp.core import CodeidxServer
from codeidx.lsp.roots import RootState
from codeidx.lsp.runner import CancelToken
from codeidx.query.symbols import Proximity, search_symbols
from codeidx.query.types import OutlineNode, OutlineResult, SymbolQuery

#: The most workspace symbols one answer lists (clients filter further as the user types).
WORKSPACE_SYMBOL_LIMIT = 100

log = logging.getLogger(__name__)

Outline = list[types.DocumentSymbol] | list[types.SymbolInformation]


def to_outline(result: OutlineResult, root: Path, hierarchical: bool) -> Outline:
    """The outline of one file as LSP symbols (see module doc)."""

    def build(node: OutlineNode) -> types.DocumentSymbol:
        symbol = node.symbol
        return types.DocumentSymbol(
            name=symbol.name,
            kind=convert.to_lsp_symbol_kind(symbol.kind),
            range=convert.to_lsp_range(
                node.start_line, node.start_col, node.end_line, node.end_col
            ),
            selection_range=convert.to_lsp_range(
                symbol.line, symbol.col, symbol.line, symbol.end_col
            ),
            detail=node.detail or None,
            children=[build(child) for child in node.children],
        )

    tree = [build(node) for node in result.nodes]
    if hierarchical:
        return tree
    return _flatten(tree, convert.path_to_uri(root, result.path), None)


def _flatten(
    tree: list[types.DocumentSymbol], uri: str, container: str | None
) -> list[types.SymbolInformation]:
    out: list[types.SymbolInformation] = []
    for sym in tree:
        out.append(
            types.SymbolInformation(
                name=sym.name,
                kind=sym.kind,
                location=types.Location(uri, sym.selection_range),
                container_name=container,
            )
        )
        out.extend(_flatten(list(sym.children or []), uri, sym.name))
    return out


async def document_symbols(ls: CodeidxServer, params: types.DocumentSymbolParams) -> Outline:
    uri = params.text_document.uri
    found = ls.route(uri)
    if found is None:
        return []
    state, path = found
    root, views, hierarchical = state.root, ls.views(state), ls.client.hierarchical_symbols

    def work(conn: sqlite3.Connection, token: CancelToken) -> Outline:
        result = views.overlay(conn).file_outline(path)
        return [] if result is None else to_outline(result, root, hierarchical)

    return await state.runner.read(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, work, ls.unchanged(uri))


async def workspace_symbols(
    ls: CodeidxServer, params: types.WorkspaceSymbolParams
) -> list[types.SymbolInformation]:
    text = params.query.strip()
    if not text:
        # The query layer needs part of a name; an empty query lists nothing.
        return []
    states = list(ls.roots)
    answers = await asyncio.gather(
        *(_root_symbols(ls, state, text) for state in states), return_exceptions=True
    )
    scored: list[tuple[float, int, int, types.SymbolInformation]] = []
    failures: list[BaseException] = []
    for answer in answers:
        if isinstance(answer, BaseException):
            failures.append(answer)
        else:
            scored.extend((score, near, len(scored), info) for score, near, info in answer)
    if failures and not scored:
        # Every root failed (no index yet, say): one root's error says why.
        raise failures[0]
    for failure in failures:
        log.debug("workspace/symbol: a root did not answer: %s", failure)
    # Roots merge as each root orders its own answer: score, then proximity.
    scored.sort(key=lambda entry: (-entry[0], entry[1], entry[2]))
    return [entry[3] for entry in scored[:WORKSPACE_SYMBOL_LIMIT]]


async def _root_symbols(
    ls: CodeidxServer, state: RootState, text: str
) -> list[tuple[float, int, types.SymbolInformation]]:
    """One root's best matches with their scores and proximity, at the positions the user sees."""
    root, views = state.root, ls.views(state)
    near = sorted(views.open_documents)
    places = Proximity(near)

    def work(
        conn: sqlite3.Connection, token: CancelToken
    ) -> list[tuple[float, int, types.SymbolInformation]]:
        query = SymbolQuery(text, limit=WORKSPACE_SYMBOL_LIMIT)
        result = search_symbols(conn, query, near=near)
        overlay = views.overlay(conn)
        out = []
        seen: set[int] = set()
        for match in result.matches:
            token.check()
            symbol = overlay.live_symbol(match.symbol)
            if symbol is not None:
                seen.add(symbol.node_id)
                info = convert.to_lsp_workspace_symbol(root, symbol)
                out.append((match.score, places.of(symbol.path), info))
        # Definitions typed into edited buffers and not saved yet.
        for match in overlay.buffer_symbols(text, WORKSPACE_SYMBOL_LIMIT):
            if match.symbol.node_id not in seen:
                info = convert.to_lsp_workspace_symbol(root, match.symbol)
                out.append((match.score, places.of(match.symbol.path), info))
        return out

    return await state.runner.read(types.WORKSPACE_SYMBOL, work)
