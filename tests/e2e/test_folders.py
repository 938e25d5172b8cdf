"""Several workspace folders: one index per folder, requests routed by document.

The ``folders`` workspace holds three folders: ``alpha`` (Python, with a
``vendor`` folder inside it), ``beta`` (TypeScript) and ``gamma`` (Go).
The client opens ``alpha`` and ``beta``, then adds and removes folders
with ``workspace/didChangeWorkspaceFolders``, as an editor does when the
user changes the folders of a window.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from lsptest import CAPABILITIES, WORKSPACES, IndexEvents, field_of, position_of, where
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.e2e


class Folders:
    """One test's server over copies of the ``folders`` workspace."""

    def __init__(self, client: LanguageClient, base: Path, index_dir: Path) -> None:
        self.client = client
        self.base = base
        self.index_dir = index_dir
        self.events = IndexEvents()

    def uri(self, rel: str) -> str:
        return (self.base / rel).as_uri()

    def folder(self, name: str) -> types.WorkspaceFolder:
        return types.WorkspaceFolder(self.uri(name), name.replace("/", "-"))

    def indexed(self, name: str) -> bool:
        """Whether a run of the folder's own index has ended."""
        root = str((self.base / name).resolve())
        return any(field_of(r, "root") == root for r in self.events.runs)

    async def definition(self, rel: str, needle: str, offset: int = 1) -> list[tuple]:
        text = (self.base / rel).read_text(encoding="utf-8")
        position = position_of(text, needle, offset=offset)
        found = await self.client.text_document_definition_async(
            types.DefinitionParams(types.TextDocumentIdentifier(self.uri(rel)), position)
        )
        return [where(loc, self.base) for loc in found or []]

    async def status(self) -> Any:
        return await self.client.protocol.send_request_async("codeidx/status", None)

    def change_folders(self, added: tuple[str, ...] = (), removed: tuple[str, ...] = ()) -> None:
        event = types.WorkspaceFoldersChangeEvent(
            added=[self.folder(n) for n in added], removed=[self.folder(n) for n in removed]
        )
        self.client.workspace_did_change_workspace_folders(
            types.DidChangeWorkspaceFoldersParams(event)
        )


@pytest_lsp.fixture(  # type: ignore[untyped-decorator]
    config=ClientServerConfig(server_command=[sys.executable, "-m", "codeidx", "serve"])
)
async def folders_client(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[None]:
    base = tmp_path / "ws"
    shutil.copytree(WORKSPACES / "folders", base)
    session = Folders(lsp_client, base, tmp_path / "index")

    def on_index_updated(params: Any) -> None:
        session.events.record(params)

    lsp_client.feature("codeidx/indexUpdated")(on_index_updated)
    lsp_client.codeidx_folders = session  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=CAPABILITIES,
            root_uri=session.uri("alpha"),
            workspace_folders=[session.folder("alpha"), session.folder("beta")],
            initialization_options={"indexDir": str(session.index_dir)},
        )
    )
    await session.events.wait_until(lambda: session.indexed("alpha") and session.indexed("beta"))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def fs(folders_client: LanguageClient) -> Folders:
    session: Folders = folders_client.codeidx_folders  # type: ignore[attr-defined]
    return session


async def test_each_folder_has_its_own_index_and_answers_for_its_files(fs: Folders) -> None:
    assert await fs.definition("alpha/main.py", "add_numbers(1") == [("alpha/calc.py", 0, 4, 15)]
    assert await fs.definition("beta/app.ts", "addShapes(1") == [("beta/shapes.ts", 0, 16, 25)]

    status = await fs.status()
    # The first folder keeps the explicit index folder; the other gets a sub-folder.
    assert status.root == str((fs.base / "alpha").resolve())
    assert status.indexDir == str(fs.index_dir)
    roots = {Path(r.root).name: r for r in status.roots}
    assert set(roots) == {"alpha", "beta"}
    assert (roots["alpha"].files, roots["beta"].files) == (3, 2)
    assert Path(roots["beta"].indexDir).parent == fs.index_dir / "roots"

    # Workspace symbols come from every folder's index, merged.
    found = await fs.client.workspace_symbol_async(types.WorkspaceSymbolParams(query="add"))
    names = {(s.name, Path(s.location.uri).parent.name) for s in found or []}
    assert {("add_numbers", "alpha"), ("addShapes", "beta")} <= names


async def test_folders_added_and_removed_while_running(fs: Folders) -> None:
    fs.change_folders(added=("gamma",))
    await fs.events.wait_until(lambda: fs.indexed("gamma"))
    assert await fs.definition("gamma/calc/use.go", "AddAll(") == [("gamma/calc/sum.go", 2, 5, 11)]

    fs.change_folders(removed=("beta",))
    status = await fs.status()
    assert {Path(r.root).name for r in status.roots} == {"alpha", "gamma"}
    # A removed folder answers nothing: its writer stopped and its pool closed.
    assert await fs.definition("beta/app.ts", "addShapes(1") == []
    found = await fs.client.workspace_symbol_async(types.WorkspaceSymbolParams(query="add"))
    assert {s.name for s in found or []} >= {"add_numbers", "AddAll"}
    assert "addShapes" not in {s.name for s in found or []}


async def test_a_nested_folder_answers_for_its_own_files(fs: Folders) -> None:
    fs.change_folders(added=("alpha/vendor",))
    await fs.events.wait_until(lambda: fs.indexed("alpha/vendor"))
    helpers = "alpha/vendor/helpers.py"
    item = types.TextDocumentItem(
        fs.uri(helpers), "python", 1, (fs.base / helpers).read_text(encoding="utf-8")
    )
    fs.client.text_document_did_open(types.DidOpenTextDocumentParams(item))
    assert await fs.definition(helpers, "scale(3") == [(helpers, 0, 4, 9)]
    status = await fs.status()
    opened = {Path(r.root).name: r.openDocuments for r in status.roots}
    assert opened == {"alpha": 0, "beta": 0, "vendor": 1}
    assert status.openDocuments == 1


async def test_semantic_search_merges_every_folder(fs: Folders) -> None:
    params = {"query": "add numbers shapes", "mode": "fts"}

    def folders_of(answer: Any) -> set[str]:
        uris = [field_of(r, "uri") for r in answer.results]
        return {Path(uri.removeprefix("file://")).parent.name for uri in uris}

    # The full-text stores follow each folder's run on their own threads: ask until
    # neither lags and both folders answered (bounded).  A folder that could not
    # answer yet shows as a note and makes the answer partial, not as lag.
    for _ in range(300):
        answer = await fs.client.protocol.send_request_async("codeidx/semanticSearch", params)
        lagging = field_of(field_of(answer, "coverage"), "filesLaggingText")
        if not lagging and {"alpha", "beta"} <= folders_of(answer):
            break
        await asyncio.sleep(0.05)
    assert {"alpha", "beta"} <= folders_of(answer), field_of(answer, "notes")
    scores = [field_of(r, "score") for r in answer.results]
    assert scores == sorted(scores, reverse=True)
    coverage = field_of(answer, "coverage")
    assert field_of(coverage, "filesTotal") == 5  # alpha's 3 files and beta's 2
