"""Workspace symbol search: candidates from the store, ranking by ``query.fuzzy.rank``.

Most tests pass a tiny deterministic ranker so they check this module's
plumbing (filters, expansion of names into definitions, limits) rather than
the fuzzy scorer, which has its own tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from querytest import build

from codeidx.errors import UsageError
from codeidx.query import fuzzy
from codeidx.query.symbols import rank_rows, search_symbols
from codeidx.query.types import SymbolQuery
from codeidx.store import files, nodes

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

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
    "other/engine.py": "def run():\n    pass\n",
    "web/engine.js": "class Engine {\n  run() {}\n}\n",
}

seen: list[tuple[str, list[str], int]] = []


def substring_rank(query: str, names: Sequence[str], limit: int) -> list[tuple[int, float]]:
    """Names containing the query (case-insensitive), shortest first."""
    seen.append((query, list(names), limit))
    hits = [(i, 1.0 / len(n)) for i, n in enumerate(names) if query.lower() in n.lower()]
    hits.sort(key=lambda h: (-h[1], names[h[0]]))
    return hits[:limit]


def search(tmp_path: Path, query: SymbolQuery):
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        return search_symbols(conn, query, rank=substring_rank)


def test_names_expand_to_every_definition_best_first(tmp_path: Path) -> None:
    result = search(tmp_path, SymbolQuery("run"))
    found = [(m.symbol.qualified_name, m.symbol.path) for m in result.matches]
    # Definitions of one name come in path order, after the better-ranked names.
    assert found == [
        ("engine.Engine.run", "engine.py"),
        ("other.engine.run", "other/engine.py"),
        ("web/engine.Engine.run", "web/engine.js"),
        ("engine.Engine.run_all", "engine.py"),
    ]
    assert result.matches[0].score > result.matches[-1].score
    # Candidates are distinct names and never module nodes.
    assert "engine" not in seen[-1][1]
    assert result.candidates == len(seen[-1][1])


def test_javascript_assigned_members_and_exports_are_symbols(tmp_path: Path) -> None:
    files = {
        "queue.js": (
            "function Queue() {}\n"
            "Queue.prototype.enqueue = function (item) {};\n"
            "exports.enqueueAll = function (items) {};\n"
            "exports.enqueued = enqueued;\n"
        ),
    }
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        result = search_symbols(conn, SymbolQuery("enqueue"), rank=substring_rank)
    # The re-export ``exports.enqueued = enqueued`` defines nothing.
    assert [(m.symbol.qualified_name, m.symbol.kind) for m in result.matches] == [
        ("queue.Queue.enqueue", "method"),
        ("queue.enqueueAll", "function"),
    ]


def test_kind_and_language_filters(tmp_path: Path) -> None:
    result = search(tmp_path, SymbolQuery("engine", kind="class", language="javascript"))
    assert [(m.symbol.kind, m.symbol.path) for m in result.matches] == [("class", "web/engine.js")]
    assert seen[-1][1] == ["Engine"]


def test_limit_counts_definitions(tmp_path: Path) -> None:
    result = search(tmp_path, SymbolQuery("run", limit=2))
    assert len(result.matches) == 2
    assert seen[-1][2] == 2


def test_dotted_query_ranks_qualified_names(tmp_path: Path) -> None:
    result = search(tmp_path, SymbolQuery("Engine.run_"))
    assert [m.symbol.qualified_name for m in result.matches] == ["engine.Engine.run_all"]
    assert "engine.Engine.run_all" in seen[-1][1]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (SymbolQuery("  "), "empty"),
        (SymbolQuery("x", kind="klass"), "unknown symbol kind"),
        (SymbolQuery("x", language="cobol"), "unknown language"),
        (SymbolQuery("x", limit=0), "at least 1"),
    ],
)
def test_malformed_queries(tmp_path: Path, query: SymbolQuery, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        search(tmp_path, query)


def test_with_the_real_fuzzy_ranker(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        result = search_symbols(conn, SymbolQuery("engfac"))
    assert result.matches and result.matches[0].symbol.name == "engine_factory"


# Proximity ---------------------------------------------------------------------------


def near_search(tmp_path: Path, query: SymbolQuery, near: list[str]) -> list[tuple[str, str]]:
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        result = search_symbols(conn, query, near=near)
    return [(m.symbol.qualified_name, m.symbol.path) for m in result.matches]


def test_equal_matches_in_open_documents_come_first(tmp_path: Path) -> None:
    # Three definitions named ``run`` score alike; without open documents they come in
    # path order, with one open its definition leads.
    assert near_search(tmp_path, SymbolQuery("run", limit=3), [])[0][1] == "engine.py"
    assert near_search(tmp_path, SymbolQuery("run", limit=3), ["web/engine.js"]) == [
        ("web/engine.Engine.run", "web/engine.js"),
        ("engine.Engine.run", "engine.py"),
        ("other.engine.run", "other/engine.py"),
    ]


def test_then_definitions_in_their_folders(tmp_path: Path) -> None:
    # A document that is not indexed (or new) still brings its folder forward.
    found = near_search(tmp_path, SymbolQuery("run", limit=3), ["other/notes.md"])
    assert found[0] == ("other.engine.run", "other/engine.py")
    # Folders compare whole: ``web/engine.js`` is not in the folder ``we``.
    assert near_search(tmp_path, SymbolQuery("run", limit=3), ["we/x.py"])[0][1] == "engine.py"


def test_proximity_never_lifts_a_weaker_match(tmp_path: Path) -> None:
    found = near_search(tmp_path, SymbolQuery("run"), ["engine.py"])
    # ``run_all`` is only a prefix match: it stays after every exact ``run``.
    assert [name for name, _ in found][-1] == "engine.Engine.run_all"
    assert found[0] == ("engine.Engine.run", "engine.py")


TIES = {
    "a.py": "def alpha_x():\n    pass\n",
    "b.py": "def alpha_y():\n    pass\n",
    "c/d.py": "def alpha_z():\n    pass\n",
}


def test_an_open_document_name_cut_off_by_the_limit_is_merged_in(tmp_path: Path) -> None:
    # The three names tie; the ranker keeps the first by name for ``limit=1``, and the
    # open document's name, which ties with it, takes the place.
    fx = build(tmp_path, TIES)
    with fx.connect() as conn:
        alone = search_symbols(conn, SymbolQuery("alpha", limit=1))
        near = search_symbols(conn, SymbolQuery("alpha", limit=1), near=["c/d.py"])
        weaker = search_symbols(conn, SymbolQuery("alpha_x", limit=1), near=["c/d.py"])
        # A ranker passed in ranks the open documents' names too.
        ranked = search_symbols(
            conn, SymbolQuery("alpha", limit=1), rank=substring_rank, near=["c/d.py"]
        )
    assert [m.symbol.name for m in alone.matches] == ["alpha_x"]
    assert [m.symbol.name for m in near.matches] == ["alpha_z"]
    assert [m.symbol.name for m in ranked.matches] == ["alpha_z"]
    assert seen[-1] == ("alpha", ["alpha_z"], 1)
    assert near.matches[0].score == alone.matches[0].score
    assert [m.symbol.name for m in weaker.matches] == ["alpha_x"]


def test_rows_in_memory_rank_like_stored_ones(tmp_path: Path) -> None:
    # The definitions of an edited buffer are ranked by the same scores as the index's
    # answer, so the two merge; modules are left out and qualified queries use
    # qualified names.
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        rows = nodes.nodes_in_file(conn, files.file_id_of(conn, "engine.py") or 0)
        stored = {
            q: [
                (m.symbol.qualified_name, m.score)
                for m in search_symbols(conn, SymbolQuery(q), rank=fuzzy.rank).matches
                if m.symbol.path == "engine.py"
            ]
            for q in ("engfac", "run", "Engine.run")
        }
    assert any(r.kind == "module" for r in rows)
    for query, expected in stored.items():
        ranked = rank_rows(rows, query, 100)
        assert [(m.symbol.qualified_name, m.score) for m in ranked] == expected
    assert stored["engfac"][0][0] == "engine.engine_factory"
    assert stored["Engine.run"][0][0] == "engine.Engine.run"
    assert rank_rows(rows, "  ", 10) == []
