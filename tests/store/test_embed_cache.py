"""Tests for codeidx.store.embed_cache: exact round trips, model separation, migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from codeidx.errors import StoreDamaged
from codeidx.store.embed_cache import EmbeddingCache, text_key

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def vectors(count: int, dim: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((count, dim)).astype(np.float32)


def test_text_key_is_16_bytes_of_blake2b_and_distinguishes_texts():
    assert len(text_key("def f(): pass")) == 16
    assert text_key("a") == text_key("a")
    assert text_key("a") != text_key("b")
    assert text_key("") != text_key(" ")


def test_round_trip_is_bit_exact_and_survives_reopening(tmp_path: Path):
    path = tmp_path / "embeddings.sqlite"
    data = vectors(3, 8, seed=1)
    keys = [text_key(t) for t in ("one", "two", "three")]
    cache = EmbeddingCache.open(path)
    try:
        cache.put_many("model-a", list(zip(keys, data, strict=True)))
    finally:
        cache.close()

    cache = EmbeddingCache.open(path)
    try:
        found = cache.get_many("model-a", [*keys, text_key("absent")])
        assert cache.count("model-a") == 3
    finally:
        cache.close()

    assert set(found) == set(keys)
    for key, row in zip(keys, data, strict=True):
        assert found[key].dtype == np.float32
        assert found[key].tobytes() == row.tobytes()


def test_models_are_kept_apart(tmp_path: Path):
    cache = EmbeddingCache.open(tmp_path / "embeddings.sqlite")
    try:
        key = text_key("shared text")
        cache.put_many("small", [(key, vectors(1, 4, seed=2)[0])])
        cache.put_many("large", [(key, vectors(1, 6, seed=3)[0])])

        assert cache.get_many("small", [key])[key].shape == (4,)
        assert cache.get_many("large", [key])[key].shape == (6,)
        assert cache.get_many("unknown", [key]) == {}
        assert (cache.count("small"), cache.count("large"), cache.count("unknown")) == (1, 1, 0)
    finally:
        cache.close()


def test_putting_a_key_again_replaces_its_vector(tmp_path: Path):
    cache = EmbeddingCache.open(tmp_path / "embeddings.sqlite")
    try:
        key = text_key("x")
        first, second = vectors(2, 4, seed=4)
        cache.put_many("m", [(key, first)])
        cache.put_many("m", [(key, second)])
        assert cache.count("m") == 1
        assert cache.get_many("m", [key])[key].tobytes() == second.tobytes()
    finally:
        cache.close()


def test_many_keys_are_fetched_across_statement_batches(tmp_path: Path):
    cache = EmbeddingCache.open(tmp_path / "embeddings.sqlite")
    try:
        keys = [text_key(f"text {i}") for i in range(1_234)]
        data = vectors(len(keys), 4, seed=5)
        cache.put_many("m", list(zip(keys, data, strict=True)))
        found = cache.get_many("m", keys)
        assert len(found) == len(keys)
        assert found[keys[1_000]].tobytes() == data[1_000].tobytes()
    finally:
        cache.close()


def test_a_wrong_dimension_is_refused_and_nothing_is_written(tmp_path: Path):
    cache = EmbeddingCache.open(tmp_path / "embeddings.sqlite")
    try:
        cache.put_many("m", [(text_key("a"), vectors(1, 4, seed=6)[0])])
        with pytest.raises(ValueError, match="4 dimensions"):
            cache.put_many("m", [(text_key("b"), vectors(1, 5, seed=7)[0])])
        with pytest.raises(ValueError, match="different sizes"):
            cache.put_many("n", [(text_key("c"), np.zeros(2)), (text_key("d"), np.zeros(3))])
        assert cache.count("m") == 1
        assert cache.count("n") == 0
    finally:
        cache.close()


def test_cache_schema_is_versioned_apart_from_the_index(tmp_path: Path):
    path = tmp_path / "embeddings.sqlite"
    EmbeddingCache.open(path).close()
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT version, name FROM schema_migrations").fetchall()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    assert rows == [(1, "embedding_cache"), (2, "embedding_use")]
    assert {"embedding_models", "embeddings"} <= tables
    assert "nodes" not in tables


def test_a_file_that_is_not_a_database_raises_store_damaged(tmp_path: Path):
    path = tmp_path / "embeddings.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreDamaged, match="embedding cache"):
        EmbeddingCache.open(path)


def test_prune_keeps_the_vectors_used_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from codeidx.store import embed_cache

    clock = [1_000_000.0]
    monkeypatch.setattr(embed_cache.time, "time", lambda: clock[0])
    keys = [text_key(f"text {n}") for n in range(6)]
    data = vectors(6, 4, seed=5)
    cache = EmbeddingCache.open(tmp_path / "embeddings.sqlite")
    try:
        for n in range(6):  # Written one a second: 0 is the oldest.
            clock[0] += 1
            cache.put_many("m", [(keys[n], data[n])])
        clock[0] += 1
        cache.get_many("m", [keys[0]])  # Read again: now the most recent.
        assert cache.prune("m", keep=3) == 3
        assert set(cache.get_many("m", keys)) == {keys[0], keys[4], keys[5]}
        assert cache.prune("m", keep=3) == 0
    finally:
        cache.close()


def test_prune_drops_models_unused_for_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from codeidx.store import embed_cache

    clock = [1_000_000.0]
    monkeypatch.setattr(embed_cache.time, "time", lambda: clock[0])
    key = text_key("shared text")
    cache = EmbeddingCache.open(tmp_path / "embeddings.sqlite")
    try:
        cache.put_many("old", [(key, vectors(1, 4, seed=6)[0])])
        cache.put_many("recent", [(key, vectors(1, 4, seed=7)[0])])
        clock[0] += 10 * 24 * 3600
        cache.put_many("recent", [(key, vectors(1, 4, seed=8)[0])])
        cache.put_many("current", [(key, vectors(1, 4, seed=9)[0])])
        # "old" was last used 10 days ago, "recent" just now.
        assert cache.prune("current", keep=10, idle_seconds=5 * 24 * 3600) == 1
        assert cache.count("old") == 0 and cache.count("recent") == 1
        assert cache.count("current") == 1
        # The model comes back: it is simply cached anew.
        cache.put_many("old", [(key, vectors(1, 4, seed=6)[0])])
        assert cache.count("old") == 1
    finally:
        cache.close()


def test_a_cache_of_the_first_schema_is_migrated_and_keeps_its_vectors(tmp_path: Path):
    from codeidx.store import db
    from codeidx.store.migrate import apply_migrations, shipped_migrations

    path = tmp_path / "embeddings.sqlite"
    key, other = text_key("kept text"), text_key("newer text")
    data = vectors(2, 4, seed=10)
    conn = db.connect_writer(path)
    try:
        # A cache written by a codeidx that knew the first migration only.
        apply_migrations(conn, shipped_migrations("cache")[:1])
        conn.execute("INSERT INTO embedding_models (name, dim) VALUES ('m', 4)")
        conn.execute("INSERT INTO embeddings VALUES (1, ?, ?)", (key, data[0].tobytes()))
    finally:
        conn.close()
    cache = EmbeddingCache.open(path)
    try:
        assert cache.get_many("m", [key])[key].tobytes() == data[0].tobytes()
        cache.put_many("m", [(other, data[1])])
        assert cache.prune("m", keep=2) == 0
        assert set(cache.get_many("m", [key, other])) == {key, other}
    finally:
        cache.close()
