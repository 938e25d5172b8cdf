"""The state handlers share: ``CodeidxServer``, and the protocol tweaks it runs on.

``CodeidxServer`` holds the workspace roots (``lsp.roots``: per root, its
index folder, ``IndexWriter`` and query ``Runner``), the indexing settings
(``config.Settings``, shared by every root), the open documents, and turns
writer events into ``$/progress`` and ``codeidx/indexUpdated``; once a
root's first run has ended it has a query worker prepare the names that
workspace symbols rank.  Requests
are routed by their document's URI to the innermost root containing it.
Its methods run on the event loop, except ``post`` (any thread), which is
how the writer threads' events and log records reach the loop, ``settle``
(a writer thread waits there until its events were sent), and
``stop_background`` (blocking).  Constructing it caps the C allocator's
arenas (``lsp.memory``) before any thread starts.

``CodeidxProtocol`` changes three pygls behaviours: a request whose params
do not match the LSP types gets an InvalidParams response (pygls would log
it and leave the client waiting), positions are always UTF-16, the only
encoding the index speaks, and a result that is a ``convert.JsonAnswer``
(JSON encoded by the worker that computed it) is written as it is instead
of being converted and encoded again on the event loop.

No SQL and no parsing here; registration lives in ``lsp.server``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Generator
from dataclasses import replace
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import (
    FeatureRequestError,
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
)
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from codeidx import __version__
from codeidx.config import Settings
from codeidx.index.pipeline import RunResult
from codeidx.lsp import convert, extensions
from codeidx.lsp.documents import Documents
from codeidx.lsp.indexing import IndexWriter, RunEvent
from codeidx.lsp.live import Cursor, Views
from codeidx.lsp.memory import limit_malloc_arenas, release_free_memory
from codeidx.lsp.roots import Roots, RootState, index_dir_of
from codeidx.lsp.runner import JsonRpcRequestFailed, Runner
from codeidx.lsp.searching import EmbedEvent, SearchService
from codeidx.query.symbols import warm_names

log = logging.getLogger(__name__)

#: Query worker threads: reads are short, and parsing on the writer thread
#: holds the GIL anyway, so two are enough to keep one slow request from
#: blocking the rest.
QUERY_WORKERS = 2


class _Dropped:
    """A malformed request that was already answered with an error."""


_DROPPED = _Dropped()

#: Writes of encoded answers to an asynchronous transport, until they finish.
_WRITES: set[asyncio.Future[Any]] = set()


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

    def _send_data(self, data: Any) -> None:
        result = getattr(data, "result", None)
        if not isinstance(result, convert.JsonAnswer) or self.writer is None:
            super()._send_data(data)
            return
        body = convert.response_body(data.id, result)
        if self._include_headers:
            header = (
                f"Content-Length: {len(body)}\r\n"
                f"Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
            )
            body = header.encode("ascii") + body
        try:
            written = self.writer.write(body)
            if inspect.isawaitable(written):
                # Kept until done: the loop holds tasks only weakly.
                task = asyncio.ensure_future(written)
                _WRITES.add(task)
                task.add_done_callback(_WRITES.discard)
        except BrokenPipeError:
            log.exception("the client's pipe closed while an answer was sent")
            raise
        except Exception as error:
            log.exception("an answer could not be sent")
            self._server._report_server_error(error, JsonRpcInternalError)

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
        # Before pygls, the query pool and the writers start their threads.
        limit_malloc_arenas()
        super().__init__(
            "codeidx",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=CodeidxProtocol,
        )
        self.roots = Roots()
        #: ``codeidx serve --index-dir``, used when the client names no ``indexDir``.
        self.index_dir_override: str | None = None
        #: The explicit index folder of this session (see ``lsp.roots``), if any.
        self.index_dir_choice: str | None = None
        self.over_tcp = False
        self.client = convert.ClientFeatures()
        self.settings = Settings()
        self.documents = Documents()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.initialized = False
        #: Whether the client reports files changed on disk (it registered
        #: codeidx's watchers); until ``initialized`` says, it is taken to.
        self.client_watches = True
        self._embed_tokens: dict[Path, str] = {}
        self._embed_tokens_ready: set[str] = set()
        self._background_tasks: set[asyncio.Future[None]] = set()
        self._reported: set[str] = set()

    # Set-up and tear-down -----------------------------------------------------

    def configure(
        self,
        roots: list[Path],
        index_dir: str | None,
        client: convert.ClientFeatures,
        settings: Settings | None = None,
    ) -> None:
        """Adopt the workspace roots (from ``initialize``); background work starts later."""
        self.client = client
        self.index_dir_choice = index_dir
        self.settings = settings if settings is not None else Settings()
        self.loop = asyncio.get_running_loop()
        for root in roots:
            self.add_root(root)

    def add_root(self, root: Path) -> RootState | None:
        """Index one more root (its writer starts once the client is initialized).

        None when the root is already indexed.
        """
        root = root.resolve()
        if root in self.roots:
            return None
        index_dir = index_dir_of(root, len(self.roots) == 0, self.index_dir_choice)
        holder: list[RootState] = []
        runner = Runner(
            index_dir,
            QUERY_WORKERS,
            unavailable_note=lambda: self._unavailable_note(holder[0]),
            on_internal_error=lambda method, exc: self.report_once(
                f"{method}:{type(exc).__name__}",
                f"codeidx failed to answer {method}; see the server log.",
            ),
        )
        writer = IndexWriter(
            root,
            index_dir,
            lambda event: self.post(self._on_run, holder[0], event),
            options=self.settings.index_options(),
            settle=self.settle,
        )
        state = RootState(root, index_dir, writer, runner)
        holder.append(state)
        search = SearchService(
            root,
            index_dir,
            self.settings.search,
            lambda event: self.post(self._on_embed, holder[0], event),
        )
        search.start()
        state.attach(SEARCH, search, search.stop)
        writer.add_after_run(lambda result: _sync_search(search, result))
        # Another process's run (a second server, the CLI): check every file.
        writer.add_on_external(lambda: _sync_search(search, None))
        self.roots.add(state)
        self.documents.reroute(self._root_of)
        log.info("workspace folder %s, index folder %s", root, index_dir)
        return state

    def remove_root(self, root: Path) -> RootState | None:
        """Stop routing to a root; the caller stops it (``RootState.stop``, off the loop)."""
        state = self.roots.remove(root.resolve())
        if state is not None:
            self.documents.reroute(self._root_of)
        return state

    def stop_background(self, timeout: float = 10.0) -> None:
        """Stop every root's writer, query pool and services (blocking: call it off the loop)."""
        for state in self.roots:
            self.roots.remove(state.root)
            state.stop(timeout)

    def stop_listening(self) -> None:
        """Close the transport (pygls' ``shutdown``: the TCP listener, its thread pool)."""
        self.shutdown()  # type: ignore[no-untyped-call]

    # What handlers use ------------------------------------------------------------

    @property
    def root(self) -> Path | None:
        """The first root, if any (the one ``initialize`` named)."""
        first = self.roots.first
        return first.root if first is not None else None

    @property
    def first_root(self) -> RootState:
        """The first root; RequestFailed before ``initialize`` or after ``shutdown``."""
        first = self.roots.first
        if first is None:
            raise JsonRpcRequestFailed("codeidx has no workspace (not initialized, or shut down)")
        return first

    @property
    def workspace_root(self) -> Path:
        """The first root's folder (requests about a document route by its URI instead)."""
        return self.first_root.root

    @property
    def runner(self) -> Runner:
        """The first root's query runner (requests about a document route by its URI)."""
        return self.first_root.runner

    @property
    def search(self) -> SearchService:
        """The first root's search service; RequestFailed before ``initialize``."""
        return search_of(self.first_root)

    def _root_of(self, uri: str) -> tuple[Path, str] | None:
        found = self.roots.route(uri)
        return (found[0].root, found[1]) if found is not None else None

    def route(self, uri: str) -> tuple[RootState, str] | None:
        """The root of a source file codeidx indexes and its path there; else None."""
        return self.roots.source(uri)

    def source_path(self, uri: str) -> str | None:
        """The root-relative path of a URI when codeidx indexes such a file, else None."""
        found = self.route(uri)
        return found[1] if found is not None else None

    def cursor(self, uri: str, position: types.Position) -> tuple[RootState, Cursor] | None:
        """The request's root and position in a file codeidx indexes; None for any other file."""
        found = self.route(uri)
        if found is None:
            return None
        state, path = found
        return state, Cursor(path, position.line, position.character, self.documents.get(uri))

    def state_of(self, uri: str) -> RootState:
        """The root of a URI inside the workspace; RequestFailed outside every root."""
        found = self.roots.route(uri)
        if found is None:
            raise JsonRpcRequestFailed(f"{uri} is in no workspace folder codeidx indexes")
        return found[0]

    def views(self, state: RootState) -> Views:
        """A snapshot of one root's open buffers for one request's worker."""
        documents = self.documents.by_path(state.root)
        state.live_cache.keep(set(documents))
        return Views(state.root, documents, state.live_cache, state.generation)

    def unchanged(self, uri: str) -> Callable[[], bool]:
        """A check that an open document's version is still the one seen now.

        A document that was not open is answered from the saved text, which
        opening it does not change.
        """
        version = self.documents.version(uri)
        if version is None:
            return lambda: True
        return lambda: self.documents.version(uri) == version

    def indexing_state(self, state: RootState) -> extensions.IndexingState:
        full, saves = state.writer.pending
        writer = state.writer
        return extensions.IndexingState(writer.running, full, saves, writer.waiting, writer.polling)

    @property
    def polls_disk(self) -> bool:
        """Whether the writers look at the disk for changed files (see ``client_watches``)."""
        return not self.client_watches and self.settings.watch_disk

    def apply_polling(self) -> None:
        """Have every root's writer look at the disk, or stop, as ``polls_disk`` says."""
        for state in self.roots:
            state.writer.poll_disk(self.polls_disk)

    def apply_settings(self, settings: Settings) -> bool:
        """Adopt new settings; a change queues a full (incremental) run per root."""
        if settings == self.settings:
            return False
        previous, self.settings = self.settings, settings
        if settings.watch_disk != previous.watch_disk:
            self.apply_polling()
            previous = replace(previous, watch_disk=settings.watch_disk)
        if settings.search != previous.search:
            for state in self.roots:
                # Stopping the embedding thread may take a moment: not on the loop.
                threading.Thread(
                    target=search_of(state).reconfigure,
                    args=(settings.search,),
                    name="codeidx-reconfigure",
                ).start()
        if replace(settings, search=previous.search) == previous:
            return False  # Only search settings changed: the index itself stays.
        for state in self.roots:
            state.writer.set_options(settings.index_options())
            state.writer.request_full("config")
        return True

    # Messages ---------------------------------------------------------------------

    def post(self, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)`` on the event loop; callable from any thread."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        # The loop may close meanwhile (exit): then the message has nowhere to go.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(fn, *args)

    def settle(self, timeout: float) -> None:
        """Wait until what was posted so far ran on the loop; any thread but the loop's.

        A writer calls it after a run's ``end`` event, so the notification
        is sent before the work that follows the run competes with the loop
        for the interpreter lock.  Returns at once when there is no loop,
        and after ``timeout`` seconds at the latest.
        """
        loop = self.loop
        if loop is None or loop.is_closed() or not loop.is_running():
            return
        done = threading.Event()
        # Callbacks run in the order they were posted: when this one runs,
        # everything posted before it has run.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(done.set)
            done.wait(timeout)

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

    def _unavailable_note(self, state: RootState) -> str | None:
        if state.writer.running in ("initial", "reindex", "config"):
            return "the workspace is being indexed; try again when indexing ends"
        return None

    def _on_embed(self, state: RootState, event: EmbedEvent) -> None:
        """An embedding event on the loop: ``$/progress`` when the client shows progress."""
        if not self.client.work_done_progress:
            return
        if event.kind == "begin":
            fresh = f"codeidx-embed-{uuid.uuid4().hex}"
            self._embed_tokens[state.root] = fresh
            task = asyncio.ensure_future(self._begin_embed_progress(state.root, fresh))
            self._background_tasks.add(task)
            task.add_done_callback(self._background_tasks.discard)
            return
        token = self._embed_tokens.get(state.root)
        if token is None or token not in self._embed_tokens_ready:
            return
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
            self._embed_tokens.pop(state.root, None)

    async def _begin_embed_progress(self, root: Path, token: str) -> None:
        try:
            await self.work_done_progress.create_async(token)
        except Exception as exc:  # A client may refuse; embedding goes on without progress.
            log.debug("the client refused a progress token: %s", exc)
            return
        if self._embed_tokens.get(root) != token:
            return  # Embedding already ended.
        self._embed_tokens_ready.add(token)
        self.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title="codeidx: embedding", percentage=0)
        )

    def _on_run(self, state: RootState, event: RunEvent) -> None:
        """A writer event on the loop: progress to the client, a notification at the end."""
        if event.token is not None:
            _report_progress(self, event)
        if event.kind != "end" or event.stopped:
            return
        state.generation += 1
        if event.session is not None:
            summary = extensions.RunSummary.of_session(event.reason, event.session)
        else:
            summary = extensions.RunSummary.of(event.reason, event.result, event.error)
        state.last_run = summary
        if event.error is not None:
            self.report_once(f"run:{event.error}", f"codeidx: indexing failed: {event.error}")
        params = extensions.IndexUpdatedParams(summary, list(event.paths), str(state.root))
        self.protocol.notify(extensions.INDEX_UPDATED, params)
        if event.error is None and not state.names_warmed:
            state.names_warmed = True
            task = asyncio.ensure_future(self._warm_names(state))
            self._background_tasks.add(task)
            task.add_done_callback(self._background_tasks.discard)

    async def _warm_names(self, state: RootState) -> None:
        """Prepare a root's workspace-symbol names once its first run has ended.

        On a query worker, while the user has not searched yet: otherwise the
        first ``workspace/symbol`` waits 0.3-0.9 s on the standard library
        for names to be read and ranked one by one (``query.symbols.warm_names``).
        """
        started = time.perf_counter()

        def warm(conn: sqlite3.Connection, _token: object) -> int:
            count = warm_names(conn)
            # Building frees as much as it keeps (the names read, the index's
            # scratch): hand it back rather than hold it for the server's life.
            gc.collect()
            release_free_memory()
            return count

        try:
            count = await state.runner.read(WARM_NAMES, warm)
        except Exception as exc:  # The next search builds them instead.
            log.debug("the symbol names of %s were not prepared: %s", state.root, exc)
            return
        if count:
            log.info(
                "workspace symbols: %d names of %s ready in %.2f s",
                count,
                state.root.name,
                time.perf_counter() - started,
            )


#: The pool job that prepares workspace-symbol names (``_warm_names``), named in logs.
WARM_NAMES = "codeidx/warmNames"

#: The name ``SearchService`` is attached under on each ``RootState``.
SEARCH = "search"


def search_of(state: RootState) -> SearchService:
    """A root's search service (attached by ``CodeidxServer.add_root``)."""
    service = state.service(SEARCH)
    if not isinstance(service, SearchService):
        raise JsonRpcRequestFailed(f"codeidx has no search for {state.root}")
    return service


def _sync_search(search: SearchService, result: RunResult | None) -> None:
    """Writer thread, right after the client heard of the run: the search stores follow it.

    A run that saw the whole workspace, or another process's run (``None``),
    has them check every file (as on start); any other run names the files
    it changed.
    """
    search.after_run(None if result is None or result.saw_everything else result.changed_paths)


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
            "stopped"
            if event.stopped
            else f"failed: {event.error}"
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
