"""The ranking rules of hybrid search: the symbol-name boost, fusion, and chunk texts.

A sentence's plain English words are not names: lifting every definition
named ``date`` or ``end`` for "construct a date ..." buried the answers in
the standard-library benchmark (``bench/search_bench.py``).  Names typed as
identifiers, short name queries and names spelled out word by word keep the
boost.  Chunk texts say each thing once, so the body gets the model's
tokens.  The workspace is indexed for real and embedded with the hashing
embedder, so no model is loaded.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from codeidx.index.chunks import CHUNK_TOKENS, MAX_WINDOWS, DefinitionDoc, _names_module, chunks
from codeidx.index.models import ModelHolder
from codeidx.index.search_sync import TextSync, VectorSync
from codeidx.query.search import (
    SearchQuery,
    SearchResult,
    _identifier_shaped,
    _longest_common_run,
    search,
)
from codeidx.query.search_stores import SearchStores
from codeidx.query.status import open_index
from codeidx.store.embedder import HashingEmbedder
from helpers.workspace import Workspace

CALENDAR = """
def date(year, month, day):
    return (year, month, day)


def parse_iso_date(text):
    year, month, day = text.split("-")
    return date(int(year), int(month), int(day))


def string(value):
    return str(value)


def get_token_name(token):
    return token.name


def install_scripts(target, folder):
    for name in folder:
        target.append(name)
"""

TURTLE = """
class Pen:
    def end_fill(self):
        self.filling = False

    def fill_shape(self, points):
        self.points = points
