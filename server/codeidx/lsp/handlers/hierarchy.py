"""Call hierarchy and type hierarchy.

``prepare*`` resolves the identifier under the cursor (``query.definition``)
and keeps the callables (call hierarchy) or types (type hierarchy); each
item carries its node id and qualified name in ``data``.  Incoming and
outgoing calls come from ``query.calls.find_calls`` for that name, narrowed
to the item's node id, with one ``fromRange`` per call site (sites are the
position of the called name, so a range spans the callee's name).
Supertypes and subtypes follow ``inherits``/``implements`` edges through
``lsp.interim.related_types`` until the query layer has that function.
Handlers run on the loop, their work on a query worker.  No SQL here.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from codeidx.lsp import convert, interim
from codeidx.lsp.core import CodeidxServer
from codeidx.lsp.handlers.navigation import definition_at
from codeidx.lsp.live import Views
from codeidx.lsp.runner import CancelToken
from codeidx.query.calls import find_calls
from codeidx.query.types import CallGroup, CallSite, CallsQuery, Symbol

#: Definitions a call hierarchy starts from: what can be called or instantiated.
CALL_KINDS = frozenset(
    {"function", "method", "constructor", "macro", "class", "struct", "enum", "union"}
)
#: Definitions a type hierarchy starts from.
TYPE_KINDS = frozenset({"class", "struct", "interface", "trait", "enum", "union"})

Item = TypeVar("Item", types.CallHierarchyItem, types.TypeHierarchyItem)


def live_symbol(views: Views, symbol: Symbol) -> Symbol | None:
    """The symbol with its line in what the user sees; None when that line was edited."""
    line = views.to_live(symbol.path, symbol.line)
    if line is None:
        return None
    return symbol if line == symbol.line else dataclasses.replace(symbol, line=line)


def site_range(views: Views, site: CallSite, width: int) -> types.Range | None:
    """The range of a call site's name, in what the user sees."""
    line = views.to_live(site.path, site.line)
    if line is None:
        return None
    return convert.to_lsp_range(line, site.col, line, site.col + width)


def item_data(item: types.CallHierarchyItem | types.TypeHierarchyItem) -> tuple[int, str]:
    """(node id, qualified name) of an item this server made; InvalidParams otherwise."""
    data = convert.from_lsp_hierarchy_data(item.data)
    if data is None:
        raise JsonRpcInvalidParams("the hierarchy item does not carry codeidx data")
    return data


async def _prepare(
    ls: CodeidxServer,
    method: str,
    params: types.CallHierarchyPrepareParams | types.TypeHierarchyPrepareParams,
    kinds: frozenset[str],
    to_item: Callable[[Path, Symbol], Item],
) -> list[Item]:
    uri = params.text_document.uri
    cursor = ls.cursor(uri, params.position)
    if cursor is None:
        return []
    root, views = ls.workspace_root, ls.views()

    def work(conn: sqlite3.Connection, token: CancelToken) -> list[Item]:
        result = definition_at(conn, root, views, cursor)
        if result is None:
            return []
        out = []
        for found in result.definitions:
            if found.symbol is not None and found.symbol.kind in kinds:
                symbol = live_symbol(views, found.symbol)
                if symbol is not None:
                    out.append(to_item(root, symbol))
        return out

    return await ls.runner.read(method, work, ls.unchanged(uri))


async def prepare_calls(
    ls: CodeidxServer, params: types.CallHierarchyPrepareParams
) -> list[types.CallHierarchyItem]:
    method = types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY
    return await _prepare(ls, method, params, CALL_KINDS, convert.to_lsp_call_item)


async def prepare_types(
    ls: CodeidxServer, params: types.TypeHierarchyPrepareParams
) -> list[types.TypeHierarchyItem]:
    method = types.TEXT_DOCUMENT_PREPARE_TYPE_HIERARCHY
    return await _prepare(ls, method, params, TYPE_KINDS, convert.to_lsp_type_item)


def _group(
    conn: sqlite3.Connection, root: Path, node_id: int, name: str, incoming: bool
) -> CallGroup | None:
    result = find_calls(conn, root, CallsQuery(name, incoming))
    return next((g for g in result.groups if g.symbol.node_id == node_id), None)


async def incoming_calls(
    ls: CodeidxServer, params: types.CallHierarchyIncomingCallsParams
) -> list[types.CallHierarchyIncomingCall]:
    node_id, name = item_data(params.item)
    root, views = ls.workspace_root, ls.views()

    def work(conn: sqlite3.Connection, token: CancelToken) -> list[types.CallHierarchyIncomingCall]:
        group = _group(conn, root, node_id, name, incoming=True)
        if group is None:
            return []
        width = convert.utf16_len(group.symbol.name)
        out = []
        for call in group.calls:
            caller = live_symbol(views, call.symbol)
            ranges = [r for s in call.sites if (r := site_range(views, s, width)) is not None]
            if caller is not None and ranges:
                item = convert.to_lsp_call_item(root, caller)
                out.append(types.CallHierarchyIncomingCall(from_=item, from_ranges=ranges))
        return out

    return await ls.runner.read(types.CALL_HIERARCHY_INCOMING_CALLS, work)


async def outgoing_calls(
    ls: CodeidxServer, params: types.CallHierarchyOutgoingCallsParams
) -> list[types.CallHierarchyOutgoingCall]:
    node_id, name = item_data(params.item)
    root, views = ls.workspace_root, ls.views()

    def work(conn: sqlite3.Connection, token: CancelToken) -> list[types.CallHierarchyOutgoingCall]:
        group = _group(conn, root, node_id, name, incoming=False)
        if group is None:
            return []
        out = []
        for call in group.calls:
            callee = live_symbol(views, call.symbol)
            width = convert.utf16_len(call.symbol.name)
            ranges = [r for s in call.sites if (r := site_range(views, s, width)) is not None]
            if callee is not None and ranges:
                item = convert.to_lsp_call_item(root, callee)
                out.append(types.CallHierarchyOutgoingCall(to=item, from_ranges=ranges))
        return out

    return await ls.runner.read(types.CALL_HIERARCHY_OUTGOING_CALLS, work)


async def _related(
    ls: CodeidxServer, method: str, item: types.TypeHierarchyItem, supertypes: bool
) -> list[types.TypeHierarchyItem]:
    node_id, _name = item_data(item)
    root, views = ls.workspace_root, ls.views()

    def work(conn: sqlite3.Connection, token: CancelToken) -> list[types.TypeHierarchyItem]:
        out = []
        for symbol in interim.related_types(conn, node_id, supertypes):
            live = live_symbol(views, symbol)
            if live is not None:
                out.append(convert.to_lsp_type_item(root, live))
        return out

    return await ls.runner.read(method, work)


async def supertypes(
    ls: CodeidxServer, params: types.TypeHierarchySupertypesParams
) -> list[types.TypeHierarchyItem]:
    return await _related(ls, types.TYPE_HIERARCHY_SUPERTYPES, params.item, supertypes=True)


async def subtypes(
    ls: CodeidxServer, params: types.TypeHierarchySubtypesParams
) -> list[types.TypeHierarchyItem]:
    return await _related(ls, types.TYPE_HIERARCHY_SUBTYPES, params.item, supertypes=False)
