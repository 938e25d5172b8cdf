"""The writer's memory between saves (``file_cache.WriterMemory``).

A save's linking reads definitions, facts and file tables through what the
previous saves read, mended file by file.  It must answer exactly as a cold
read would: the kept rows equal a fresh read after any sequence of saves,
restores and deletions, the edges equal those of a rebuilt index, and
anything another connection commits, or a run that failed, makes the
writer read again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from codeidx.index import file_cache
from codeidx.index.pipeline import Indexer, IndexOptions, run_index
from codeidx.index.targets import CALLABLE
from codeidx.store import db, symbols
from codeidx.store import edges as edge_store

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

BASE = (
    "class Base:\n    def __init__(self):\n        self.n = 0\n\n    def get(self):\n"
    "        return self.n\n\n\ndef helper():\n    return 1\n"
)
SHAPES = (
    "from base import Base\n\n\nclass Square(Base):\n    def __init__(self, side):\n"
    "        super().__init__()\n        self.side = side\n\n    def area(self):\n"
    "        return self.side * self.side\n"
)
USE = (
    "from shapes import Square\nfrom base import Base, helper\n\n\ndef total():\n"
    "    s = Square(2)\n    b = Base()\n"
    "    return s.area() + s.get() + b.get() + helper() + tool()\n"
)


@pytest.fixture()
def workspace(tmp_path: Path) -> Iterator[tuple[Path, Path, Indexer]]:
    root, index_dir = tmp_path / "ws", tmp_path / "idx"
    root.mkdir()
    (root / "base.py").write_text(BASE)
    (root / "shapes.py").write_text(SHAPES)
    (root / "use.py").write_text(USE)
    indexer = Indexer(root, index_dir)
    indexer.run()
    try:
        yield root, index_dir, indexer
    finally:
        indexer.close()


def _save(indexer: Indexer, root: Path, name: str, text: str | None) -> None:
    path = root / name
    if text is None:
        path.unlink()
    else:
        path.write_text(text)
    result = indexer.run(IndexOptions(only=(name,)))
    assert result.status == "complete"


def _memory(indexer: Indexer) -> file_cache.WriterMemory:
    return indexer._memory  # the writer's own state, checked against the database


def _assert_as_fresh(index_dir: Path, memory: file_cache.WriterMemory) -> None:
    """Everything kept equals what a cold read of the committed index gives."""
    with closing(db.connect_reader(index_dir / db.DB_NAME)) as conn:
        fresh = symbols.defs_named(conn, memory.defs)
        for name, kept in memory.defs.items():
            assert kept == fresh[name], name
        if memory.tables is not None:
            assert memory.tables.files == symbols.file_index(conn)
        reads = {
            "members": lambda name, class_id: symbols.member_defs(conn, class_id, name),
            "impls": lambda name, type_name, qualified: symbols.impl_member_defs(
                conn, type_name, name, qualified
            ),
            "callables": lambda name, limit: symbols.member_callables(
                conn, name, list(CALLABLE), limit
            ),
        }
        for name, answers in memory.lookups.items():
            for (query, *args), kept in answers.items():
                assert kept == reads[query](name, *args), (name, query, args)
        for file_id, facts in memory.facts.items():
            again = symbols.file_facts(conn, file_id, with_occurrences=False)
            assert again is not None, file_id
            assert (facts.path, facts.module_name, facts.nodes, facts.imports) == (
                again.path,
                again.module_name,
                again.nodes,
                again.imports,
            )


def _edges(index_dir: Path) -> set[tuple[object, ...]]:
    with closing(sqlite3.connect(index_dir / db.DB_NAME)) as conn:
        return set(
            conn.execute(
                "SELECT s.qualified_name, d.qualified_name, e.kind, e.resolution, e.count, e.sites"
                " FROM edges e JOIN nodes s ON s.node_id = e.src_id"
                " JOIN nodes d ON d.node_id = e.dst_id"
            )
        )


def _rebuilt_edges(root: Path, tmp_path: Path) -> set[tuple[object, ...]]:
    cold = tmp_path / "cold"
    run_index(root, cold, IndexOptions(workers=1))
    return _edges(cold)


def test_saves_keep_what_they_read_and_mend_it_file_by_file(
    workspace: tuple[Path, Path, Indexer], tmp_path: Path
) -> None:
    root, index_dir, indexer = workspace
    _save(indexer, root, "use.py", USE + "\n\ndef again():\n    return total()\n")
    memory = _memory(indexer)
    # Names read bare, a name defined nowhere yet, the imported files' facts.
    assert {"Base", "Square", "helper", "tool"} <= memory.defs.keys()
    assert memory.defs["tool"] == [] and memory.tables is not None and memory.facts
    # Members asked of a class: ``s.area()``, ``s.get()`` (Base's, inherited).
    assert {"area", "get"} <= memory.lookups.keys()
    _assert_as_fresh(index_dir, memory)
    # A method moves from the base class to the subclass; the save of the
    # base class makes its users linked again, against the new members.
    _save(indexer, root, "shapes.py", SHAPES + "\n    def get(self):\n        return 0\n")
    _save(indexer, root, "base.py", BASE.replace("def get(self)", "def got(self)"))
    _assert_as_fresh(index_dir, memory)
    edges = _edges(index_dir)
    assert ("use.total", "shapes.Square.get", "calls", "exact") in {e[:4] for e in edges}
    assert edges == _rebuilt_edges(root, tmp_path / "members")
    _save(indexer, root, "base.py", BASE)
    _save(indexer, root, "shapes.py", SHAPES)
    _assert_as_fresh(index_dir, memory)
    # A file another file uses renames a function: the lists of both names
    # are mended, and the dependent is linked against them.
    _save(indexer, root, "base.py", BASE.replace("def helper()", "def helped()"))
    _assert_as_fresh(index_dir, memory)
    assert memory.defs["helper"] == []
    assert _edges(index_dir) == _rebuilt_edges(root, tmp_path / "a")
    # The old version comes back from its snapshot, without parsing.
    _save(indexer, root, "base.py", BASE)
    _assert_as_fresh(index_dir, memory)
    assert [d.module_name for d in memory.defs["helper"]] == ["base"]
    assert _edges(index_dir) == _rebuilt_edges(root, tmp_path / "b")
    # A new file changes the workspace: imports are resolved again, and the
    # memory starts over.
    _save(indexer, root, "more.py", "def tool():\n    return 3\n")
    assert memory.empty
    edges = _edges(index_dir)
    assert ("use.total", "more.tool") in {e[:2] for e in edges}
    assert edges == _rebuilt_edges(root, tmp_path / "c")
    _save(indexer, root, "use.py", USE)
    assert [d.module_name for d in memory.defs["tool"]] == ["more"]
    # The definition of a name kept moves within its file, then goes.
    _save(indexer, root, "more.py", "X = 1\n\n\ndef tool():\n    return 4\n")
    _assert_as_fresh(index_dir, memory)
    _save(indexer, root, "more.py", "def tools():\n    return 4\n")
    _assert_as_fresh(index_dir, memory)
    assert memory.defs["tool"] == []
    assert _edges(index_dir) == _rebuilt_edges(root, tmp_path / "d")


def test_another_writer_makes_the_next_save_read_again(
    workspace: tuple[Path, Path, Indexer], tmp_path: Path
) -> None:
    root, index_dir, indexer = workspace
    _save(indexer, root, "use.py", USE + "\n")
    _save(indexer, root, "use.py", USE)
    assert [d.module_name for d in _memory(indexer).defs["helper"]] == ["base"]
    # A CLI run moves the function the writer keeps to another module (the
    # set of files stays, so the workspace does); the writer's next save must
    # not link against the definition that is gone.
    (root / "base.py").write_text(BASE.replace("def helper()", "def helped()"))
    (root / "shapes.py").write_text(SHAPES + "\n\ndef helper():\n    return 2\n")
    run_index(root, index_dir)
    _save(indexer, root, "use.py", USE.replace("Base, helper", "Base\nfrom shapes import helper"))
    _assert_as_fresh(index_dir, _memory(indexer))
    edges = _edges(index_dir)
    assert edges == _rebuilt_edges(root, tmp_path / "cold")
    assert ("use.total", "shapes.helper", "calls", "exact") in {e[:4] for e in edges}


def test_a_failed_save_leaves_nothing_it_read_in_memory(
    workspace: tuple[Path, Path, Indexer], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root, index_dir, indexer = workspace
    _save(indexer, root, "use.py", USE + "\n")
    assert not _memory(indexer).empty

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk full")

    # The save reads the new base.py (uncommitted) and then fails to store edges.
    monkeypatch.setattr(edge_store, "replace_many_edges", broken)
    (root / "base.py").write_text(BASE + "\n\ndef extra():\n    return 1\n")
    with pytest.raises(RuntimeError):
        indexer.run(IndexOptions(only=("base.py",)))
    assert _memory(indexer).empty
    monkeypatch.undo()
    _save(indexer, root, "base.py", BASE + "\n\ndef extra():\n    return 2\n")
    _assert_as_fresh(index_dir, _memory(indexer))
    assert _edges(index_dir) == _rebuilt_edges(root, tmp_path / "cold")


def test_a_run_of_many_files_empties_the_memory(workspace: tuple[Path, Path, Indexer]) -> None:
    root, _index_dir, indexer = workspace
    _save(indexer, root, "use.py", USE + "\n")
    assert not _memory(indexer).empty
    indexer.run()  # a whole-workspace run re-reads configuration and may move imports
    assert _memory(indexer).empty


def test_the_memory_starts_over_past_its_bounds(
    workspace: tuple[Path, Path, Indexer], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root, index_dir, indexer = workspace
    monkeypatch.setattr(file_cache, "_DEF_NAMES", 2)
    _save(indexer, root, "use.py", USE + "\n")
    kept = _memory(indexer).defs
    assert len(kept) > 2
    _save(indexer, root, "use.py", USE)
    # The run started over: what it holds was read by this save alone.
    assert _memory(indexer).defs is not kept
    _assert_as_fresh(index_dir, _memory(indexer))
    assert _edges(index_dir) == _rebuilt_edges(root, tmp_path / "cold")
