"""Tests for codeidx.store.vector_index: per-file replace, manifest, crash order, filters."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from codeidx.errors import StoreDamaged
from codeidx.store import vector_index
from codeidx.store.vector_index import ChunkRow, VectorIndex

DIM = 8


def unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def rows_for(
    path: str,
    seeds: Sequence[int],
    *,
    language: str = "python",
    kind: str = "function",
    base: int = 0,
) -> list[ChunkRow]:
    return [
        ChunkRow(
            chunk_id=f"{base + i}:0",
            node_id=base + i,
            window=0,
            path=path,
            language=language,
            kind=kind,
            vector=unit(seed),
        )
        for i, seed in enumerate(seeds)
    ]


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    return tmp_path / "vectors"


@pytest.fixture
def writer(directory: Path) -> Iterator[VectorIndex]:
    index = VectorIndex.open(directory, model_id="m1", dim=DIM, writable=True)
    try:
        yield index
    finally:
        index.close()


def test_replace_file_stores_rows_and_manifest(writer: VectorIndex):
    writer.replace_file("a.py", "h1", rows_for("a.py", [1, 2], base=10))
    writer.replace_file("b.py", "h2", rows_for("b.py", [3], base=20))

    assert writer.manifest() == {"a.py": "h1", "b.py": "h2"}
    assert writer.count() == 3
    hits = writer.search(unit(3), 1)
    assert [(h.node_id, h.chunk_id, h.path) for h in hits] == [(20, "20:0", "b.py")]
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)


def test_replacing_a_file_drops_its_old_rows(writer: VectorIndex):
    writer.replace_file("a.py", "h1", rows_for("a.py", [1, 2, 3], base=10))
    writer.replace_file("a.py", "h2", rows_for("a.py", [4], base=30))

    assert writer.manifest() == {"a.py": "h2"}
    assert writer.count() == 1
    assert {h.node_id for h in writer.search(unit(1), 10)} == {30}


def test_delete_file_removes_rows_and_entry(writer: VectorIndex):
    writer.replace_file("a.py", "h1", rows_for("a.py", [1], base=10))
    writer.replace_file("b.py", "h2", rows_for("b.py", [2], base=20))

    writer.delete_file("a.py")

    assert writer.manifest() == {"b.py": "h2"}
    assert [h.path for h in writer.search(unit(1), 10)] == ["b.py"]


def test_a_file_without_chunks_is_still_recorded(writer: VectorIndex):
    writer.replace_file("empty.py", "h0", [])
    assert writer.manifest() == {"empty.py": "h0"}
    assert writer.count() == 0


def test_replace_files_batches_many_files(writer: VectorIndex):
    writer.replace_file("old.py", "h0", rows_for("old.py", [9], base=90))
    writer.replace_files(
        [
            ("a.py", "h1", rows_for("a.py", [1], base=10)),
            ("old.py", "h9", rows_for("old.py", [2], base=91)),
            ("c.py", "h3", []),
        ]
    )
    assert writer.manifest() == {"a.py": "h1", "old.py": "h9", "c.py": "h3"}
    assert sorted(h.node_id for h in writer.search(unit(1), 10)) == [10, 91]


def test_quotes_in_paths_are_matched_exactly(writer: VectorIndex):
    tricky = "it's a \\ path' OR 'x'='x.py"
    writer.replace_file(tricky, "h1", rows_for(tricky, [1], base=10))
    writer.replace_file("other.py", "h2", rows_for("other.py", [2], base=20))

    writer.delete_file(tricky)

    assert writer.manifest() == {"other.py": "h2"}
    assert writer.count() == 1


class Boom(Exception):
    pass


@pytest.mark.parametrize("failing_step", range(4))
def test_a_crash_at_any_step_never_leaves_a_manifest_entry_claiming_missing_rows(
    directory: Path, failing_step: int, monkeypatch: pytest.MonkeyPatch
):
    index = VectorIndex.open(directory, model_id="m1", dim=DIM, writable=True)
    index.replace_file("a.py", "h1", rows_for("a.py", [1, 2], base=10))
    steps: list[str] = []
    tables = {"manifest": index._manifest, "chunks": index._chunks}

    def failing(name: str, method: str):
        original = getattr(tables[name], method)

        def run(*args: object, **kwargs: object) -> object:
            if len(steps) == failing_step:
                raise Boom(f"{name}.{method}")
            steps.append(f"{name}.{method}")
            return original(*args, **kwargs)

        return run

    for name in tables:
        for method in ("delete", "add"):
            monkeypatch.setattr(tables[name], method, failing(name, method))

    with pytest.raises(Boom):
        index.replace_file("a.py", "h2", rows_for("a.py", [3, 4, 5], base=30))
    index.close()
    monkeypatch.undo()

    reopened = VectorIndex.open(directory, model_id="m1", dim=DIM, writable=True)
    try:
        manifest = reopened.manifest()
        stored = {h.node_id for h in reopened.search(unit(1), 100) if h.path == "a.py"}
        # The documented order, followed up to the failing step.
        order = ["manifest.delete", "chunks.delete", "chunks.add", "manifest.add"]
        assert steps == order[:failing_step]
        if "a.py" in manifest:
            expected = {"h1": {10, 11}, "h2": {30, 31, 32}}[manifest["a.py"]]
            assert stored == expected
        # Writing the file again repairs whatever the crash left.
        reopened.replace_file("a.py", "h2", rows_for("a.py", [3, 4, 5], base=30))
        assert reopened.manifest() == {"a.py": "h2"}
        assert {h.node_id for h in reopened.search(unit(1), 100)} == {30, 31, 32}
    finally:
        reopened.close()


def test_language_and_kind_filters_apply_before_ranking(writer: VectorIndex):
    writer.replace_file("a.py", "h1", rows_for("a.py", [1], base=10))
    writer.replace_file("b.rs", "h2", rows_for("b.rs", [2], language="rust", base=20))
    writer.replace_file("c.py", "h3", rows_for("c.py", [3], kind="class", base=30))

    query = unit(1)
    assert {h.node_id for h in writer.search(query, 10, languages={"rust"})} == {20}
    assert {h.node_id for h in writer.search(query, 10, kinds=["class"])} == {30}
    assert {
        h.node_id for h in writer.search(query, 10, languages={"python"}, kinds={"function"})
    } == {10}
    assert writer.search(query, 10, languages=set()) == []
    assert writer.search(query, 10, languages={"o'brien"}) == []


def test_search_ranks_by_cosine_and_respects_limit(writer: VectorIndex):
    writer.replace_file("a.py", "h1", rows_for("a.py", list(range(1, 21)), base=100))
    query = unit(7)
    hits = writer.search(query, 5)
    assert len(hits) == 5
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    vectors = {100 + i: unit(seed) for i, seed in enumerate(range(1, 21))}
    best = sorted(vectors, key=lambda n: -float(vectors[n] @ query))[:5]
    assert [h.node_id for h in hits] == best
    assert scores[0] == pytest.approx(float(vectors[best[0]] @ query), abs=1e-5)


def test_a_reader_sees_the_writers_new_versions(directory: Path, writer: VectorIndex):
    reader = VectorIndex.open(directory, model_id="m1", dim=DIM, writable=False)
    try:
        assert reader.count() == 0
        writer.replace_file("a.py", "h1", rows_for("a.py", [1], base=10))
        assert reader.manifest() == {"a.py": "h1"}
        assert [h.node_id for h in reader.search(unit(1), 1)] == [10]
        writer.delete_file("a.py")
        assert reader.count() == 0
    finally:
        reader.close()


def test_a_reader_opened_before_anything_exists_is_empty(directory: Path):
    reader = VectorIndex.open(directory, model_id="m1", dim=DIM, writable=False)
    try:
        assert reader.count() == 0
        assert reader.search(unit(1), 5) == []
        assert reader.manifest() == {}
        assert reader.model_mismatch
    finally:
        reader.close()


def test_a_reader_during_table_creation_reads_empty_then_sees_the_rows(
    directory: Path, writer: VectorIndex, monkeypatch: pytest.MonkeyPatch
):
    writer.replace_file("a.py", "h1", rows_for("a.py", [1], base=10))
    reader = VectorIndex.open(directory, model_id="m1", dim=DIM, writable=False)
    try:
        # The writer is creating the tables: listed, but not openable yet.
        real_open = reader._db.open_table

        def not_yet(name: str, *args: object, **kwargs: object) -> object:
            raise ValueError(f"Table '{name}' was not found")

        reader._meta = reader._chunks = reader._manifest = None
        monkeypatch.setattr(reader._db, "open_table", not_yet)
        assert reader.search(unit(1), 1) == []
        assert reader.manifest() == {}
        monkeypatch.setattr(reader._db, "open_table", real_open)
        assert [h.node_id for h in reader.search(unit(1), 1)] == [10]
        assert reader.manifest() == {"a.py": "h1"}
    finally:
        reader.close()


def test_a_reader_cannot_write(directory: Path, writer: VectorIndex):
    reader = VectorIndex.open(directory, model_id="m1", dim=DIM, writable=False)
    with pytest.raises(RuntimeError, match="read-only"):
        reader.delete_file("a.py")


def test_a_new_model_starts_empty_for_the_writer_and_reads_empty_for_readers(directory: Path):
    first = VectorIndex.open(directory, model_id="m1", dim=DIM, writable=True)
    first.replace_file("a.py", "h1", rows_for("a.py", [1], base=10))
    first.close()

    reader_new = VectorIndex.open(directory, model_id="m2", dim=4, writable=False)
    assert reader_new.model_mismatch
    assert reader_new.count() == 0 and reader_new.manifest() == {}
    assert reader_new.search(np.ones(4, dtype=np.float32) / 2, 3) == []

    reader_old = VectorIndex.open(directory, model_id="m1", dim=DIM, writable=False)
    assert not reader_old.model_mismatch
    assert reader_old.count() == 1

    second = VectorIndex.open(directory, model_id="m2", dim=4, writable=True)
    try:
        assert second.count() == 0 and second.manifest() == {}
        vector = np.array([1, 0, 0, 0], dtype=np.float32)
        second.replace_file(
            "a.py", "h1", [ChunkRow("10:0", 10, 0, "a.py", "python", "function", vector)]
        )
        assert not reader_new.model_mismatch
        assert [h.node_id for h in reader_new.search(vector, 3)] == [10]
        assert reader_old.model_mismatch
        assert reader_old.count() == 0
    finally:
        second.close()
        reader_new.close()
        reader_old.close()


def test_same_model_reopens_with_its_rows(directory: Path):
    first = VectorIndex.open(directory, model_id="m1", dim=DIM, writable=True)
    first.replace_file("a.py", "h1", rows_for("a.py", [1], base=10))
    first.close()
    again = VectorIndex.open(directory, model_id="m1", dim=DIM, writable=True)
    try:
        assert again.manifest() == {"a.py": "h1"}
        assert again.count() == 1
    finally:
        again.close()


def test_wrong_vector_sizes_are_refused(writer: VectorIndex):
    with pytest.raises(ValueError, match="dimensions"):
        writer.search(np.ones(DIM + 1, dtype=np.float32), 3)
    bad = ChunkRow("1:0", 1, 0, "a.py", "python", "function", np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match="dimensions"):
        writer.replace_file("a.py", "h", [bad])
    assert writer.manifest() == {}


def test_clear_empties_everything(writer: VectorIndex):
    writer.replace_file("a.py", "h1", rows_for("a.py", [1, 2], base=10))
    writer.clear()
    assert writer.count() == 0
    assert writer.manifest() == {}


def test_optimize_compacts_and_builds_an_ann_index_past_the_threshold(
    writer: VectorIndex, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(vector_index, "ANN_MIN_ROWS", 300)
    for i in range(3):
        writer.replace_file(
            f"f{i}.py", f"h{i}", rows_for(f"f{i}.py", range(i * 100, i * 100 + 100), base=i * 100)
        )
    assert writer._indexed_rows() == 0
    writer.optimize()
    assert writer._indexed_rows() == 300
    # Growth below the rebuild factor keeps the index; results stay exact for a stored vector.
    writer.replace_file("g.py", "hg", rows_for("g.py", range(1000, 1100), base=1000))
    writer.optimize()
    assert writer.count() == 400
    hits = writer.search(unit(1050), 1)
    assert [h.node_id for h in hits] == [1050]
    assert writer.manifest()["g.py"] == "hg"


def test_optimize_below_the_threshold_keeps_a_flat_scan(writer: VectorIndex):
    writer.replace_file("a.py", "h1", rows_for("a.py", range(50)))
    writer.optimize()
    assert writer._indexed_rows() == 0
    assert writer.count() == 50


def test_a_damaged_table_raises_store_damaged(directory: Path):
    index = VectorIndex.open(directory, model_id="m1", dim=DIM, writable=True)
    index.replace_file("a.py", "h1", rows_for("a.py", [1, 2], base=10))
    index.close()
    shutil.rmtree(directory / "chunks.lance" / "data")

    with pytest.raises(StoreDamaged, match="vector store"):
        reopened = VectorIndex.open(directory, model_id="m1", dim=DIM, writable=False)
        reopened.search(unit(1), 3)
