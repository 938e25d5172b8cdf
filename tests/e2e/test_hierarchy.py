"""Call hierarchy (incoming and outgoing, with every call site) and type hierarchy."""

from __future__ import annotations

import pytest
from lsprotocol import types
from lsptest import Session

pytestmark = pytest.mark.e2e

REPORT, SHAPES = "app/report.py", "app/shapes.py"


def spans(ranges: list[types.Range]) -> list[tuple[int, int, int]]:
    return [(r.start.line, r.start.character, r.end.character) for r in ranges]


async def prepare_calls(ws: Session, rel: str, needle: str) -> types.CallHierarchyItem:
    items = await ws.client.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(ws.doc(rel), ws.find(rel, needle, offset=4))
    )
    assert items is not None and len(items) == 1
    return items[0]


async def test_outgoing_calls_list_callees_with_call_sites(ws: Session) -> None:
    item = await prepare_calls(ws, REPORT, "def build_report")
    assert (item.name, item.kind, item.uri) == (
        "build_report",
        types.SymbolKind.Function,
        ws.uri(REPORT),
    )
    calls = await ws.client.call_hierarchy_outgoing_calls_async(
        types.CallHierarchyOutgoingCallsParams(item)
    )
    assert [(c.to.name, c.to.uri, spans(list(c.from_ranges))) for c in calls or []] == [
        ("make_square", ws.uri(REPORT), [(4, 15, 26)]),
        ("format_total", ws.uri(REPORT), [(5, 11, 23)]),
        ("total_area", ws.uri(SHAPES), [(5, 24, 34)]),
    ]


async def test_incoming_calls_list_callers_with_call_sites(ws: Session) -> None:
    item = await prepare_calls(ws, SHAPES, "def total_area")
    calls = await ws.client.call_hierarchy_incoming_calls_async(
        types.CallHierarchyIncomingCallsParams(item)
    )
    assert [(c.from_.name, c.from_.uri, spans(list(c.from_ranges))) for c in calls or []] == [
        ("build_report", ws.uri(REPORT), [(5, 24, 34)]),
    ]
    # ``s.area()`` inside the generator: the receiver's type is unknown, so the
    # call resolves by name to the first ``area`` (and to the override).
    area = await prepare_calls(ws, SHAPES, "def area")
    callers = await ws.client.call_hierarchy_incoming_calls_async(
        types.CallHierarchyIncomingCallsParams(area)
    )
    assert [(c.from_.name, spans(list(c.from_ranges))) for c in callers or []] == [
        ("total_area", [(23, 17, 21)])
    ]


async def test_type_hierarchy_follows_inheritance_both_ways(ws: Session) -> None:
    async def prepare(needle: str) -> types.TypeHierarchyItem:
        items = await ws.client.text_document_prepare_type_hierarchy_async(
            types.TypeHierarchyPrepareParams(ws.doc(SHAPES), ws.find(SHAPES, needle, offset=6))
        )
        assert items is not None and len(items) == 1
        return items[0]

    square = await prepare("class Square")
    supers = await ws.client.type_hierarchy_supertypes_async(
        types.TypeHierarchySupertypesParams(square)
    )
    assert [(t.name, t.selection_range.start.line) for t in supers or []] == [("Shape", 3)]
    shape = await prepare("class Shape")
    subs = await ws.client.type_hierarchy_subtypes_async(types.TypeHierarchySubtypesParams(shape))
    assert [(t.name, t.selection_range.start.line) for t in subs or []] == [("Square", 11)]
    assert not await ws.client.type_hierarchy_supertypes_async(
        types.TypeHierarchySupertypesParams(shape)
    )
    # A function is not a type: nothing to prepare.
    none = await ws.client.text_document_prepare_type_hierarchy_async(
        types.TypeHierarchyPrepareParams(
            ws.doc(SHAPES), ws.find(SHAPES, "def total_area", offset=4)
        )
    )
    assert not none
