"""Search over the three stores: fusion, filters, updates, drift repair and fallbacks.

Every test indexes a small workspace for real (SQLite, Tantivy, LanceDB) and
embeds with the deterministic hashing embedder, so results are stable and
no model is loaded.  What a crash can leave behind is made directly: an
index run without the store syncs after it, a deleted store folder, a
corrupted vector table.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from codeidx.errors import EmbedderUnavailable, UsageError
from codeidx.index.doctor import check, repair
from codeidx.index.models import ModelHolder
from codeidx.index.search_sync import MODEL_NOTE, TEXT_DIR, VECTOR_DIR, TextSync, VectorSync
from codeidx.query.search import SearchQuery, SearchResult, search
from codeidx.query.search_stores import SearchStores
from codeidx.query.status import open_index
from helpers.workspace import Workspace

PARSER = '''
"""Parsing of HTTP messages."""


def parse_http_headers(raw):
    """Split raw header lines into a dictionary of names and values."""
    out = {}
    for line in raw.splitlines():
        name, _, value = line.partition(":")
        out[name.strip().lower()] = value.strip()
    return out


class ResponseReader:
    """Reads a response from a socket."""

    def read_status_line(self, sock):
        """Read the first line: protocol version, status code and reason."""
        return sock.readline()
'''

MATH = '''
def compute_checksum(data):
    """Add up the bytes of a buffer modulo 65536."""
    return sum(data) % 65536


def fibonacci(n):
    """The n-th Fibonacci number, computed iteratively."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
