"""The codeidx language server: the one registration table, the factory, start-up.

``REGISTRATIONS`` lists every LSP method the server answers: which handler
(in ``lsp.handlers``, one module per feature group) and whether it changes
server state (lifecycle, document sync, commands that queue work; these run
on the event loop and return at once) or reads a snapshot of the index (on
a query worker, through ``lsp.runner``).  ``create_server()`` registers the
table on a ``CodeidxServer`` (``lsp.core``); ``serve_stdio`` and
``serve_tcp`` run it.

Logs go to stderr and, from INFO up, to the client's ``window/logMessage``;
never to stdout, the protocol channel.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from codeidx.lsp import extensions
from codeidx.lsp.core import ClientLogHandler, CodeidxServer
from codeidx.lsp.handlers import (
    commands,
    hierarchy,
    implementation,
    lifecycle,
    links,
    navigation,
    search,
    symbols,
    sync,
    workspace,
)
from codeidx.lsp.runner import guard, settle_heap


@dataclass(frozen=True, slots=True)
class Registration:
    """One row of the table: a method, its handler, and what the handler does.

    ``effect`` is ``state`` for handlers that change server state (they run
    on the event loop and return at once) and ``read`` for handlers that
    answer from a snapshot of the index on a query worker.
    """

    method: str
    handler: Callable[..., Any]
    effect: str
    options: Any = None


REGISTRATIONS: tuple[Registration, ...] = (
    # Lifecycle.
    Registration(types.INITIALIZE, lifecycle.initialize, "state"),
    Registration(types.INITIALIZED, lifecycle.initialized, "state"),
    Registration(types.SHUTDOWN, lifecycle.shutdown, "state"),
    Registration(types.EXIT, lifecycle.exit_server, "state"),
    # Document sync: record the text, schedule work, return.
    Registration(types.TEXT_DOCUMENT_DID_OPEN, sync.did_open, "state"),
    Registration(types.TEXT_DOCUMENT_DID_CHANGE, sync.did_change, "state"),
    Registration(
        types.TEXT_DOCUMENT_DID_SAVE, sync.did_save, "state", types.SaveOptions(include_text=False)
    ),
    Registration(types.TEXT_DOCUMENT_DID_CLOSE, sync.did_close, "state"),
    # Workspace: files changed on disk, settings, folders.
    Registration(
        types.WORKSPACE_DID_CHANGE_WATCHED_FILES, workspace.did_change_watched_files, "state"
    ),
    Registration(
        types.WORKSPACE_DID_CHANGE_CONFIGURATION, workspace.did_change_configuration, "state"
    ),
    Registration(
        types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS,
        workspace.did_change_workspace_folders,
        "state",
    ),
    # Navigation (definition sites shaped as links or locations in ``links``).
    Registration(types.TEXT_DOCUMENT_DEFINITION, links.definition, "read"),
    Registration(types.TEXT_DOCUMENT_DECLARATION, links.declaration, "read"),
    Registration(types.TEXT_DOCUMENT_REFERENCES, navigation.references, "read"),
    Registration(types.TEXT_DOCUMENT_IMPLEMENTATION, implementation.implementation, "read"),
    Registration(types.TEXT_DOCUMENT_HOVER, navigation.hover, "read"),
    Registration(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT, navigation.highlight, "read"),
    # Symbols.
    Registration(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, symbols.document_symbols, "read"),
    Registration(types.WORKSPACE_SYMBOL, symbols.workspace_symbols, "read"),
    # Hierarchies.
    Registration(types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY, hierarchy.prepare_calls, "read"),
    Registration(types.CALL_HIERARCHY_INCOMING_CALLS, hierarchy.incoming_calls, "read"),
    Registration(types.CALL_HIERARCHY_OUTGOING_CALLS, hierarchy.outgoing_calls, "read"),
    Registration(types.TEXT_DOCUMENT_PREPARE_TYPE_HIERARCHY, hierarchy.prepare_types, "read"),
    Registration(types.TYPE_HIERARCHY_SUPERTYPES, hierarchy.supertypes, "read"),
    Registration(types.TYPE_HIERARCHY_SUBTYPES, hierarchy.subtypes, "read"),
    # codeidx's own methods (docs/protocol-extensions.md).
    Registration(extensions.STATUS, commands.status, "read"),
    Registration(extensions.SEMANTIC_SEARCH, search.semantic_search, "read"),
)

#: ``workspace/executeCommand`` commands, registered like the methods above.
COMMANDS: tuple[Registration, ...] = (
    Registration(extensions.COMMAND_REINDEX, commands.reindex, "state"),
    Registration(extensions.COMMAND_STATUS, commands.status_command, "read"),
)


def create_server(index_dir: str | None = None) -> CodeidxServer:
    """A server with every method of the table registered.

    ``index_dir`` (``codeidx serve --index-dir``) is used when the client's
    initialization options name none.
    """
    server = CodeidxServer()
    server.index_dir_override = index_dir
    for entry in REGISTRATIONS:
        server.feature(entry.method, entry.options)(guard(entry.method, entry.handler))
    for entry in COMMANDS:
        server.command(entry.method)(guard(entry.method, entry.handler))
    logging.getLogger("codeidx").addHandler(ClientLogHandler(server))
    # pygls logs whole messages (source text, queries) at INFO: keep it quieter.
    logging.getLogger("pygls").setLevel(logging.WARNING)
    return server


def serve_stdio(index_dir: str | None = None) -> None:
    """Serve one client over stdin/stdout until it sends ``exit``."""
    # The protocol gets a private duplicate of stdout, and file descriptor 1
    # becomes stderr: a stray print here or in a parse worker process cannot
    # corrupt the protocol stream.
    sys.stdout.flush()
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    server = create_server(index_dir)
    settle_heap()
    try:
        server.start_io(sys.stdin.buffer, channel)
    finally:
        server.stop_background(timeout=5.0)


def serve_tcp(host: str, port: int, index_dir: str | None = None) -> None:
    """Serve one client over TCP (for debugging a server started by hand)."""
    server = create_server(index_dir)
    server.over_tcp = True
    settle_heap()
    try:
        server.start_tcp(host, port)
    finally:
        server.stop_background(timeout=5.0)
