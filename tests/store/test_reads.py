"""The query layer's store reads: snapshots, chunked lookups, filters, edge reads."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest

from codeidx.index.pipeline import run_index
from codeidx.store import db, deps, nodes, stats

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


@pytest.fixture
def index(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    # 600 functions: more ids than one statement binds (500).
    body = "".join(f"def f{i}():\n    return f{i + 1}()\n\n\n" for i in range(600))
    (root / "many.py").write_text(body + "def f600():\n    return 0\n")
    (root / "use.py").write_text("import many\nimport os\n\nmany.f0()\n")
    (root / "app.js").write_text("function f0() {}\n")
    run_index(root, tmp_path / "idx")
    return tmp_path / "idx" / db.DB_NAME


def test_read_snapshot_hides_later_commits_and_nests(index: Path) -> None:
    with closing(db.connect_reader(index)) as reader, closing(db.connect_writer(index)) as writer:
        with stats.read_snapshot(reader):
            before = stats.coverage(reader).unlinked_files
            writer.execute("UPDATE files SET linked = 0")
            with stats.read_snapshot(reader):  # Nested: the outer snapshot holds.
                assert stats.coverage(reader).unlinked_files == before == 0
        assert not reader.in_transaction
        assert stats.coverage(reader).unlinked_files == 3


def test_lookups_by_id_span_several_statements(index: Path) -> None:
    with closing(db.connect_reader(index)) as conn:
        ids = [
            r.node_id
            for r in nodes.nodes_with_names(conn, [f"f{i}" for i in range(601)], None, None)
        ]
        assert len(ids) == 602  # 601 Python functions and one JavaScript function.
        assert len(nodes.nodes_by_ids(conn, [*ids, 12345])) == 602
        callees = nodes.edge_targets(conn, ids, "calls")
        assert len(callees) == 600
        incoming = nodes.edges_touching(conn, ids, ("calls",), incoming=True)
        assert len(incoming) == 601  # f1..f600 once each, f0 from use.py.


def test_symbol_names_filters(index: Path) -> None:
    with closing(db.connect_reader(index)) as conn:
        assert nodes.symbol_names(conn, None, "javascript") == ["f0"]
        assert nodes.symbol_names(conn, ["module"], None) == ["app", "many", "use"]
        assert "many.f3" in nodes.symbol_names(conn, None, "python", qualified=True)
        rows = nodes.nodes_with_names(conn, ["f0"], ["function"], "python")
        assert [(r.path, r.name_line, r.name_col, r.name_end_col) for r in rows] == [
            ("many.py", 0, 4, 6)
        ]


def test_dependency_reads(index: Path) -> None:
    with closing(db.connect_reader(index)) as conn:
        assert [(d.line, d.module, d.target_path) for d in deps.imports_of(conn, "use.py")] == [
            (0, "many", "many.py"),
            (1, "os", None),
        ]
        assert [d.path for d in deps.importers_of(conn, "many.py")] == ["use.py"]
        assert deps.internal_pairs(conn) == [("use.py", "many.py")]
        assert deps.dep_totals(conn) == (1, 1, 1)
        assert deps.most_imported(conn, 5) == [("many.py", 1)]
        assert deps.most_used_external(conn, 5) == [("os", 1)]


def test_sessions(index: Path) -> None:
    with closing(db.connect_reader(index)) as conn:
        last = stats.last_session(conn)
        assert last is not None and last == stats.last_complete_session(conn)
        assert (last.status, last.files_parsed, last.saw_everything) == ("complete", 3, True)
        assert set(last.timings) >= {"discover"}
