"""Start-up, status, commands, bad requests and shutdown."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from lsptest import Session, field_of, send_raw, where
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from codeidx.lsp import extensions

pytestmark = pytest.mark.e2e

REPORT, SHAPES = "app/report.py", "app/shapes.py"
DOCS = Path(__file__).parent.parent.parent / "docs" / "protocol-extensions.md"


def progress_kinds(reports: list) -> list[str]:
    return [r.kind for r in reports]


async def test_initial_index_reports_progress_and_status(ws: Session) -> None:
    assert ws.initialize_result is not None
    caps = ws.initialize_result.capabilities
    # The client offered UTF-8 first; the index speaks UTF-16 only.
    assert caps.position_encoding == types.PositionEncodingKind.Utf16
    assert caps.definition_provider and caps.call_hierarchy_provider
    assert caps.type_hierarchy_provider and caps.document_highlight_provider
    assert caps.execute_command_provider is not None
    assert set(caps.execute_command_provider.commands) == {"codeidx.reindex", "codeidx.status"}

    # Embedding, which follows the run, reports under a token of its own.
    [reports] = [r for t, r in ws.client.progress_reports.items() if t.startswith("codeidx-index-")]
    kinds = progress_kinds(reports)
    assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds
    percentages = [r.percentage for r in reports if r.kind != "end"]
    assert percentages == sorted(percentages) and 0 <= percentages[0] <= percentages[-1] <= 100
    assert reports[-1].message.startswith("complete: 3 parsed")

    status = await ws.request("codeidx/status", None)
    assert (status.indexed, status.files, status.root) == (True, 3, str(ws.root))
    assert status.indexDir == str(ws.index_dir)
    assert (status.lastRun.reason, status.lastRun.status) == ("initial", "complete")
    assert status.indexing.running is None and status.readersOpen == 0
    assert status.coverage.partial is False


@pytest.mark.minimal_client
async def test_answers_follow_the_client_capabilities(ws: Session) -> None:
    # No window.workDoneProgress: no progress token was created.
    assert ws.client.progress_reports == {}
    at_call = ws.find(REPORT, "total_area(squares)")
    hover = await ws.client.text_document_hover_async(types.HoverParams(ws.doc(REPORT), at_call))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.kind == types.MarkupKind.PlainText
    assert hover.contents.value.startswith("def total_area(shapes: list[Shape]) -> float\n")
    # No hierarchical document symbols: a flat list with container names.
    found = await ws.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(ws.doc(SHAPES))
    )
    assert [(s.name, s.container_name) for s in found or []] == [  # type: ignore[union-attr]
        ("Shape", None),
        ("area", "Shape"),
        ("Square", None),
        ("__init__", "Square"),
        ("side", "Square"),
        ("area", "Square"),
        ("total_area", None),
    ]


async def test_reindex_command_runs_a_full_run_with_progress(ws: Session) -> None:
    queued = await ws.client.workspace_execute_command_async(
        types.ExecuteCommandParams("codeidx.reindex", [{"force": True}])
    )
    # Command results are plain JSON (LSPAny) on the client.
    assert queued == {"queued": True}
    run = await ws.events.wait_for("reindex")
    assert (run.run.status, run.run.filesParsed) == ("complete", 3)
    # The initial run and the reindex each had a token (embedding has its own).
    indexing = [t for t in ws.client.progress_reports if not t.startswith("codeidx-embed-")]
    assert len(indexing) == 2
    status = await ws.client.workspace_execute_command_async(
        types.ExecuteCommandParams("codeidx.status")
    )
    assert (field_of(status["lastRun"], "reason"), status["files"]) == ("reindex", 3)
    with pytest.raises(JsonRpcInvalidParams):
        await ws.client.workspace_execute_command_async(
            types.ExecuteCommandParams("codeidx.reindex", [{"force": "yes"}])
        )


async def test_bad_requests_get_errors_and_the_server_stays_up(ws: Session) -> None:
    doc = ws.doc(REPORT)
    # A line past the end of the document is invalid...
    with pytest.raises(JsonRpcInvalidParams, match="past the end"):
        await ws.client.text_document_definition_async(
            types.DefinitionParams(doc, types.Position(99, 0))
        )
    # ...a column past the end of a line means the end of the line (LSP).
    at_end = types.Position(15, 500)
    found = await ws.client.text_document_definition_async(
        types.DefinitionParams(ws.doc(SHAPES), at_end)
    )
    assert [where(loc, ws.root) for loc in found or []] == [(SHAPES, 14, 23, 27)]
    # Params that do not match the LSP types: an error response, not silence.
    for params in (
        {"textDocument": {"uri": ws.uri(REPORT)}},
        {"textDocument": {"uri": ws.uri(REPORT)}, "position": {"line": "x", "character": 0}},
    ):
        with pytest.raises(JsonRpcException) as caught:
            await send_raw(ws.client, "textDocument/definition", params)
        assert caught.value.code == -32602
    # A hierarchy item this server did not make.
    stranger = types.CallHierarchyItem(
        "x",
        types.SymbolKind.Function,
        ws.uri(REPORT),
        types.Range(at_end, at_end),
        types.Range(at_end, at_end),
    )
    with pytest.raises(JsonRpcInvalidParams):
        await ws.client.call_hierarchy_incoming_calls_async(
            types.CallHierarchyIncomingCallsParams(stranger)
        )
    # The server still answers.
    at_call = ws.find(REPORT, "total_area(squares)")
    found = await ws.client.text_document_definition_async(types.DefinitionParams(doc, at_call))
    assert [where(loc, ws.root) for loc in found or []] == [(SHAPES, 21, 4, 14)]


async def test_files_codeidx_does_not_index_get_empty_answers(ws: Session) -> None:
    (ws.root / "notes.txt").write_text("total_area\n")
    (ws.root / "app" / "fresh.py").write_text("def fresh():\n    return 1\n")
    origin = types.Position(0, 5)
    for uri in (
        ws.uri("notes.txt"),  # not a source file
        ws.uri("app/fresh.py"),  # a source file the index has not seen yet
        ws.uri("app/missing.py"),  # no such file
        "file:///elsewhere/outside.py",  # outside the workspace
        "untitled:Untitled-1",  # not a file at all
    ):
        doc = types.TextDocumentIdentifier(uri)
        assert not await ws.client.text_document_definition_async(
            types.DefinitionParams(doc, origin)
        )
        assert await ws.client.text_document_hover_async(types.HoverParams(doc, origin)) is None
        assert not await ws.client.text_document_document_symbol_async(
            types.DocumentSymbolParams(doc)
        )


async def test_shutdown_stops_background_work_and_exits(ws: Session) -> None:
    status = await ws.request("codeidx/status", None)
    assert status.readersOpen == 0
    ws.shut_down = True
    await ws.client.shutdown_session()
    server = ws.client._server
    assert server is not None and server.returncode == 0


def test_every_custom_method_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for method in extensions.CUSTOM_METHODS:
        assert f"`{method}`" in text, f"{method} is not in docs/protocol-extensions.md"
