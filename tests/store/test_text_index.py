"""Tests for codeidx.store.text_index: per-file updates, manifest, search, damage, threads."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from codeidx.errors import IndexUnavailable, StoreDamaged
from codeidx.index.search_sync import TEXT_DIR, TextSync
from codeidx.query.status import open_index
from codeidx.store.text_index import SCHEMA_VERSION, VERSION_FILE, TextDoc, TextHit, TextIndex
from helpers.workspace import Workspace


def node(
    node_id: int,
    path: str,
    name: str,
    *,
    kind: str = "function",
    language: str = "python",
    signature: str = "",
    doc: str = "",
    body: str = "",
    qualified_name: str | None = None,
) -> TextDoc:
    return TextDoc(
        node_id=node_id,
        path=path,
        name=name,
        qualified_name=qualified_name if qualified_name is not None else name,
        kind=kind,
        language=language,
        signature=signature,
        doc=doc,
        body=body,
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "text"


@pytest.fixture
def writer(folder: Path) -> Iterator[TextIndex]:
    index = TextIndex.open(folder, writable=True)
    yield index
    index.close()


@pytest.fixture
def reader(folder: Path, writer: TextIndex) -> Iterator[TextIndex]:
    index = TextIndex.open(folder, writable=False)
    yield index
    index.close()


def ids(hits: list[TextHit]) -> list[int]:
    return [hit.node_id for hit in hits]


def test_a_new_index_is_empty(writer: TextIndex) -> None:
    assert writer.doc_count() == 0
    assert writer.manifest() == {}
    assert writer.search("anything", 10) == []


def test_replace_file_is_invisible_until_commit(writer: TextIndex, reader: TextIndex) -> None:
    writer.replace_file("a.py", "hash-a", [node(1, "a.py", "parse_header")])
    assert writer.search("parse_header", 10) == []
    assert reader.manifest() == {}
    writer.commit()
    assert ids(writer.search("parse_header", 10)) == [1]
    assert reader.manifest() == {"a.py": "hash-a"}
    assert reader.doc_count() == 1


def test_replace_delete_and_manifest_round_trip(writer: TextIndex) -> None:
    writer.replace_file("a.py", "hash-a1", [node(1, "a.py", "alpha"), node(2, "a.py", "beta")])
    writer.replace_file("b.py", "hash-b1", [node(3, "b.py", "gamma")])
    writer.replace_file("empty.py", "hash-e", [])
    writer.commit()
    assert writer.manifest() == {"a.py": "hash-a1", "b.py": "hash-b1", "empty.py": "hash-e"}
    assert writer.doc_count() == 3

    writer.replace_file("a.py", "hash-a2", [node(4, "a.py", "delta")])
    writer.commit()
    assert writer.manifest() == {"a.py": "hash-a2", "b.py": "hash-b1", "empty.py": "hash-e"}
    assert writer.doc_count() == 2
    # The replaced file's old documents are gone, its new one is found.
    assert writer.search("alpha beta", 10) == []
    assert [(hit.node_id, hit.path) for hit in writer.search("delta", 10)] == [(4, "a.py")]

    writer.delete_file("b.py")
    writer.delete_file("never-indexed.py")
    writer.commit()
    assert writer.manifest() == {"a.py": "hash-a2", "empty.py": "hash-e"}
    assert writer.search("gamma", 10) == []
    assert writer.doc_count() == 1


def test_replacing_twice_before_a_commit_keeps_the_last(writer: TextIndex) -> None:
    writer.replace_file("a.py", "h1", [node(1, "a.py", "first")])
    writer.replace_file("a.py", "h2", [node(2, "a.py", "second")])
    writer.commit()
    assert writer.manifest() == {"a.py": "h2"}
    assert writer.search("first", 10) == []
    assert ids(writer.search("second", 10)) == [2]


def test_a_doc_of_another_path_is_refused(writer: TextIndex) -> None:
    with pytest.raises(ValueError, match=r"b\.py"):
        writer.replace_file("a.py", "h", [node(1, "b.py", "x")])


def test_paths_are_exact_terms(writer: TextIndex) -> None:
    writer.replace_file("pkg/a b.py", "h1", [node(1, "pkg/a b.py", "one")])
    writer.replace_file("pkg/a b.pyc", "h2", [node(2, "pkg/a b.pyc", "two")])
    writer.commit()
    writer.delete_file("pkg/a b.py")
    writer.commit()
    assert writer.manifest() == {"pkg/a b.pyc": "h2"}


def test_large_node_ids_round_trip(writer: TextIndex) -> None:
    big, negative = 2**63 - 1, -(2**62)
    writer.replace_file("a.py", "h", [node(big, "a.py", "huge"), node(negative, "a.py", "tiny")])
    writer.commit()
    assert ids(writer.search("huge", 10)) == [big]
    assert ids(writer.search("tiny", 10)) == [negative]


def test_clear_removes_everything(writer: TextIndex, reader: TextIndex) -> None:
    writer.replace_file("a.py", "h", [node(1, "a.py", "alpha")])
    writer.commit()
    writer.clear()
    assert reader.doc_count() == 0
    assert reader.manifest() == {}
    writer.replace_file("a.py", "h2", [node(2, "a.py", "alpha")])
    writer.commit()
    assert ids(reader.search("alpha", 10)) == [2]


def test_identifier_parts_and_exact_names_match(writer: TextIndex) -> None:
    writer.replace_file(
        "net.py",
        "h",
        [
            node(1, "net.py", "getHTTPResponse"),
            node(2, "net.py", "read_config_file"),
            node(3, "net.py", "decode", body="return utf8Decode(data)"),
        ],
    )
    writer.commit()
    assert ids(writer.search("http response", 10)) == [1]
    assert ids(writer.search("getHTTPResponse", 10)) == [1]
    assert ids(writer.search("get_http_response", 10)) == [1]
    assert ids(writer.search("config file", 10)) == [2]
    assert ids(writer.search("utf8", 10)) == [3]


def test_doc_text_is_stemmed(writer: TextIndex) -> None:
    writer.replace_file(
        "a.py", "h", [node(1, "a.py", "run", doc="Parses the headers of incoming requests.")]
    )
    writer.commit()
    assert ids(writer.search("parsing header request", 10)) == [1]
    assert ids(writer.search("parse", 10)) == [1]


def test_english_words_meet_the_parts_of_code_names(writer: TextIndex) -> None:
    writer.replace_file(
        "a.py",
        "h",
        [
            node(1, "a.py", "parse_header", signature="def parse_header(line)"),
            node(2, "a.py", "report", body="line_count = count_lines(text)\nreturn line_count"),
            node(3, "a.py", "unrelated", body="return 0"),
        ],
    )
    writer.commit()
    # Stemmed name parts: "parses headers" is parse + header.
    assert ids(writer.search("parses headers", 10)) == [1]
    # Stemmed body parts: "counting lines" is count + line, spelled in the body as names.
    assert ids(writer.search("counting lines", 10))[0] == 2


def test_stop_words_in_a_query_match_nothing(writer: TextIndex) -> None:
    writer.replace_file(
        "util.py",
        "h",
        [
            node(1, "util.py", "file_date"),
            node(2, "util.py", "noise", body="# the of a the of a the of a\nreturn 0"),
        ],
    )
    writer.commit()
    assert ids(writer.search("the date of a file", 10)) == [1]
    # A query of stop words alone still searches for them.
    assert ids(writer.search("the of a", 10)) == [2]


def test_name_match_beats_a_body_mention(writer: TextIndex) -> None:
    writer.replace_file(
        "a.py",
        "h",
        [
            node(1, "a.py", "helper", body="value = tokenize(text)\nreturn value"),
            node(2, "a.py", "tokenize", body="return text.split()"),
            node(3, "a.py", "other", doc="Calls tokenize on every line.", body="pass"),
        ],
    )
    writer.commit()
    assert ids(writer.search("tokenize", 10)) == [2, 3, 1]


def test_signature_match_beats_a_body_mention(writer: TextIndex) -> None:
    writer.replace_file(
        "a.py",
        "h",
        [
            node(1, "a.py", "f", signature="def f(x)", body="timeout = compute()"),
            node(2, "a.py", "g", signature="def g(timeout: float)", body="pass"),
        ],
    )
    writer.commit()
    assert ids(writer.search("timeout", 10)) == [2, 1]


def test_more_query_words_matched_ranks_higher(writer: TextIndex) -> None:
    writer.replace_file(
        "a.py",
        "h",
        [
            node(1, "a.py", "parse"),
            node(2, "a.py", "parse_date"),
            node(3, "a.py", "format_date"),
        ],
    )
    writer.commit()
    assert ids(writer.search("parse date", 10))[0] == 2


def test_filters_by_language_and_kind(writer: TextIndex) -> None:
    writer.replace_file("a.py", "h1", [
        node(1, "a.py", "Widget", kind="class"),
        node(2, "a.py", "widget", kind="function"),
    ])  # fmt: skip
    writer.replace_file(
        "w.ts", "h2", [node(3, "w.ts", "Widget", kind="class", language="typescript")]
    )
    writer.commit()
    assert set(ids(writer.search("widget", 10))) == {1, 2, 3}
    assert set(ids(writer.search("widget", 10, languages=["python"]))) == {1, 2}
    assert ids(writer.search("widget", 10, languages={"typescript"})) == [3]
    assert set(ids(writer.search("widget", 10, kinds=["class"]))) == {1, 3}
    assert ids(writer.search("widget", 10, languages=["python"], kinds=["class"])) == [1]
    assert set(ids(writer.search("widget", 10, languages=["python", "typescript"]))) == {1, 2, 3}
    assert writer.search("widget", 10, languages=["go"]) == []
    assert writer.search("widget", 10, languages=[]) == []
    assert writer.search("widget", 10, kinds=["Class"]) == []


def test_limit_and_order(writer: TextIndex) -> None:
    docs = [node(i, "a.py", f"item{i}", body="shared " * i) for i in range(1, 8)]
    writer.replace_file("a.py", "h", docs)
    writer.commit()
    hits = writer.search("shared", 3)
    assert len(hits) == 3
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert writer.search("shared", 0) == []


@pytest.mark.parametrize(
    "query", ["foo(", "a:b", '"unclosed', "x AND OR", "[1 TO", "*", "\\", "^2", "-", "()", "  "]
)
def test_queries_with_punctuation_do_not_raise(writer: TextIndex, query: str) -> None:
    writer.replace_file("a.py", "h", [node(1, "a.py", "foo", body="a = b")])
    writer.commit()
    writer.search(query, 10)
    if query == "foo(":
        assert ids(writer.search(query, 10)) == [1]


def test_empty_query_gives_nothing(writer: TextIndex) -> None:
    writer.replace_file("a.py", "h", [node(1, "a.py", "foo")])
    writer.commit()
    assert writer.search("", 10) == []
    assert writer.search("!!! ...", 10) == []


def test_manifest_documents_are_never_search_hits(writer: TextIndex) -> None:
    writer.replace_file("parser.py", "parser", [])
    writer.commit()
    assert writer.search("parser", 10) == []
    assert writer.doc_count() == 0


def test_reader_sees_the_writers_commits(writer: TextIndex, reader: TextIndex) -> None:
    assert reader.search("alpha", 10) == []
    writer.replace_file("a.py", "h1", [node(1, "a.py", "alpha")])
    writer.commit()
    assert ids(reader.search("alpha", 10)) == [1]
    writer.replace_file("a.py", "h2", [node(2, "a.py", "alpha")])
    writer.commit()
    assert ids(reader.search("alpha", 10)) == [2]
    assert reader.manifest() == {"a.py": "h2"}


def test_reopened_index_keeps_its_documents(folder: Path) -> None:
    first = TextIndex.open(folder, writable=True)
    first.replace_file("a.py", "h", [node(1, "a.py", "alpha")])
    first.commit()
    first.close()
    second = TextIndex.open(folder, writable=True)
    try:
        assert ids(second.search("alpha", 10)) == [1]
        assert second.manifest() == {"a.py": "h"}
    finally:
        second.close()


def test_uncommitted_changes_are_lost_on_close(folder: Path) -> None:
    first = TextIndex.open(folder, writable=True)
    first.replace_file("a.py", "h", [node(1, "a.py", "alpha")])
    first.close()
    first.close()
    second = TextIndex.open(folder, writable=False)
    try:
        assert second.manifest() == {}
    finally:
        second.close()


def test_a_second_writer_is_refused(folder: Path, writer: TextIndex) -> None:
    with pytest.raises(IndexUnavailable, match="already open for writing"):
        TextIndex.open(folder, writable=True)


def test_a_read_only_instance_cannot_write(reader: TextIndex) -> None:
    with pytest.raises(RuntimeError, match="read-only"):
        reader.replace_file("a.py", "h", [])
    with pytest.raises(RuntimeError, match="read-only"):
        reader.commit()


def test_read_only_open_of_a_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(StoreDamaged, match="no full-text index"):
        TextIndex.open(tmp_path / "missing", writable=False)
    assert not (tmp_path / "missing").exists()


def test_a_foreign_folder_raises(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "meta.json").write_text('{"segments": []}')
    for writable in (False, True):
        with pytest.raises(StoreDamaged, match="not written by codeidx"):
            TextIndex.open(foreign, writable=writable)


def test_a_corrupted_index_raises(folder: Path) -> None:
    index = TextIndex.open(folder, writable=True)
    index.close()
    (folder / "meta.json").write_text("garbage")
    with pytest.raises(StoreDamaged, match="cannot be opened"):
        TextIndex.open(folder, writable=False)


def test_another_schema_version_raises(folder: Path) -> None:
    index = TextIndex.open(folder, writable=True)
    index.close()
    (folder / VERSION_FILE).write_text(
        json.dumps({"format": "codeidx-text", "schema_version": 999})
    )
    with pytest.raises(StoreDamaged, match="schema version 999"):
        TextIndex.open(folder, writable=False)
    (folder / VERSION_FILE).write_text("{not json")
    with pytest.raises(StoreDamaged, match="unreadable"):
        TextIndex.open(folder, writable=False)


def test_remove_then_open_rebuilds_a_damaged_folder(folder: Path) -> None:
    index = TextIndex.open(folder, writable=True)
    index.close()
    (folder / "meta.json").write_text("garbage")
    with pytest.raises(StoreDamaged):
        TextIndex.open(folder, writable=True)
    TextIndex.remove(folder)
    TextIndex.remove(folder)
    rebuilt = TextIndex.open(folder, writable=True)
    try:
        assert rebuilt.doc_count() == 0
    finally:
        rebuilt.close()


def test_a_store_of_an_older_schema_is_rebuilt_by_the_sync(ws: Workspace) -> None:
    ws.write("lib/net.py", "def parse_header(line):\n    return line.split(':')\n")
    ws.index()
    store = ws.index_dir / TEXT_DIR
    conn = open_index(ws.index_dir)
    try:
        TextSync(ws.root, ws.index_dir).sync(conn)
        (store / VERSION_FILE).write_text(
            json.dumps({"format": "codeidx-text", "schema_version": SCHEMA_VERSION - 1})
        )
        with pytest.raises(StoreDamaged, match="schema version"):
            TextIndex.open(store, writable=False)
        sync = TextSync(ws.root, ws.index_dir)
        report = sync.sync(conn)
    finally:
        conn.close()
    assert report.updated == 1
    assert any("rebuilding" in note for note in sync.notes)
    rebuilt = TextIndex.open(store, writable=False)
    try:
        assert rebuilt.doc_count() == 1
        assert len(rebuilt.search("parses headers", 10)) == 1
    finally:
        rebuilt.close()


def test_concurrent_searches_while_the_writer_commits(writer: TextIndex, reader: TextIndex) -> None:
    files = {f"f{i}.py": [node(i * 10 + j, f"f{i}.py", f"name{j}", body="common") for j in range(5)]
             for i in range(20)}  # fmt: skip
    for path, docs in files.items():
        writer.replace_file(path, "h0", docs)
    writer.commit()
    errors: list[BaseException] = []
    counts: list[int] = []
    done = threading.Event()

    def search() -> None:
        try:
            while not done.is_set():
                hits = reader.search("common", 1000)
                counts.append(len(hits))
                reader.manifest()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=search) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for round_number in range(1, 6):
            for path, docs in files.items():
                writer.replace_file(path, f"h{round_number}", docs)
            writer.commit()
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert errors == []
    # Every search saw a whole commit: each file's nodes are replaced in one
    # commit, so no search ever sees a file twice or not at all.
    assert counts and set(counts) == {100}
    assert set(reader.manifest().values()) == {"h5"}