'''

SHAPES_TS = """
export function drawCircle(radius: number): string {
  return `circle of radius ${radius}`;
}
"""


def hashing() -> ModelHolder:
    return ModelHolder("hash")


def index_all(ws: Workspace, models: ModelHolder | None = None, vectors: bool = True) -> None:
    """What ``codeidx index`` does: SQLite, then full text, then embedding."""
    ws.index()
    with _reader(ws) as conn:
        TextSync(ws.root, ws.index_dir).sync(conn)
        if vectors:
            holder = models or hashing()
            sync = VectorSync(ws.root, ws.index_dir, lambda: holder.get())
            try:
                sync.sync(conn)
            finally:
                sync.close()


@contextmanager
def _reader(ws: Workspace) -> Iterator[sqlite3.Connection]:
    conn = open_index(ws.index_dir)
    try:
        yield conn
    finally:
        conn.close()


def run(ws: Workspace, query: SearchQuery, models: ModelHolder | None = None) -> SearchResult:
    holder = models if models is not None else hashing()
    stores = SearchStores(ws.index_dir, holder)
    try:
        with _reader(ws) as conn:
            return search(conn, stores.backends(conn), query)
    finally:
        stores.close()


def names(result: SearchResult) -> list[str]:
    return [hit.row.qualified_name for hit in result.hits]


@pytest.fixture
def project(ws: Workspace) -> Workspace:
    ws.write("pkg/http.py", PARSER)
    ws.write("pkg/mathutil.py", MATH)
    ws.write("web/shapes.ts", SHAPES_TS)
    index_all(ws)
    return ws


def test_each_mode_finds_the_definition_a_description_names(project: Workspace) -> None:
    for mode in ("fts", "vector", "hybrid"):
        result = run(project, SearchQuery("split header lines into a dictionary", mode=mode))
        assert result.mode == mode
        assert names(result)[0] == "pkg.http.parse_http_headers", mode
        assert not result.coverage.partial
        hit = result.hits[0]
        assert hit.row.path == "pkg/http.py"
        assert hit.row.kind == "function"
        assert hit.snippet.startswith("def parse_http_headers(raw)")


def test_hybrid_carries_the_score_of_every_store_that_found_a_hit(project: Workspace) -> None:
    result = run(project, SearchQuery("parse_http_headers"))
    top = result.hits[0]
    assert top.row.name == "parse_http_headers"
    assert {"fts", "vector", "symbol"} <= set(top.scores)
    assert top.scores["symbol"] == 1.0  # the exact name was typed


def test_identifier_parts_match_words_of_the_query(project: Workspace) -> None:
    result = run(project, SearchQuery("status line", mode="fts"))
    assert names(result)[0] == "pkg.http.ResponseReader.read_status_line"


def test_filters_by_language_kind_and_path(project: Workspace) -> None:
    ts = run(project, SearchQuery("circle radius", languages=("typescript",)))
    assert [h.row.name for h in ts.hits][:1] == ["drawCircle"]
    assert ts.hits and all(h.row.language == "typescript" for h in ts.hits)
    methods = run(project, SearchQuery("read", kinds=("method",)))
    assert methods.hits and all(h.row.kind == "method" for h in methods.hits)
    under = run(project, SearchQuery("checksum fibonacci headers", path_glob="pkg/math*"))
    assert under.hits and all(h.row.path == "pkg/mathutil.py" for h in under.hits)


def test_bad_requests_are_usage_errors(project: Workspace) -> None:
    with pytest.raises(UsageError):
        run(project, SearchQuery("x", mode="semantic"))
    with pytest.raises(UsageError):
        run(project, SearchQuery("x", limit=0))
    # Punctuation a user may type is just text, not query syntax.
    assert isinstance(run(project, SearchQuery('foo( a:b "unclosed')).hits, list)


def test_a_save_updates_both_stores_and_the_old_text_is_gone(project: Workspace) -> None:
    project.write(
        "pkg/mathutil.py",
        '''
        def crc_of_buffer(data):
            """Cyclic redundancy check of a buffer."""
            return 0
        ''',
    )
    before = run(project, SearchQuery("compute_checksum", mode="fts"))
    assert "pkg.mathutil.compute_checksum" in names(before)  # the stores lag until synced
    index_all(project)
    after = run(project, SearchQuery("cyclic redundancy check"))
    assert names(after)[0] == "pkg.mathutil.crc_of_buffer"
    for mode in ("fts", "vector", "hybrid"):
        gone = run(project, SearchQuery("compute_checksum modulo", mode=mode))
        assert "pkg.mathutil.compute_checksum" not in names(gone)


def test_a_deleted_file_leaves_both_stores(project: Workspace) -> None:
    project.remove("web/shapes.ts")
    index_all(project)
    for mode in ("fts", "vector"):
        result = run(project, SearchQuery("draw circle radius", mode=mode))
        assert all(h.row.path != "web/shapes.ts" for h in result.hits)
    with _reader(project) as conn:
        report = check(conn, project.index_dir, hashing())
    assert report.ok, report


def test_a_crash_between_sqlite_and_the_stores_is_partial_then_repaired(
    project: Workspace,
) -> None:
    project.write(
        "pkg/mathutil.py",
        '''
        def levenshtein(a, b):
            """Edit distance between two strings."""
            return 0
        ''',
    )
    project.index()  # SQLite committed; the process died before the stores were written
    result = run(project, SearchQuery("edit distance between strings"))
    assert result.coverage.partial
    assert result.coverage.files_lagging_text == 1
    assert result.coverage.files_lagging_vectors == 1
    # A stale file's old documents never pass for current ones: they point at
    # definitions SQLite no longer holds and are dropped.
    assert "pkg.mathutil.fibonacci" not in names(run(project, SearchQuery("fibonacci")))
    with _reader(project) as conn:
        before = check(conn, project.index_dir, hashing())
        assert not before.ok
        assert {s.name: s.stale for s in before.stores}["text"] == 1
        done = repair(conn, project.root, project.index_dir, hashing())
        assert any("1 files rebuilt" in line for line in done), done
        assert check(conn, project.index_dir, hashing()).ok
    repaired = run(project, SearchQuery("edit distance between strings"))
    assert names(repaired)[0] == "pkg.mathutil.levenshtein"
    assert not repaired.coverage.partial


def test_a_deleted_store_folder_is_rebuilt_without_embedding_again(project: Workspace) -> None:
    shutil.rmtree(project.index_dir / TEXT_DIR)
    shutil.rmtree(project.index_dir / VECTOR_DIR)
    result = run(project, SearchQuery("fibonacci number"))
    assert result.mode == "symbols" or not result.hits or result.coverage.partial
    assert any("unavailable" in note for note in result.notes)
    holder = hashing()
    with _reader(project) as conn:
        TextSync(project.root, project.index_dir).sync(conn)
        sync = VectorSync(project.root, project.index_dir, lambda: holder.get())
        try:
            report = sync.sync(conn)
        finally:
            sync.close()
    assert report.updated == 3
    assert report.embedded == 0  # every chunk came from the embedding cache
    assert report.cached > 0
    assert names(run(project, SearchQuery("fibonacci number")))[0] == "pkg.mathutil.fibonacci"


def test_a_corrupted_vector_table_is_rebuilt_by_the_writer(project: Workspace) -> None:
    damaged = [
        f for f in (project.index_dir / VECTOR_DIR).rglob("*") if f.is_file() and "data" in f.parts
    ]
    assert damaged
    for data in damaged:
        data.write_bytes(b"not a lance file")
    holder = hashing()
    with _reader(project) as conn:
        sync = VectorSync(project.root, project.index_dir, lambda: holder.get())
        try:
            report = sync.sync(conn)
        finally:
            sync.close()
        assert report.updated == 3
        assert check(conn, project.index_dir, holder).ok
    assert names(run(project, SearchQuery("fibonacci number", mode="vector")))[0] == (
        "pkg.mathutil.fibonacci"
    )


def failing_model() -> ModelHolder:
    def load(model: str, device: str | None) -> object:
        raise EmbedderUnavailable("sentence-transformers is not installed")

    return ModelHolder("default", loader=load)  # type: ignore[arg-type]


def test_without_a_model_hybrid_degrades_to_bm25_and_says_so(ws: Workspace) -> None:
    ws.write("pkg/http.py", PARSER)
    index_all(ws, vectors=False)
    result = run(ws, SearchQuery("split header lines into a dictionary"), failing_model())
    assert result.mode == "fts"
    assert names(result)[0] == "pkg.http.parse_http_headers"
    assert any("sentence-transformers is not installed" in note for note in result.notes)
    vector_only = run(ws, SearchQuery("headers", mode="vector"), failing_model())
    assert vector_only.hits == []
    assert vector_only.notes


def test_a_new_model_re_embeds_everything(project: Workspace) -> None:
    other = ModelHolder("hash:64")
    with _reader(project) as conn:
        sync = VectorSync(project.root, project.index_dir, lambda: other.get())
        try:
            assert len(sync.drift(conn).stale) == 3
            report = sync.sync(conn)
        finally:
            sync.close()
    assert report.updated == 3 and report.embedded > 0
    result = run(project, SearchQuery("fibonacci number", mode="vector"), other)
    assert names(result)[0] == "pkg.mathutil.fibonacci"


def embed_again(ws: Workspace) -> int:
    """Index and sync; the number of chunks the model had to embed."""
    ws.index()
    holder = hashing()
    with _reader(ws) as conn:
        TextSync(ws.root, ws.index_dir).sync(conn)
        sync = VectorSync(ws.root, ws.index_dir, lambda: holder.get())
        try:
            return sync.sync(conn).embedded
        finally:
            sync.close()


def test_unchanged_text_is_never_embedded_twice(project: Workspace) -> None:
    original = (project.root / "pkg/mathutil.py").read_text()
    # A branch switch changes one function, then switches back.
    project.write("pkg/mathutil.py", original.replace("modulo 65536", "modulo 256"), dedent=False)
    assert embed_again(project) == 1  # only the changed function's chunk
    project.write("pkg/mathutil.py", original, dedent=False)
    assert embed_again(project) == 0  # both versions are in the cache
    # A forced rebuild re-parses every file and embeds nothing.
    project.index(force=True)
    assert embed_again(project) == 0
    assert names(run(project, SearchQuery("bytes of a buffer modulo")))[0] == (
        "pkg.mathutil.compute_checksum"
    )


@pytest.mark.slow
def test_the_real_model_finds_code_by_meaning_offline(ws: Workspace) -> None:
    """all-MiniLM-L6-v2 from the wheel, offline: a paraphrase with no shared word still lands."""
    ws.write("pkg/http.py", PARSER)
    ws.write("pkg/mathutil.py", MATH)
    model = ModelHolder("default")
    try:
        index_all(ws, model)
        result = run(
            ws, SearchQuery("sequence where each term adds the previous two", mode="vector"), model
        )
        assert names(result)[0] == "pkg.mathutil.fibonacci"
        assert result.hits[0].scores["vector"] > 0.3
    finally:
        model.close()


class CountingModels(ModelHolder):
    """A hashing model holder that counts its loads."""

    def __init__(self, model: str = "hash") -> None:
        super().__init__(model)
        self.loads = 0

    def _load(self) -> None:
        self.loads += 1
        super()._load()


def sync_with_note(ws: Workspace, models: CountingModels) -> tuple[int, int]:
    """What ``codeidx index`` does after indexing: (files updated, loads of the model)."""
    ws.index()
    with _reader(ws) as conn:
        sync = VectorSync(
            ws.root, ws.index_dir, lambda: models.get(), settings_key=models.settings_key
        )
        try:
            return sync.sync(conn).updated, models.loads
        finally:
            sync.close()


def test_nothing_to_embed_loads_no_model_under_the_same_settings(ws: Workspace) -> None:
    ws.write("pkg/mathutil.py", MATH)
    assert sync_with_note(ws, CountingModels()) == (1, 1)  # The first sync loads it.
    assert (ws.index_dir / VECTOR_DIR / MODEL_NOTE).is_file()
    assert sync_with_note(ws, CountingModels()) == (0, 0)  # Nothing changed: no load.
    # A deleted file is dropped without the model too.
    ws.write("pkg/more.py", "def extra():\n    return 1\n")
    assert sync_with_note(ws, CountingModels()) == (1, 1)
    (ws.root / "pkg/more.py").unlink()
    assert sync_with_note(ws, CountingModels()) == (0, 0)
    # A changed file needs the model; the vectors stay searchable by it.
    ws.write("pkg/mathutil.py", MATH.replace("fibonacci", "lucas"))
    assert sync_with_note(ws, CountingModels()) == (1, 1)
    assert names(run(ws, SearchQuery("lucas", mode="vector")))[0] == "pkg.mathutil.lucas"
    # Other settings: the model is loaded to learn which model it is.
    assert sync_with_note(ws, CountingModels("hash:64")) == (1, 1)


def test_a_note_the_store_does_not_match_is_not_trusted(ws: Workspace) -> None:
    ws.write("pkg/mathutil.py", MATH)
    sync_with_note(ws, CountingModels())
    # Another process wrote the store for another model since: the note is stale.
    other = CountingModels("hash:64")
    with _reader(ws) as conn:
        sync = VectorSync(ws.root, ws.index_dir, lambda: other.get())
        try:
            assert sync.sync(conn).updated == 1
        finally:
            sync.close()
    # The note's model is loaded rather than trusted, and the store, which holds
    # that model's vectors now, is re-embedded for it (not emptied and left so).
    again = CountingModels()
    assert sync_with_note(ws, again) == (1, 1)
    assert names(run(ws, SearchQuery("fibonacci number", mode="vector")))[0] == (
        "pkg.mathutil.fibonacci"
    )


def test_a_wrong_note_is_corrected_once_the_model_loads(ws: Workspace) -> None:
    ws.write("pkg/mathutil.py", MATH)
    sync_with_note(ws, CountingModels())
    note = ws.index_dir / VECTOR_DIR / MODEL_NOTE
    # The same settings now load another model (a new machine, a new model
    # version): the note still names the old one until something needs embedding.
    text = note.read_text().replace('"settings": "hash|auto"', '"settings": "hash:64|auto"')
    note.write_text(text)
    ws.write("pkg/mathutil.py", MATH.replace("fibonacci", "lucas"))
    assert sync_with_note(ws, CountingModels("hash:64")) == (1, 1)
    assert sync_with_note(ws, CountingModels("hash:64")) == (0, 0)
    result = run(ws, SearchQuery("lucas", mode="vector"), ModelHolder("hash:64"))
    assert names(result)[0] == "pkg.mathutil.lucas"


def test_the_embedding_cache_stays_bounded(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    from codeidx.index import search_sync
    from codeidx.store.embed_cache import EmbeddingCache

    monkeypatch.setattr(search_sync, "CACHE_MIN_KEPT", 0)
    monkeypatch.setattr(search_sync, "CACHE_KEPT_PER_CHUNK", 1)
    ws.write("pkg/mathutil.py", MATH)
    first = embed_again(ws)
    assert first > 0
    for n in range(4):  # Edits: each version's text is cached, then pruned.
        ws.write("pkg/mathutil.py", MATH.replace("modulo 65536", f"modulo {n}"))
        assert embed_again(ws) == 1
    cache = EmbeddingCache.open(ws.index_dir / search_sync.CACHE_NAME)
    try:
        # As many vectors as the store holds chunks: the latest text's.
        assert cache.count(hashing().get().model_id) == first
    finally:
        cache.close()
    # The latest text's vectors are the ones kept: a lost vector store is
    # rebuilt from the cache without embedding anything.
    shutil.rmtree(ws.index_dir / VECTOR_DIR)
    assert embed_again(ws) == 0
