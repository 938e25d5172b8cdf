"""Unsaved buffers: answers come from the text in the editor, not from the saved files.

The ``live`` workspace has Python and TypeScript files with characters
outside ASCII (and outside the Basic Multilingual Plane) on the lines the
tests edit and query, so every column is checked in UTF-16 code units.
Nothing here is saved: the index only ever sees the files as copied.
"""

from __future__ import annotations

import pytest
from lsprotocol import types
from lsptest import Session, position_of, where

pytestmark = [pytest.mark.e2e, pytest.mark.workspace("live")]

MAIN, GEOMETRY, APP = "pkg/main.py", "pkg/geometry.py", "web/app.ts"
NEW_FUNCTION = (
    "def diagonal(w: float, h: float) -> float:\n"
    '    """Länge 😀 der Diagonale."""\n'
    "    return (w * w + h * h) ** 0.5\n\n\n"
)


def insert(line: int, character: int, text: str) -> types.TextDocumentContentChangePartial:
    at = types.Position(line, character)
    return types.TextDocumentContentChangePartial(range=types.Range(at, at), text=text)


def replace(line: int, start: int, end: int, text: str) -> types.TextDocumentContentChangePartial:
    span = types.Range(types.Position(line, start), types.Position(line, end))
    return types.TextDocumentContentChangePartial(range=span, text=text)


async def definition(ws: Session, rel: str, position: types.Position) -> list[tuple]:
    found = await ws.client.text_document_definition_async(
        types.DefinitionParams(ws.doc(rel), position)
    )
    return [where(loc, ws.root) for loc in found or []]


async def references(ws: Session, rel: str, position: types.Position) -> list[tuple]:
    found = await ws.client.text_document_references_async(
        types.ReferenceParams(
            context=types.ReferenceContext(include_declaration=True),
            text_document=ws.doc(rel),
            position=position,
        )
    )
    return sorted(where(loc, ws.root) for loc in found or [])


async def test_a_function_typed_but_not_saved_is_found_hovered_and_outlined(ws: Session) -> None:
    ws.open(MAIN)
    # Above the comment with astral characters: a new function, and a call to
    # it appended to the line after the comment.
    ws.edit(MAIN, [insert(2, 0, NEW_FUNCTION)])
    text = ws.text(MAIN).replace("# Größe", NEW_FUNCTION + "# Größe")
    call_line = "print(area(2.0, 3.0), perimeter(2.0, 3.0))"
    ws.edit(MAIN, [insert(8, len(call_line), "; x = '😀'; diagonal(1.0, 2.0)")])
    text = text.replace(call_line, call_line + "; x = '😀'; diagonal(1.0, 2.0)")

    at_call = position_of(text, "diagonal(1.0", offset=2)
    assert await definition(ws, MAIN, at_call) == [(MAIN, 2, 4, 12)]
    # ``area`` on the same edited line resolves through the index.
    at_area = position_of(text, "area(2.0", offset=1)
    assert await definition(ws, MAIN, at_area) == [(GEOMETRY, 3, 4, 8)]

    hover = await ws.client.text_document_hover_async(types.HoverParams(ws.doc(MAIN), at_call))
    assert hover is not None and "Länge 😀 der Diagonale." in hover.contents.value
    start = at_call.character - 2
    assert hover.range == types.Range(
        types.Position(at_call.line, start), types.Position(at_call.line, start + 8)
    )

    symbols = await ws.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(ws.doc(MAIN))
    )
    assert [(s.name, s.selection_range.start.line) for s in symbols or []] == [
        ("diagonal", 2),
        ("x", 8),
    ]

    at_def = position_of(text, "def diagonal", offset=5)
    assert await references(ws, MAIN, at_def) == [
        (MAIN, 2, 4, 12),
        (MAIN, 8, start, start + 8),
    ]

    # Workspace symbols find the unsaved function at its live position, and still
    # find the indexed ones.
    found = await ws.client.workspace_symbol_async(types.WorkspaceSymbolParams("diag"))
    assert [(s.name, where(s.location, ws.root)) for s in found or []] == [
        ("diagonal", (MAIN, 2, 4, 12))
    ]
    found = await ws.client.workspace_symbol_async(types.WorkspaceSymbolParams("area"))
    assert (GEOMETRY, 3, 4, 8) in [where(s.location, ws.root) for s in found or []]


async def test_edits_above_move_answers_in_an_open_file(ws: Session) -> None:
    ws.open(GEOMETRY)
    # Two lines inserted at the top of geometry.py; main.py stays closed.
    ws.edit(GEOMETRY, [insert(0, 0, "# 😀 ünïcödé\nimport math\n")])
    at_area = ws.find(MAIN, "area(2.0", offset=1)
    assert await definition(ws, MAIN, at_area) == [(GEOMETRY, 5, 4, 8)]
    at_def = types.Position(5, 5)
    assert await references(ws, GEOMETRY, at_def) == [
        (GEOMETRY, 5, 4, 8),
        (MAIN, 0, 25, 29),
        (MAIN, 3, 6, 10),
    ]
    # Renamed in the buffer: the saved name is gone from the answers.
    ws.edit(GEOMETRY, [replace(5, 4, 8, "surface")])
    assert await definition(ws, MAIN, at_area) == []


async def test_a_renamed_local_in_typescript_is_highlighted_where_it_stands(ws: Session) -> None:
    ws.open(APP)
    text = ws.text(APP)
    # Rename ``limited`` to ``bornée`` on both lines, and add a line above
    # them with a character outside the Basic Multilingual Plane.
    ws.edit(APP, [replace(3, 8, 15, "bornée"), replace(4, 9, 16, "bornée")])
    ws.edit(APP, [insert(3, 0, "  const note = '𝔘';\n")])
    text = text.replace("limited", "bornée").replace(
        "  const bornée", "  const note = '𝔘';\n  const bornée"
    )
    use = position_of(text, "bornée * 2", offset=2)
    assert await definition(ws, APP, use) == [(APP, 4, 8, 14)]
    highlights = await ws.client.text_document_document_highlight_async(
        types.DocumentHighlightParams(ws.doc(APP), use)
    )
    assert sorted(
        (h.range.start.line, h.range.start.character, h.range.end.character)
        for h in highlights or []
    ) == [(4, 8, 14), (5, 9, 15)]
    # ``clamp`` still resolves through the import into the saved util.ts.
    at_clamp = position_of(text, "clamp(input", offset=1)
    assert await definition(ws, APP, at_clamp) == [("web/util.ts", 1, 16, 21)]
