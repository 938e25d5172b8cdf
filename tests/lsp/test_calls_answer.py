"""Incoming and outgoing call answers, written from packed rows, equal those written from records.

``calls_answer`` writes the JSON of a call hierarchy answer straight from
the query's packed rows (``CallList.rows``).  ``answer_from_records`` below
writes the same answer the plain way, from one ``Call`` record per caller
and one ``CallSite`` per site (``overlay.live_symbol``, ``views.to_live``,
``convert.json_hierarchy_item``, whose values are checked against
lsprotocol's in ``tests/unit/test_lsp_convert.py``).  Every call item of a
small workspace in three languages is answered both ways, in both
directions, with no open buffer and with edited open buffers that move,
drop and keep call sites and definitions.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from querytest import build

from codeidx.lsp import convert
from codeidx.lsp.documents import Document, Documents
from codeidx.lsp.handlers import hierarchy
from codeidx.lsp.handlers.hierarchy import CALL_KINDS, calls_answer
from codeidx.lsp.live import Views
from codeidx.query.calls import find_calls_by_id
from codeidx.query.overlay import Overlay
from codeidx.query.types import CallGroup, Symbol
from codeidx.store.edges import unpack_sites

FILES = {
    "pkg/__init__.py": "",
    "pkg/shapes.py": """
        class Shape:
            def area(self):
                return 0


        class Square(Shape):
            def area(self):
                return side(self) * side(self)


        def side(shape):
            return 2


        def total(shapes):
            first = Shape()
            first.area()
            return sum(s.area() for s in shapes)
    """,
    "pkg/main.py": """
        from pkg.shapes import Square, side, total
        from pkg.shapes import side as edge


        def main():
            squares = [Square(), Square()]
            print(total(squares))
            return side(squares[0]) + side(squares[1])


        def café():
            return main()


        def by_two_names():
            side(1)
            return edge(2)


        def by_two_names_again():
            edge(3)
            return side(4)
    """,
    "web/util.ts": """
        export function clamp(x: number): number {
          return Math.max(0, x);
        }

        export function twice(x: number): number {
          return clamp(x) + clamp(x * 2);
        }
    """,
    "web/app.ts": """
        import { clamp, twice } from "./util";

        export function run(): number {
          return twice(clamp(3));
        }
    """,
    "calc/sum.go": """
        package calc

        func Add(a int, b int) int {
        \treturn a + b
        }

        func Sum(xs []int) int {
        \tt := 0
        \tfor _, x := range xs {
        \t\tt = Add(t, x)
        \t}
        \treturn Add(t, 0)
        }
    """,
    "calc/go.mod": "module example.com/calc\n",
}


def answer_from_records(
    root: Path, views: Views, overlay: Overlay, group: CallGroup | None, incoming: bool
) -> bytes:
    """The answer written from ``Call`` and ``CallSite`` records, one by one."""
    if group is None:
        return b"[]"
    uris = convert.UriCache(root)
    out = []
    for call in group.calls:
        other = overlay.live_symbol(call.symbol)
        named = group.symbol if incoming else call.symbol
        width = convert.utf16_len(named.name)
        ranges = []
        for site in call.sites:
            line = views.to_live(site.path, site.line)
            if line is not None:
                ranges.append(convert.json_range(line, site.col, line, site.col + width))
        if other is not None and ranges:
            head = '{"from":' if incoming else '{"to":'
            item = convert.json_hierarchy_item(other, uris)
            out.append(head + item + ',"fromRanges":[' + ",".join(ranges) + "]}")
    return ("[" + ",".join(out) + "]").encode("utf-8")


def edited(root: Path) -> Documents:
    """Open buffers that differ from the index: sites moved down, dropped, definitions gone."""
    docs = Documents()
    shapes = (root / "pkg/shapes.py").read_text()
    # Two lines on top move every site of the file; the edited call line drops its site.
    moved = "import os\n\n" + shapes.replace("first.area()", "first.area()  # edited")
    docs.open((root / "pkg/shapes.py").as_uri(), (root, "pkg/shapes.py"), moved, 2, "python")
    main = (root / "pkg/main.py").read_text()
    # The buffer no longer defines café: it drops out as a caller of main.
    kept = main[: main.index("def café")]
    docs.open((root / "pkg/main.py").as_uri(), (root, "pkg/main.py"), kept, 3, "python")
    app = (root / "web/app.ts").read_text()
    docs.open((root / "web/app.ts").as_uri(), (root, "web/app.ts"), app, 1, "typescript")
    return docs


@pytest.mark.parametrize("bulk_rows", [0, hierarchy.BULK_ROWS])
def test_answers_from_packed_rows_equal_answers_from_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk_rows: int
) -> None:
    # With 0, every answer's ranges are written all at once, as a much
    # called method's are.
    monkeypatch.setattr(hierarchy, "BULK_ROWS", bulk_rows)
    fx = build(tmp_path, FILES)
    root = fx.root
    docs = edited(root)
    checked = non_empty = 0
    with fx.connect() as conn:
        kinds = sorted(CALL_KINDS)
        marks = ",".join("?" * len(kinds))
        ids = [
            int(node_id)
            for (node_id,) in conn.execute(
                f"SELECT node_id FROM nodes WHERE kind IN ({marks}) ORDER BY node_id", kinds
            )
        ]
        no_documents: dict[str, Document] = {}
        for open_documents in (no_documents, docs.by_path(root)):
            for node_id in ids:
                for incoming in (True, False):
                    group = find_calls_by_id(conn, root, node_id, incoming, with_text=False)
                    views = Views(root, open_documents)
                    body = calls_answer(root, views, views.overlay(conn), group, incoming).body
                    again = Views(root, open_documents)
                    expected = answer_from_records(
                        root, again, again.overlay(conn), group, incoming
                    )
                    assert body == expected, (node_id, incoming, bool(open_documents))
                    checked += 1
                    non_empty += body != b"[]"
    # Every item was answered, most of them with calls, in all three languages.
    assert checked == 4 * len(ids) and non_empty > len(ids)


def test_an_edge_stores_its_sites_in_document_order(tmp_path: Path) -> None:
    # Linking meets a definition called by two names name by name, and
    # sorts each edge's sites, so an edge reads the same whatever order a run
    # wrote its files in; the answers above still merge the sites of a
    # caller's several edges (``CallList.site_columns``).
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        blobs = [blob for (blob,) in conn.execute("SELECT sites FROM edges WHERE kind = 'calls'")]
    assert all(unpack_sites(b) == sorted(unpack_sites(b)) for b in blobs)
    assert any(len(unpack_sites(b)) > 1 for b in blobs)


def test_edited_buffers_move_and_drop_callers_and_sites(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    root = fx.root
    views = Views(root, edited(root).by_path(root))
    with fx.connect() as conn:
        (area,) = [
            int(n)
            for (n,) in conn.execute(
                "SELECT node_id FROM nodes WHERE qualified_name = 'pkg.shapes.Shape.area'"
            )
        ]
        (main,) = [
            int(n)
            for (n,) in conn.execute(
                "SELECT node_id FROM nodes WHERE qualified_name = 'pkg.main.main'"
            )
        ]
        callers = json.loads(
            calls_answer(
                root, views, views.overlay(conn), find_calls_by_id(conn, root, area, True), True
            ).body
        )
        of_main = json.loads(
            calls_answer(
                root, views, views.overlay(conn), find_calls_by_id(conn, root, main, True), True
            ).body
        )
    # ``first.area()`` was edited (dropped); ``s.area()`` moved two lines down.
    assert [(c["from"]["name"], c["from"]["range"]["start"]["line"]) for c in callers] == [
        ("total", 16)
    ]
    assert [r["start"] for r in callers[0]["fromRanges"]] == [{"line": 19, "character": 17}]
    # The buffer of pkg/main.py no longer defines café.
    assert of_main == []


TEXTS = st.text(st.sampled_from(list('ab_.:é中😀"\\\n\t\x01 /~\x7f')), max_size=12)


@given(TEXTS)
def test_json_strings_are_what_the_encoder_writes(text: str) -> None:
    assert convert.json_string(text) == convert.encode_json(text).decode("utf-8")
    assert json.loads(convert.json_string(text)) == text


@given(TEXTS.filter(bool), TEXTS, st.sampled_from(["function", "method", "class", "odd"]))
def test_items_from_fields_equal_items_from_symbols(name: str, container: str, kind: str) -> None:
    uris = convert.UriCache(Path("/w"))
    for qualified in (name, f"{container}.{name}", f"{container}::{name}"):
        symbol = Symbol(2**62 + 5, name, qualified, kind, "python", "pkg/m é.py", 3, 4, 9)
        fields = convert.json_hierarchy_item_of(
            symbol.node_id, name, qualified, kind, symbol.path, 3, 4, 9, uris
        )
        assert fields == convert.json_hierarchy_item(symbol, uris)
        parsed = json.loads(fields)
        assert parsed["data"] == convert.hierarchy_data(symbol)
        assert parsed.get("detail") == convert.container_of(symbol)


def test_ranges_and_arrays_are_the_json_texts_of_their_parts() -> None:
    ranges = convert.json_name_ranges([(3, 4), (10, 0)], 5)
    assert ranges == ",".join([convert.json_range(3, 4, 3, 9), convert.json_range(10, 0, 10, 5)])
    assert convert.json_name_ranges([], 5) == ""
    for elements in ([], ['"é"'], ["1", "[2]", '{"a":3}']):
        body = convert.JsonAnswer.of_array(elements).body
        assert body == ("[" + ",".join(elements) + "]").encode("utf-8")
