"""Files changed outside the editor when the client offers no file watcher.

The standard test client registers none (as Neovim 0.7 does not), so the
server looks at the disk itself: a file written, changed or deleted behind
the editor's back (a ``git checkout``) is indexed within a few seconds, as a
``watch`` run.  A client that registers the watcher gets no such looks, and
``watchDisk: false`` turns them off.
"""

# The fixtures come from watchtest; pytest passes them by parameter name.
# ruff: noqa: F811

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from lsptest import Session, field_of
from watchtest import watch_client, wws  # noqa: F401

pytestmark = pytest.mark.e2e

EXTRA = "app/extra.py"


async def names(session: Session, query: str) -> list[str]:
    found = await session.client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
    return sorted(s.name for s in found or [])


async def watching_disk(session: Session) -> bool:
    status = await session.request("codeidx/status", None)
    return bool(field_of(field_of(status, "indexing"), "watchingDisk"))


@pytest.mark.watch_disk
async def test_files_changed_behind_the_editor_are_indexed(ws: Session) -> None:
    assert await watching_disk(ws)
    (ws.root / EXTRA).write_text("def found_on_disk() -> int:\n    return 1\n")
    run = await ws.events.wait_for("watch")
    assert field_of(run, "paths") == [EXTRA]
    assert await names(ws, "found_on_disk") == ["found_on_disk"]

    # Changed, then deleted: each look finds what is new since the last run.
    (ws.root / EXTRA).write_text("def renamed_on_disk() -> int:\n    return 2\n")
    await ws.events.wait_for("watch", 2)
    assert await names(ws, "renamed_on_disk") == ["renamed_on_disk"]
    assert await names(ws, "found_on_disk") == []
    (ws.root / EXTRA).unlink()
    await ws.events.wait_for("watch", 3)
    assert await names(ws, "renamed_on_disk") == []


@pytest.mark.watch_disk
async def test_the_setting_turns_the_looks_off_and_on(ws: Session) -> None:
    settings = {"codeidx": {"watchDisk": False}}
    ws.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings))
    for _ in range(100):  # The notification is handled by the time of a later request.
        if not await watching_disk(ws):
            break
        await asyncio.sleep(0.05)
    assert not await watching_disk(ws)
    assert ws.events.ended("config") == []  # The setting alone re-indexes nothing.

    settings = {"codeidx": {"watchDisk": True}}
    ws.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings))
    (ws.root / EXTRA).write_text("def back_on() -> int:\n    return 3\n")
    await ws.events.wait_for("watch")
    assert await names(ws, "back_on") == ["back_on"]


async def test_a_client_that_watches_gets_no_looks(wws: Session) -> None:
    assert not await watching_disk(wws)


async def test_no_looks_when_the_setting_is_off(ws: Session) -> None:
    # The other tests' client sends ``watchDisk: false`` (conftest).
    assert not await watching_disk(ws)
