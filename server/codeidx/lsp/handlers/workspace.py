"""Workspace notifications: watched files, configuration and workspace folders.

``workspace/didChangeWatchedFiles`` keeps the index in step with changes
made outside the editor (a ``git checkout``, a generator, another tool):
the created, changed and deleted files of an indexed language inside the
workspace go to the index writer, which gathers them into one debounced
batch (``lsp.indexing``).  ``workspace/didChangeConfiguration`` reads the
indexing settings (``config.Settings``; from the pushed ``settings``, else
pulled with ``workspace/configuration``); a change queues a full
incremental run.  ``workspace/didChangeWorkspaceFolders`` is logged: the
first folder stays the indexed root.  Event loop only; nothing here reads
a file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path

from codeidx.config import SETTING_KEYS, Settings
from codeidx.lsp.core import CodeidxServer

log = logging.getLogger(__name__)

#: The configuration section of codeidx's settings.
SECTION = "codeidx"


def did_change_watched_files(ls: CodeidxServer, params: types.DidChangeWatchedFilesParams) -> None:
    if ls.root is None:
        return
    paths: list[str] = []
    for change in params.changes:
        path = ls.source_path(change.uri)
        if path is None:
            continue  # Outside the workspace, or not of an indexed language.
        # A deleted file leaves the index whatever the filters say; others must pass them.
        if change.type == types.FileChangeType.Deleted or ls.settings.admits(path):
            paths.append(path)
    if paths:
        ls.writer.request_paths(paths)


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


def did_change_workspace_folders(
    ls: CodeidxServer, params: types.DidChangeWorkspaceFoldersParams
) -> None:
    root = ls.root
    for folder in params.event.added:
        log.warning(
            "workspace folder %s was added; codeidx indexes only %s (multi-root is not supported)",
            to_fs_path(folder.uri) or folder.uri,
            root,
        )
    for folder in params.event.removed:
        where = to_fs_path(folder.uri) or folder.uri
        if root is not None and where is not None and _same(where, str(root)):
            log.warning(
                "workspace folder %s was removed; codeidx keeps indexing it until restarted",
                where,
            )
        else:
            log.info("workspace folder %s was removed; codeidx did not index it", where)


def _same(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return a == b
