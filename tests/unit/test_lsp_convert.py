"""Position conversions of the language server: UTF-16 columns, offsets, edits, line maps.

Answers sent as encoded JSON are checked against the values of the
``lsprotocol`` objects they stand for.  Property tests cover what is easy
to get subtly wrong: characters outside the Basic Multilingual Plane (two
UTF-16 code units, one Python character), the three LSP line breaks, and
columns past the end of a line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from lsprotocol import types

from codeidx.lsp import convert
from codeidx.lsp.documents import Documents, apply_change
from codeidx.lsp.live import LineMap, word_at
from codeidx.query.types import Symbol

# Letters, accents, CJK, emoji and other astral characters, and every line break.
CHARS = st.sampled_from(list("ab_ é中\t😀𝔘🎉\U00010000\r\n"))
LINE_CHARS = st.sampled_from(list("ab_ é中\t😀𝔘🎉\U00010000"))
TEXT = st.text(CHARS, max_size=40)
LINE = st.text(LINE_CHARS, max_size=30)


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def inside_crlf(text: str, index: int) -> bool:
    """Whether ``index`` falls between the two characters of a ``\\r\\n``."""
    return 0 < index < len(text) and text[index - 1] == "\r" and text[index] == "\n"


@given(LINE)
def test_utf16_len_counts_code_units(line: str) -> None:
    assert convert.utf16_len(line) == units(line)


@given(LINE, st.data())
def test_index_and_utf16_column_round_trip(line: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(line)))
    column = convert.index_to_utf16(line, index)
    assert column == units(line[:index])
    assert convert.utf16_to_index(line, column) == index


@given(LINE, st.integers(0, 100))
def test_a_column_maps_to_the_character_that_contains_it(line: str, column: int) -> None:
    index = convert.utf16_to_index(line, column)
    assert 0 <= index <= len(line)
    # The character starts at or before the column, and the next one after it.
    assert units(line[:index]) <= column or index == 0
    if index < len(line):
        assert units(line[: index + 1]) > column
    else:
        assert column >= units(line)


def test_a_column_inside_a_surrogate_pair_is_the_start_of_its_character() -> None:
    line = "a😀b"
    assert convert.utf16_to_index(line, 1) == 1
    assert convert.utf16_to_index(line, 2) == 1  # between the two halves of 😀
    assert convert.utf16_to_index(line, 3) == 2
    assert convert.utf16_to_index(line, 99) == 3


@given(TEXT, st.data())
def test_offset_and_position_round_trip(text: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(text)))
    assume(not inside_crlf(text, index))
    starts = convert.line_starts(text)
    line, character = convert.position_at(text, starts, index)
    assert convert.offset_at(text, starts, line, character) == index
    assert len(starts) == len(convert.split_lines(text))


@given(TEXT)
def test_positions_past_the_end_clamp(text: str) -> None:
    starts = convert.line_starts(text)
    assert convert.offset_at(text, starts, len(starts), 0) == len(text)
    last = convert.split_lines(text)[-1]
    assert convert.offset_at(text, starts, len(starts) - 1, 10_000) == len(text)
    assert text.endswith(last)


def test_lines_break_at_crlf_lf_and_cr() -> None:
    assert convert.split_lines("a\r\nb\nc\rd") == ["a", "b", "c", "d"]
    assert convert.line_starts("a\r\nb\nc\rd") == [0, 3, 5, 7]


@given(TEXT, st.data(), st.text(CHARS, max_size=10))
def test_an_incremental_edit_replaces_exactly_its_range(
    text: str, data: st.DataObject, new: str
) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assume(not inside_crlf(text, start) and not inside_crlf(text, end))
    starts = convert.line_starts(text)
    a, b = convert.position_at(text, starts, start), convert.position_at(text, starts, end)
    change = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(*a), types.Position(*b)), text=new
    )
    assert apply_change(text, change) == text[:start] + new + text[end:]


def test_documents_apply_changes_in_order_and_keep_versions() -> None:
    docs = Documents()
    docs.open("file:///w/a.py", (Path("/w"), "a.py"), "x = 1\n😀 = 2\n", 1, "python")
    first = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(1, 0), types.Position(1, 2)), text="y"
    )
    second = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)), text="# top\n"
    )
    doc = docs.change("file:///w/a.py", 2, [first, second])
    assert doc is not None and (doc.text, doc.version) == ("# top\nx = 1\ny = 2\n", 2)
    whole = types.TextDocumentContentChangeWholeDocument(text="z")
    assert docs.change("file:///w/a.py", 3, [whole]) is not None
    assert docs.by_path(Path("/w"))["a.py"].text == "z"
    assert docs.change("file:///w/b.py", 1, [whole]) is None
    assert docs.close("file:///w/a.py") is not None and len(docs) == 0


# Path parts never hold "/": drawing it only to filter it out made most
# generated lists fail the assumption (a flaky health check).
@given(st.lists(st.text(st.sampled_from("ab_é中😀 ."), min_size=1, max_size=8), min_size=1))
def test_uris_and_workspace_paths_round_trip(parts: list[str]) -> None:
    assume(all(p.strip(" ") not in ("", ".", "..") for p in parts))
    root = Path("/work/some root")
    rel = "/".join(parts)
    uri = convert.path_to_uri(root, rel)
    assert uri.startswith("file:///work/some%20root/")
    assert convert.uri_to_path(uri, root) == rel


def test_uris_outside_the_workspace_have_no_path() -> None:
    root = Path("/work/ws")
    assert convert.uri_to_path("file:///work/other/a.py", root) is None
    assert convert.uri_to_path("file:///work/ws", root) is None
    assert convert.uri_to_path("untitled:Untitled-1", root) is None


LINES = st.lists(st.sampled_from(["a", "b", "c", ""]), max_size=12)


@given(LINES, LINES)
def test_line_maps_pair_equal_lines_in_order(indexed: list[str], live: list[str]) -> None:
    mapping = LineMap(indexed, live)
    pairs = [(mapping.to_indexed(line), line) for line in range(len(live))]
    pairs = [(a, b) for a, b in pairs if a is not None]
    assert all(indexed[a] == live[b] and mapping.to_live(a) == b for a, b in pairs)
    assert [a for a, _ in pairs] == sorted({a for a, _ in pairs})  # one to one, in order
    for line in range(len(indexed)):
        for end in (False, True):
            assert 0 <= mapping.to_live_nearest(line, end) <= max(0, len(live) - 1)


@given(LINES, st.data(), st.lists(st.sampled_from(["a", "x", ""]), max_size=4))
def test_one_edit_leaves_every_other_line_paired(
    indexed: list[str], data: st.DataObject, new: list[str]
) -> None:
    start = data.draw(st.integers(0, len(indexed)))
    end = data.draw(st.integers(start, len(indexed)))
    live = indexed[:start] + new + indexed[end:]
    mapping = LineMap(indexed, live)
    paired = [line for line in range(len(indexed)) if mapping.to_live(line) is not None]
    # Equal lines may pair either way round an edit, but none is lost.
    assert len(paired) >= len(indexed) - (end - start)
    if len(set(indexed)) == len(indexed) and not set(new) & set(indexed):
        assert paired == [*range(start), *range(end, len(indexed))]


def test_line_maps_drop_edited_lines() -> None:
    mapping = LineMap(["a", "b", "c"], ["x", "a", "B", "c"])
    assert [mapping.to_indexed(i) for i in range(4)] == [None, 0, None, 2]
    assert [mapping.to_live(i) for i in range(3)] == [1, None, 3]
    assert (mapping.to_live_nearest(1, end=False), mapping.to_live_nearest(1, end=True)) == (2, 2)


def test_word_at_finds_the_identifier_under_or_before_the_cursor() -> None:
    line = '😀 = greet(name) + "x"'
    start = units("😀 = ")
    assert word_at(line, start) == (start, start + 5)
    assert word_at(line, start + 5) == (start, start + 5)  # just after it
    assert word_at(line, 1) is None  # between the halves of 😀, no identifier


def test_uri_cache_gives_the_uri_of_each_path_once(tmp_path: Path) -> None:
    uris = convert.UriCache(tmp_path)
    first = uris("pkg/a b.py")
    assert first == convert.path_to_uri(tmp_path, "pkg/a b.py")
    assert uris("pkg/a b.py") is first
    location = convert.to_lsp_location_at(first, 3, 4, 9)
    assert location == convert.to_lsp_location(tmp_path, "pkg/a b.py", 3, 4, 9)


def test_uris_are_kept_per_root_across_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, other = tmp_path / "one", tmp_path / "other"
    first = convert.UriCache(one).json("pkg/a.py")
    # A later answer about the same root spells no URI again...
    assert convert.UriCache(one).json("pkg/a.py") is first
    # ...and another root's file of the same path is another URI.
    assert convert.UriCache(other)("pkg/a.py") == convert.path_to_uri(other, "pkg/a.py")
    assert convert.UriCache(other).json("pkg/a.py") != first
    # Past the limit, a root's URIs are dropped and spelled again.
    monkeypatch.setattr(convert.UriCache, "KEPT_URIS", 1)
    uris = convert.UriCache(one)
    uris("pkg/b.py")
    again = convert.UriCache(one).json("pkg/a.py")
    assert again == first and again is not first


# Answers encoded on the worker: the same JSON values as lsprotocol's objects.

NAMES = st.text(st.sampled_from(list('ab_é中😀"\\\n\t\x01')), min_size=1, max_size=12)
NUMBERS = st.integers(min_value=0, max_value=2**31 - 1)


def unstructured(value: object) -> object:
    """What pygls sends for an lsprotocol value: cattrs' unstructured form."""
    from lsprotocol.converters import get_converter

    return get_converter().unstructure(value)


