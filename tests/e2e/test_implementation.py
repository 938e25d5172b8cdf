"""Go to implementation through a real server: subtypes, overriders, open buffers, errors."""

from __future__ import annotations

import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import pytest_lsp
from lsprotocol import types
from lsptest import CAPABILITIES, WORKSPACES, IndexEvents, Session, send_raw, where
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.e2e

SHAPES = "app/shapes.py"


async def implementations(ws: Session, rel: str, position: types.Position) -> list[types.Location]:
    found = await ws.client.text_document_implementation_async(
        types.ImplementationParams(ws.doc(rel), position)
    )
    assert found is None or all(isinstance(loc, types.Location) for loc in found)
    return list(found or [])  # type: ignore[arg-type]


async def test_server_advertises_implementation(ws: Session) -> None:
    assert ws.initialize_result is not None
    assert ws.initialize_result.capabilities.implementation_provider


async def test_class_method_and_dispatched_call_answer_the_subclass(ws: Session) -> None:
    square_class = (SHAPES, 11, 6, 12)
    square_area = (SHAPES, 17, 8, 12)
    on_class = await implementations(ws, SHAPES, ws.find(SHAPES, "class Shape", offset=7))
    assert [where(loc, ws.root) for loc in on_class] == [square_class]
    on_method = await implementations(ws, SHAPES, ws.find(SHAPES, "def area", offset=5))
    assert [where(loc, ws.root) for loc in on_method] == [square_area]
    # ``s.area()`` on a receiver of unknown type: both ``area`` methods are
    # candidates, one override family, so the answer is the base's overriders.
    on_call = await implementations(ws, SHAPES, ws.find(SHAPES, "s.area()", offset=3))
    assert [where(loc, ws.root) for loc in on_call] == [square_area]
    # The overriding method itself and a function have nothing below them.
    assert await implementations(ws, SHAPES, ws.find(SHAPES, "def area", nth=1, offset=5)) == []
    assert await implementations(ws, SHAPES, ws.find(SHAPES, "def total_area", offset=5)) == []


async def test_open_buffer_answers_at_live_positions(ws: Session) -> None:
    ws.open(SHAPES)
    top = types.Position(0, 0)
    ws.edit(
        SHAPES,
        [
            types.TextDocumentContentChangePartial(
                range=types.Range(top, top), text="# one\n# two\n"
            )
        ],
    )
    found = await implementations(ws, SHAPES, types.Position(5, 7))
    assert [where(loc, ws.root) for loc in found] == [(SHAPES, 13, 6, 12)]


async def test_unknown_files_are_empty_and_bad_params_are_errors(ws: Session) -> None:
    (ws.root / "notes.txt").write_text("class Shape\n")
    assert await implementations(ws, "notes.txt", types.Position(0, 7)) == []
    outside = types.TextDocumentIdentifier("file:///nowhere/else.py")
    assert not await ws.client.text_document_implementation_async(
        types.ImplementationParams(outside, types.Position(0, 0))
    )
    with pytest.raises(JsonRpcInvalidParams, match="past the end"):
        await implementations(ws, SHAPES, types.Position(99, 0))
    with pytest.raises(JsonRpcException) as caught:
        await send_raw(ws.client, "textDocument/implementation", {"textDocument": {}})
    assert caught.value.code == types.ErrorCodes.InvalidParams
    # The server still answers.
    found = await implementations(ws, SHAPES, ws.find(SHAPES, "class Shape", offset=7))
    assert len(found) == 1


assert CAPABILITIES.text_document is not None
LINK_CAPABILITIES = attrs.evolve(
    CAPABILITIES,
    text_document=attrs.evolve(
        CAPABILITIES.text_document,
        implementation=types.ImplementationClientCapabilities(link_support=True),
    ),
)


@pytest_lsp.fixture(  # type: ignore[untyped-decorator]
    config=ClientServerConfig(server_command=[sys.executable, "-m", "codeidx", "serve"])
)
async def link_client(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[None]:
    root = tmp_path / "ws"
    shutil.copytree(WORKSPACES / "shapes", root)
    events = IndexEvents()

    def on_index_updated(params: Any) -> None:
        events.record(params)

    lsp_client.feature("codeidx/indexUpdated")(on_index_updated)
    session = Session(lsp_client, root, tmp_path / "index", events)
    lsp_client.codeidx_session = session  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=LINK_CAPABILITIES,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(root.as_uri(), "shapes")],
            initialization_options={"indexDir": str(session.index_dir)},
        )
    )
    await events.wait_for("initial")
    yield
    await lsp_client.shutdown_session()


async def test_links_when_the_client_supports_them(link_client: LanguageClient) -> None:
    ws: Session = link_client.codeidx_session  # type: ignore[attr-defined]
    origin = ws.find(SHAPES, "class Shape", offset=6)
    found = await ws.client.text_document_implementation_async(
        types.ImplementationParams(
            ws.doc(SHAPES), types.Position(origin.line, origin.character + 2)
        )
    )
    assert found is not None and len(found) == 1
    link = found[0]
    assert isinstance(link, types.LocationLink)
    assert link.target_uri == ws.uri(SHAPES)
    name = types.Range(types.Position(11, 6), types.Position(11, 12))
    assert link.target_selection_range == name
    assert link.origin_selection_range == types.Range(
        origin, types.Position(origin.line, origin.character + len("Shape"))
    )
