"""Open documents keep a syntax tree: editing then re-parsing equals parsing the new text.

Edits arrive as LSP ranges in UTF-16 code units over text with characters
outside the Basic Multilingual Plane and the three LSP line breaks; the
tree is edited in UTF-8 bytes and tree-sitter points.  A wrong byte offset
or point shows up as a tree that differs from a fresh parse, or as records
(definitions, occurrences with their UTF-16 columns) that differ.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from codeidx.lsp import convert
from codeidx.lsp.documents import Documents
from codeidx.parse.extract import Extractor

URI = "file:///w/app.py"
PLACED = (Path("/w"), "app.py")
SOURCE = 'def área(x):\n    """😀 doc."""\n    return x\r\n\nclass Box:\n    size = área(1)\n'
# Python fragments, non-ASCII identifiers and text, and every line break.
PIECES = st.sampled_from(
    [
        "def f():\n",
        "    ",
        "return ",
        "x",
        "é",
        "😀",
        "𝔘",
        "(",
        ")",
        ":",
        "=",
        "\n",
        "\r\n",
        "\r",
        "'",
    ]
)
INSERT = st.lists(PIECES, max_size=6).map("".join)


def fresh(text: str) -> tuple[str, list[tuple[object, ...]], list[tuple[object, ...]]]:
    """A fresh parse of ``text``: its tree and records, to compare with the edited ones."""
    data = text.encode("utf-8")
    docs = Documents()
    doc = docs.open(URI, PLACED, text, 1, "python")
    assert doc.syntax is not None
    result = Extractor().parse("python", data, "app")
    nodes = [(n.kind, n.name, n.name_span.start_line, n.name_span.start_col) for n in result.nodes]
    return str(doc.syntax.tree().root_node), nodes, list(result.occurrence_rows)


def edit(text: str, start: int, end: int, new: str) -> types.TextDocumentContentChangePartial:
    starts = convert.line_starts(text)
    a, b = convert.position_at(text, starts, start), convert.position_at(text, starts, end)
    return types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(*a), types.Position(*b)), text=new
    )


def inside_crlf(text: str, index: int) -> bool:
    return 0 < index < len(text) and text[index - 1] == "\r" and text[index] == "\n"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), INSERT), min_size=1, max_size=4))
def test_incremental_edits_match_a_fresh_parse(steps: list[tuple[float, float, str]]) -> None:
    docs = Documents()
    opened = docs.open(URI, PLACED, SOURCE, 1, "python")
    assert opened.syntax is not None
    opened.syntax.tree()  # Parsed, as after a first request: the edits below are incremental.
    text = SOURCE
    changes = []
    for a, b, new in steps:
        start, end = sorted((int(a * len(text)), int(b * len(text))))
        assume(not inside_crlf(text, start) and not inside_crlf(text, end))
        changes.append(edit(text, start, end, new))
        text = text[:start] + new + text[end:]
    doc = docs.change(URI, 2, changes)
    assert doc is not None and doc.text == text and doc.syntax is not None
    tree, nodes, occurrences = fresh(text)
    assert str(doc.syntax.tree().root_node) == tree
    records = doc.syntax.records("app")
    kept = [(n.kind, n.name, n.name_span.start_line, n.name_span.start_col) for n in records.nodes]
    assert kept == nodes
    assert list(records.occurrence_rows) == occurrences


def test_edits_pile_up_before_a_parse_and_versions_keep_their_trees() -> None:
    docs = Documents()
    first = docs.open(URI, PLACED, "x = 1\n", 1, "python")
    assert first.syntax is not None
    first.syntax.tree()
    # Two versions edited on the loop, neither parsed yet; the second parse
    # takes both edits at once.
    docs.change(URI, 2, [edit("x = 1\n", 0, 0, "def g():\n    pass\n")])
    third = docs.change(URI, 3, [edit("def g():\n    pass\nx = 1\n", 4, 5, "h")])
    assert third is not None and third.syntax is not None
    assert third.text == "def h():\n    pass\nx = 1\n"
    assert str(third.syntax.tree().root_node) == fresh(third.text)[0]
    assert [n.name for n in third.syntax.records("app").nodes] == ["app", "h", "x"]
    # The first version's tree was not edited in place: a worker still reading it is safe.
    assert str(first.syntax.tree().root_node) == fresh("x = 1\n")[0]
    whole = docs.change(URI, 4, [types.TextDocumentContentChangeWholeDocument(text="y = 2\n")])
    assert whole is not None and whole.syntax is not None
    assert [n.name for n in whole.syntax.records("app").nodes] == ["app", "y"]


def test_a_document_codeidx_does_not_index_has_no_tree_and_no_buffer() -> None:
    docs = Documents()
    doc = docs.open("file:///w/notes.txt", (Path("/w"), "notes.txt"), "hello", 1, "plaintext")
    assert doc.syntax is None and doc.buffer() is None
    outside = docs.open("file:///elsewhere/a.py", None, "x = 1", 1, "python")
    assert outside.buffer() is None


def test_an_open_rust_buffer_reads_items_inside_macros_as_the_index_does() -> None:
    # The open buffer is extracted from its own (edited) tree: the items a
    # macro wraps are definitions there too, at the same positions.
    text = "ast_struct! {\n    pub struct Path {\n        pub segments: Vec<Segment>,\n    }\n}\n"
    docs = Documents()
    doc = docs.open("file:///w/src/path.rs", (Path("/w"), "src/path.rs"), text, 1, "rust")
    assert doc.syntax is not None
    doc.syntax.tree()
    edited = (
        "ast_struct! {\n    pub struct Route {\n        pub segments: Vec<Segment>,\n    }\n}\n"
    )
    changed = docs.change("file:///w/src/path.rs", 2, [edit(text, 29, 33, "Route")])
    assert changed is not None and changed.text == edited and changed.syntax is not None
    live = changed.syntax.records("crate::path")
    fresh_result = Extractor().parse("rust", edited.encode(), "crate::path")
    spans = [
        (n.qualified_name, n.kind, n.name_span.start_line, n.name_span.start_col)
        for n in live.nodes
    ]
    assert spans == [
        (n.qualified_name, n.kind, n.name_span.start_line, n.name_span.start_col)
        for n in fresh_result.nodes
    ]
    assert ("crate::path::Route", "struct", 1, 15) in spans
    assert ("crate::path::Route::segments", "field", 2, 12) in spans