@given(NAMES, NUMBERS, NUMBERS, NUMBERS)
def test_json_locations_equal_lsprotocol_locations(
    name: str, line: int, col: int, end_col: int
) -> None:
    root = Path("/work space")
    uris = convert.UriCache(root)
    text = convert.json_location(uris.json(f"pkg/{name}.py"), line, col, end_col)
    expected = convert.to_lsp_location(root, f"pkg/{name}.py", line, col, end_col)
    assert json.loads(text) == unstructured(expected)


@given(NAMES, NAMES, st.sampled_from(["function", "method", "class", "macro", "odd"]), NUMBERS)
def test_json_hierarchy_items_equal_lsprotocol_call_items(
    name: str, container: str, kind: str, node_id: int
) -> None:
    root = Path("/w")
    for qualified in (name, f"{container}.{name}"):
        symbol = Symbol(node_id, name, qualified, kind, "python", "pkg/mod é.py", 3, 4, 9)
        uris = convert.UriCache(root)
        text = convert.json_hierarchy_item(symbol, uris)
        assert json.loads(text) == unstructured(convert.to_lsp_call_item(root, symbol))
        assert json.loads(text) == unstructured(convert.to_lsp_type_item(root, symbol))


def test_a_json_answer_is_a_json_array_inside_a_json_rpc_response() -> None:
    ranges = [convert.json_range(1, 2, 1, 5), convert.json_range(7, 0, 7, 3)]
    answer = convert.JsonAnswer.of_array(ranges)
    message = json.loads(convert.response_body(12, answer))
    assert message == {
        "jsonrpc": "2.0",
        "id": 12,
        "result": [
            unstructured(convert.to_lsp_range(1, 2, 1, 5)),
            unstructured(convert.to_lsp_range(7, 0, 7, 3)),
        ],
    }
    assert json.loads(convert.response_body("a", convert.JsonAnswer.of([])))["result"] == []


