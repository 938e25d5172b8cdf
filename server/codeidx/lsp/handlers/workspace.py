"""Workspace notifications: watched files, configuration and workspace folders.

``workspace/didChangeWatchedFiles`` keeps the index in step with changes
made outside the editor (a ``git checkout``, a generator, another tool):
the created, changed and deleted files of an indexed language inside the
workspace go to the index writer, which gathers them into one debounced
batch (``lsp.indexing``).  ``workspace/didChangeConfiguration`` reads the
indexing settings (``config.Settings``; from the pushed ``settings``, else
pulled with ``workspace/configuration``); a change queues a full
incremental run in every root.  ``workspace/didChangeWorkspaceFolders``
adds roots (each with its own index, writer and query pool, started at
once when the client is initialized) and removes them (their writers stop
and their connections close, off the loop).  Files route to the innermost
root containing them.  Event loop only; nothing here reads a file.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path

from codeidx.config import SETTING_KEYS, Settings
from codeidx.lsp.core import CodeidxServer
from codeidx.lsp.handlers.lifecycle import start_root
from codeidx.lsp.roots import RootState
from codeidx.parse.registry import config_names

log = logging.getLogger(__name__)

#: The configuration section of codeidx's settings.
SECTION = "codeidx"


def did_change_watched_files(ls: CodeidxServer, params: types.DidChangeWatchedFilesParams) -> None:
    paths: dict[RootState, list[str]] = {}
    configs = set(config_names())
    for change in params.changes:
        if change.uri.rsplit("/", 1)[-1] in configs:
            # ``tsconfig.json``, ``package.json``, ``go.mod``: unchanged
            # files' imports may point elsewhere now.  A full run reads the
            # configuration again and resolves them (``index/retarget.py``).
            rooted = ls.roots.route(change.uri)
            if rooted is not None:
                rooted[0].writer.request_full("configfile")
            continue
        found = ls.route(change.uri)
        if found is None:
            continue  # Outside the workspace, or not of an indexed language.
        state, path = found
        # A deleted file leaves the index whatever the filters say; others must pass them.
        if change.type == types.FileChangeType.Deleted or ls.settings.admits(path):
            paths.setdefault(state, []).append(path)
    for state, batch in paths.items():
        state.writer.request_paths(batch)


async def did_change_configuration(
    ls: CodeidxServer, params: types.DidChangeConfigurationParams
) -> None:
    raw = settings_section(params.settings)
    if raw is None and ls.client.configuration:
        try:
            items = [types.ConfigurationItem(section=SECTION)]
            answer = await ls.workspace_configuration_async(types.ConfigurationParams(items))
        except Exception as exc:
            log.warning("could not read the codeidx settings from the client: %s", exc)
            return
        raw = settings_section(answer[0] if answer else None, pulled=True)
    if raw is None:
        return
    if ls.apply_settings(Settings.parse(raw, "settings")):
        log.info("indexing settings changed; re-indexing the workspace")


def settings_section(value: Any, pulled: bool = False) -> dict[str, Any] | None:
    """codeidx's settings in a configuration value: ``{"codeidx": {...}}`` or the keys themselves.

    None when the value holds none of them.  A pulled value is the section
    itself, so an empty object there means every default.
    """
    if not isinstance(value, dict):
        return None
    section = value.get(SECTION)
    if isinstance(section, dict):
        return section
    if pulled or SETTING_KEYS & set(value):
        return value
    return None


async def did_change_workspace_folders(
    ls: CodeidxServer, params: types.DidChangeWorkspaceFoldersParams
) -> None:
    for folder in params.event.removed:
        where = to_fs_path(folder.uri)
        state = ls.remove_root(Path(where)) if where else None
        if state is None:
            log.info("workspace folder %s was removed; codeidx did not index it", where)
            continue
        log.info("workspace folder %s was removed; its writer stops", state.root)
        # Joining the writer thread may take a moment: not on the loop.
        await asyncio.to_thread(state.stop)
    for folder in params.event.added:
        where = to_fs_path(folder.uri)
        if not where or not Path(where).is_dir():
            log.warning(
                "workspace folder %s is not a folder; codeidx skips it", where or folder.uri
            )
            continue
        if ls.loop is None:
            ls.loop = asyncio.get_running_loop()
        added = ls.add_root(Path(where))
        if added is not None and ls.initialized:
            await start_root(ls, added)
