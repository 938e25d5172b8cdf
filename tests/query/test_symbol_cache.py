"""The name cache behind workspace symbol search: fresh after every index run.

``search_symbols`` keeps the names of an index between searches and builds a
``fuzzy.NameIndex`` over them in the background; these tests check that its
answers follow the index through additions, removals and rebuilds, before
and after that build, and agree with ranking the stored names afresh.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from querytest import build

from codeidx.index.pipeline import run_index
from codeidx.query import fuzzy
from codeidx.query.status import open_index
from codeidx.query.symbols import name_cache, search_symbols, warm_names
from codeidx.query.types import SymbolQuery

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

#: How long a test waits for the background build of a few names.
BUILD_TIMEOUT = 30.0

FILES = {
    "engine.py": """
        class Engine:
            def run(self):
                pass

            def run_all(self):
                pass


        def engine_factory():
            return Engine()
    """,
    "tools.py": "def get_token_name():\n    pass\n\n\ndef spare_part():\n    pass\n",
}


def names(index_dir: Path, text: str) -> list[str]:
    conn = open_index(index_dir)
    try:
        return [m.symbol.name for m in search_symbols(conn, SymbolQuery(text)).matches]
    finally:
        conn.close()


def fresh(index_dir: Path, text: str) -> list[str]:
    """The answer of ranking the stored names afresh, without the cache."""
    conn = open_index(index_dir)
    try:
        result = search_symbols(conn, SymbolQuery(text), rank=fuzzy.rank)
        return [m.symbol.name for m in result.matches]
    finally:
        conn.close()


def built_cache(index_dir: Path) -> None:
    """Search until the cache has built its ``NameIndex``."""
    conn = open_index(index_dir)
    try:
        search_symbols(conn, SymbolQuery("run"))
        search_symbols(conn, SymbolQuery("run"))
        cache = name_cache(conn, None, None, False)
        assert cache.wait_built(BUILD_TIMEOUT)
        assert cache.indexed
    finally:
        conn.close()


def test_cached_answers_agree_with_a_fresh_ranking(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    queries = ["run", "eng", "gtn", "Engine", "part"]
    before = {q: names(fx.index_dir, q) for q in queries}
    built_cache(fx.index_dir)
    after = {q: names(fx.index_dir, q) for q in queries}
    expected = {q: fresh(fx.index_dir, q) for q in queries}
    assert before == expected
    assert after == expected
    assert after["gtn"] == ["get_token_name"]


@pytest.mark.parametrize("build_first", [False, True])
def test_names_follow_additions_and_removals(tmp_path: Path, build_first: bool) -> None:
    fx = build(tmp_path, FILES)
    assert names(fx.index_dir, "spare_part") == ["spare_part"]
    if build_first:
        built_cache(fx.index_dir)
    tools = fx.root / "tools.py"
    tools.write_text("def get_token_name():\n    pass\n\n\ndef fresh_bolt():\n    pass\n")
    assert run_index(fx.root, fx.index_dir).status == "complete"
    assert names(fx.index_dir, "fresh_bolt") == ["fresh_bolt"]
    assert names(fx.index_dir, "spare_part") == []
    assert names(fx.index_dir, "frbo") == fresh(fx.index_dir, "frbo")
    (fx.root / "engine.py").unlink()
    assert run_index(fx.root, fx.index_dir).status == "complete"
    assert names(fx.index_dir, "engine_factory") == []
    assert names(fx.index_dir, "get_token_name") == ["get_token_name"]


def test_a_rebuilt_index_gets_a_new_cache(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    built_cache(fx.index_dir)
    shutil.rmtree(fx.index_dir)
    (fx.root / "tools.py").write_text("def other_tool():\n    pass\n")
    assert run_index(fx.root, fx.index_dir).status == "complete"
    assert names(fx.index_dir, "spare_part") == []
    assert names(fx.index_dir, "other_tool") == ["other_tool"]


TIED = {
    "a.py": "def alpha_a():\n    pass\n",
    "b.py": "def alpha_b():\n    pass\n",
    "c/d.py": "def alpha_c():\n    pass\n",
}


def near_names(index_dir: Path, text: str, near: list[str]) -> list[str]:
    conn = open_index(index_dir)
    try:
        result = search_symbols(conn, SymbolQuery(text, limit=1), near=near)
        return [m.symbol.name for m in result.matches]
    finally:
        conn.close()


def test_open_documents_names_follow_their_files(tmp_path: Path) -> None:
    # The three names tie on ``alpha``: with ``limit=1`` the first by name is kept,
    # unless an open document defines a tying name.  Each open file's names are kept
    # in their own small index; re-indexing a file must replace its index.
    fx = build(tmp_path, TIED)
    assert near_names(fx.index_dir, "alpha", []) == ["alpha_a"]
    assert near_names(fx.index_dir, "alpha", ["c/d.py"]) == ["alpha_c"]
    # Two open documents: their names are searched file by file and merged.
    assert near_names(fx.index_dir, "alpha", ["c/d.py", "b.py"]) == ["alpha_b"]
    (fx.root / "c" / "d.py").write_text("def alpha_d():\n    pass\n")
    assert run_index(fx.root, fx.index_dir).status == "complete"
    assert near_names(fx.index_dir, "alpha", ["c/d.py"]) == ["alpha_d"]
    assert near_names(fx.index_dir, "alpha", ["c/d.py", "b.py"]) == ["alpha_b"]


def test_warming_builds_the_index_before_any_search(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    queries = ["run", "eng", "gtn", "Engine", "part"]
    conn = open_index(fx.index_dir)
    try:
        cache = name_cache(conn, None, None, False)
        assert not cache.indexed
        # Engine, run, run_all, engine_factory, get_token_name, spare_part.
        assert warm_names(conn) == 6
        # Built on the caller's thread: ready before the first search.
        assert cache.indexed
        assert warm_names(conn) == 0  # Nothing left to do.
    finally:
        conn.close()
    for q in queries:
        assert names(fx.index_dir, q) == fresh(fx.index_dir, q), q
    # Names added after the warm-up are found too.
    (fx.root / "more.py").write_text("def engine_starter():\n    pass\n")
    run_index(fx.root, fx.index_dir)
    assert "engine_starter" in names(fx.index_dir, "engine_st")
    assert names(fx.index_dir, "eng") == fresh(fx.index_dir, "eng")


def test_warming_an_index_without_definitions_does_nothing(tmp_path: Path) -> None:
    fx = build(tmp_path, {"empty.py": "# nothing defined here\n"})
    conn = open_index(fx.index_dir)
    try:
        assert warm_names(conn) == 0
        assert not name_cache(conn, None, None, False).indexed
    finally:
        conn.close()
