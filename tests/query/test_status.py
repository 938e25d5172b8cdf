"""Index status: counts, last run, stale and unlinked files, and opening an index."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from querytest import build

from codeidx.errors import IndexUnavailable, SchemaTooNew
from codeidx.query.status import index_status, open_index
from codeidx.store.db import DB_NAME

leak_checked = pytest.mark.usefixtures("sqlite_leak_check")

FILES = {
    "pkg/__init__.py": "",
    "pkg/core.py": (
        "class Engine:\n    def run(self):\n        return helper()\n\n\n"
        "def helper():\n    return 1\n"
    ),
    "web/app.js": "function main() {\n  return 1;\n}\n",
}


@leak_checked
def test_counts_and_last_session(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        report = index_status(conn, fx.root, fx.index_dir)
    assert report.files == 3
    assert report.files_by_language == {"python": 2, "javascript": 1}
    assert report.nodes_by_kind == {"module": 3, "class": 1, "function": 2, "method": 1}
    assert report.nodes_by_language == {"python": 5, "javascript": 2}
    assert report.edges_by_kind == {"calls": 1}
    assert report.edges_by_language == {"python": 1}
    assert report.lines == 7 + 3
    session = report.last_session
    assert session is not None and session.status == "complete"
    assert (session.files_parsed, session.nodes, session.edges) == (3, 7, 1)
    assert report.last_complete_session == session
    assert report.stale == [] and report.stale_counts == {}
    assert report.unlinked_count == 0 and report.unlinked == []
    assert report.database_bytes > 0
    assert report.index_dir == str(fx.index_dir)
    assert report.schema_version >= 1
    assert not report.coverage.partial


#: 2023-11-14: far enough in the past for the indexer to record the mtime.
OLD_NS = 1_700_000_000 * 10**9


@leak_checked
def test_stale_files_modified_deleted_and_new(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES, mtime_ns=OLD_NS)
    core = fx.root / "pkg/core.py"
    os.utime(core, ns=(OLD_NS, OLD_NS + 5_000_000_000))  # Same size, new mtime.
    (fx.root / "web/app.js").unlink()
    (fx.root / "pkg/extra.py").write_text("y = 2\n")
    (fx.root / "notes.txt").write_text("not source\n")
    with fx.connect() as conn:
        report = index_status(conn, fx.root, fx.index_dir)
    assert [(s.path, s.reason) for s in report.stale] == [
        ("pkg/core.py", "modified"),
        ("pkg/extra.py", "new"),
        ("web/app.js", "deleted"),
    ]
    assert report.stale_counts == {"deleted": 1, "modified": 1, "new": 1}
    with fx.connect() as conn:
        report = index_status(conn, fx.root, fx.index_dir, scan_new=False)
    assert report.stale_counts == {"deleted": 1, "modified": 1}


@leak_checked
def test_files_indexed_right_after_a_write_are_compared_by_content(tmp_path: Path) -> None:
    # Indexed a moment after being written, the files have no recorded mtime.
    fx = build(tmp_path, FILES)
    core, app = fx.root / "pkg/core.py", fx.root / "web/app.js"
    os.utime(core, ns=(OLD_NS, OLD_NS))  # Touched only: the content is the same.
    app.write_text(app.read_text().replace("return 1", "return 2"))  # Same size.
    with fx.connect() as conn:
        report = index_status(conn, fx.root, fx.index_dir)
    assert [(s.path, s.reason) for s in report.stale] == [("web/app.js", "modified")]


@leak_checked
def test_unlinked_files_make_answers_partial(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    with closing(sqlite3.connect(fx.index_dir / DB_NAME)) as raw:
        raw.execute("UPDATE files SET linked = 0 WHERE path = 'pkg/core.py'")
        raw.commit()
    with fx.connect() as conn:
        report = index_status(conn, fx.root, fx.index_dir)
    assert (report.unlinked_count, report.unlinked) == (1, ["pkg/core.py"])
    assert report.coverage.partial
    assert report.coverage.reason == "1 files are not linked yet"


@leak_checked
def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailable) as info:
        open_index(tmp_path / "nowhere")
    assert "codeidx index" in (info.value.hint or "")


@leak_checked
def test_empty_database_is_not_an_index(tmp_path: Path) -> None:
    (tmp_path / "idx").mkdir()
    with closing(sqlite3.connect(tmp_path / "idx" / DB_NAME)) as raw:
        raw.execute("CREATE TABLE unrelated (x)")
    with pytest.raises(IndexUnavailable, match="empty"):
        open_index(tmp_path / "idx")


def test_garbage_file_is_reported_not_crashed_on(tmp_path: Path) -> None:
    # Not leak-checked: store.db.connect_reader does not close the connection
    # when its PRAGMA setup fails on a file that is not a database.
    (tmp_path / "idx").mkdir()
    (tmp_path / "idx" / DB_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexUnavailable, match="the index"):
        open_index(tmp_path / "idx")


@leak_checked
def test_newer_schema_is_refused(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    with closing(sqlite3.connect(fx.index_dir / DB_NAME)) as raw:
        raw.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
            " VALUES (999, 'future', '', 0)"
        )
        raw.commit()
    with pytest.raises(SchemaTooNew):
        open_index(fx.index_dir)