"""


@contextmanager
def _reader(ws: Workspace) -> Iterator[sqlite3.Connection]:
    conn = open_index(ws.index_dir)
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def project(ws: Workspace) -> Workspace:
    ws.write("lib/calendar.py", CALENDAR)
    ws.write("lib/turtle.py", TURTLE)
    ws.index()
    holder = ModelHolder("hash")
    with _reader(ws) as conn:
        TextSync(ws.root, ws.index_dir).sync(conn)
        sync = VectorSync(ws.root, ws.index_dir, lambda: holder.get())
        try:
            sync.sync(conn)
        finally:
            sync.close()
    return ws


def run(ws: Workspace, text: str) -> SearchResult:
    stores = SearchStores(ws.index_dir, ModelHolder("hash"))
    try:
        with _reader(ws) as conn:
            return search(conn, stores.backends(conn), SearchQuery(text, limit=10))
    finally:
        stores.close()


def symbol_scores(result: SearchResult) -> dict[str, float]:
    return {h.row.name: h.scores["symbol"] for h in result.hits if "symbol" in h.scores}


def test_plain_words_of_a_sentence_are_not_taken_for_names(project: Workspace) -> None:
    result = run(project, "Construct a date from a string in ISO format")
    assert result.mode == "hybrid"
    boosted = symbol_scores(result)
    assert "date" not in boosted
    assert "string" not in boosted
    assert result.hits[0].row.name == "parse_iso_date"


def test_a_short_query_is_a_name_lookup(project: Workspace) -> None:
    result = run(project, "date")
    assert symbol_scores(result).get("date") == 1.0
    assert result.hits[0].row.name == "date"


def test_a_name_typed_as_an_identifier_is_boosted_inside_a_sentence(project: Workspace) -> None:
    result = run(project, "where is get_token_name called from the parser")
    assert symbol_scores(result).get("get_token_name") == 1.0
    assert result.hits[0].row.name == "get_token_name"


def test_a_name_spelled_out_in_order_scores_the_share_of_its_words(project: Workspace) -> None:
    whole = symbol_scores(run(project, "Install scripts into the target folder"))
    assert whole.get("install_scripts") == 1.0
    partial = symbol_scores(run(project, "look up the token name of a lexer token"))
    assert partial.get("get_token_name") == pytest.approx(2 / 3)


def test_one_shared_word_or_words_out_of_order_give_no_boost(project: Workspace) -> None:
    boosted = symbol_scores(run(project, "fill the outline and stop at the end"))
    assert "end_fill" not in boosted
    assert "fill_shape" not in boosted


@pytest.mark.parametrize(
    ("word", "shaped"),
    [
        ("parse_headers", True),
        ("getTokenName", True),
        ("HTTPServer", True),
        ("NormalDist", True),
        ("utf8", True),
        ("__init__", True),
        ("date", False),
        ("Text", False),
        ("MIME", False),
        ("8601", False),
    ],
)
def test_identifier_shape(word: str, shaped: bool) -> None:
    assert _identifier_shaped(word) is shaped


def test_longest_common_run_counts_consecutive_parts_in_order() -> None:
    assert _longest_common_run(["get", "token", "name"], ["the", "token", "name"]) == 2
    assert _longest_common_run(["end", "fill"], ["fill", "the", "end"]) == 1
    assert _longest_common_run(["a", "b"], []) == 0


# What goes into a chunk's text (index/chunks.py).


def _doc(
    path: str, kind: str, name: str, qualified: str, signature: str, body: str
) -> DefinitionDoc:
    return DefinitionDoc(1, path, "python", kind, name, qualified, signature, "", body)


def _only_chunk(doc: DefinitionDoc) -> str:
    pieces = chunks(doc, HashingEmbedder().count_tokens, 254)
    assert len(pieces) == 1
    return pieces[0].text


def test_a_chunk_names_the_module_once_and_the_signature_once() -> None:
    body = "def fromisoformat(cls, date_string):\n    return cls(*parse(date_string))"
    doc = _doc(
        "datetime.py",
        "method",
        "fromisoformat",
        "datetime.date.fromisoformat",
        "def fromisoformat(cls, date_string)",
        body,
    )
    text = _only_chunk(doc)
    assert text == f"method datetime.date.fromisoformat\n{body}"


def test_a_chunk_keeps_the_path_when_the_qualified_name_does_not_say_it() -> None:
    doc = _doc(
        "web/shapes.ts",
        "function",
        "drawCircle",
        "drawCircle",
        "function drawCircle(radius: number): string",
        "export function drawCircle(radius: number): string {\n  return '';\n}",
    )
    text = _only_chunk(doc)
    assert text.splitlines()[:2] == ["web/shapes.ts", "function drawCircle (draw circle)"]
    assert text.count("drawCircle(radius: number)") == 1


def test_a_signature_the_body_does_not_open_with_stays_in_the_head() -> None:
    doc = _doc("pkg/mod.py", "function", "run", "other.run", "def run(job)", "    return job()")
    assert _only_chunk(doc).splitlines()[:3] == ["pkg/mod.py", "function other.run", "def run(job)"]


def test_a_long_definition_is_split_into_overlapping_windows_that_repeat_its_head() -> None:
    lines = [f"    step_{i} = compute_{i}(step_{i - 1})" for i in range(1, 200)]
    body = "def pipeline(start):\n" + "\n".join(lines)
    doc = _doc("jobs.py", "function", "pipeline", "jobs.pipeline", "def pipeline(start)", body)
    count = HashingEmbedder().count_tokens
    # The model would take 254 tokens; a chunk holds CHUNK_TOKENS at most.
    pieces = chunks(doc, count, 254)
    assert len(pieces) == MAX_WINDOWS  # the body is longer than the windows allowed
    assert [p.window for p in pieces] == list(range(MAX_WINDOWS))
    assert all(p.node_id == doc.node_id for p in pieces)
    for piece in pieces:
        assert count([piece.text])[0] <= CHUNK_TOKENS
        assert piece.text.splitlines()[0] == "function jobs.pipeline"  # each window stands alone
    first = pieces[0].text.splitlines()
    assert first[:3] == ["function jobs.pipeline", "def pipeline(start):", lines[0]]
    # Consecutive windows overlap: the next one starts inside the previous one.
    for before, after in itertools.pairwise(pieces):
        assert after.text.splitlines()[1] in before.text.splitlines()
    assert lines[-1] not in pieces[-1].text  # at most MAX_WINDOWS: the tail is left out


@pytest.mark.parametrize(
    ("qualified", "path", "names"),
    [
        ("datetime.date", "datetime.py", True),
        ("collections.OrderedDict", "collections/__init__.py", True),
        ("collections", "collections/__init__.py", True),
        ("asyncio.events.get_event_loop", "asyncio/events.py", True),
        ("events.get_event_loop", "asyncio/events.py", False),
        ("datetimes.date", "datetime.py", False),
        ("drawCircle", "web/shapes.ts", False),
    ],
)
def test_names_module(qualified: str, path: str, names: bool) -> None:
    assert _names_module(qualified, path) is names
