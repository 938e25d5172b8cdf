"""codeidx's own methods: ``codeidx/status`` and the ``codeidx.*`` commands.

``codeidx/status`` (and the ``codeidx.status`` command) answers what the
index holds (``query.status.index_status``, without the workspace walk) and
what the server is doing: the run in progress, queued work, open documents
and read connections in use.  Before the first index exists it still
answers, with ``indexed: false``.  ``codeidx.reindex`` queues a full index
run on the writer (``{"force": true}`` re-parses every file).  Shapes are in
``lsp.extensions`` and documented in docs/protocol-extensions.md.  Handlers
run on the loop; the status read runs on a query worker.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from codeidx.errors import IndexUnavailable
from codeidx.lsp import extensions
from codeidx.lsp.core import CodeidxServer
from codeidx.lsp.runner import CancelToken
from codeidx.query.status import index_status, open_index
from codeidx.query.types import StatusReport

log = logging.getLogger(__name__)


async def status(ls: CodeidxServer, params: Any) -> extensions.StatusResult:
    root, index_dir = ls.workspace_root, ls.index_dir
    assert index_dir is not None

    def work(token: CancelToken) -> StatusReport | None:
        try:
            conn = open_index(index_dir)
        except IndexUnavailable:
            return None
        try:
            return index_status(conn, root, index_dir, scan_new=False)
        finally:
            conn.close()

    report = await ls.runner.call(extensions.STATUS, work)
    return extensions.status_result(
        report,
        str(root),
        str(index_dir),
        ls.indexing_state(),
        ls.last_run,
        len(ls.documents),
        ls.runner.readers_open,
    )


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
    writer = ls.writer
    if writer.pending[0]:
        return extensions.ReindexResult(writer.request_full("reindex", None, force))
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
    return extensions.ReindexResult(queued)
