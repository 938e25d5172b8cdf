"""The cheap forms in which workers hand their results to the writer.

Parse workers send node rows as tuples (``FileRows.prepared_nodes``) and link
workers send edges as tuples; both must store exactly what the record forms
store.  A bulk build hands the link workers the definitions it wrote, which
must be those the index reads back.  Saves read only the named files'
fingerprints and snapshots, and snapshots are pruned oldest first, only when
there are too many.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from codeidx.index.pipeline import IndexOptions, run_index
from codeidx.index.worker import Job, init_worker, parse_job
from codeidx.parse.extract import Extractor
from codeidx.parse.hooks import Workspace
from codeidx.store import db, edges, files, migrate, symbols

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

SOURCE = """\
import os


class Base:
    def run(self, x: int = 1) -> int:
        return x


class Child(Base):
    \"\"\"A child.\"\"\"

    @staticmethod
    def helper(*args: str) -> None:
        pass

    def run(self, x: int = 2) -> int:
        self.total = x
        return super().run(x) + len(os.sep)
"""


def _node_rows(db_path: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db_path)) as conn:
        # node_pk (the last column) is a row number, not content.
        return [r[:-1] for r in conn.execute("SELECT * FROM nodes ORDER BY node_id")]


def _write(db_path: Path, rows: files.FileRows) -> files.FileDelta:
    with closing(db.connect_writer(db_path)) as conn:
        migrate.apply_migrations(conn)
        conn.execute(
            "INSERT INTO sessions (started_at, mode, status) VALUES (0, 'incremental', 'running')"
        )
        conn.execute("BEGIN IMMEDIATE")
        delta = files.write_file(conn, rows, 1, files.NameTable(conn))
        conn.execute("COMMIT")
        return delta


def test_prepared_node_rows_store_what_records_store(tmp_path: Path) -> None:
    source = tmp_path / "ws" / "pkg" / "mod.py"
    source.parent.mkdir(parents=True)
    source.write_text(SOURCE)
    init_worker(Workspace.of(frozenset({"pkg/mod.py"}), configs={}), ignore_sigint=False)
    outcome = parse_job(Job("pkg/mod.py", str(source), "python", None, frozenset(), 1_000_000))
    prepared = outcome.rows
    assert prepared is not None and prepared.prepared_nodes is not None
    assert prepared.nodes == []  # records do not cross the process boundary

    # The same file as records, the form other callers of write_file use.
    result = Extractor().parse("python", source.read_bytes(), prepared.module_name)
    records = files.FileRows(
        path=prepared.path,
        language=prepared.language,
        module_name=prepared.module_name,
        size=prepared.size,
        mtime_ns=prepared.mtime_ns,
        content_hash=prepared.content_hash,
        line_count=prepared.line_count,
        error_count=prepared.error_count,
        problems=prepared.problems,
        nodes=result.nodes,
        occurrences=prepared.occurrences,
        imports=prepared.imports,
        locals=prepared.locals,
        targets=prepared.targets,
    )
    a = _write(tmp_path / "a.sqlite", prepared)
    b = _write(tmp_path / "b.sqlite", records)
    assert _node_rows(tmp_path / "a.sqlite") == _node_rows(tmp_path / "b.sqlite")
    assert len(_node_rows(tmp_path / "a.sqlite")) == len(result.nodes) > 5
    assert (sorted(a.added), a.added_names) == (sorted(b.added), b.added_names)
    # A bulk build links with the definitions it wrote instead of reading them back.
    with closing(db.connect_reader(tmp_path / "a.sqlite")) as conn:
        stored = symbols.all_defs(conn)
    written: dict[str, list[symbols.Def]] = {}
    for d in files.written_defs(a.file_id, prepared):
        written.setdefault(d.name, []).append(d)
    assert written == stored
    assert any(d.parent_kind == "class" for defs in stored.values() for d in defs)


def _edges(index_dir: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(index_dir / "index.sqlite")) as conn:
        return conn.execute(
            "SELECT e.src_id, e.dst_id, e.kind, f.path, e.confidence, e.resolution, e.count,"
            " e.sites FROM edges e JOIN files f ON f.file_id = e.file_id ORDER BY 1, 2, 3, 4"
        ).fetchall()


def test_linking_in_workers_stores_the_same_edges_as_inline(tmp_path: Path) -> None:
    # Enough files for linking to run in worker processes (see link.uses_workers).
    root = tmp_path / "ws"
    root.mkdir()
    (root / "base.py").write_text("class Base:\n    def go(self):\n        return 1\n")
    for i in range(210):
        (root / f"m{i}.py").write_text(
            f"from base import Base\n\n\nclass C{i}(Base):\n    def go(self):\n"
            f"        return super().go() + {i}\n\n\ndef use{i}():\n    return C{i}().go()\n"
        )
    run_index(root, tmp_path / "one", IndexOptions(workers=1))
    run_index(root, tmp_path / "two", IndexOptions(workers=2))
    inline, parallel = _edges(tmp_path / "one"), _edges(tmp_path / "two")
    assert inline == parallel
    # Linked again from the definitions read back, not those collected while writing.
    with closing(db.connect_writer(tmp_path / "two" / "index.sqlite")) as conn:
        conn.execute("BEGIN IMMEDIATE")
        edges.unlink_all(conn)
        conn.execute("COMMIT")
    relinked = run_index(root, tmp_path / "two", IndexOptions(workers=2))
    assert relinked.counts.files_parsed == 0
    assert _edges(tmp_path / "two") == parallel
    kinds = {row[2] for row in inline}
    assert {"inherits", "overrides", "calls", "instantiates", "imports"} <= kinds


def test_fingerprints_and_snapshots_of_named_paths_only(tmp_path: Path) -> None:
    root, index_dir = tmp_path / "ws", tmp_path / "idx"
    root.mkdir()
    (root / "a.py").write_text("def f():\n    return 1\n")
    (root / "b.py").write_text("def g():\n    return 2\n")
    run_index(root, index_dir)
    (root / "a.py").write_text("def f():\n    return 3\n")
    run_index(root, index_dir, IndexOptions(only=("a.py",)))  # snapshots a.py's first version
    with closing(db.connect_reader(index_dir / "index.sqlite")) as conn:
        assert set(files.load_fingerprints(conn)) == {"a.py", "b.py"}
        assert set(files.load_fingerprints(conn, ["b.py", "missing.py"])) == {"b.py"}
        assert files.indexed_paths(conn) == {"a.py", "b.py"}
        everything = files.snapshot_hashes(conn)
        assert set(everything) == {"a.py"} and len(everything["a.py"]) == 1
        assert files.snapshot_hashes(conn, ["a.py"]) == everything
        assert files.snapshot_hashes(conn, ["b.py"]) == {}


def test_pruning_keeps_the_newest_snapshots_and_skips_when_under_the_bound(
    tmp_path: Path,
) -> None:
    root, index_dir = tmp_path / "ws", tmp_path / "idx"
    root.mkdir()
    (root / "a.py").write_text("def f():\n    return 0\n")
    run_index(root, index_dir)
    for i in range(1, 5):  # each save snapshots the version it replaces
        (root / "a.py").write_text(f"def f():\n    return {i}\n")
        run_index(root, index_dir, IndexOptions(only=("a.py",)))
    with closing(db.connect_writer(index_dir / "index.sqlite")) as conn:
        before = conn.execute(
            "SELECT content_hash FROM snapshots ORDER BY created_at DESC"
        ).fetchall()
        assert len(before) == 4
        assert files.prune_snapshots(conn, keep=10) == 0
        assert files.prune_snapshots(conn, keep=2) == 2
        after = conn.execute(
            "SELECT content_hash FROM snapshots ORDER BY created_at DESC"
        ).fetchall()
        assert after == before[:2]
