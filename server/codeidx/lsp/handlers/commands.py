"""codeidx's own methods: ``codeidx/status`` and the ``codeidx.*`` commands.

``codeidx/status`` (and the ``codeidx.status`` command) answers, for each
workspace root, what its index holds (``query.status.index_status``,
without the workspace walk) and what the server is doing there: the run in
progress, queued work, open documents and read connections in use; the
top-level fields are the first root's.  Before a root's first index exists
it still answers, with ``indexed: false``.  ``codeidx.reindex`` queues a
full index run on every root's writer (``{"force": true}`` re-parses every
file).  Shapes are in
``lsp.extensions`` and documented in docs/protocol-extensions.md.  Handlers
run on the loop; the status read runs on a query worker.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from codeidx.errors import IndexUnavailable
from codeidx.index.doctor import StoreHealth, summarize
from codeidx.lsp import extensions
from codeidx.lsp.core import CodeidxServer, search_of
from codeidx.lsp.roots import RootState
from codeidx.lsp.runner import CancelToken
from codeidx.query.status import index_status, open_index
from codeidx.query.types import StatusReport

log = logging.getLogger(__name__)


async def root_status(ls: CodeidxServer, state: RootState) -> extensions.StatusResult:
    """The status of one workspace root (its ``roots`` list is empty)."""
    root, index_dir = state.root, state.index_dir

    def work(token: CancelToken) -> tuple[StatusReport, list[StoreHealth]] | None:
        try:
            conn = open_index(index_dir)
        except IndexUnavailable:
            return None
        try:
            return index_status(conn, root, index_dir, scan_new=False), summarize(conn, index_dir)
        finally:
            conn.close()

    found = await state.runner.call(extensions.STATUS, work)
    open_here = sum(1 for doc in ls.documents if doc.root == root)
    result = extensions.status_result(
        found[0] if found is not None else None,
        str(root),
        str(index_dir),
        ls.indexing_state(state),
        state.last_run,
        open_here,
        state.runner.readers_open,
    )
    if found is None:
        return result
    service = search_of(state).status()
    return attrs.evolve(result, search=extensions.search_status(service, found[1]))


async def status(ls: CodeidxServer, params: Any) -> extensions.StatusResult:
    first = ls.first_root
    every = [await root_status(ls, state) for state in ls.roots]
    top = next(s for s in every if s.root == str(first.root))
    return attrs.evolve(top, open_documents=len(ls.documents), roots=every)


async def status_command(ls: CodeidxServer, *args: Any) -> extensions.StatusResult:
    return await status(ls, None)


def _force(args: tuple[Any, ...]) -> bool:
    """``force`` from the command's optional first argument, ``{"force": bool}``."""
    if not args or args[0] is None:
        return False
    first = args[0]
    value = first.get("force", False) if isinstance(first, dict) else getattr(first, "force", False)
    if not isinstance(value, bool):
        raise JsonRpcInvalidParams('codeidx.reindex takes an optional {"force": true|false}')
    return value


async def reindex(ls: CodeidxServer, *args: Any) -> extensions.ReindexResult:
    force = _force(args)
    queued = False
    for state in ls.roots:
        queued = await _reindex_root(ls, state, force) or queued
    return extensions.ReindexResult(queued)


async def _reindex_root(ls: CodeidxServer, state: RootState, force: bool) -> bool:
    """Queue a full run of one root; False when one was already queued."""
    writer = state.writer
    if writer.pending[0]:
        return writer.request_full("reindex", None, force)
    token: str | None = None
    if ls.client.work_done_progress:
        token = f"codeidx-reindex-{uuid.uuid4().hex}"
        try:
            await ls.work_done_progress.create_async(token)
        except Exception as exc:
            log.warning("the client refused a progress token: %s", exc)
            token = None
    queued = writer.request_full("reindex", token, force)
    if not queued and token is not None:
        end = types.WorkDoneProgressEnd(message="a full index run was already queued")
        ls.work_done_progress.end(token, end)
    return queued
