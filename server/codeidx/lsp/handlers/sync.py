"""Document sync: open, change, save and close.

These notifications record the new text and return at once: an open or a
change re-parses the document incrementally (``lsp.documents``, well under
a millisecond per edit), and a save queues the file on the index writer,
of the workspace root it belongs to, which re-indexes it after the
debounce time (``lsp.indexing``).  Requests
about open documents are answered from their current text (``lsp.live``,
``query.overlay``).  Event loop only; nothing here reads a file.
"""

from __future__ import annotations

import logging

from lsprotocol import types

from codeidx.lsp.core import CodeidxServer

log = logging.getLogger(__name__)


def did_open(ls: CodeidxServer, params: types.DidOpenTextDocumentParams) -> None:
    doc = params.text_document
    found = ls.route(doc.uri)
    placed = (found[0].root, found[1]) if found is not None else None
    ls.documents.open(doc.uri, placed, doc.text, doc.version, doc.language_id)


def did_change(ls: CodeidxServer, params: types.DidChangeTextDocumentParams) -> None:
    doc = params.text_document
    if ls.documents.change(doc.uri, doc.version, params.content_changes) is None:
        log.warning("a change arrived for a document that is not open")


def did_save(ls: CodeidxServer, params: types.DidSaveTextDocumentParams) -> None:
    found = ls.route(params.text_document.uri)
    if found is not None and ls.settings.admits(found[1]):
        state, path = found
        state.writer.request_save(path)


def did_close(ls: CodeidxServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.documents.close(params.text_document.uri)
