"""A long-lived Indexer (the language server's writer) across many runs."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from codeidx.index.pipeline import Indexer, IndexOptions, run_index

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def totals(index_dir: Path) -> tuple[int, int]:
    with closing(sqlite3.connect(index_dir / "index.sqlite")) as conn:
        nodes = conn.execute("SELECT COUNT(*) FROM nodes").fetchone()[0]
        edges = conn.execute("SELECT COUNT(*) FROM edges").fetchone()[0]
    return nodes, edges


def test_session_totals_stay_exact_across_saves_and_other_writers(tmp_path: Path) -> None:
    root, index_dir = tmp_path / "ws", tmp_path / "idx"
    root.mkdir()
    (root / "a.py").write_text("def f():\n    return g()\n\ndef g():\n    return 1\n")
    (root / "b.py").write_text("from a import f\n\ndef h():\n    return f()\n")
    indexer = Indexer(root, index_dir)
    try:
        first = indexer.run()
        assert (first.counts.nodes, first.counts.edges) == totals(index_dir)
        # A save that adds a function and a call: totals follow the deltas.
        (root / "a.py").write_text(
            "def f():\n    return g() + k()\n\ndef g():\n    return 1\n\ndef k():\n    return 2\n"
        )
        saved = indexer.run(IndexOptions(only=("a.py",)))
        assert saved.counts.files_parsed == 1
        assert (saved.counts.nodes, saved.counts.edges) == totals(index_dir)
        # Another writer (a CLI run) deletes a file between two saves.
        (root / "b.py").unlink()
        other = run_index(root, index_dir)
        assert other.counts.files_deleted == 1
        (root / "a.py").write_text("def f():\n    return 1\n")
        after = indexer.run(IndexOptions(only=("a.py",)))
        assert (after.counts.nodes, after.counts.edges) == totals(index_dir)
        # A vanished file named in a save is deleted with its edges.
        (root / "a.py").unlink()
        gone = indexer.run(IndexOptions(only=("a.py",)))
        assert gone.counts.files_deleted == 1
        assert (gone.counts.nodes, gone.counts.edges) == totals(index_dir) == (0, 0)
    finally:
        indexer.close()
