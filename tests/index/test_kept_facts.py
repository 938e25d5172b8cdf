"""The facts of files a thread keeps for its read-only connection between Resolvers.

They must be read again once anybody commits, never be kept for a
connection that writes, and stay bounded.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from codeidx.index import file_cache
from codeidx.index.pipeline import run_index
from codeidx.index.resolve import Resolver
from codeidx.query.status import open_index
from codeidx.store import db, symbols

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def _index(tmp_path: Path, files: int) -> tuple[Path, Path]:
    root = tmp_path / "ws"
    root.mkdir()
    for n in range(files):
        (root / f"m{n}.py").write_text(f"def f{n}():\n    return {n}\n")
    index = tmp_path / "index"
    run_index(root, index)
    return root, index


def _file_id(conn: sqlite3.Connection, path: str) -> int:
    return symbols.file_index(conn)[path][0]


def test_a_later_resolver_on_the_same_connection_reuses_the_facts(tmp_path: Path) -> None:
    _root, index = _index(tmp_path, 2)
    with closing(open_index(index)) as conn:
        fid = _file_id(conn, "m0.py")
        first = Resolver(conn).facts(fid)
        assert first is not None
        assert Resolver(conn).facts(fid) is first


def test_facts_are_read_again_after_a_commit(tmp_path: Path) -> None:
    root, index = _index(tmp_path, 2)
    with closing(open_index(index)) as conn:
        fid = _file_id(conn, "m0.py")
        before = Resolver(conn).facts(fid)
        assert before is not None and [n.name for n in before.nodes][1:] == ["f0"]
        (root / "m0.py").write_text("def renamed():\n    return 0\n")
        run_index(root, index)  # Another connection commits.
        fid = _file_id(conn, "m0.py")
        after = Resolver(conn).facts(fid)
        assert after is not None and after is not before
        assert [n.name for n in after.nodes][1:] == ["renamed"]


def test_a_connection_that_writes_keeps_nothing(tmp_path: Path) -> None:
    _root, index = _index(tmp_path, 1)
    writer = db.connect_writer(index / db.DB_NAME)
    try:
        fid = _file_id(writer, "m0.py")
        first = Resolver(writer).facts(fid)
        assert first is not None
        assert Resolver(writer).facts(fid) is not first
    finally:
        writer.close()


def test_kept_facts_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_cache, "FACTS_KEPT", 2)
    _root, index = _index(tmp_path, 4)
    with closing(open_index(index)) as conn:
        ids = [_file_id(conn, f"m{n}.py") for n in range(4)]
        resolver = Resolver(conn)
        facts = [resolver.facts(fid) for fid in ids]
        # The Resolver itself holds all four while it lives...
        assert all(resolver.facts(fid) is f for fid, f in zip(ids, facts, strict=True))
        later = Resolver(conn)
        # ...and the thread keeps the last two it read.
        assert later.facts(ids[3]) is facts[3]
        assert later.facts(ids[2]) is facts[2]
        assert later.facts(ids[0]) is not facts[0]


def test_the_file_tables_follow_a_commit_that_adds_a_file(tmp_path: Path) -> None:
    root, index = _index(tmp_path, 1)
    with closing(open_index(index)) as conn:
        assert Resolver(conn).module_exists("m0")
        assert not Resolver(conn).module_exists("m1")
        (root / "m1.py").write_text("def f1():\n    return 1\n")
        run_index(root, index)
        assert Resolver(conn).module_exists("m1")
