"""A long-lived Indexer (the language server's writer) across many runs."""

from __future__ import annotations

import os
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


def test_changed_on_disk_names_new_changed_and_deleted_files_and_writes_nothing(
    tmp_path: Path,
) -> None:
    root, index_dir = tmp_path / "ws", tmp_path / "idx"
    root.mkdir()
    (root / "a.py").write_text("def f():\n    return 1\n")
    (root / "b.py").write_text("def g():\n    return 2\n")
    (root / "notes.txt").write_text("not indexed\n")
    indexer = Indexer(root, index_dir)
    try:
        assert indexer.changed_on_disk(IndexOptions()) is None  # No index opened yet.
        indexer.run()
        # Just written: the index keeps no modification time for them yet.
        for name in ("a.py", "b.py"):
            path = root / name
            os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns - 10**10))
        indexer.run()
        assert indexer.changed_on_disk(IndexOptions()) == {}
        (root / "a.py").write_text("def f():\n    return 10\n")
        (root / "c.py").write_text("def h():\n    return 3\n")
        (root / "b.py").unlink()
        with closing(sqlite3.connect(index_dir / "index.sqlite")) as conn:
            before = conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        found = indexer.changed_on_disk(IndexOptions())
        assert found is not None
        assert sorted(found) == ["a.py", "b.py", "c.py"] and found["b.py"] is None
        assert found["c.py"] == (
            (root / "c.py").stat().st_size,
            (root / "c.py").stat().st_mtime_ns,
        )
        # Excluded files are no change.
        assert "c.py" not in (indexer.changed_on_disk(IndexOptions(exclude=("c.py",))) or {})
        with closing(sqlite3.connect(index_dir / "index.sqlite")) as conn:
            assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == before
    finally:
        indexer.close()
