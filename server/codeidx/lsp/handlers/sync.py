"""Document sync: open, change, save and close.

These notifications record the new text and return at once: an open or a
change re-parses the document incrementally (``lsp.documents``, well under
a millisecond per edit), and a save queues the file on the index writer,
which re-indexes it after the debounce time (``lsp.indexing``).  Requests
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
    path = ls.source_path(doc.uri)
    ls.documents.open(doc.uri, path, doc.text, doc.version, doc.language_id)


def did_change(ls: CodeidxServer, params: types.DidChangeTextDocumentParams) -> None:
    doc = params.text_document
    if ls.documents.change(doc.uri, doc.version, params.content_changes) is None:
        log.warning("a change arrived for a document that is not open")


def did_save(ls: CodeidxServer, params: types.DidSaveTextDocumentParams) -> None:
    path = ls.source_path(params.text_document.uri)
    if path is not None and ls.root is not None and ls.settings.admits(path):
        ls.writer.request_save(path)


def did_close(ls: CodeidxServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.documents.close(params.text_document.uri)
