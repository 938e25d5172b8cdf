"""The state handlers share: ``CodeidxServer``, and the protocol tweaks it runs on.

``CodeidxServer`` holds the workspace root and index folder, the indexing
settings (``config.Settings``), the open documents, the query ``Runner``
and the ``IndexWriter``, and turns writer events into ``$/progress`` and
``codeidx/indexUpdated``.  Its methods run on the event loop, except
``post`` (any thread), which is how the writer thread's events and log
records reach the loop.

``CodeidxProtocol`` changes two pygls behaviours: a request whose params do
not match the LSP types gets an InvalidParams response (pygls would log it
and leave the client waiting), and positions are always UTF-16, the only
encoding the index speaks.

No SQL and no parsing here; registration lives in ``lsp.server``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections.abc import Callable, Generator
from dataclasses import replace
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import FeatureRequestError, JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from codeidx import __version__
from codeidx.config import Settings
from codeidx.lsp import convert, extensions
from codeidx.lsp.documents import Documents
from codeidx.lsp.indexing import IndexWriter, RunEvent
from codeidx.lsp.live import Cursor, Views
from codeidx.lsp.runner import JsonRpcRequestFailed, Runner
from codeidx.lsp.searching import EmbedEvent, SearchService
from codeidx.parse.registry import language_for_path

log = logging.getLogger(__name__)

#: Query worker threads: reads are short, and parsing on the writer thread
#: holds the GIL anyway, so two are enough to keep one slow request from
#: blocking the rest.
QUERY_WORKERS = 2


class _Dropped:
    """A malformed request that was already answered with an error."""


_DROPPED = _Dropped()


class CodeidxProtocol(LanguageServerProtocol):
    """pygls' protocol with InvalidParams for malformed requests and UTF-16 only."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException:
            if "id" not in data or "method" not in data:
                raise
            method = str(data.get("method"))
            log.warning("answered a malformed %s request with InvalidParams", method)
            error = JsonRpcInvalidParams(f"the params of {method} do not match the LSP types")
            self._send_response(data["id"], error=error.to_response_error())
            return _DROPPED

    def handle_message(self, message: Any) -> None:
        if message is _DROPPED:
            return
        super().handle_message(message)

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(
        self, params: types.InitializeParams
    ) -> Generator[Any, Any, types.InitializeResult]:
        general = params.capabilities.general
        if general is not None:
            # Columns in the index are UTF-16 code units: offer nothing else.
            general.position_encodings = [types.PositionEncodingKind.Utf16]
        result: types.InitializeResult = yield from super().lsp_initialize(params)
        return result


