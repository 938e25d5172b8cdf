"""Bad files, partial runs, Ctrl-C and kill -9: never a crash, never a lost index.

A bad file (invalid UTF-8, syntax errors, oversize, binary, unreadable,
vanished) is skipped or partially indexed with a counted reason.  Vanished
files are pruned only by a run that saw the whole workspace.  An interrupted
or killed run leaves every file at its old or new version, and the next run
finishes the work.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from codeidx.index import run
from codeidx.index.pipeline import IndexOptions, RunResult, run_index
from helpers.workspace import Edge, Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

GOOD = "def good():\n    return 1\n\n\ndef caller():\n    return good()\n"


def reasons(ws: Workspace, result: RunResult) -> dict[str, int]:
    recorded = ws.session(result.session_id)["reasons"]
    assert recorded == result.counts.reasons
    return recorded


def all_linked(ws: Workspace) -> bool:
    return ws.scalar("SELECT COUNT(*) FROM files WHERE linked = 0") == 0


# Bad files ------------------------------------------------------------------


def test_invalid_utf8_is_indexed_with_a_counted_reason(ws: Workspace):
    ws.write("ok.py", GOOD)
    ws.write(
        "latin1.py",
        b"def before():\n    return 1\n\n\n"
        b"NAME = '\xe9t\xe9'  # Latin-1, not UTF-8\n\n\n"
        b"def after():\n    return before()\n",
    )

    result = ws.index()

    assert result.status == "complete"
    assert reasons(ws, result) == {"invalid_utf8": 1}
    assert {"latin1.before", "latin1.NAME", "latin1.after"} <= set(ws.nodes("latin1.py"))
    assert ("latin1.after", "latin1.before") in ws.pairs("calls")
    problems = ws.files()["latin1.py"]["problems"]
    assert problems is not None and "invalid_utf8" in problems
    assert result.counts.files_parsed == 2
    assert result.counts.files_skipped == 0


def test_syntax_errors_give_a_partial_index_with_a_counted_reason(ws: Workspace):
    ws.write("ok.py", GOOD)
    ws.write(
        "broken.py",
        """
        def fine():
            return 1


        def broken(:
            pass


        class Survivor:
            def method(self):
                return fine()
        """,
    )

    result = ws.index()

    assert result.status == "complete"
    assert reasons(ws, result) == {"syntax_error": 1}
    names = set(ws.nodes("broken.py"))
    assert {"broken.fine", "broken.Survivor", "broken.Survivor.method"} <= names
    assert ("broken.Survivor.method", "broken.fine") in ws.pairs("calls")
    row = ws.files()["broken.py"]
    assert row["error_count"] >= 1
    assert "syntax_error" in row["problems"]
    assert all_linked(ws)


def _minified_js(size: int) -> bytes:
    chunk = b"function f(a,b){var c=a+b;return c>1?f(c-1,b):c}var v=f(1,2);"
    return chunk * (size // len(chunk) + 1)


def test_huge_minified_file_is_skipped_as_oversize(ws: Workspace):
    ws.write("app.js", "function small() { return 1; }\nsmall();\n")
    ws.write("vendor/bundle.min.js", _minified_js(20 * 1024 * 1024))
    ws.write("ok.py", GOOD)

    result = ws.index()

    assert result.status == "complete"
    assert reasons(ws, result) == {"oversize": 1}
    assert result.counts.files_skipped == 1
    assert ("vendor/bundle.min.js", "oversize") in result.skipped_examples
    assert set(ws.files()) == {"app.js", "ok.py"}
    assert "app.small" in ws.nodes("app.js")
    assert all_linked(ws)


def test_file_grown_past_the_limit_is_skipped_when_saved(ws: Workspace):
    ws.write("app.js", "function small() { return 1; }\n")
    ws.index()
    ws.write("app.js", _minified_js(3 * 1024 * 1024))

    result = ws.index(only=("app.js",))

    assert result.status == "complete"
    assert reasons(ws, result) == {"oversize": 1}


def test_binary_file_with_a_source_name_is_skipped_as_binary(ws: Workspace):
    ws.write("ok.py", GOOD)
    ws.write("data.py", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)

    result = ws.index()

    assert result.status == "complete"
    assert reasons(ws, result) == {"binary": 1}
    assert set(ws.files()) == {"ok.py"}
    assert ("data.py", "binary") in result.skipped_examples


def test_unreadable_file_is_skipped_as_unreadable(ws: Workspace, monkeypatch: pytest.MonkeyPatch):
    # chmod 000 does not stop root, so reading fails by patching instead; the
    # pipeline parses in-process when there are few jobs, so the patch applies.
    ws.write("ok.py", GOOD)
    secret = ws.write("secret.py", "def hidden():\n    return 1\n")
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == secret:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)

    result = ws.index()

    assert result.status == "complete"
    assert reasons(ws, result) == {"unreadable": 1}
    assert result.counts.files_skipped == 1
    assert set(ws.files()) == {"ok.py"}
    assert all_linked(ws)


def _delete_after_discovery(monkeypatch: pytest.MonkeyPatch, victim: Path) -> None:
    real_discover = run.discover

    def discover_then_delete(*args, **kwargs):
        found = real_discover(*args, **kwargs)
        victim.unlink()
        return found

    monkeypatch.setattr(run, "discover", discover_then_delete)


def test_file_deleted_after_discovery_is_vanished_not_a_crash(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
):
    ws.write("ok.py", GOOD)
    victim = ws.write("going.py", "def soon_gone():\n    return 1\n")
    _delete_after_discovery(monkeypatch, victim)

    result = ws.index()

    assert result.status == "complete"
    assert reasons(ws, result) == {"vanished": 1}
    assert set(ws.files()) == {"ok.py"}
    assert all_linked(ws)


def test_indexed_file_deleted_after_discovery_loses_its_rows(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
):
    ws.write("ok.py", GOOD)
    victim = ws.write("going.py", "from ok import good\n\n\ndef soon_gone():\n    return good()\n")
    ws.index()
    ws.write("going.py", "def changed():\n    return 2\n")
    _delete_after_discovery(monkeypatch, victim)

    result = ws.index()

    assert result.status == "complete"
    assert reasons(ws, result) == {"vanished": 1}
    assert set(ws.files()) == {"ok.py"}
    assert [(r["path"], r["change"]) for r in ws.changes(result.session_id)] == [
        ("going.py", "deleted")
    ]
    assert not any(e.src.startswith("going") for e in ws.edges())


# Pruning ----------------------------------------------------------------------


@pytest.fixture
def two_files(ws: Workspace) -> Workspace:
    ws.write("keep.py", GOOD)
    ws.write("gone.py", "from keep import good\n\n\ndef user():\n    return good()\n")
    first = ws.index()
    assert first.status == "complete" and first.saw_everything
    return ws


def test_run_of_named_files_does_not_prune_other_vanished_files(two_files: Workspace):
    ws = two_files
    ws.remove("gone.py")
    ws.write("keep.py", GOOD + "\n\ndef more():\n    return 2\n")

    result = ws.index(only=("keep.py",))

    assert result.status == "complete"
    assert not result.saw_everything
    assert not ws.session(result.session_id)["saw_everything"]
    assert result.counts.files_deleted == 0
    assert set(ws.files()) == {"keep.py", "gone.py"}
    # The next full run prunes it.
    full = ws.index()
    assert full.saw_everything
    assert full.counts.files_deleted == 1
    assert set(ws.files()) == {"keep.py"}


def test_stopped_run_does_not_prune(two_files: Workspace):
    ws = two_files
    ws.remove("gone.py")

    result = ws.index(should_stop=lambda: True)

    assert result.status == "interrupted"
    assert not result.saw_everything
    assert result.counts.files_deleted == 0
    assert set(ws.files()) == {"keep.py", "gone.py"}


def test_run_whose_walk_was_incomplete_does_not_prune(
    two_files: Workspace, monkeypatch: pytest.MonkeyPatch
):
    ws = two_files
    ws.write("sub/inner.py", "def inner():\n    return 1\n")
    ws.index()
    assert "sub/inner.py" in ws.files()
    real_scandir = os.scandir
    blocked = ws.root / "sub"

    def scandir(path):
        if Path(path) == blocked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)

    result = ws.index()

    assert result.status == "complete"
    assert not result.saw_everything
    assert reasons(ws, result) == {"unreadable_dir": 1}
    assert "sub/inner.py" in ws.files()


# Ctrl-C -------------------------------------------------------------------------


def _workspace_of(ws: Workspace, count: int) -> None:
    """``count`` modules, each calling a function of the one before it."""
    for i in range(count):
        prev = (i - 1) % count
        ws.write(
            f"m{i:02d}.py",
            f"from m{prev:02d} import f{prev}\n\n\ndef f{i}():\n    return f{prev}()\n",
        )


def _stop_after(phase: str, n: int):
    """(progress, should_stop) that ask to stop once ``n`` items of ``phase`` are done."""
    state = {"stop": False}

    def progress(name: str, done: int, total: int) -> None:
        if name == phase and done >= n:
            state["stop"] = True

    return progress, lambda: state["stop"]


def test_ctrl_c_keeps_committed_files_and_the_next_run_finishes(ws: Workspace):
    _workspace_of(ws, 12)
    progress, should_stop = _stop_after("parse", 5)

    result = run_index(ws.root, ws.index_dir, IndexOptions(), progress, should_stop)

    assert result.status == "interrupted"
    assert not result.saw_everything
    session = ws.session(result.session_id)
    assert session["status"] == "interrupted"
    assert session["ended_at"] is not None
    assert session["files_parsed"] == result.counts.files_parsed == 5
    kept = ws.files()
    assert len(kept) == 5
    assert ws.scalar("SELECT COUNT(*) FROM changes WHERE session_id = ?", (result.session_id,)) == 5

    second = ws.index()

    assert second.status == "complete"
    assert second.counts.files_parsed == 7
    assert second.counts.files_unchanged == 5
    assert len(ws.files()) == 12
    assert all_linked(ws)
    assert len(ws.pairs("calls")) == 12
    assert ws.edges() == ws.fresh().edges()


def test_ctrl_c_while_linking_leaves_files_to_link_next_time(ws: Workspace):
    _workspace_of(ws, 12)
    progress, should_stop = _stop_after("link", 3)

    result = run_index(ws.root, ws.index_dir, IndexOptions(), progress, should_stop)

    assert result.status == "interrupted"
    assert len(ws.files()) == 12
    assert not all_linked(ws)

    second = ws.index()

    assert second.status == "complete"
    assert second.counts.files_parsed == 0
    assert all_linked(ws)
    assert ws.edges() == ws.fresh().edges()


def test_interrupted_session_records_the_reasons_it_counted(ws: Workspace):
    ws.write("a_broken.py", "def broken(:\n    pass\n")
    _workspace_of(ws, 6)
    progress, should_stop = _stop_after("parse", 3)

    result = run_index(ws.root, ws.index_dir, IndexOptions(), progress, should_stop)

    assert result.status == "interrupted"
    assert "a_broken.py" in ws.files()
    assert ws.session(result.session_id)["reasons"] == {"syntax_error": 1}
    assert result.counts.reasons == {"syntax_error": 1}


def test_keyboard_interrupt_keeps_committed_files_and_is_recorded_as_interrupted(
    ws: Workspace,
):
    # Ctrl-C without a should_stop handler arrives as KeyboardInterrupt.
    _workspace_of(ws, 12)

    def progress(name: str, done: int, total: int) -> None:
        if name == "parse" and done == 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_index(ws.root, ws.index_dir, IndexOptions(), progress)

    (session,) = ws.query("SELECT session_id, status FROM sessions")
    assert session[1] == "interrupted"
    second = ws.index()
    assert second.status == "complete"
    assert len(ws.files()) == 12
    assert all_linked(ws)


def test_unexpected_error_fails_the_run_and_keeps_the_previous_index(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
):
    _workspace_of(ws, 4)
    ws.index()
    before_nodes, before_edges = ws.nodes(), ws.edges()
    ws.write("m01.py", "def replaced():\n    return 0\n")
    real_write_file = run.files.write_file

    def failing_write_file(conn, rows, *args, **kwargs):
        if rows.path == "m01.py":
            raise RuntimeError("disk on fire")
        return real_write_file(conn, rows, *args, **kwargs)

    monkeypatch.setattr(run.files, "write_file", failing_write_file)

    with pytest.raises(RuntimeError, match="disk on fire"):
        ws.index()

    (status, error) = ws.query("SELECT status, error FROM sessions ORDER BY session_id DESC")[0]
    assert status == "failed"
    assert "RuntimeError" in error and "disk on fire" in error
    assert ws.nodes() == before_nodes
    assert ws.edges() == before_edges
    monkeypatch.setattr(run.files, "write_file", real_write_file)
    again = ws.index()
    assert again.status == "complete"
    assert "m01.replaced" in ws.nodes("m01.py")
    assert all_linked(ws)


def test_session_records_the_totals_of_a_complete_run(ws: Workspace):
    _workspace_of(ws, 5)
    ws.write("broken.py", "def broken(:\n    pass\n")

    result = ws.index()

    session = ws.session(result.session_id)
    assert session["status"] == "complete"
    assert session["saw_everything"] == 1
    assert session["files_seen"] == 6
    assert session["files_parsed"] == 6
    assert session["nodes"] == ws.scalar("SELECT COUNT(*) FROM nodes")
    assert session["edges"] == ws.scalar("SELECT COUNT(*) FROM edges")
    assert session["reasons"] == {"syntax_error": 1}
    assert session["ended_at"] >= session["started_at"]


# kill -9 ------------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import os
    import signal
    import sys
    from pathlib import Path
    from codeidx.index.pipeline import run_index

    phase, at = sys.argv[3], int(sys.argv[4])

    def progress(name, done, total):
        if name == phase and done >= at:
            os.kill(os.getpid(), signal.SIGKILL)

    print("ready", flush=True)
    run_index(Path(sys.argv[1]), Path(sys.argv[2]), progress=progress)
    print("done", flush=True)
    """
)


