"""A client for the workspace tests: file watching, settings and definition links.

Like ``conftest.client``, but the client also advertises dynamic registration
of ``workspace/didChangeWatchedFiles`` and ``linkSupport`` for definitions,
answers ``client/registerCapability`` (recording what it was asked), and
sends the test's ``@pytest.mark.init_options`` beside ``indexDir``.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import pytest_lsp
from lsprotocol import types
from lsptest import CAPABILITIES, WORKSPACES, IndexEvents, Session
from pytest_lsp import ClientServerConfig, LanguageClient

assert CAPABILITIES.workspace is not None and CAPABILITIES.text_document is not None
WATCH_CAPABILITIES = attrs.evolve(
    CAPABILITIES,
    workspace=attrs.evolve(
        CAPABILITIES.workspace,
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
            dynamic_registration=True
        ),
    ),
    text_document=attrs.evolve(
        CAPABILITIES.text_document,
        definition=types.DefinitionClientCapabilities(link_support=True),
    ),
)


def init_options(options: dict[str, Any]) -> Any:
    """Decorate a test to send these initialization options too."""

    def mark(test: Any) -> Any:
        test.codeidx_init_options = options
        return test

    return mark


@pytest_lsp.fixture(  # type: ignore[untyped-decorator]
    config=ClientServerConfig(server_command=[sys.executable, "-m", "codeidx", "serve"])
)
async def watch_client(
    lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[None]:
    root = tmp_path / "ws"
    shutil.copytree(WORKSPACES / "shapes", root)
    index_dir = tmp_path / "index"
    events = IndexEvents()
    registrations: list[types.Registration] = []
    extra = getattr(request.function, "codeidx_init_options", {})

    def on_index_updated(params: Any) -> None:
        events.record(params)

    def on_register(params: types.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    lsp_client.feature("codeidx/indexUpdated")(on_index_updated)
    lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)(on_register)
    session = Session(lsp_client, root, index_dir, events)
    lsp_client.codeidx_session = session  # type: ignore[attr-defined]
    lsp_client.codeidx_registrations = registrations  # type: ignore[attr-defined]
    session.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=WATCH_CAPABILITIES,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(root.as_uri(), "shapes")],
            initialization_options={"indexDir": str(index_dir), **extra},
        )
    )
    await events.wait_for("initial")
    yield
    if not session.shut_down:
        await lsp_client.shutdown_session()


@pytest.fixture
def wws(watch_client: LanguageClient) -> Session:
    """The test's session (server, workspace copy, index folder)."""
    session: Session = watch_client.codeidx_session  # type: ignore[attr-defined]
    return session


def notify_files(session: Session, changes: list[tuple[str, types.FileChangeType]]) -> None:
    """Report files changed on disk, as an editor's file watcher would."""
    events = [types.FileEvent(session.uri(rel), kind) for rel, kind in changes]
    session.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(events))


def sessions_by_kind(index_dir: Path) -> dict[str, int]:
    """How many index runs of each mode the index recorded (its ``sessions`` table)."""
    conn = sqlite3.connect(f"file:{index_dir / 'index.sqlite'}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT mode, count(*) FROM sessions GROUP BY mode").fetchall()
    finally:
        conn.close()
    return {str(mode): int(n) for mode, n in rows}
