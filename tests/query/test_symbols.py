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
from codeidx.query.symbols import search_symbols
from codeidx.query.types import SymbolQuery

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
