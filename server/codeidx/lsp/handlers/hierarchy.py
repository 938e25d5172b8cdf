"""Call hierarchy and type hierarchy.

``prepareCallHierarchy`` resolves the identifier under the cursor
(``query.definition``) and keeps the callables; ``prepareTypeHierarchy`` is
``query.hierarchy.prepare_types``.  Each item carries its node id and
qualified name in ``data``.  Incoming and outgoing calls come from
``query.calls.find_calls_by_id`` for the item's node id, with one
``fromRange`` per call site (sites are the position of the called name, so a
range spans the callee's name).  Supertypes and subtypes are
``query.hierarchy.find_supertypes`` / ``find_subtypes`` (``inherits`` and
``implements`` edges, Rust impls included).
Items and sites are reported where the user sees them: the definitions
through the query overlay (open buffers over the index; an item whose
definition an open buffer no longer has is dropped), the stored call sites
of an open file through its line map (``lsp.live``; sites on edited lines
are dropped).  Incoming and outgoing calls, supertypes and subtypes are
built as JSON and encoded on the worker (``convert.JsonAnswer``): a much
used method has tens of thousands of callers, a base class thousands of
subtypes.  Handlers run on the loop, their work on a query
worker.
No SQL here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from codeidx.lsp import convert
from codeidx.lsp.answers import remembered
from codeidx.lsp.core import CodeidxServer
from codeidx.lsp.handlers.navigation import definition_at, indexed
from codeidx.lsp.live import Views
from codeidx.lsp.runner import CancelToken
from codeidx.query.calls import find_calls_by_id
from codeidx.query.hierarchy import find_subtypes, find_supertypes
from codeidx.query.overlay import Overlay
from codeidx.query.types import CallGroup, DefinitionQuery, Symbol

#: Definitions a call hierarchy starts from: what can be called or instantiated.
CALL_KINDS = frozenset(
    {"function", "method", "constructor", "macro", "class", "struct", "enum", "union"}
)


#: From this many callers or callees on, an answer's ranges are written all
#: at once (``convert.json_name_ranges_by_row``); below, one row at a time
#: costs less than setting that up.
BULK_ROWS = 64


def site_ranges(views: Views, path: str, sites: list[tuple[int, int]], width: int) -> str:
    """The ranges of call sites' names in what the user sees, comma-separated JSON texts.

    ``sites`` are (line, col) in the saved text of ``path``; only an open
    buffer that differs from it moves them, and drops those on edited lines.
    """
    moved = views.line_map(path)
    if moved is None:
        return convert.json_name_ranges(sites, width)
    to_live = moved.to_live
    kept = [(line, col) for saved, col in sites if (line := to_live(saved)) is not None]
    return convert.json_name_ranges(kept, width)


def calls_answer(
    root: Path, views: Views, overlay: Overlay, group: CallGroup | None, incoming: bool
) -> convert.JsonAnswer:
    """Incoming or outgoing calls of a call group as an encoded LSP answer.

    A caller or callee an open buffer dropped, or whose every site was
    edited, is left out.  Written from the group's packed rows: a much
    called method has tens of thousands of callers, and one outside the
    overlay's buffers is where the index says, so it needs no ``Symbol``.
    """
    if group is None:
        return convert.JsonAnswer.of([])
    uris = convert.UriCache(root)
    end = '{"from":' if incoming else '{"to":'
    rows = group.calls.rows
    utf16_len, item_of = convert.utf16_len, convert.json_hierarchy_item_of
    if incoming:
        widths = [utf16_len(group.symbol.name)] * len(rows)
    else:
        widths = [utf16_len(row.name) for row in rows]
    # Every row's ranges at the saved lines, written at once when there are
    # many; the rows whose sites lie in several files or in an edited buffer
    # are written site by site.
    bulk = len(rows) >= BULK_ROWS
    written = [""] * len(rows)
    if bulk:
        counts, lines, cols = group.calls.site_columns()
        written = convert.json_name_ranges_by_row(counts, lines, cols, widths)
    # Per path: whether an edited open buffer moves its lines, or stands
    # for its definitions.
    moved: dict[str, bool] = {}
    buffered: dict[str, bool] = {}
    out = []
    for row, ranges, width in zip(rows, written, widths, strict=True):
        path, line, col, _kind, _first, node_id, name, qualified, node_kind = row[:9]
        sites = row.sites
        one_file = sites[0][0] if len(sites) == 1 else None
        if bulk and one_file is not None:
            edited = moved.get(one_file)
            if edited is None:
                edited = moved[one_file] = views.line_map(one_file) is not None
        else:
            edited = True
        if edited:
            texts = [site_ranges(views, *per_file, width) for per_file in row.site_lines()]
            ranges = ",".join([text for text in texts if text])
        if not ranges:
            continue
        live = buffered.get(path)
        if live is None:
            live = buffered[path] = overlay.live(path) is not None
        if not live:
            item = item_of(node_id, name, qualified, node_kind, path, line, col, row.end_col, uris)
        else:
            other = overlay.live_symbol(row.symbol())
            if other is None:
                continue
            item = convert.json_hierarchy_item(other, uris)
        out.append(f'{end}{item},"fromRanges":[{ranges}]}}')
    return convert.JsonAnswer.of_array(out)


def item_data(item: types.CallHierarchyItem | types.TypeHierarchyItem) -> tuple[int, str]:
    """(node id, qualified name) of an item this server made; InvalidParams otherwise."""
    data = convert.from_lsp_hierarchy_data(item.data)
    if data is None:
        raise JsonRpcInvalidParams("the hierarchy item does not carry codeidx data")
    return data


async def prepare_calls(
    ls: CodeidxServer, params: types.CallHierarchyPrepareParams
) -> list[types.CallHierarchyItem]:
    uri = params.text_document.uri
    found = ls.cursor(uri, params.position)
    if found is None:
        return []
    state, cursor = found
    root, views = state.root, ls.views(state)

    def work(conn: sqlite3.Connection, token: CancelToken) -> list[types.CallHierarchyItem]:
        result = definition_at(conn, root, views, cursor)
        if result is None:
            return []
        found = [d.symbol for d in result.definitions if d.symbol is not None]
        return [convert.to_lsp_call_item(root, s) for s in found if s.kind in CALL_KINDS]

    method = types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY
    return await state.runner.read(method, work, ls.unchanged(uri))


async def prepare_types(
    ls: CodeidxServer, params: types.TypeHierarchyPrepareParams
) -> list[types.TypeHierarchyItem]:
    uri = params.text_document.uri
    found = ls.cursor(uri, params.position)
    if found is None:
        return []
    state, cursor = found
    root, views = state.root, ls.views(state)

    def work(conn: sqlite3.Connection, token: CancelToken) -> list[types.TypeHierarchyItem]:
        position = views.position(cursor)
        if position is None:
            return []
        overlay = views.overlay(conn)
        result = indexed(lambda: overlay.prepare_types(DefinitionQuery(position)))
        found = [] if result is None else result.types
        return [convert.to_lsp_type_item(root, s) for s in found]

    method = types.TEXT_DOCUMENT_PREPARE_TYPE_HIERARCHY
    return await state.runner.read(method, work, ls.unchanged(uri))


def live_symbols(overlay: Overlay, symbols: list[Symbol]) -> list[Symbol]:
    """The symbols where the user sees them, without those an open buffer dropped."""
    return [s for symbol in symbols if (s := overlay.live_symbol(symbol)) is not None]


async def incoming_calls(
    ls: CodeidxServer, params: types.CallHierarchyIncomingCallsParams
) -> convert.JsonAnswer:
    return await _calls(ls, types.CALL_HIERARCHY_INCOMING_CALLS, params.item, incoming=True)


async def outgoing_calls(
    ls: CodeidxServer, params: types.CallHierarchyOutgoingCallsParams
) -> convert.JsonAnswer:
    return await _calls(ls, types.CALL_HIERARCHY_OUTGOING_CALLS, params.item, incoming=False)


async def _calls(
    ls: CodeidxServer, method: str, item: types.CallHierarchyItem, incoming: bool
) -> convert.JsonAnswer:
    node_id, _name = item_data(item)
    state = ls.state_of(item.uri)
    root, views = state.root, ls.views(state)
    generation = state.settled_generation()

    def work(conn: sqlite3.Connection, token: CancelToken) -> convert.JsonAnswer:
        def build() -> convert.JsonAnswer:
            group = find_calls_by_id(conn, root, node_id, incoming=incoming, with_text=False)
            return calls_answer(root, views, views.overlay(conn), group, incoming)

        key = (method, node_id)
        return remembered(state.answers, key, generation, views, conn, build)

    return await state.runner.read(method, work)


async def _related(
    ls: CodeidxServer, method: str, item: types.TypeHierarchyItem, supertypes: bool
) -> convert.JsonAnswer:
    node_id, _name = item_data(item)
    state = ls.state_of(item.uri)
    root, views = state.root, ls.views(state)
    find = find_supertypes if supertypes else find_subtypes
    generation = state.settled_generation()

    def work(conn: sqlite3.Connection, token: CancelToken) -> convert.JsonAnswer:
        def build() -> convert.JsonAnswer:
            result = find(conn, node_id)
            related = live_symbols(views.overlay(conn), [r.symbol for r in result.related])
            uris = convert.UriCache(root)
            items = [convert.json_hierarchy_item(s, uris) for s in related]
            return convert.JsonAnswer.of_array(items)

        return remembered(state.answers, (method, node_id), generation, views, conn, build)

    return await state.runner.read(method, work)


async def supertypes(
    ls: CodeidxServer, params: types.TypeHierarchySupertypesParams
) -> convert.JsonAnswer:
    return await _related(ls, types.TYPE_HIERARCHY_SUPERTYPES, params.item, supertypes=True)


async def subtypes(
    ls: CodeidxServer, params: types.TypeHierarchySubtypesParams
) -> convert.JsonAnswer:
    return await _related(ls, types.TYPE_HIERARCHY_SUBTYPES, params.item, supertypes=False)
