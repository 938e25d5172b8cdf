"""Two servers on one workspace and one index, as with two editor windows.

Both processes share the index folder.  Writes are serialised by the
index's writer lock; a server that must wait for it keeps answering
requests, the other server notices each run it did not make (a
``codeidx/indexUpdated`` with reason ``external``), and once one server
exits the other writes on its own.  The test itself holds the writer lock
for a while to stand for a long run of another process, so nothing depends
on timing.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from lsptest import CAPABILITIES, INDEX_TIMEOUT, WORKSPACES, IndexEvents, field_of, where
from pytest_lsp import ClientServerConfig, LanguageClient

from codeidx.support.paths import WriterLock

pytestmark = pytest.mark.e2e

SHAPES, REPORT = "app/shapes.py", "app/report.py"
SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "codeidx", "serve"])


class Window:
    """One editor window: a client, its server process, and the runs it was told about."""

    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.client = client
        self.root = root
        self.events = IndexEvents()
        self.closed = False

    def uri(self, rel: str) -> str:
        return (self.root / rel).as_uri()

    def save(self, rel: str) -> None:
        doc = types.TextDocumentIdentifier(self.uri(rel))
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(doc))

    async def definition(self, rel: str, needle: str) -> list[tuple]:
        text = (self.root / rel).read_text(encoding="utf-8")
        index = text.index(needle) + 1
        line = text.count("\n", 0, index)
        col = index - (text.rfind("\n", 0, index) + 1)
        found = await self.client.text_document_definition_async(
            types.DefinitionParams(
                types.TextDocumentIdentifier(self.uri(rel)), types.Position(line, col)
            )
        )
        return [where(loc, self.root) for loc in found or []]

    async def status(self) -> Any:
        return await self.client.protocol.send_request_async("codeidx/status", None)

    async def log_line(self, wanted: Callable[[str], bool]) -> None:
        """Until the server has sent a ``window/logMessage`` that satisfies ``wanted``."""

        async def until() -> None:
            while not any(wanted(m.message) for m in self.client.log_messages):
                await self.client.wait_for_notification(types.WINDOW_LOG_MESSAGE)

        await asyncio.wait_for(until(), INDEX_TIMEOUT)


async def open_window(root: Path, index_dir: Path) -> Window:
    client = await SERVER.start()
    window = Window(client, root)

    def on_index_updated(params: Any) -> None:
        window.events.record(params)

    client.feature("codeidx/indexUpdated")(on_index_updated)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=CAPABILITIES,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(root.as_uri(), "ws")],
            # The windows coordinate through the writer lock alone: neither
            # looks at the disk for the file the test changes behind them.
            initialization_options={"indexDir": str(index_dir), "watchDisk": False},
        )
    )
    await window.events.wait_for("initial")
    return window


async def close_window(window: Window) -> None:
    window.closed = True
    await window.client.shutdown_session()
    await window.client.stop()


@pytest.fixture
async def windows(tmp_path: Path) -> AsyncIterator[tuple[Window, Window, Path]]:
    root = tmp_path / "ws"
    shutil.copytree(WORKSPACES / "shapes", root)
    index_dir = tmp_path / "index"
    first = await open_window(root, index_dir)
    second = await open_window(root, index_dir)
    try:
        yield first, second, index_dir
    finally:
        for window in (first, second):
            if not window.closed:
                await close_window(window)


def reasons(window: Window) -> list[str]:
    return [field_of(field_of(r, "run"), "reason") for r in window.events.runs]


async def test_one_writes_the_other_reads_notices_and_takes_over(
    windows: tuple[Window, Window, Path],
) -> None:
    first, second, index_dir = windows
    # Both initial runs ended; the second found every file already indexed.
    run = await second.events.wait_for("initial")
    assert field_of(field_of(run, "run"), "filesUnchanged") == 3

    # Another process holds the writer lock (a long run): the second
    # server's save waits for it, and the server keeps answering meanwhile.
    shapes = first.root / SHAPES
    shapes.write_text(shapes.read_text() + "\n\ndef perimeter_sum() -> float:\n    return 0.0\n")
    lock = WriterLock(index_dir)
    lock.acquire()
    try:
        second.save(SHAPES)
        await second.log_line(lambda m: "another codeidx process is writing" in m)
        status = await second.status()
        assert status.indexing.running == "save"
        assert status.indexing.waitingForOtherWriter is True
        assert await second.definition(REPORT, "total_area(squares)") == [(SHAPES, 21, 4, 14)]
        assert second.events.ended("save") == []
    finally:
        lock.release()

    await second.events.wait_saved(SHAPES)
    # The first server notices the run it did not make, and reads its result.
    noticed = await first.events.wait_for("external")
    assert field_of(field_of(noticed, "run"), "status") == "complete"
    assert "external" not in reasons(second)
    found = await first.client.workspace_symbol_async(
        types.WorkspaceSymbolParams(query="perimeter_sum")
    )
    assert [s.name for s in found or []] == ["perimeter_sum"]

    # The first window closes; the second goes on writing alone.
    await close_window(first)
    report = second.root / REPORT
    report.write_text(report.read_text() + "\n\ndef summary() -> str:\n    return ''\n")
    second.save(REPORT)
    await second.events.wait_saved(REPORT)
    assert [r for r in second.events.ended("save") if REPORT in field_of(r, "paths")]
    status = await second.status()
    assert status.lastRun.status == "complete" and status.indexing.waitingForOtherWriter is False
