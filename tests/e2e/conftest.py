"""End-to-end fixtures: a real ``codeidx serve`` process driven by pytest-lsp.

Each test gets a copy of a fixture workspace from ``tests/workspaces/<name>``
(``@pytest.mark.workspace("name")``, default ``shapes``) under ``tmp_path``,
with the index folder beside it (``initializationOptions.indexDir``).  The
client advertises VS Code-like capabilities (``lsptest.CAPABILITIES``), or
none at all with ``@pytest.mark.minimal_client``; it registers no file
watcher, and sends ``watchDisk: false`` unless ``@pytest.mark.watch_disk``.
Setup waits for the server's ``codeidx/indexUpdated`` notification of the
initial run: a bounded wait on a condition, never a blind sleep.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from lsptest import CAPABILITIES, WORKSPACES, IndexEvents, Session
from pytest_lsp import ClientServerConfig, LanguageClient

# End-to-end servers embed with the model-free hashing embedder: the tests
# check the protocol and the stores, not a model (tests marked slow do that).
os.environ.setdefault("CODEIDX_MODEL", "hash")
# Every answer goes through the answer cache, however cheap (``lsp.answers``):
# each scenario (edits, saves, external changes) then tests its invalidation.
os.environ.setdefault("CODEIDX_ANSWER_CACHE_MIN_MS", "0")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "workspace(name): the fixture workspace to copy")
    config.addinivalue_line(
        "markers", "minimal_client: the client advertises no optional capabilities"
    )
    config.addinivalue_line(
        "markers", "watch_disk: the server looks at the disk for changed files (watchDisk)"
    )


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "codeidx", "serve"])
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    marker = request.node.get_closest_marker("workspace")
    name = marker.args[0] if marker is not None else "shapes"
    root = tmp_path / "ws"
    shutil.copytree(WORKSPACES / name, root)
    index_dir = tmp_path / "index"
    events = IndexEvents()
    minimal = request.node.get_closest_marker("minimal_client") is not None
    capabilities = types.ClientCapabilities() if minimal else CAPABILITIES
    # This client registers no file watcher, so the server would look at the
    # disk every few seconds; tests that write files behind its back expect
    # no run they did not ask for, unless they are about those looks.
    watch_disk = request.node.get_closest_marker("watch_disk") is not None

    def on_index_updated(params: Any) -> None:
        events.record(params)

    lsp_client.feature("codeidx/indexUpdated")(on_index_updated)
    session = Session(lsp_client, root, index_dir, events)
    lsp_client.codeidx_session = session  # type: ignore[attr-defined]
    session.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(root.as_uri(), name)],
            initialization_options={"indexDir": str(index_dir), "watchDisk": watch_disk},
        )
    )
    await events.wait_for("initial")
    yield
    if not session.shut_down:
        await lsp_client.shutdown_session()


@pytest.fixture
def ws(client: LanguageClient) -> Session:
    """The test's session (server, workspace copy, index folder)."""
    session: Session = client.codeidx_session  # type: ignore[attr-defined]
    return session
