"""The language server's query runner: cancellation, error mapping, connection hygiene."""

from __future__ import annotations

import asyncio
import gc
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from pygls.exceptions import (
    JsonRpcContentModified,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcRequestCancelled,
)

from codeidx.errors import Cancelled, IndexUnavailable, UsageError
from codeidx.index.pipeline import run_index
from codeidx.lsp.runner import (
    MIDDLE_COLLECTIONS_PER_FULL,
    CancelToken,
    JsonRpcRequestFailed,
    Runner,
    settle_heap,
    to_response_error,
)
from codeidx.store import db

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def test_errors_map_to_lsp_error_codes() -> None:
    assert isinstance(to_response_error("m", UsageError("bad")), JsonRpcInvalidParams)
    assert isinstance(to_response_error("m", Cancelled("stop")), JsonRpcRequestCancelled)
    failed = to_response_error("m", IndexUnavailable("no index", hint="run it"))
    assert isinstance(failed, JsonRpcRequestFailed) and failed.code == -32803
    assert failed.message == "no index (run it)"
    internal = to_response_error("textDocument/hover", KeyError("secret"))
    assert isinstance(internal, JsonRpcInternalError)
    assert internal.data is None and "secret" not in internal.message
    token = CancelToken()
    token.cancel()
    interrupted = sqlite3.OperationalError("interrupted")
    assert isinstance(to_response_error("m", interrupted, token), JsonRpcRequestCancelled)


async def test_cancelling_the_request_sets_the_token_of_running_work(tmp_path: Path) -> None:
    runner = Runner(tmp_path / "index")
    started, saw_cancel = threading.Event(), threading.Event()

    def work(token: CancelToken) -> str:
        started.set()
        for _ in range(500):  # Bounded: at most 5 s.
            if token.cancelled:
                saw_cancel.set()
                token.check()
            threading.Event().wait(0.01)
        return "finished"

    task = asyncio.ensure_future(runner.call("slow", work))
    await asyncio.to_thread(started.wait, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.to_thread(saw_cancel.wait, 5)
    assert saw_cancel.is_set()
    await asyncio.to_thread(runner.close)


async def test_no_index_is_request_failed_with_a_note(tmp_path: Path) -> None:
    runner = Runner(tmp_path / "index", unavailable_note=lambda: "indexing is running")
    with pytest.raises(JsonRpcRequestFailed, match="indexing is running"):
        await runner.read("textDocument/definition", lambda conn, token: None)
    await asyncio.to_thread(runner.close)


async def test_reads_close_their_connections_and_report_changes(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "a.py").write_text("def f():\n    return 1\n")
    run_index(root, tmp_path / "index")
    runner = Runner(tmp_path / "index")
    seen: list[int] = []

    def count(conn: sqlite3.Connection, token: CancelToken) -> int:
        seen.append(runner.readers_open)
        return int(conn.execute("SELECT COUNT(*) FROM files").fetchone()[0])

    assert await runner.read("count", count) == 1
    assert seen == [1] and runner.readers_open == 0
    with pytest.raises(JsonRpcContentModified):
        await runner.read("count", count, still_valid=lambda: False)

    def broken(conn: sqlite3.Connection, token: CancelToken) -> None:
        raise UsageError("line 9 is past the end")

    with pytest.raises(JsonRpcInvalidParams, match="past the end"):
        await runner.read("broken", broken)
    assert runner.readers_open == 0
    await asyncio.to_thread(runner.close)
    with pytest.raises(JsonRpcRequestFailed):
        await runner.read("count", count)


def test_settle_heap_freezes_start_up_objects_and_spaces_full_collections() -> None:
    before = gc.get_threshold()
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (before[0], before[1], MIDDLE_COLLECTIONS_PER_FULL)
        # Cyclic garbage made afterwards is still collected.
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def _workspace(tmp_path: Path, files: int) -> tuple[Path, Path]:
    """A workspace of ``files`` modules, indexed; (root, index folder)."""
    root = tmp_path / "ws"
    root.mkdir(exist_ok=True)
    for n in range(files):
        (root / f"m{n}.py").write_text(f"def f{n}():\n    return {n}\n")
    run_index(root, tmp_path / "index")
    return root, tmp_path / "index"


class _Remembered:
    """A runner with one worker over an indexed workspace, and the connections its reads got."""

    def __init__(self, tmp_path: Path) -> None:
        self.root, self.index = _workspace(tmp_path, 1)
        self.runner = Runner(self.index, workers=1)
        self.used: list[sqlite3.Connection] = []

    def remember(self, conn: sqlite3.Connection, token: CancelToken) -> bool:
        self.used.append(conn)
        return conn.in_transaction


async def test_a_worker_keeps_its_connection_between_reads_and_closes_it_with_the_runner(
    tmp_path: Path,
) -> None:
    it = _Remembered(tmp_path)
    assert await it.runner.read("a", it.remember) is False
    assert await it.runner.read("b", it.remember) is False
    assert it.used[0] is it.used[1]
    await asyncio.to_thread(it.runner.close)
    with pytest.raises(sqlite3.ProgrammingError):
        it.used[0].execute("SELECT 1")  # Closed by its worker on the way out.
    assert not [t for t in threading.enumerate() if t.name.startswith("codeidx-query")]


async def test_a_kept_connection_is_opened_again_when_the_index_is_rebuilt(tmp_path: Path) -> None:
    it = _Remembered(tmp_path)

    def count(conn: sqlite3.Connection, token: CancelToken) -> int:
        it.remember(conn, token)
        return int(conn.execute("SELECT COUNT(*) FROM files").fetchone()[0])

    try:
        assert await it.runner.read("count", count) == 1
        # The index folder deleted and built anew: the kept connection reads a
        # file no longer on disk, so the next read must not use it.
        shutil.rmtree(it.index)
        _workspace(tmp_path, 3)
        assert await it.runner.read("count", count) == 3
        assert it.used[0] is not it.used[1]
        # The index folder deleted: no index, as for a new connection.
        shutil.rmtree(it.index)
        with pytest.raises(JsonRpcRequestFailed, match="no index"):
            await it.runner.read("count", count)
    finally:
        await asyncio.to_thread(it.runner.close)


async def test_a_schema_change_or_a_failed_read_opens_the_connection_again(
    tmp_path: Path,
) -> None:
    it = _Remembered(tmp_path)
    runner, used, remember = it.runner, it.used, it.remember

    def corrupt(conn: sqlite3.Connection, token: CancelToken) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    try:
        await runner.read("a", remember)
        writer = db.connect_writer(it.index / db.DB_NAME)
        try:
            writer.execute("CREATE TABLE later_migration (x INTEGER)")
        finally:
            writer.close()
        await runner.read("b", remember)
        assert used[1] is not used[0]
        with pytest.raises(JsonRpcInternalError):
            await runner.read("c", corrupt)
        await runner.read("d", remember)
        assert used[2] is not used[1]
    finally:
        await asyncio.to_thread(runner.close)


async def test_a_read_leaves_no_transaction_open_on_the_kept_connection(tmp_path: Path) -> None:
    runner = _Remembered(tmp_path).runner

    def begin(conn: sqlite3.Connection, token: CancelToken) -> bool:
        was = conn.in_transaction
        conn.execute("BEGIN")
        conn.execute("SELECT COUNT(*) FROM files").fetchone()
        return was

    try:
        assert await runner.read("a", begin) is False
        # Had the first read's snapshot stayed open, this BEGIN would fail.
        assert await runner.read("b", begin) is False
    finally:
        await asyncio.to_thread(runner.close)
