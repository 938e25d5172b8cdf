"""Document sync: edits in open buffers, then saves that re-index the files."""

from __future__ import annotations

import pytest
from lsprotocol import types
from lsptest import Session, where

pytestmark = pytest.mark.e2e

REPORT, SHAPES = "app/report.py", "app/shapes.py"
HELPER = "def unit() -> float:\n    return 1.0\n\n\n"


def replace(line: int, start: int, end: int, text: str) -> types.TextDocumentContentChangePartial:
    where = types.Range(types.Position(line, start), types.Position(line, end))
    return types.TextDocumentContentChangePartial(range=where, text=text)


async def definition(ws: Session, rel: str, position: types.Position) -> list[tuple]:
    found = await ws.client.text_document_definition_async(
        types.DefinitionParams(ws.doc(rel), position)
    )
    return [where(loc, ws.root) for loc in found or []]


async def test_rename_across_two_files_then_save(ws: Session) -> None:
    shapes_before, report_before = ws.text(SHAPES), ws.text(REPORT)
    ws.open(SHAPES)
    ws.open(REPORT)
    # Rename ``total_area`` to ``sum_areas`` and move it down by four lines,
    # as an editor sends it: incremental changes, each on the text before it.
    ws.edit(SHAPES, [replace(21, 4, 14, "sum_areas"), replace(21, 0, 0, HELPER)])
    ws.edit(REPORT, [replace(0, 31, 41, "sum_areas"), replace(5, 24, 34, "sum_areas")])
    # Not saved yet: the index knows ``total_area`` only, but both buffers
    # are answered from their text, so the renamed import already resolves
    # to the renamed function, four lines further down than on disk.
    at_call = ws.find(REPORT, "total_area(squares)", offset=3)
    assert await definition(ws, REPORT, at_call) == [(SHAPES, 25, 4, 13)]

    lines = shapes_before.split("\n")
    lines[21] = lines[21].replace("total_area", "sum_areas")
    (ws.root / SHAPES).write_text("\n".join([*lines[:21], *HELPER.split("\n")[:-1], *lines[21:]]))
    (ws.root / REPORT).write_text(report_before.replace("total_area", "sum_areas"))
    ws.save(SHAPES)
    ws.save(REPORT)
    await ws.events.wait_saved(SHAPES, REPORT)

    at_call = ws.find(REPORT, "sum_areas(squares)", offset=3)
    assert await definition(ws, REPORT, at_call) == [(SHAPES, 25, 4, 13)]
    found = await ws.client.text_document_references_async(
        types.ReferenceParams(
            context=types.ReferenceContext(include_declaration=True),
            text_document=ws.doc(REPORT),
            position=at_call,
        )
    )
    assert [where(loc, ws.root) for loc in found or []] == [
        (REPORT, 0, 31, 40),
        (REPORT, 5, 24, 33),
        (SHAPES, 25, 4, 13),
    ]
    ws.client.text_document_did_close(types.DidCloseTextDocumentParams(ws.doc(SHAPES)))
    ws.client.text_document_did_close(types.DidCloseTextDocumentParams(ws.doc(REPORT)))
    status = await ws.request("codeidx/status", None)
    assert status.openDocuments == 0
    assert status.lastRun.reason == "save"
