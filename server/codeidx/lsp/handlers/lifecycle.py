"""Lifecycle: initialize, initialized, shutdown and exit.

``initialize`` adopts the workspace roots (``rootUri`` first, then every
other workspace folder; ``rootPath`` when there is neither), the explicit
index folder if any (``initializationOptions.indexDir``, ``--index-dir``,
``CODEIDX_INDEX_DIR``; see ``lsp.roots`` for how roots share it) and the
indexing settings (``config.Settings``, from the same options).  Bad
options never stop the server: the offending key is named once in the log
and the default is used.  ``initialized`` starts every root's writer with
its initial index run (with a progress token each, when the client supports
work-done progress) and registers a file watcher for the indexed extensions
(when the client allows dynamic registration of
``workspace/didChangeWatchedFiles``).  ``shutdown`` stops every root's
writer and query pool off the event loop; ``exit`` makes sure they are
stopped.  Event loop only.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path

from codeidx.config import SETTING_KEYS, Settings
from codeidx.lsp import convert
from codeidx.lsp.core import CodeidxServer
from codeidx.lsp.roots import RootState
from codeidx.parse.registry import config_names, known_extensions
from codeidx.support.paths import ENV_INDEX_DIR

log = logging.getLogger(__name__)

#: The keys ``initializationOptions`` may hold.
KNOWN_OPTIONS = frozenset({"indexDir"}) | SETTING_KEYS
#: The id of the file watcher registration (``client/registerCapability``).
WATCHER_ID = "codeidx-watched-files"


def roots_of(params: types.InitializeParams) -> list[Path]:
    """The workspace roots the client names that are existing folders, first root first.

    The first is ``rootUri`` (else the first workspace folder, else
    ``rootPath``); every other workspace folder follows in the client's order.
    """
    candidates: list[str | None] = []
    if params.root_uri:
        candidates.append(to_fs_path(params.root_uri))
    for folder in params.workspace_folders or []:
        candidates.append(to_fs_path(folder.uri))
    if params.root_path and not candidates:
        candidates.append(params.root_path)
    out: list[Path] = []
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            resolved = Path(candidate).resolve()
            if resolved not in out:
                out.append(resolved)
        elif candidate:
            log.warning("workspace folder %s is not a folder; codeidx skips it", candidate)
    return out


def index_dir_option(options: Any) -> str | None:
    """``indexDir`` from the initialization options; bad values are logged and ignored."""
    if options is None:
        return None
    if not isinstance(options, dict):
        log.warning("initializationOptions must be an object; using the defaults")
        return None
    for key in sorted(set(options) - KNOWN_OPTIONS):
        log.warning("unknown initialization option %r is ignored", key)
    value = options.get("indexDir")
    if value is None or (isinstance(value, str) and value.strip()):
        return value
    log.warning("initialization option 'indexDir' must be a non-empty string; using the default")
    return None


async def initialize(ls: CodeidxServer, params: types.InitializeParams) -> None:
    # Log records reach the client through the loop: name bad options to it too.
    ls.loop = asyncio.get_running_loop()
    roots = roots_of(params)
    client = convert.ClientFeatures.of(params.capabilities)
    ls.client = client
    if not roots:
        log.warning("the client named no workspace folder; codeidx will answer nothing")
        return
    options = params.initialization_options
    chosen = (
        index_dir_option(options) or ls.index_dir_override or os.environ.get(ENV_INDEX_DIR) or None
    )
    raw = options if isinstance(options, dict) else {}
    settings = Settings.parse(raw, "initializationOptions")
    ls.configure(roots, chosen, client, settings)


async def initialized(ls: CodeidxServer, params: types.InitializedParams) -> None:
    ls.initialized = True
    for state in ls.roots:
        await start_root(ls, state)
    if not ls.roots:
        return
    if not (ls.client.watch_registration and await register_watcher(ls)):
        # Files changed outside the editor (a ``git checkout``) would wait
        # for the next full run: the writers look at the disk instead.
        ls.client_watches = False
        if ls.polls_disk:
            log.info("the client reports no changed files; codeidx looks at the disk for them")
        ls.apply_polling()


async def start_root(ls: CodeidxServer, state: RootState) -> None:
    """Start a root's writer with its initial run (with progress when the client shows it)."""
    token: str | None = None
    if ls.client.work_done_progress:
        token = f"codeidx-index-{uuid.uuid4().hex}"
        try:
            await ls.work_done_progress.create_async(token)
        except Exception as exc:  # The client refused: index without progress.
            log.warning("the client refused a progress token: %s", exc)
            token = None
    if ls.roots.get(state.root) is not state:
        return  # Removed while the client answered.
    state.writer.start()
    state.writer.request_full("initial", token)
    if ls.polls_disk:
        state.writer.poll_disk()


def watcher_glob() -> str:
    """One glob for every indexed extension: ``**/*.{c,cc,...}``."""
    return "**/*.{" + ",".join(ext.lstrip(".") for ext in known_extensions()) + "}"


def config_glob() -> str:
    """One glob for the configuration files import resolution reads: ``**/{go.mod,...}``."""
    return "**/{" + ",".join(config_names()) + "}"


async def register_watcher(ls: CodeidxServer) -> bool:
    """Ask the client to report created, changed and deleted source and configuration files.

    False when the client refused.
    """
    watchers = [
        types.FileSystemWatcher(glob_pattern=watcher_glob()),
        types.FileSystemWatcher(glob_pattern=config_glob()),
    ]
    registration = types.Registration(
        id=WATCHER_ID,
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )
    try:
        await ls.client_register_capability_async(types.RegistrationParams([registration]))
    except Exception as exc:  # The client refused: the writers look at the disk.
        log.warning("the client refused to watch files for codeidx: %s", exc)
        return False
    return True


async def shutdown(ls: CodeidxServer, params: None) -> None:
    await asyncio.to_thread(ls.stop_background)


def exit_server(ls: CodeidxServer, params: None) -> None:
    # After a proper shutdown this is a no-op; without one, stop quickly.
    ls.stop_background(timeout=1.0)
    if ls.over_tcp:
        # pygls ends a stdio server on exit, but a TCP server would go on
        # listening: close it so that the process ends as well.
        ls.stop_listening()