@dataclass(frozen=True)
class Reference:
    root: Path
    edges: set[Edge]
    schema: list[tuple[str, str, str]]


def _schema(db_path: Path) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(db_path)) as conn:
        return [
            tuple(r)
            for r in conn.execute(
                "SELECT type, name, COALESCE(sql, '') FROM sqlite_master"
                " WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
            )
        ]


@pytest.fixture(scope="module")
def big_workspace(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """300 modules in 10 packages calling each other, and a reference index of them."""
    base = tmp_path_factory.mktemp("big")
    ws = Workspace(base / "ws", base / "reference")
    for i in range(300):
        prev = (i - 1) % 300
        lines = [f"from pkg{prev % 10}.m{prev} import f{prev}_0\n\n\n"]
        for j in range(30):
            lines.append(
                f"def f{i}_{j}(x):\n    y = x + {j}\n"
                f"    return f{i}_{max(j - 1, 0)}(y) if y < 0 else f{prev}_0(y)\n\n\n"
            )
        lines.append(f"class C{i}:\n    def m(self):\n        return f{i}_0(1)\n")
        ws.write(f"pkg{i % 10}/m{i}.py", "".join(lines), dedent=False)
    reference = ws.index()
    assert reference.status == "complete"
    return Reference(ws.root, ws.edges(), _schema(ws.db_path))


def _kill_run(ref: Reference, index_dir: Path, delay: float | None, phase: str, at: int) -> None:
    """Run an index in a child process and SIGKILL it after ``delay`` or at (phase, at)."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(ref.root), str(index_dir), phase, str(at)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its pool workers share its process group
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        if delay is not None:
            time.sleep(delay)
            child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        # Pool workers orphaned by the killed run, if any: same process group.
        with suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        if child.poll() is None:
            child.kill()
            child.wait()
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()
        child.stderr.close()


def _check_recovers(ref: Reference, index_dir: Path) -> None:
    ws = Workspace(ref.root, index_dir)
    killed_sessions: list[tuple[int, str]] = []
    if ws.db_path.exists():
        with closing(sqlite3.connect(ws.db_path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sessions'").fetchone():
                killed_sessions = conn.execute("SELECT session_id, status FROM sessions").fetchall()

    result = ws.index()

    assert result.status == "complete"
    assert result.saw_everything
    files = ws.files()
    assert len(files) == 300
    assert all(row["linked"] == 1 for row in files.values())
    statuses = dict(ws.query("SELECT session_id, status FROM sessions"))
    assert "running" not in statuses.values()
    for session_id, status in killed_sessions:
        if status == "running":
            assert statuses[session_id] == "interrupted"
    assert statuses[result.session_id] == "complete"
    assert ws.edges() == ref.edges
    # Same tables and indexes as an index that was never killed.
    got = set(_schema(ws.db_path))
    missing = sorted(name for kind, name, _ in set(ref.schema) - got)
    unexpected = sorted(name for kind, name, _ in got - set(ref.schema))
    assert (missing, unexpected) == ([], []), "schema differs from a never-killed index"


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5])
def test_kill_9_after_a_delay_leaves_an_index_the_next_run_completes(
    big_workspace: Reference, tmp_path: Path, delay: float
):
    _kill_run(big_workspace, tmp_path / "index", delay, "never", 0)
    _check_recovers(big_workspace, tmp_path / "index")


@pytest.mark.parametrize(("phase", "at"), [("parse", 150), ("link", 100)])
def test_kill_9_in_the_middle_of_a_phase_leaves_an_index_the_next_run_completes(
    big_workspace: Reference, tmp_path: Path, phase: str, at: int
):
    _kill_run(big_workspace, tmp_path / "index", None, phase, at)
    assert (tmp_path / "index" / "index.sqlite").exists()
    _check_recovers(big_workspace, tmp_path / "index")
