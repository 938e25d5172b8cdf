"""The command line through ``main([...])``: exit codes, stdout JSON, human output, errors."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import types
from collections.abc import Sequence
from pathlib import Path

import pytest

from codeidx.cli import commands
from codeidx.cli.main import main
from codeidx.cli.position import char_column, parse_position, split_spec
from codeidx.cli.progress import ProgressBar, StopOnInterrupt, render_bar
from codeidx.errors import UsageError
from codeidx.index.pipeline import RunResult
from codeidx.store.sessions import SessionCounts

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

CORE = '''\
"""Core."""
import os


class Base:
    def run(self):
        return self.step()

    def step(self):
        return 1


class Engine(Base):
    """An engine."""

    def step(self):
        return helper(2) + os.getpid()


def helper(x):
    if x:
        return helper(x - 1)
    return 0
'''

MAIN = """\
from pkg import Engine
import pkg.core as c

def go():
    e = Engine()
    e.run()
    return c.helper(3)
"""


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git-like workspace (``.git`` marks the root), cwd inside it, index beside it."""
    root = tmp_path / "ws"
    (root / ".git").mkdir(parents=True)
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("from .core import Engine\n")
    (root / "pkg" / "core.py").write_text(CORE)
    (root / "main.py").write_text(MAIN)
    monkeypatch.setenv("CODEIDX_INDEX_DIR", str(tmp_path / "idx"))
    # The commands are under test here, not a model: embed with the hashing embedder.
    monkeypatch.setenv("CODEIDX_MODEL", "hash")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def indexed(ws: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["index"]) == 0
    capsys.readouterr()
    return ws


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error(err: str) -> list[str]:
    """The stderr of a failed command: an error line and at most a hint, no traceback."""
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert lines[0].startswith("codeidx: error: ")
    assert len(lines) <= 2 and all(ln.startswith("hint: ") for ln in lines[1:])
    return lines


# index -----------------------------------------------------------------------


def test_index_prints_a_summary_and_exits_0(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "index")
    assert code == 0
    assert out.splitlines()[0].startswith(f"indexed {ws}: complete in ")
    assert "  files: 3 parsed, 0 restored, 0 unchanged, 0 skipped, 0 deleted (3 seen)" in out
    # Among the edges: main.py reads the module ``c`` (pkg.core) in ``c.helper(3)``.
    assert "  index: 10 nodes, 14 edges" in out
    # Off a terminal: no bar, one summary line on stderr.
    assert "\r" not in err
    assert err.startswith("codeidx: complete: 3 parsed, 0 unchanged") and err.count("\n") == 1
    code, out, _ = run(capsys, "index", str(ws), "--json")
    data = json.loads(out)
    assert code == 0 and data["status"] == "complete"
    assert data["counts"]["files_unchanged"] == 3


