"""Indexing settings (initialization options, didChangeConfiguration) and workspace folders."""

# The fixtures come from watchtest; pytest passes them by parameter name.
# ruff: noqa: F811

from __future__ import annotations

from lsprotocol import types
from lsptest import field_of
from watchtest import init_options, notify_files, watch_client, wws  # noqa: F401


async def names(session, query: str) -> list[str]:
    found = await session.client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
    return sorted(s.name for s in found or [])


async def status(session) -> object:
    return await session.request("codeidx/status", {})


async def test_excluding_a_folder_removes_its_symbols(wws) -> None:
    (wws.root / "extra").mkdir()
    (wws.root / "extra" / "tools.py").write_text("def sharpen_tool() -> None:\n    pass\n")
    notify_files(wws, [("extra/tools.py", types.FileChangeType.Created)])
    await wws.events.wait_for("watch")
    assert await names(wws, "sharpen_tool") == ["sharpen_tool"]

    settings = {"codeidx": {"exclude": ["extra/"]}}
    wws.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings))
    run = await wws.events.wait_for("config")
    assert field_of(field_of(run, "run"), "filesDeleted") == 1
    assert await names(wws, "sharpen_tool") == []
    assert "Square" in await names(wws, "Square")

    # The same settings again change nothing, so no run is queued.
    wws.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings))
    indexing = field_of(await status(wws), "indexing")
    assert field_of(indexing, "fullRunQueued") is False


@init_options({"languages": ["rust"], "maxFileBytes": "big", "colour": 1})
async def test_initialization_settings_and_bad_values(watch_client, wws) -> None:
    assert field_of(await status(wws), "files") == 0  # Only Rust is indexed.
    warnings = [m.message for m in watch_client.log_messages if m.type == types.MessageType.Warning]
    assert sum("maxFileBytes" in w for w in warnings) == 1
    assert sum("'colour'" in w for w in warnings) == 1

    # Back to every language (the bad size is gone: the default applies).
    settings = {"codeidx": {"languages": ["python", "go"]}}
    wws.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings))
    run = await wws.events.wait_for("config")
    assert field_of(field_of(run, "run"), "filesParsed") == 3
    assert "Square" in await names(wws, "Square")


async def test_added_workspace_folders_are_logged_not_indexed(watch_client, wws, tmp_path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    event = types.WorkspaceFoldersChangeEvent(
        added=[types.WorkspaceFolder(other.as_uri(), "other")], removed=[]
    )
    watch_client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(event)
    )
    report = await status(wws)
    assert field_of(report, "root") == str(wws.root.resolve())

    def logged() -> bool:
        return any(str(other) in m.message for m in watch_client.log_messages)

    assert logged()
