"""The outline of a document and the workspace symbol search."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from lsptest import Session, where

pytestmark = pytest.mark.e2e

SHAPES = "app/shapes.py"


def outline(symbols: list[types.DocumentSymbol]) -> list[tuple]:
    """(name, kind, range lines, selection start, children) of each symbol, recursively."""
    return [
        (
            s.name,
            s.kind,
            (s.range.start.line, s.range.end.line),
            (s.selection_range.start.line, s.selection_range.start.character),
            outline(list(s.children or [])),
        )
        for s in symbols
    ]


async def test_document_symbols_nest_members_in_classes(ws: Session) -> None:
    found = await ws.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(ws.doc(SHAPES))
    )
    assert found is not None and all(isinstance(s, types.DocumentSymbol) for s in found)
    kind = types.SymbolKind
    assert outline(found) == [  # type: ignore[arg-type]
        ("Shape", kind.Class, (3, 8), (3, 6), [("area", kind.Method, (6, 8), (6, 8), [])]),
        (
            "Square",
            kind.Class,
            (11, 18),
            (11, 6),
            [
                ("__init__", kind.Constructor, (14, 15), (14, 8), []),
                # `self.side = side` in __init__ makes side a field of the class.
                ("side", kind.Field, (15, 15), (15, 13), []),
                ("area", kind.Method, (17, 18), (17, 8), []),
            ],
        ),
        ("total_area", kind.Function, (21, 23), (21, 4), []),
    ]
    assert found[2].detail == "def total_area(shapes: list[Shape]) -> float"
    # Ranges carry real columns: a method starts at its indented ``def`` and a
    # definition ends where its last statement ends.
    assert found[2].range == types.Range(
        types.Position(21, 0),
        types.Position(23, len("    return sum(s.area() for s in shapes)")),
    )
    area = found[0].children[0]  # type: ignore[index]
    assert area.range == types.Range(
        types.Position(6, 4), types.Position(8, len("        return 0.0"))
    )
    assert area.selection_range == types.Range(types.Position(6, 8), types.Position(6, 12))


async def test_workspace_symbols_match_camel_humps(ws: Session) -> None:
    async def search(query: str) -> list[tuple]:
        found = await ws.client.workspace_symbol_async(types.WorkspaceSymbolParams(query))
        return [(s.name, s.container_name, where(s.location, ws.root)) for s in found or []]

    assert (await search("MkSq"))[0] == ("make_square", "app.report", ("app/report.py", 8, 4, 15))
    assert (await search("fmtTot"))[0] == (
        "format_total",
        "app.report",
        ("app/report.py", 12, 4, 16),
    )
    assert await search("") == []


async def test_workspace_symbols_prefer_the_open_document_among_equal_matches(
    ws: Session,
) -> None:
    report = ws.root / "app/report.py"
    report.write_text(report.read_text() + "\n\ndef area() -> float:\n    return 0.0\n")
    ws.save("app/report.py")
    await ws.events.wait_saved("app/report.py")

    async def files(query: str) -> list[str]:
        found = await ws.client.workspace_symbol_async(types.WorkspaceSymbolParams(query))
        return [where(s.location, ws.root)[0] for s in found or []][:3]

    # Three definitions named ``area`` match alike (``total_area`` comes after them): by
    # path with no document open, the open document's first once it is open.
    assert await files("area") == ["app/report.py", "app/shapes.py", "app/shapes.py"]
    ws.open(SHAPES)
    assert await files("area") == ["app/shapes.py", "app/shapes.py", "app/report.py"]


async def test_symbol_names_are_ready_before_the_first_search(ws: Session) -> None:
    # Once the first run has ended, a query worker prepares the names that
    # workspace symbols rank, unasked, and says so in the log.
    async def ready() -> None:
        while not any("workspace symbols:" in m.message for m in ws.client.log_messages):
            await ws.client.wait_for_notification(types.WINDOW_LOG_MESSAGE)

    await asyncio.wait_for(ready(), 60)
    line = next(m.message for m in ws.client.log_messages if "workspace symbols:" in m.message)
    assert " names of " in line and " ready in " in line
    found = await ws.client.workspace_symbol_async(types.WorkspaceSymbolParams(query="total_ar"))
    assert found and found[0].name == "total_area"
