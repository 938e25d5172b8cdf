"""An index linked under other linking rules is linked again by the next full run.

Which edges a file's stored facts make depends on codeidx's resolver
(``index/link.py``, ``resolve.py``, ``receivers.py``, ``targets.py``) and on
how facts are read back.  An index records the digest of that code
(``index.link.linking_digest``); a full run that finds another one links
every file again without parsing any, so a resolver fix reaches files that
were not edited since.
"""

from __future__ import annotations

import pytest

from codeidx.index.link import linking_digest
from codeidx.index.pipeline import LINKING_KEY
from codeidx.store import db
from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

FILES = {
    "a.py": "def alpha():\n    return 1\n",
    "b.py": "from a import alpha\n\n\ndef beta():\n    return alpha()\n",
}


def _as_if_linked_by_other_rules(ws: Workspace, recorded: str | None) -> None:
    """Drop b.py's edges as older rules might have, and record their digest."""
    conn = db.connect_writer(ws.db_path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "DELETE FROM edges WHERE file_id = (SELECT file_id FROM files WHERE path = 'b.py')"
        )
        if recorded is None:
            db.delete_meta(conn, LINKING_KEY)
        else:
            db.write_meta(conn, LINKING_KEY, recorded)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _recorded(ws: Workspace) -> str | None:
    rows = ws.query("SELECT value FROM meta WHERE key = ?", (LINKING_KEY,))
    return rows[0][0] if rows else None


def _indexed(ws: Workspace) -> Workspace:
    for path, text in FILES.items():
        ws.write(path, text)
    ws.index()
    assert ("b.beta", "a.alpha") in ws.pairs("calls")
    return ws


def test_a_run_records_the_rules_and_the_next_links_nothing(ws: Workspace) -> None:
    _indexed(ws)
    assert _recorded(ws) == linking_digest()
    before = ws.edges()
    again = ws.index()
    assert again.counts.files_parsed == 0
    assert ws.scalar("SELECT COUNT(*) FROM files WHERE linked = 0") == 0
    assert ws.edges() == before


def test_other_rules_link_every_file_again_without_parsing(ws: Workspace) -> None:
    _indexed(ws)
    expected = ws.edges()
    _as_if_linked_by_other_rules(ws, "older rules")
    assert ("b.beta", "a.alpha") not in ws.pairs("calls")
    rerun = ws.index()
    assert rerun.counts.files_parsed == 0 and rerun.counts.files_unchanged == 2
    assert ws.edges() == expected
    assert _recorded(ws) == linking_digest()
    assert ws.scalar("SELECT COUNT(*) FROM files WHERE linked = 0") == 0


def test_an_index_without_a_record_is_linked_again(ws: Workspace) -> None:
    _indexed(ws)
    expected = ws.edges()
    _as_if_linked_by_other_rules(ws, None)
    ws.index()
    assert ws.edges() == expected
    assert _recorded(ws) == linking_digest()


def test_a_save_leaves_the_relinking_to_the_next_full_run(ws: Workspace) -> None:
    _indexed(ws)
    _as_if_linked_by_other_rules(ws, "older rules")
    ws.write("a.py", FILES["a.py"] + "\n\ndef delta():\n    return 2\n")
    save = ws.index(only=("a.py",))
    assert save.counts.files_parsed == 1
    assert _recorded(ws) == "older rules"
    ws.index()
    assert ("b.beta", "a.alpha") in ws.pairs("calls")
    assert _recorded(ws) == linking_digest()


def test_an_interrupted_relink_is_finished_by_any_later_run(ws: Workspace) -> None:
    _indexed(ws)
    expected = ws.edges()
    _as_if_linked_by_other_rules(ws, "older rules")
    stopped = ws.index(should_stop=lambda: True)
    assert stopped.status == "interrupted"
    # The new digest and the marks were committed together.
    assert _recorded(ws) == linking_digest()
    assert ws.scalar("SELECT COUNT(*) FROM files WHERE linked = 0") == 2
    ws.index(only=("a.py",))
    assert ws.edges() == expected
