"""Symbols: the outline of one document and the workspace-wide symbol search.

``documentSymbol`` reads the file's definitions (``lsp.interim.file_outline``
until the query layer has an outline) and nests them by parent, as
``DocumentSymbol`` trees when the client supports them and as flat
``SymbolInformation`` otherwise.  Lines are mapped into the open buffer; a
definition whose name line was edited since the last save is left out and
its children move up a level.  ``workspace/symbol`` is
``query.symbols.search_symbols`` (fuzzy, camel humps included).  Handlers
run on the loop, their work on a query worker.  No SQL here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from lsprotocol import types

from codeidx.lsp import convert, interim
from codeidx.lsp.core import CodeidxServer
from codeidx.lsp.live import Views
from codeidx.lsp.runner import CancelToken
from codeidx.query.symbols import search_symbols
from codeidx.query.types import SymbolQuery
from codeidx.store.nodes import NodeRow

#: The most workspace symbols one answer lists (clients filter further as the user types).
WORKSPACE_SYMBOL_LIMIT = 100

Outline = list[types.DocumentSymbol] | list[types.SymbolInformation]


def to_outline(rows: list[NodeRow], views: Views, path: str, hierarchical: bool) -> Outline:
    """The definitions of one file as LSP symbols (see module doc)."""
    lines = views.lines(path)
    mapping = views.line_map(path)
    # The module node is the file itself: its children are the top level.
    roots = {row.node_id for row in rows if row.kind == "module" and row.parent_id is None}
    ids = {row.node_id for row in rows} - roots
    children: dict[int | None, list[NodeRow]] = {}
    for row in rows:
        if row.node_id in roots:
            continue
        parent = row.parent_id if row.parent_id in ids else None
        children.setdefault(parent, []).append(row)

    def extent(row: NodeRow, name_line: int) -> types.Range:
        start, end = row.start_line, row.end_line
        if mapping is not None:
            start = mapping.to_live_nearest(start, end=False)
            end = mapping.to_live_nearest(end, end=True)
        start, end = min(start, name_line), max(end, name_line)
        end_col = convert.utf16_len(lines[end]) if end < len(lines) else 0
        return convert.to_lsp_range(start, 0, end, end_col)

    def build(row: NodeRow) -> list[types.DocumentSymbol]:
        inner = [s for child in children.get(row.node_id, []) for s in build(child)]
        name_line = views.to_live(path, row.name_line)
        if name_line is None:
            return inner
        selection = convert.to_lsp_range(name_line, row.name_col, name_line, row.name_end_col)
        return [
            types.DocumentSymbol(
                name=row.name,
                kind=convert.to_lsp_symbol_kind(row.kind),
                range=extent(row, name_line),
                selection_range=selection,
                detail=row.signature or None,
                children=inner,
            )
        ]

    tree = [s for row in children.get(None, []) for s in build(row)]
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
        rows = interim.file_outline(conn, path)
        return [] if rows is None else to_outline(rows, views, path, hierarchical)

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