class CodeidxServer(LanguageServer):
    """The server's shared state (see module doc); event loop only unless noted."""

    def __init__(self) -> None:
        super().__init__(
            "codeidx",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=CodeidxProtocol,
        )
        self.root: Path | None = None
        self.index_dir: Path | None = None
        self.index_dir_override: str | None = None
        self.over_tcp = False
        self.client = convert.ClientFeatures()
        self.settings = Settings()
        self.documents = Documents()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.last_run: extensions.RunSummary | None = None
        self._runner: Runner | None = None
        self._writer: IndexWriter | None = None
        self._search: SearchService | None = None
        self._embed_token: str | None = None
        self._embed_tokens_ready: set[str] = set()
        self._progress_tasks: set[asyncio.Future[None]] = set()
        self._reported: set[str] = set()

    # Set-up and tear-down -----------------------------------------------------

    def configure(
        self,
        root: Path,
        index_dir: Path,
        client: convert.ClientFeatures,
        settings: Settings | None = None,
    ) -> None:
        """Adopt a workspace (from ``initialize``); background work starts later."""
        self.root, self.index_dir, self.client = root, index_dir, client
        self.settings = settings if settings is not None else Settings()
        self.loop = asyncio.get_running_loop()
        self._runner = Runner(
            index_dir,
            QUERY_WORKERS,
            unavailable_note=self._unavailable_note,
            on_internal_error=lambda method, exc: self.report_once(
                f"{method}:{type(exc).__name__}",
                f"codeidx failed to answer {method}; see the server log.",
            ),
        )
        self._search = SearchService(
            root, index_dir, self.settings.search, lambda event: self.post(self._on_embed, event)
        )
        self._search.start()
        self._writer = IndexWriter(
            root,
            index_dir,
            self._writer_event,
            options=self.settings.index_options(),
        )

    def stop_background(self, timeout: float = 10.0) -> None:
        """Stop the writer and the query pool (blocking: call it off the loop)."""
        if self._writer is not None:
            if not self._writer.stop(timeout):
                log.warning("the index writer did not stop within %.0f s", timeout)
            self._writer = None
        if self._search is not None:
            self._search.stop(timeout)
            self._search = None
        if self._runner is not None:
            self._runner.close()
            self._runner = None

    def stop_listening(self) -> None:
        """Close the transport (pygls' ``shutdown``: the TCP listener, its thread pool)."""
        self.shutdown()  # type: ignore[no-untyped-call]

    # What handlers use ------------------------------------------------------------

    @property
    def runner(self) -> Runner:
        """The query runner; RequestFailed before ``initialize`` or after ``shutdown``."""
        if self._runner is None:
            raise JsonRpcRequestFailed("codeidx has no workspace (not initialized, or shut down)")
        return self._runner

    @property
    def writer(self) -> IndexWriter:
        if self._writer is None:
            raise JsonRpcRequestFailed("codeidx has no workspace (not initialized, or shut down)")
        return self._writer

    @property
    def search(self) -> SearchService:
        """The search stores and embedding of the workspace; RequestFailed before ``initialize``."""
        if self._search is None:
            raise JsonRpcRequestFailed("codeidx has no workspace (not initialized, or shut down)")
        return self._search

    @property
    def workspace_root(self) -> Path:
        if self.root is None:
            raise JsonRpcRequestFailed("codeidx has no workspace (not initialized)")
        return self.root

    def apply_settings(self, settings: Settings) -> bool:
        """Adopt new settings; a change queues a full (incremental) run. True if it did."""
        if settings == self.settings:
            return False
        previous, self.settings = self.settings, settings
        if self._search is not None and settings.search != previous.search:
            # Stopping the embedding thread may take a moment: not on the loop.
            search = self._search
            threading.Thread(
                target=search.reconfigure, args=(settings.search,), name="codeidx-reconfigure"
            ).start()
        if replace(settings, search=previous.search) == previous:
            return False  # only search settings changed: the index itself stays
        if self._writer is None:
            return False
        self._writer.set_options(settings.index_options())
        self._writer.request_full("config")
        return True

    def source_path(self, uri: str) -> str | None:
        """The workspace path of a URI when codeidx indexes such a file, else None."""
        if self.root is None:
            return None
        path = convert.uri_to_path(uri, self.root)
        if path is None or language_for_path(path) is None:
            return None
        return path

    def cursor(self, uri: str, position: types.Position) -> Cursor | None:
        """The request position in a file codeidx indexes; None for any other file."""
        path = self.source_path(uri)
        if path is None:
            return None
        return Cursor(path, position.line, position.character, self.documents.get(uri))

    def views(self) -> Views:
        """A snapshot of the open buffers for one request's worker."""
        return Views(self.workspace_root, self.documents.by_path())

    def unchanged(self, uri: str) -> Callable[[], bool]:
        """A check that an open document's version is still the one seen now.

        A document that was not open is answered from the saved text, which
        opening it does not change.
        """
        version = self.documents.version(uri)
        if version is None:
            return lambda: True
        return lambda: self.documents.version(uri) == version

    def indexing_state(self) -> extensions.IndexingState:
        if self._writer is None:
            return extensions.IndexingState(None, False, 0)
        full, saves = self._writer.pending
        return extensions.IndexingState(self._writer.running, full, saves)

    # Messages ---------------------------------------------------------------------

    def post(self, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)`` on the event loop; callable from any thread."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        # The loop may close meanwhile (exit): then the message has nowhere to go.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(fn, *args)

    def report_once(self, key: str, message: str) -> None:
        """Show the user one message per distinct failure."""
        if key in self._reported:
            return
        self._reported.add(key)
        self.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls' errors outside a request: logged, and shown once per distinct message.

        Request errors were already answered (and logged by ``lsp.runner``).
        """
        if source is FeatureRequestError:
            return
        log.error("%s: %s", getattr(source, "__name__", source), error)
        self.report_once(f"server:{error}", f"codeidx: {error}")

    def _unavailable_note(self) -> str | None:
        if self._writer is not None and self._writer.running in ("initial", "reindex", "config"):
            return "the workspace is being indexed; try again when indexing ends"
        return None

    def _writer_event(self, event: RunEvent) -> None:
        """Writer thread: the search stores follow each run before the client hears of it."""
        search = self._search
        if event.kind == "end" and event.result is not None and search is not None:
            full = event.reason in ("initial", "reindex", "config")
            search.after_run(None if full else event.result.changed_paths)
        self.post(self._on_run, event)

    def _on_embed(self, event: EmbedEvent) -> None:
        """An embedding event on the loop: ``$/progress`` when the client shows progress."""
        if not self.client.work_done_progress:
            return
        if event.kind == "begin":
            token = f"codeidx-embed-{uuid.uuid4().hex}"
            self._embed_token = token
            task = asyncio.ensure_future(self._begin_embed_progress(token))
            self._progress_tasks.add(task)
            task.add_done_callback(self._progress_tasks.discard)
            return
        current = self._embed_token
        if current is None or current not in self._embed_tokens_ready:
            return
        token = current
        if event.kind == "progress" and event.total:
            self.work_done_progress.report(
                token,
                types.WorkDoneProgressReport(
                    message=f"embedding {event.done}/{event.total} files",
                    percentage=int(100 * event.done / event.total),
                ),
            )
        elif event.kind == "end":
            report = event.report
            message = (
                f"failed: {event.error}"
                if report is None
                else f"{report.updated} files embedded ({report.embedded} chunks,"
                f" {report.cached} from the cache)"
            )
            self.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))
            self._embed_tokens_ready.discard(token)
            self._embed_token = None

    async def _begin_embed_progress(self, token: str) -> None:
        try:
            await self.work_done_progress.create_async(token)
        except Exception as exc:  # a client may refuse; embedding goes on without progress
            log.debug("the client refused a progress token: %s", exc)
            return
        if self._embed_token != token:
            return  # embedding already ended
        self._embed_tokens_ready.add(token)
        self.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title="codeidx: embedding", percentage=0)
        )

    def _on_run(self, event: RunEvent) -> None:
        """A writer event on the loop: progress to the client, a notification at the end."""
        if event.token is not None:
            _report_progress(self, event)
        if event.kind != "end":
            return
        summary = extensions.RunSummary.of(event.reason, event.result, event.error)
        self.last_run = summary
        if event.error is not None:
            self.report_once(f"run:{event.error}", f"codeidx: indexing failed: {event.error}")
        self.protocol.notify(
            extensions.INDEX_UPDATED, extensions.IndexUpdatedParams(summary, list(event.paths))
        )


_PHASES = {"discover": (0, 5), "parse": (5, 85), "link": (85, 100)}


def _report_progress(ls: CodeidxServer, event: RunEvent) -> None:
    token = event.token
    assert token is not None
    progress = ls.work_done_progress
    if event.kind == "begin":
        progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title="codeidx: indexing", message="discovering files", percentage=0
            ),
        )
    elif event.kind == "progress":
        low, high = _PHASES.get(event.phase, (0, 100))
        share = event.done / event.total if event.total else 0.0
        message = f"{event.phase} {event.done}/{event.total} files" if event.total else event.phase
        percentage = int(low + (high - low) * share)
        progress.report(token, types.WorkDoneProgressReport(message=message, percentage=percentage))
    else:
        result = event.result
        message = (
            f"failed: {event.error}"
            if result is None
            else f"{result.status}: {result.counts.files_parsed} parsed,"
            f" {result.counts.files_unchanged} unchanged"
        )
        progress.end(token, types.WorkDoneProgressEnd(message=message))
        progress.tokens.pop(token, None)


class ClientLogHandler(logging.Handler):
    """Forwards codeidx log records to the client's ``window/logMessage``."""

    def __init__(self, server: CodeidxServer) -> None:
        super().__init__(logging.INFO)
        self._server = server

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            kind = types.MessageType.Error
        elif record.levelno >= logging.WARNING:
            kind = types.MessageType.Warning
        else:
            kind = types.MessageType.Info
        # The traceback stays in the stderr log; the client gets one line.
        message = record.getMessage()
        params = types.LogMessageParams(kind, message)
        self._server.post(self._server.window_log_message, params)
