"""Navigation as a user sees it: definition, references, hover, highlights, open buffers."""

from __future__ import annotations

import pytest
from lsprotocol import types
from lsptest import Session, where

pytestmark = pytest.mark.e2e

REPORT, SHAPES = "app/report.py", "app/shapes.py"


async def definition(ws: Session, rel: str, position: types.Position) -> list[tuple]:
    found = await ws.client.text_document_definition_async(
        types.DefinitionParams(ws.doc(rel), position)
    )
    return [where(loc, ws.root) for loc in found or []]


async def test_definition_across_files(ws: Session) -> None:
    at_call = ws.find(REPORT, "total_area(squares)", offset=3)
    assert await definition(ws, REPORT, at_call) == [(SHAPES, 21, 4, 14)]
    declared = await ws.client.text_document_declaration_async(
        types.DeclarationParams(ws.doc(REPORT), at_call)
    )
    assert [where(loc, ws.root) for loc in declared or []] == [(SHAPES, 21, 4, 14)]
    # An import resolves to the imported class in the other file.
    at_import = ws.find(REPORT, "Square")
    assert await definition(ws, REPORT, at_import) == [(SHAPES, 11, 6, 12)]


async def test_definition_counts_columns_in_utf16(ws: Session) -> None:
    # "😀" is one character but two UTF-16 code units: a server counting
    # characters would land two columns off and miss ``greeting``.
    line = ws.text(REPORT).splitlines()[13]
    assert "😀" in line
    at_call = ws.find(REPORT, "greeting()")
    assert at_call.character == line.index("greeting()") + 1
    assert await definition(ws, REPORT, at_call) == [(REPORT, 16, 4, 12)]


async def test_a_keyword_argument_goes_to_the_constructors_parameter(ws: Session) -> None:
    # ``Square(side=side)``: the keyword is ``Square.__init__``'s parameter,
    # the value is ``make_square``'s own parameter.
    at_keyword = ws.find(REPORT, "side=side", offset=1)
    parameter = (SHAPES, 14, 23, 27)
    assert await definition(ws, REPORT, at_keyword) == [parameter]
    at_value = ws.find(REPORT, "=side", offset=2)
    assert await definition(ws, REPORT, at_value) == [(REPORT, 8, 16, 20)]
    found = await ws.client.text_document_references_async(
        types.ReferenceParams(
            context=types.ReferenceContext(include_declaration=True),
            text_document=ws.doc(SHAPES),
            position=types.Position(14, 24),
        )
    )
    assert [where(loc, ws.root) for loc in found or []] == [
        (REPORT, 9, 18, 22),
        parameter,
        (SHAPES, 15, 20, 24),
    ]


async def test_references_with_and_without_declaration(ws: Session) -> None:
    at_def = ws.find(SHAPES, "def total_area", offset=4)

    async def references(include: bool) -> list[tuple]:
        found = await ws.client.text_document_references_async(
            types.ReferenceParams(
                context=types.ReferenceContext(include_declaration=include),
                text_document=ws.doc(SHAPES),
                position=at_def,
            )
        )
        return [where(loc, ws.root) for loc in found or []]

    uses = [(REPORT, 0, 31, 41), (REPORT, 5, 24, 34)]
    assert await references(True) == [*uses, (SHAPES, 21, 4, 14)]
    assert await references(False) == uses


async def test_hover_shows_signature_and_defining_file(ws: Session) -> None:
    at_call = ws.find(REPORT, "total_area(squares)", offset=3)
    hover = await ws.client.text_document_hover_async(types.HoverParams(ws.doc(REPORT), at_call))
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.Markdown
    text = hover.contents.value
    assert text.startswith("```python\ndef total_area(shapes: list[Shape]) -> float\n```")
    assert "function `app.shapes.total_area`" in text
    assert f"[app/shapes.py:22]({ws.uri(SHAPES)}#L22)" in text
    assert hover.range == types.Range(types.Position(5, 24), types.Position(5, 34))
    # The docstring comes right under the signature, as Markdown.
    signature_block = "```python\ndef total_area(shapes: list[Shape]) -> float\n```"
    assert text.startswith(f"{signature_block}\n\nSum the areas of ``shapes``.\n\nfunction")


@pytest.mark.minimal_client
async def test_hover_is_plain_text_without_markdown_support(ws: Session) -> None:
    at_def = ws.find(SHAPES, "class Shape", offset=6)
    hover = await ws.client.text_document_hover_async(types.HoverParams(ws.doc(SHAPES), at_def))
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.PlainText
    assert hover.contents.value == (
        "class Shape\n\nA plane figure.\n\nclass app.shapes.Shape in app/shapes.py:4"
    )


async def test_document_highlight_marks_writes_and_reads(ws: Session) -> None:
    at_call = ws.find(REPORT, "make_square")
    found = await ws.client.text_document_document_highlight_async(
        types.DocumentHighlightParams(ws.doc(REPORT), at_call)
    )
    assert [(h.range.start.line, h.range.start.character, h.kind) for h in found or []] == [
        (4, 15, types.DocumentHighlightKind.Read),
        (8, 4, types.DocumentHighlightKind.Write),
    ]


async def test_document_highlight_stays_in_the_document(ws: Session) -> None:
    # ``total_area`` is defined in shapes.py: its declaration is a reference,
    # but not a highlight of report.py.
    at_call = ws.find(REPORT, "total_area(squares)", offset=3)
    found = await ws.client.text_document_document_highlight_async(
        types.DocumentHighlightParams(ws.doc(REPORT), at_call)
    )
    assert [(h.range.start.line, h.range.start.character, h.kind) for h in found or []] == [
        (0, 31, types.DocumentHighlightKind.Read),
        (5, 24, types.DocumentHighlightKind.Read),
    ]


async def test_unsaved_edits_shift_answers_into_the_buffer(ws: Session) -> None:
    ws.open(REPORT)
    # Two new lines at the top, not saved: the index still has the old lines.
    insert = types.Range(types.Position(0, 0), types.Position(0, 0))
    ws.edit(REPORT, [types.TextDocumentContentChangePartial(insert, "# new\n# lines\n")])
    live_call = ws.find(REPORT, "format_total(total_area")
    live_call.line += 2
    assert await definition(ws, REPORT, live_call) == [(REPORT, 14, 4, 16)]
    # An edited line is not answered until it is saved and re-indexed.
    assert await definition(ws, REPORT, types.Position(0, 3)) == []
