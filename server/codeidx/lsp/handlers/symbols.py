"""Symbols: the outline of one document and the workspace-wide symbol search.

``documentSymbol`` is ``query.outline.file_outline`` (the file's definitions
nested by parent, with full extents), as ``DocumentSymbol`` trees when the
client supports them and as flat ``SymbolInformation`` otherwise.  Lines are
mapped into the open buffer (an edited line's extent spans the line); a
definition whose name line was edited since the last save is left out and
its children move up a level.  ``workspace/symbol`` is
``query.symbols.search_symbols`` (fuzzy, camel humps included).  Handlers
run on the loop, their work on a query worker.  No SQL here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from lsprotocol import types

from codeidx.lsp import convert
from codeidx.lsp.core import CodeidxServer
from codeidx.lsp.live import Views
from codeidx.lsp.runner import CancelToken
from codeidx.query.outline import file_outline
from codeidx.query.symbols import search_symbols
from codeidx.query.types import OutlineNode, OutlineResult, SymbolQuery

#: The most workspace symbols one answer lists (clients filter further as the user types).
WORKSPACE_SYMBOL_LIMIT = 100

Outline = list[types.DocumentSymbol] | list[types.SymbolInformation]


def to_outline(result: OutlineResult, views: Views, hierarchical: bool) -> Outline:
    """The outline of one file as LSP symbols (see module doc)."""
    path = result.path
    lines = views.lines(path)
    mapping = views.line_map(path)

    def point(line: int, col: int, end: bool) -> tuple[int, int]:
        # An unchanged line keeps its columns; an edited one spans the whole line.
        if mapping is None:
            return line, col
        live = mapping.to_live(line)
        if live is not None:
            return live, col
        live = mapping.to_live_nearest(line, end=end)
        if not end:
            return live, 0
        return live, convert.utf16_len(lines[live]) if live < len(lines) else 0

    def build(node: OutlineNode) -> list[types.DocumentSymbol]:
        inner = [s for child in node.children for s in build(child)]
        symbol = node.symbol
        name_line = views.to_live(path, symbol.line)
        if name_line is None:
            return inner
        selection = convert.to_lsp_range(name_line, symbol.col, name_line, symbol.end_col)
        start = min(point(node.start_line, node.start_col, end=False), (name_line, symbol.col))
        stop = max(point(node.end_line, node.end_col, end=True), (name_line, symbol.end_col))
        return [
            types.DocumentSymbol(
                name=symbol.name,
                kind=convert.to_lsp_symbol_kind(symbol.kind),
                range=convert.to_lsp_range(*start, *stop),
                selection_range=selection,
                detail=node.detail or None,
                children=inner,
            )
        ]

    tree = [s for node in result.nodes for s in build(node)]
    if hierarchical:
        return tree
    return _flatten(tree, convert.path_to_uri(views.root, path), None)


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
    path = ls.source_path(uri)
    if path is None:
        return []
    views, hierarchical = ls.views(), ls.client.hierarchical_symbols

    def work(conn: sqlite3.Connection, token: CancelToken) -> Outline:
        result = file_outline(conn, path)
        return [] if result is None else to_outline(result, views, hierarchical)

    return await ls.runner.read(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, work, ls.unchanged(uri))


async def workspace_symbols(
    ls: CodeidxServer, params: types.WorkspaceSymbolParams
) -> list[types.SymbolInformation]:
    text = params.query.strip()
    if not text:
        # The query layer needs part of a name; an empty query lists nothing.
        return []
    root: Path = ls.workspace_root
    views = ls.views()

    def work(conn: sqlite3.Connection, token: CancelToken) -> list[types.SymbolInformation]:
        result = search_symbols(conn, SymbolQuery(text, limit=WORKSPACE_SYMBOL_LIMIT))
        out = []
        for match in result.matches:
            token.check()
            symbol = match.symbol
            location = views.location(symbol.path, symbol.line, symbol.col, symbol.end_col)
            if location is None:
                continue
            info = convert.to_lsp_workspace_symbol(root, symbol)
            info.location = location
            out.append(info)
        return out

    return await ls.runner.read(types.WORKSPACE_SYMBOL, work)
