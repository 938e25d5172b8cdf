"""The language server's query runner: cancellation, error mapping, connection hygiene."""

from __future__ import annotations

import asyncio
import gc
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
