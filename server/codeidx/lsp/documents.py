"""Open buffers: their text, version and syntax tree, and incremental edits applied to them.

This module owns the server's copy of every open document.  Document sync
notifications change it on the event loop, and nothing else does; each
change replaces a ``Document`` (which is immutable) instead of editing it,
so a request hands a snapshot to a worker thread and the worker reads it
without locks while later edits arrive.

It applies LSP content changes (ranges in UTF-16 code units, the LSP line
breaks ``\\r\\n``, ``\\n`` and ``\\r``) through ``lsp.convert``, and keeps a
tree-sitter tree of every document in a language codeidx indexes: each
ranged change becomes a ``Tree.edit`` (byte offsets and points of the
UTF-8 text), and the new text is re-parsed incrementally against the edited
tree.  That costs well under a millisecond for a file of a few thousand
lines (bench/results/lsp.md), so it runs on the loop and a request never
waits for a parse.  A tree is never edited once a ``Document`` holds it: the
edit goes to a copy, so a worker reading the previous version's tree is
undisturbed.  Extracting records from the tree (``parse.extract``, tens of
milliseconds) is left to the worker that first needs them, and cached on
the document.

It never reads files, never writes the index and knows nothing of symbols.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lsprotocol import types

from codeidx.lsp import convert
from codeidx.parse import registry
from codeidx.parse.extract import extract_tree
from codeidx.parse.records import ParseResult
from codeidx.query.overlay import Buffer

if TYPE_CHECKING:
    from tree_sitter import Parser, Tree


def encode(text: str) -> bytes:
    """The UTF-8 bytes a tree is parsed from (a lone surrogate becomes one ``?``)."""
    return text.encode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class Document:
    """One open buffer as the client last described it.

    ``path`` is workspace-relative, or None for a buffer outside the
    workspace (such buffers are kept, but every answer about them is empty).
    ``language`` is the codeidx language of ``path``, and ``tree`` its parse
    of ``data`` (the UTF-8 text), when codeidx indexes such files.
    """

    uri: str
    path: str | None
    text: str
    version: int
    language_id: str
    language: str | None = None
    data: bytes = b""
    tree: Tree | None = None
    _records: dict[str, ParseResult] = field(default_factory=dict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def records(self, module_name: str) -> ParseResult:
        """This version's records (definitions, occurrences, imports); any thread.

        Extracted on first use and kept: later requests about the same
        version reuse them.
        """
        assert self.language is not None and self.tree is not None
        with self._lock:
            found = self._records.get(module_name)
            if found is None:
                found = extract_tree(self.language, self.tree.root_node, self.data, module_name)
                self._records.clear()
                self._records[module_name] = found
            return found

    def buffer(self) -> Buffer | None:
        """The document as the query layer's ``Buffer``; None outside codeidx's files."""
        if self.path is None or self.language is None or self.tree is None:
            return None
        return Buffer(self.path, self.language, self.text, self.records)


def apply_change(text: str, change: types.TextDocumentContentChangeEvent) -> str:
    """The text after one content change: a ranged edit or the whole new text."""
    if not isinstance(change, types.TextDocumentContentChangePartial):
        return change.text
    start, end = _span(text, change)
    return text[:start] + change.text + text[end:]


def _span(text: str, change: types.TextDocumentContentChangePartial) -> tuple[int, int]:
    """The string indices a ranged change replaces."""
    starts = convert.line_starts(text)
    start = convert.offset_at(text, starts, change.range.start.line, change.range.start.character)
    end = convert.offset_at(text, starts, change.range.end.line, change.range.end.character)
    return (end, start) if end < start else (start, end)


def _point(data: bytes, offset: int) -> tuple[int, int]:
    """The tree-sitter point (row, byte column) of a byte offset: rows end at ``\\n``."""
    row = data.count(b"\n", 0, offset)
    return row, offset - (data.rfind(b"\n", 0, offset) + 1)


def edit_tree(
    tree: Tree, text: str, data: bytes, change: types.TextDocumentContentChangePartial
) -> tuple[str, bytes, Tree]:
    """A copy of ``tree`` edited by one ranged change, with the new text and bytes."""
    start, end = _span(text, change)
    start_byte = len(encode(text[:start]))
    old_end_byte = start_byte + len(encode(text[start:end]))
    inserted = encode(change.text)
    new_end_byte = start_byte + len(inserted)
    new_data = data[:start_byte] + inserted + data[old_end_byte:]
    edited = tree.copy()
    edited.edit(
        start_byte=start_byte,
        old_end_byte=old_end_byte,
        new_end_byte=new_end_byte,
        start_point=_point(data, start_byte),
        old_end_point=_point(data, old_end_byte),
        new_end_point=_point(new_data, new_end_byte),
    )
    return text[:start] + change.text + text[end:], new_data, edited


class Documents:
    """The open documents by URI (see module doc); mutated on the event loop only."""

    def __init__(self) -> None:
        self._docs: dict[str, Document] = {}
        self._parsers: dict[str, Parser] = {}

    def _parse(self, language: str | None, data: bytes, old: Tree | None = None) -> Tree | None:
        if language is None:
            return None
        parser = self._parsers.get(language)
        if parser is None:
            parser = self._parsers[language] = registry.new_parser(language)
        return parser.parse(data, old) if old is not None else parser.parse(data)

    def open(self, uri: str, path: str | None, text: str, version: int, language: str) -> Document:
        lang = registry.language_for_path(path) if path is not None else None
        data = encode(text)
        doc = Document(uri, path, text, version, language, lang, data, self._parse(lang, data))
        self._docs[uri] = doc
        return doc

    def change(
        self,
        uri: str,
        version: int,
        changes: Sequence[types.TextDocumentContentChangeEvent],
    ) -> Document | None:
        """Apply the changes in order, re-parsing incrementally; None when not open."""
        doc = self._docs.get(uri)
        if doc is None:
            return None
        text, data, tree = doc.text, doc.data, doc.tree
        for change in changes:
            if tree is not None and isinstance(change, types.TextDocumentContentChangePartial):
                text, data, tree = edit_tree(tree, text, data, change)
            else:
                # A whole-text change (or a document without a tree): parse afresh.
                text = apply_change(text, change)
                data, tree = encode(text), None
        if doc.language is not None:
            tree = self._parse(doc.language, data, tree)
        doc = Document(uri, doc.path, text, version, doc.language_id, doc.language, data, tree)
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
