"""Open buffers: their text and version, and incremental edits applied to them.

This module owns the server's copy of every open document.  Document sync
notifications change it on the event loop, and nothing else does; each
change replaces a ``Document`` (which is immutable) instead of editing it,
so a request hands a snapshot to a worker thread and the worker reads it
without locks while later edits arrive.

It applies LSP content changes (ranges in UTF-16 code units, the LSP line
breaks ``\\r\\n``, ``\\n`` and ``\\r``) through ``lsp.convert``.  It never reads
files, never writes the index and knows nothing of symbols.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lsprotocol import types

from codeidx.lsp import convert


@dataclass(frozen=True, slots=True)
class Document:
    """One open buffer as the client last described it.

    ``path`` is workspace-relative, or None for a buffer outside the
    workspace (such buffers are kept, but every answer about them is empty).
    """

    uri: str
    path: str | None
    text: str
    version: int
    language_id: str


def apply_change(text: str, change: types.TextDocumentContentChangeEvent) -> str:
    """The text after one content change: a ranged edit or the whole new text."""
    if not isinstance(change, types.TextDocumentContentChangePartial):
        return change.text
    starts = convert.line_starts(text)
    start = convert.offset_at(text, starts, change.range.start.line, change.range.start.character)
    end = convert.offset_at(text, starts, change.range.end.line, change.range.end.character)
    if end < start:
        start, end = end, start
    return text[:start] + change.text + text[end:]


class Documents:
    """The open documents by URI (see module doc); mutated on the event loop only."""

    def __init__(self) -> None:
        self._docs: dict[str, Document] = {}

    def open(self, uri: str, path: str | None, text: str, version: int, language: str) -> None:
        self._docs[uri] = Document(uri, path, text, version, language)

    def change(
        self,
        uri: str,
        version: int,
        changes: Sequence[types.TextDocumentContentChangeEvent],
    ) -> Document | None:
        """Apply the changes in order; None when the document is not open."""
        doc = self._docs.get(uri)
        if doc is None:
            return None
        text = doc.text
        for change in changes:
            text = apply_change(text, change)
        doc = Document(uri, doc.path, text, version, doc.language_id)
        self._docs[uri] = doc
        return doc

    def close(self, uri: str) -> Document | None:
        return self._docs.pop(uri, None)

    def get(self, uri: str) -> Document | None:
        return self._docs.get(uri)

    def version(self, uri: str) -> int | None:
        doc = self._docs.get(uri)
        return doc.version if doc is not None else None

    def by_path(self) -> dict[str, Document]:
        """A snapshot of the open workspace documents by path, for a worker thread."""
        return {d.path: d for d in self._docs.values() if d.path is not None}

    def __len__(self) -> int:
        return len(self._docs)

    def __iter__(self) -> Iterator[Document]:
        return iter(list(self._docs.values()))
