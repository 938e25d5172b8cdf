"""An index built under other extraction rules is parsed again by the next full run.

What is extracted from a file depends on codeidx's parse package (queries,
extractor, language hooks) and on the grammars.  An index records the digest
of those rules (``parse.registry.extraction_digest``); unchanged files keep
their stored records only while it stays the same, and a re-parse that is
interrupted is resumed where it stopped.
"""

from __future__ import annotations

import pytest

from codeidx.index.pipeline import EXTRACTION_KEY, IndexOptions, run_index
from codeidx.parse.registry import extraction_digest
from codeidx.store import db
from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

FILES = {
    "a.py": "def alpha():\n    return 1\n",
    "b.py": "from a import alpha\n\n\ndef beta():\n    return alpha()\n",
}


def _set_recorded(ws: Workspace, value: str | None) -> None:
    """Make the index look built by another codeidx (None: one that recorded nothing)."""
    conn = db.connect_writer(ws.db_path)
    try:
        if value is None:
            db.delete_meta(conn, EXTRACTION_KEY)
        else:
            db.write_meta(conn, EXTRACTION_KEY, value)
    finally:
        conn.close()


def _recorded(ws: Workspace) -> str | None:
    rows = ws.query("SELECT value FROM meta WHERE key = ?", (EXTRACTION_KEY,))
    return rows[0][0] if rows else None


def _indexed(ws: Workspace) -> Workspace:
    for path, text in FILES.items():
        ws.write(path, text)
    first = ws.index()
    assert first.counts.files_parsed == 2
    assert ws.session(first.session_id)["mode"] == "incremental"
    return ws


def test_a_complete_run_records_the_rules_and_the_next_parses_nothing(ws: Workspace) -> None:
    _indexed(ws)
    assert _recorded(ws) == extraction_digest()
    again = ws.index()
    assert again.counts.files_parsed == 0 and again.counts.files_unchanged == 2


def test_other_rules_parse_every_file_again_once(ws: Workspace) -> None:
    _indexed(ws)
    ws.write("b.py", FILES["b.py"] + "\n\ndef gamma():\n    return beta()\n")
    ws.index()  # A snapshot of b.py's first version is kept by now.
    assert ws.scalar("SELECT COUNT(*) FROM snapshots") >= 1
    # An index of an older codeidx: its digest differs (or is missing).
    _set_recorded(ws, "older rules")
    rerun = ws.index()
    assert rerun.counts.files_parsed == 2 and rerun.counts.files_unchanged == 0
    assert ws.session(rerun.session_id)["mode"] == "force"
    # No snapshot of the old rules may come back after a branch switch.
    assert ws.scalar("SELECT COUNT(*) FROM snapshots") == 0
    assert _recorded(ws) == extraction_digest()
    assert ws.nodes() == ws.fresh().nodes()
    assert ws.index().counts.files_parsed == 0


def test_an_index_without_a_record_is_parsed_again(ws: Workspace) -> None:
    _indexed(ws)
    _set_recorded(ws, None)
    assert ws.index().counts.files_parsed == 2
    assert _recorded(ws) == extraction_digest()


def test_a_save_does_not_parse_the_workspace_nor_record_the_rules(ws: Workspace) -> None:
    _indexed(ws)
    _set_recorded(ws, "older rules")
    ws.write("a.py", FILES["a.py"] + "\n\ndef delta():\n    return 2\n")
    save = ws.index(only=("a.py",))
    assert save.counts.files_parsed == 1
    assert _recorded(ws) == "older rules"  # The next full run parses everything.
    assert ws.index().counts.files_parsed == 2


def test_an_interrupted_reparse_is_resumed_not_restarted(ws: Workspace) -> None:
    _indexed(ws)
    ws.write("c.py", "from b import beta\n\n\ndef gamma():\n    return beta()\n")
    ws.index()
    _set_recorded(ws, "older rules")
    parsed = {"files": 0}

    def progress(phase: str, done: int, total: int) -> None:
        if phase == "parse":
            parsed["files"] = done

    stopped = run_index(
        ws.root,
        ws.index_dir,
        IndexOptions(),
        progress=progress,
        should_stop=lambda: parsed["files"] >= 1,
    )
    assert stopped.status == "interrupted" and stopped.counts.files_parsed == 1
    # The new rules are recorded at once; the files still to parse are known.
    assert _recorded(ws) == extraction_digest()
    resumed = ws.index()
    assert resumed.status == "complete"
    assert resumed.counts.files_parsed == 2 and resumed.counts.files_unchanged == 1
    assert ws.session(resumed.session_id)["mode"] == "force"
    assert ws.nodes() == ws.fresh().nodes()
    assert ws.edges() == ws.fresh().edges()
    after = ws.index()
    assert after.counts.files_parsed == 0
    assert ws.session(after.session_id)["mode"] == "incremental"
