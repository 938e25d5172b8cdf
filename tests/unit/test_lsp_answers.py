"""The answer cache: what it keeps, and when a kept answer stops being served."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from codeidx.lsp.answers import AnswerCache, Validity, remembered
from codeidx.lsp.convert import JsonAnswer
from codeidx.lsp.live import Views
from codeidx.query.buffers import Buffer


def _buffer(path: str, key: object) -> Buffer:
    def extract(module_name: str) -> object:
        raise AssertionError("the cache never parses")

    return Buffer(path, "python", "x = 1\n", extract, key)  # type: ignore[arg-type]


def _answer(size: int) -> JsonAnswer:
    return JsonAnswer(b"[" + b"0," * (size // 2) + b"0]")


def test_a_kept_answer_is_served_for_the_same_generation_and_buffers() -> None:
    cache = AnswerCache(min_seconds=0.0)
    key = object()
    valid = Validity.of(3, {"a.py": _buffer("a.py", key)})
    answer = _answer(10)
    cache.put("refs", valid, answer, 0.5)

    assert cache.get("refs", Validity.of(3, {"a.py": _buffer("a.py", key)})) is answer
    assert cache.hits == 1


def test_another_generation_or_buffer_text_misses() -> None:
    cache = AnswerCache(min_seconds=0.0)
    key = object()
    cache.put("refs", Validity.of(3, {"a.py": _buffer("a.py", key)}), _answer(10), 0.5)

    # Another text of the same buffer (a new key), no edited buffer, another file.
    assert cache.get("refs", Validity.of(3, {"a.py": _buffer("a.py", object())})) is None
    assert cache.get("refs", Validity.of(3, {})) is None
    assert cache.get("refs", Validity.of(3, {"b.py": _buffer("b.py", key)})) is None
    # A newer generation drops what older ones built, for good.
    assert cache.get("refs", Validity.of(4, {"a.py": _buffer("a.py", key)})) is None
    assert cache.size == 0
    assert cache.get("refs", Validity.of(3, {"a.py": _buffer("a.py", key)})) is None


def test_an_answer_built_from_an_older_generation_is_not_kept() -> None:
    cache = AnswerCache(min_seconds=0.0)
    cache.put("a", Validity.of(5, {}), _answer(10), 0.5)
    cache.put("b", Validity.of(4, {}), _answer(10), 0.5)

    assert cache.get("a", Validity.of(5, {})) is not None
    assert cache.get("b", Validity.of(4, {})) is None


def test_cheap_answers_and_unknown_states_are_not_kept() -> None:
    cache = AnswerCache(min_seconds=0.02)
    cache.put("cheap", Validity.of(1, {}), _answer(10), 0.001)
    assert cache.get("cheap", Validity.of(1, {})) is None

    # A buffer without a key stands for no particular text.
    assert Validity.of(1, {"a.py": _buffer("a.py", None)}) is None
    cache.put("unknown", None, _answer(10), 1.0)
    assert cache.get("unknown", None) is None
    assert cache.size == 0


def test_the_least_recently_used_answers_leave_first_within_the_budget() -> None:
    cache = AnswerCache(budget=1000, min_seconds=0.0)
    valid = Validity.of(1, {})
    for name in ("a", "b", "c"):
        cache.put(name, valid, _answer(300), 0.5)
    assert cache.get("a", valid) is not None  # "a" is now the most recent.
    cache.put("d", valid, _answer(300), 0.5)

    assert cache.get("b", valid) is None
    assert all(cache.get(name, valid) is not None for name in ("a", "c", "d"))
    assert cache.size <= 1000
    # An answer over half the budget would push out everything: it is not kept.
    cache.put("huge", valid, _answer(600), 0.5)
    assert cache.get("huge", valid) is None


def test_the_environment_sets_the_least_cost_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEIDX_ANSWER_CACHE_MIN_MS", "0")
    cache = AnswerCache.from_env()
    cache.put("cheap", Validity.of(1, {}), _answer(10), 0.0)
    assert cache.get("cheap", Validity.of(1, {})) is not None

    monkeypatch.setenv("CODEIDX_ANSWER_CACHE_MIN_MS", "soon")
    cache = AnswerCache.from_env()
    cache.put("cheap", Validity.of(1, {}), _answer(10), 0.0)
    assert cache.get("cheap", Validity.of(1, {})) is None


def test_remembered_builds_once_per_state(tmp_path: Path) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE files (path TEXT, content_hash TEXT)")
    views = Views(tmp_path, {})
    cache = AnswerCache(min_seconds=0.0)
    built: list[int] = []

    def build() -> JsonAnswer:
        built.append(1)
        return _answer(10)

    first = remembered(cache, "k", 1, views, conn, build)
    again = remembered(cache, "k", 1, Views(tmp_path, {}), conn, build)
    assert again is first and len(built) == 1
    # While a run writes (no generation), every request builds its own answer.
    remembered(cache, "k", None, Views(tmp_path, {}), conn, build)
    assert len(built) == 2
    remembered(cache, "k", 2, Views(tmp_path, {}), conn, build)
    assert len(built) == 3
