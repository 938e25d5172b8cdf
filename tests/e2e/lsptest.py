"""Helpers for the end-to-end tests: the session of one test, positions, raw requests.

``Session`` bundles one test's client, workspace copy and index folder, with
shorthands for the document-sync notifications.  ``find`` computes positions
from the text (UTF-16 columns), so tests name a place by the code around it
instead of counting columns by hand.  ``IndexEvents`` collects the server's
``codeidx/indexUpdated`` notifications and waits for them with a bound.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

WORKSPACES = Path(__file__).parent.parent / "workspaces"
#: The longest a test waits for the server to finish an index run.
INDEX_TIMEOUT = 30.0

CAPABILITIES = types.ClientCapabilities(
    general=types.GeneralClientCapabilities(
        position_encodings=[types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16]
    ),
    window=types.WindowClientCapabilities(work_done_progress=True),
    workspace=types.WorkspaceClientCapabilities(
        symbol=types.WorkspaceSymbolClientCapabilities(),
        execute_command=types.ExecuteCommandClientCapabilities(),
    ),
    text_document=types.TextDocumentClientCapabilities(
        synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
        hover=types.HoverClientCapabilities(
            content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]
        ),
        document_symbol=types.DocumentSymbolClientCapabilities(
            hierarchical_document_symbol_support=True
        ),
        call_hierarchy=types.CallHierarchyClientCapabilities(),
        type_hierarchy=types.TypeHierarchyClientCapabilities(),
        document_highlight=types.DocumentHighlightClientCapabilities(),
        references=types.ReferenceClientCapabilities(),
        definition=types.DefinitionClientCapabilities(),
    ),
)


def field_of(obj: Any, name: str) -> Any:
    """A field of a custom message, which arrives as a dict or an attribute object."""
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name)


class IndexEvents:
    """The ``codeidx/indexUpdated`` notifications received, and waiting for one."""

    def __init__(self) -> None:
        self.runs: list[Any] = []
        self._arrived = asyncio.Event()

    def record(self, params: Any) -> None:
        self.runs.append(params)
        self._arrived.set()

    def ended(self, reason: str) -> list[Any]:
        """The runs with this reason (``initial``, ``reindex``, ``save``) that ended so far."""
        return [r for r in self.runs if field_of(field_of(r, "run"), "reason") == reason]

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        """Return once ``condition()`` holds, re-checked on every notification (bounded)."""

        async def until() -> None:
            while not condition():
                self._arrived.clear()
                await self._arrived.wait()

        await asyncio.wait_for(until(), INDEX_TIMEOUT)

    async def wait_for(self, reason: str, count: int = 1) -> Any:
        """The ``count``-th run with this reason, once it has ended."""
        await self.wait_until(lambda: len(self.ended(reason)) >= count)
        return self.ended(reason)[count - 1]

    async def wait_saved(self, *paths: str) -> None:
        """Until save runs have re-indexed every one of ``paths``."""

        def saved() -> set[str]:
            return {p for r in self.ended("save") for p in field_of(r, "paths")}

        await self.wait_until(lambda: set(paths) <= saved())


@dataclass
class Session:
    """One test's server, workspace copy and index folder."""

    client: LanguageClient
    root: Path
    index_dir: Path
    events: IndexEvents
    initialize_result: types.InitializeResult | None = None
    shut_down: bool = False
    versions: dict[str, int] = field(default_factory=dict)

    def uri(self, rel: str) -> str:
        return (self.root / rel).as_uri()

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def find(self, rel: str, needle: str, nth: int = 0, offset: int = 0) -> types.Position:
        """The position of the ``nth`` occurrence of ``needle`` (plus ``offset`` characters)."""
        return position_of(self.text(rel), needle, nth, offset)

    def doc(self, rel: str) -> types.TextDocumentIdentifier:
        return types.TextDocumentIdentifier(self.uri(rel))

    def open(self, rel: str) -> None:
        self.versions[rel] = 1
        item = types.TextDocumentItem(self.uri(rel), "python", 1, self.text(rel))
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(item))

    def edit(self, rel: str, changes: list[types.TextDocumentContentChangeEvent]) -> None:
        self.versions[rel] += 1
        doc = types.VersionedTextDocumentIdentifier(version=self.versions[rel], uri=self.uri(rel))
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(doc, changes))

    def save(self, rel: str) -> None:
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(self.doc(rel)))

    async def request(self, method: str, params: Any) -> Any:
        return await self.client.protocol.send_request_async(method, params)


def position_of(text: str, needle: str, nth: int = 0, offset: int = 0) -> types.Position:
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += offset
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return types.Position(line, len(text[start:index].encode("utf-16-le")) // 2)


def where(loc: types.Location, root: Path) -> tuple[str, int, int, int]:
    """A location as (workspace path, line, start col, end col) for terse asserts."""
    path = Path(loc.uri.removeprefix("file://")).relative_to(root).as_posix()
    assert loc.range.start.line == loc.range.end.line
    return path, loc.range.start.line, loc.range.start.character, loc.range.end.character


async def send_raw(client: LanguageClient, method: str, params: Any) -> Any:
    """Send a request exactly as given, bypassing the client's typed serialisation.

    The typed client refuses to send malformed params, so a test that checks
    the server's answer to them writes the JSON itself.
    """
    msg_id = f"raw-{uuid.uuid4().hex}"
    future: Future[Any] = Future()
    client.protocol._request_futures[msg_id] = future
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return await asyncio.wait_for(asyncio.wrap_future(future), INDEX_TIMEOUT)