def test_the_protocol_writes_a_json_answer_with_its_length_in_bytes() -> None:
    from codeidx.lsp.core import CodeidxServer

    written: list[bytes] = []

    class Writer:
        def close(self) -> None:
            pass

        def write(self, data: bytes) -> None:
            written.append(data)

    protocol = CodeidxServer().protocol
    protocol.set_writer(Writer())
    answer = convert.JsonAnswer.of_array([convert.json_string("é中😀")])
    response = types.ReferencesResponse(id=3, result=answer)  # type: ignore[arg-type]
    protocol._send_data(response)
    header, _, body = written[0].partition(b"\r\n\r\n")
    assert int(header.split(b"\r\n")[0].removeprefix(b"Content-Length: ")) == len(body)
    assert json.loads(body) == {"jsonrpc": "2.0", "id": 3, "result": ["é中😀"]}


def test_the_json_fallback_encodes_the_same_values_as_orjson() -> None:
    value = [{"uri": "file:///a%20b.py", "name": 'é中😀"\\\n', "n": [0, 2**40], "none": None}]
    assert json.loads(convert._encode_with_json(value)) == value
    assert json.loads(convert.encode_json(value)) == value


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        ("definition", types.DocumentHighlightKind.Write),
        ("write", types.DocumentHighlightKind.Write),
        ("argument", types.DocumentHighlightKind.Write),
        ("read", types.DocumentHighlightKind.Read),
        ("call", types.DocumentHighlightKind.Read),
    ],
)
def test_highlights_show_bindings_and_keyword_arguments_as_writes(
    role: str, kind: types.DocumentHighlightKind
) -> None:
    assert convert.to_lsp_highlight_kind(role) == kind