def test_index_options_reach_the_pipeline(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (ws / "big.py").write_text("x = 1\n" * 100)
    code, out, _ = run(capsys, "index", "--max-file-bytes", "400", "--exclude", "main.py")
    assert code == 0
    assert "oversize 1" in out and "skipped big.py (oversize)" in out
    assert "3 seen" not in out and "2 parsed" in out


def test_index_interrupted_exits_130(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_run_index(root, index_dir, options, progress, should_stop, on_wait):
        progress("parse", 1, 4)
        os.kill(os.getpid(), signal.SIGINT)  # The first Ctrl-C only asks to stop.
        assert should_stop()
        return RunResult(1, "interrupted", SessionCounts(files_parsed=1), False)

    monkeypatch.setattr(commands, "run_index", fake_run_index)
    before = signal.getsignal(signal.SIGINT)
    code, out, err = run(capsys, "index")
    assert code == 130
    assert "interrupted" in out and "run `codeidx index` again" in out
    assert "stopping after the current file" in err
    assert signal.getsignal(signal.SIGINT) is before


def test_index_of_a_missing_folder(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "index", "no/such/dir")
    assert code == 2
    one_error(err)


# status ----------------------------------------------------------------------


def test_status(indexed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (indexed / "main.py").write_text(MAIN + "\n# changed\n")
    code, out, _ = run(capsys, "status")
    assert code == 0
    assert f"workspace: {indexed}" in out
    assert "files: 3 (31 lines): python 3" in out
    assert "edges by kind: calls 5, imports 5, inherits 1, instantiates 1, overrides 1" in out
    assert "last run: #1 complete (incremental)" in out
    assert "stale files: modified 1" in out and "  modified  main.py" in out
    assert "unlinked files: 0" in out
    code, out, _ = run(capsys, "status", "--json")
    data = json.loads(out)
    assert data["files"] == 3 and data["last_session"]["status"] == "complete"
    assert data["stale"] == [{"path": "main.py", "reason": "modified"}]
    assert data["database_bytes"] > 0


def test_missing_index_says_to_run_index(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["status"], ["def", "main.py:5:9"], ["callers", "go"], ["deps"]):
        code, out, err = run(capsys, *argv)
        assert code == 1 and out == ""
        lines = one_error(err)
        assert "no index" in lines[0]
        assert lines[1] == "hint: run `codeidx index` in the workspace first"


# def / refs ---------------------------------------------------------------------


def test_def(indexed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "def", "main.py:5:9")
    assert code == 0
    assert out.splitlines() == [
        "pkg/core.py:13:7: class pkg.core.Engine",
        "    class Engine(Base):",
    ]
    code, out, _ = run(capsys, "def", "main.py:6:5")
    assert out.splitlines()[0] == "main.py:5:5: local variable e"
    code, out, _ = run(capsys, "def", "main.py:6:7")
    assert "pkg/core.py:6:9: method pkg.core.Base.run  [exact, confidence 0.90]" in out
    code, out, _ = run(capsys, "def", "main.py:4:1")
    assert (code, out) == (0, "no identifier at main.py:4:1\n")


def test_def_json_is_one_document(indexed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "def", "--json", str(indexed / "main.py") + ":7:14")
    data = json.loads(out)
    assert data["name"] == "helper" and data["local"] is False
    (d,) = data["definitions"]
    assert d["location"] == {
        "path": "pkg/core.py",
        "line": 19,
        "col": 4,
        "end_col": 10,
        "role": "definition",
        "text": "def helper(x):",
        "confidence": 1.0,
        "resolution": "exact",
    }
    assert d["symbol"]["qualified_name"] == "pkg.core.helper"
    assert data["coverage"]["partial"] is False


def test_def_from_a_subfolder_finds_the_root(indexed: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(indexed / "pkg")
    code, out, _ = run(capsys, "def", "core.py:17:17")
    assert code == 0 and out.startswith("pkg/core.py:20:5: function pkg.core.helper")


def test_refs(indexed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "refs", "pkg/core.py:20:5")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "main.py:7:14: call       return c.helper(3)"
    assert "pkg/core.py:20:5: definition def helper(x):" in lines
    assert lines[-1] == "4 references to pkg.core.helper in 2 files"
    code, out, _ = run(capsys, "refs", "pkg/core.py:20:5", "--no-declaration", "--json")
    data = json.loads(out)
    assert [r["role"] for r in data["references"]].count("definition") == 0
    assert len(data["references"]) == 3


# callers / callees ----------------------------------------------------------------


def test_callers_and_callees(indexed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "callers", "helper")
    assert code == 0
    assert out.splitlines()[:3] == [
        "callers of pkg.core.helper (function, pkg/core.py:20:5)",
        "  recursive (direct): pkg.core.helper → pkg.core.helper",
        "  main.go (function, main.py:4:5)  calls ×1",
    ]
    assert "      pkg/core.py:17:16  return helper(2) + os.getpid()" in out
    assert out.splitlines()[-1] == "  3 callers, 3 call sites"
    code, out, _ = run(capsys, "callees", "go", "--json")
    data = json.loads(out)
    (group,) = data["groups"]
    assert {c["symbol"]["name"]: c["kind"] for c in group["calls"]} == {
        "run": "calls",
        "Engine": "instantiates",
        "helper": "calls",
    }
    assert group["recursion"] is None
    code, out, _ = run(capsys, "callers", "nothing_here")
    assert (code, out) == (0, "no function or class named `nothing_here` in the index\n")


# deps ---------------------------------------------------------------------------


def test_deps(indexed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "deps")
    assert code == 0
    assert "imports resolved inside the workspace: 3" in out
    assert "  pkg/core.py  (2 importers)" in out
    assert "circular dependencies: 0" in out
    code, out, _ = run(capsys, "deps", "main.py")
    assert "  2: import pkg.core as c  → pkg/core.py" in out
    code, out, _ = run(capsys, "deps", "pkg/core.py")
    assert "  2: import os  → (external or unresolved)" in out
    assert "  main.py:2: import pkg.core as c" in out
    (indexed / "pkg" / "extra.py").write_text("import pkg.core\n")
    (indexed / "pkg" / "core.py").write_text(CORE + "\nimport pkg.extra\n")
    assert main(["index"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "deps", "--cycles")
    assert out.splitlines() == [
        "1 circular dependency:",
        "  pkg/core.py → pkg/extra.py → pkg/core.py  (2 files in the cycle)",
    ]
    code, out, _ = run(capsys, "deps", "--cycles", "--json")
    assert json.loads(out)["cycles"][0]["members"] == ["pkg/core.py", "pkg/extra.py"]


# symbols ------------------------------------------------------------------------


def test_symbols(indexed: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    def rank(query: str, names: Sequence[str], limit: int) -> list[tuple[int, float]]:
        hits = [(i, 1.0) for i, n in enumerate(names) if query.lower() in n.lower()]
        return hits[:limit]

    fake = types.ModuleType("codeidx.query.fuzzy")
    fake.rank = rank  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "codeidx.query.fuzzy", fake)
    code, out, _ = run(capsys, "symbols", "eng", "--kind", "class")
    assert code == 0
    assert out.split() == ["Engine", "class", "pkg/core.py:13:7", "pkg.core.Engine"]
    code, out, _ = run(capsys, "symbols", "step", "--json", "--limit", "1")
    data = json.loads(out)
    assert len(data["matches"]) == 1 and data["matches"][0]["symbol"]["name"] == "step"
    code, out, err = run(capsys, "symbols", "x", "--kind", "klass")
    assert code == 2
    one_error(err)


# errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("main.py", "expected a position as FILE:LINE:COL, got 'main.py'"),
        ("main.py:5", "expected a position as FILE:LINE:COL"),
        ("main.py:x:1", "the line in 'main.py:x:1' must be a whole number from 1 up"),
        ("main.py:0:1", "the line in 'main.py:0:1' must be a whole number from 1 up"),
        ("main.py:1:-2", "the column in 'main.py:1:-2' must be a whole number from 1 up"),
        ("main.py:99:1", "line 99 is past the end of main.py, which has 7 lines"),
        ("main.py:1:80", "column 80 is past the end of line 1 of main.py"),
        ("missing.py:1:1", "missing.py does not exist"),
        ("/etc/hosts:1:1", "/etc/hosts is outside the workspace"),
        ("../elsewhere.py:1:1", "../elsewhere.py is outside the workspace"),
    ],
)
def test_bad_positions_are_usage_errors(
    indexed: Path, capsys: pytest.CaptureFixture[str], spec: str, message: str
) -> None:
    for command in ("def", "refs"):
        code, out, err = run(capsys, command, spec)
        assert code == 2 and out == ""
        assert one_error(err)[0].startswith(f"codeidx: error: {message}")


def test_argument_errors_are_usage_errors(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["frobnicate"],
        [],
        ["def"],
        ["symbols", "x", "--limit", "0"],
        ["index", "--max-file-bytes", "lots"],
    ):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == ""
        one_error(err)


def test_help_exits_0(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "callers" in out


def test_internal_errors_are_one_line(indexed: Path, capsys, monkeypatch) -> None:
    def boom(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(commands, "find_definition", boom)
    code, out, err = run(capsys, "def", "main.py:5:9")
    assert code == 1 and out == ""
    assert err == (
        "codeidx: internal error: RuntimeError: boom (run with --debug for the traceback)\n"
    )
    code, _, err = run(capsys, "def", "main.py:5:9", "--debug")
    assert code == 1 and "Traceback" in err and "RuntimeError: boom" in err


def test_global_options_before_or_after_the_command(indexed: Path, capsys, tmp_path) -> None:
    _, after, _ = run(capsys, "status", "--json")
    _, before, _ = run(capsys, "--json", "status")
    assert json.loads(after)["files"] == json.loads(before)["files"] == 3
    code, out, _ = run(capsys, "--index-dir", str(tmp_path / "idx"), "deps", "--root", str(indexed))
    assert code == 0 and "3 files indexed" in out
    code, _, err = run(capsys, "status", "--index-dir", str(tmp_path / "other"))
    assert code == 1 and "no index" in err


# positions and progress -----------------------------------------------------------


def test_character_columns_convert_to_utf16(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("s = '😀'; t = s\n", encoding="utf-8")
    position = parse_position("a.py:1:15", tmp_path, tmp_path)
    assert (position.path, position.line, position.col) == ("a.py", 0, 15)
    assert char_column("s = '😀'; t = s", 15) == 15
    assert split_spec("dir:with:colons.py:3:4") == ("dir:with:colons.py", 3, 4)
    with pytest.raises(UsageError):
        split_spec("a.py:1:")


def test_progress_bar_draws_only_on_a_terminal() -> None:
    assert render_bar("parse", 5, 10) == "parse    [############------------]  50% 5/10"
    assert render_bar("discover", 0, 0) == "discover …"
    stream = io.StringIO()
    clock = iter([0.0, 0.01, 0.5, 0.6])
    bar = ProgressBar(stream, enabled=True, clock=lambda: next(clock))
    bar("parse", 1, 10)
    bar("parse", 2, 10)  # Throttled: too soon after the last draw.
    bar("parse", 3, 10)
    bar("link", 1, 1)
    bar.finish()
    text = stream.getvalue()
    assert "1/10" in text and "2/10" not in text and "3/10" in text and "1/1" in text
    assert text.endswith("\r")
    quiet = io.StringIO()
    ProgressBar(quiet, enabled=False)("parse", 1, 2)
    assert quiet.getvalue() == ""


def test_first_ctrl_c_sets_the_flag_and_restores_the_handler() -> None:
    before = signal.getsignal(signal.SIGINT)
    err = io.StringIO()
    with StopOnInterrupt(err) as stop:
        assert not stop.requested()
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.requested()
        # A second Ctrl-C now kills the process (the signal's default action).
        assert signal.getsignal(signal.SIGINT) is signal.SIG_DFL
    assert signal.getsignal(signal.SIGINT) is before
    assert "press Ctrl-C again" in err.getvalue()


def test_guesses_are_listed_only_when_asked(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (ws / "jobs.py").write_text(
        "class Printer:\n    def flush(self):\n        return 1\n\n\n"
        "class Cache:\n    def flush(self):\n        return 2\n\n\n"
        "def drain(thing):\n    return thing.flush()\n"
    )
    assert main(["index", "--no-embed"]) == 0
    capsys.readouterr()
    # ``thing`` has no known type and two unrelated classes define ``flush``.
    code, out, _ = run(capsys, "callers", "Printer.flush")
    assert code == 0 and "drain" not in out
    code, out, _ = run(capsys, "callers", "Printer.flush", "--guesses")
    assert code == 0 and "jobs.drain" in out
    assert "by name" in out


# impl -----------------------------------------------------------------------


def test_impl_lists_subclasses_and_overriders(indexed: Path, capsys) -> None:
    code, out, _ = run(capsys, "impl", "pkg/core.py:5:7")
    assert code == 0
    assert out.splitlines() == [
        "pkg/core.py:13:7: class pkg.core.Engine (inherits pkg.core.Base)",
        "    class Engine(Base):",
        "1 implementation of pkg.core.Base",
    ]
    code, out, _ = run(capsys, "impl", "pkg/core.py:9:9", "--json")
    data = json.loads(out)
    assert code == 0 and data["name"] == "step" and data["guesses_left_out"] == 0
    (found,) = data["implementations"]
    assert (found["relation"], found["depth"], found["resolution"]) == ("overrides", 1, "exact")
    assert found["symbol"]["qualified_name"] == "pkg.core.Engine.step"
    assert found["of"]["qualified_name"] == "pkg.core.Base.step"
    assert (found["location"]["line"], found["location"]["col"]) == (15, 8)
    # A function has nothing below it; a blank spot has no identifier.
    code, out, _ = run(capsys, "impl", "pkg/core.py:20:5")
    assert (code, out) == (0, "0 implementations of pkg.core.helper\n")
    code, out, _ = run(capsys, "impl", "main.py:4:1")
    assert (code, out) == (0, "no identifier at main.py:4:1\n")


def test_impl_errors_are_one_line(indexed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for spec, message in (
        ("main.py:99:1", "line 99 is past the end of main.py"),
        ("missing.py:1:1", "missing.py does not exist"),
        ("main.py", "expected a position as FILE:LINE:COL"),
    ):
        code, out, err = run(capsys, "impl", spec)
        assert code == 2 and out == ""
        assert message in one_error(err)[0]
