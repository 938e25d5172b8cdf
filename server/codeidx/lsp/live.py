"""Open buffers in requests: the overlay that answers from them, and positions in them.

Requests about open documents are answered from their current text: each
request's worker builds a ``query.overlay.Overlay`` over the open buffers
(``Views.overlay``), which parses nothing itself but asks each document for
the records of its current tree (``lsp.documents``), so results in open
buffers are already at live positions.  What the overlay builds from a
buffer is kept in its root's ``LiveCache`` until the buffer or the index
changes (the root's ``generation`` counts index runs), so a request pays
only for the buffers edited since the last one.

What the overlay cannot place is mapped by lines: call sites stored for a
file's saved text (call hierarchy) are moved into its open buffer by a
difference of the two line lists (``LineMap``, ``difflib``), which pairs
every line of the buffer that also stands, unchanged and in order, in the
saved text with its line there; sites on edited lines are dropped.  The
saved text is read from disk (``SourceLines``).

This module converts between LSP positions and query positions only:
resolution stays in the query layer.  Runs on worker threads (it reads
files); one ``Views`` per request.
"""

from __future__ import annotations

import bisect
import difflib
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types

from codeidx.errors import UsageError
from codeidx.index.fingerprint import content_hash
from codeidx.lsp import convert
from codeidx.lsp.documents import Document
from codeidx.query.buffers import Buffer, LiveCache
from codeidx.query.overlay import Overlay
from codeidx.query.types import Position, SourceLines
from codeidx.store import projection

#: Above this many differing lines per side, only lines at the same index
#: are paired (difflib's cost grows with the product of the sides).
MAX_DIFF_LINES = 20_000
_WORD = re.compile(r"[\w$]+")


class LineMap:
    """Pairs lines of the indexed text with unchanged lines of the live text."""

    def __init__(self, indexed: list[str], live: list[str]) -> None:
        self.identical = indexed == live
        self._live_lines = len(live)
        # Equal blocks as (indexed start, live start, length), sorted both ways.
        self._blocks: list[tuple[int, int, int]] = []
        self._indexed_starts: list[int] = []
        self._live_starts: list[int] = []
        if self.identical:
            return
        # The common head and tail pair first: an edit usually touches one
        # region, and difflib (not a longest common subsequence) could
        # otherwise pair repeated lines across it and leave some unpaired.
        limit = min(len(indexed), len(live))
        head = 0
        while head < limit and indexed[head] == live[head]:
            head += 1
        tail = 0
        while tail < limit - head and indexed[-1 - tail] == live[-1 - tail]:
            tail += 1
        middle_a, middle_b = indexed[head : len(indexed) - tail], live[head : len(live) - tail]
        blocks = [(0, 0, head)]
        if max(len(middle_a), len(middle_b)) > MAX_DIFF_LINES:
            size = min(len(middle_a), len(middle_b))
            same = [i for i in range(size) if middle_a[i] == middle_b[i]]
            blocks += [(head + i, head + i, 1) for i in same]
        else:
            matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False)
            blocks += [(head + a, head + b, n) for a, b, n in matcher.get_matching_blocks()]
        blocks.append((len(indexed) - tail, len(live) - tail, tail))
        self._blocks = [block for block in blocks if block[2] > 0]
        self._indexed_starts = [a for a, _, _ in self._blocks]
        self._live_starts = [b for _, b, _ in self._blocks]

    def to_indexed(self, live_line: int) -> int | None:
        """The indexed line of an unchanged live line; None for an edited one."""
        if self.identical:
            return live_line
        k = bisect.bisect_right(self._live_starts, live_line) - 1
        if k < 0:
            return None
        a, b, n = self._blocks[k]
        return a + (live_line - b) if live_line < b + n else None

    def to_live(self, indexed_line: int) -> int | None:
        """The live line of an indexed line that is still there; None when it was edited."""
        if self.identical:
            return indexed_line
        k = bisect.bisect_right(self._indexed_starts, indexed_line) - 1
        if k < 0:
            return None
        a, b, n = self._blocks[k]
        return b + (indexed_line - a) if indexed_line < a + n else None

    def to_live_nearest(self, indexed_line: int, end: bool) -> int:
        """Like ``to_live``, but an edited line maps to the edge of its edited region.

        For the extent of a definition whose first or last line was edited:
        ``end`` picks the last live line before the next unchanged one,
        otherwise the first live line after the previous unchanged one.
        """
        exact = self.to_live(indexed_line)
        if exact is not None:
            return exact
        k = bisect.bisect_right(self._indexed_starts, indexed_line) - 1
        after_previous = 0
        if k >= 0:
            _, b, n = self._blocks[k]
            after_previous = b + n
        found = after_previous
        if end and k + 1 < len(self._blocks):
            found = max(after_previous, self._blocks[k + 1][1] - 1)
        return max(0, min(found, self._live_lines - 1))


def word_at(line: str, character: int) -> tuple[int, int] | None:
    """The UTF-16 span of the identifier under (or just before) a column, if any."""
    index = convert.utf16_to_index(line, character)
    for match in _WORD.finditer(line):
        if match.start() <= index <= match.end():
            start = convert.index_to_utf16(line, match.start())
            return start, start + convert.utf16_len(match.group())
        if match.start() > index:
            break
    return None


@dataclass(frozen=True, slots=True)
class Cursor:
    """A request's position: a workspace file, its open buffer if any, an LSP position."""

    path: str
    line: int
    character: int
    document: Document | None = None


@dataclass(slots=True)
class Views:
    """One request's view of the workspace: saved text, open buffers and the maps between."""

    root: Path
    open_documents: dict[str, Document]
    cache: LiveCache | None = None
    generation: int = 0
    source: SourceLines = field(init=False)
    _maps: dict[str, LineMap | None] = field(default_factory=dict)
    _edited: dict[str, Buffer] | None = None
    _overlay: tuple[sqlite3.Connection, Overlay] | None = None

    def __post_init__(self) -> None:
        self.source = SourceLines(self.root)

    def buffers(self) -> dict[str, Buffer]:
        """The open documents codeidx parses, as the query layer's buffers."""
        out = {}
        for path, doc in self.open_documents.items():
            buf = doc.buffer()
            if buf is not None:
                out[path] = buf
        return out

    def overlay(self, conn: sqlite3.Connection) -> Overlay:
        """The query overlay of this request's edited buffers on the worker's connection.

        Made once per request (a references answer looks the cursor up
        before it searches).  A buffer whose text is exactly the indexed
        version adds nothing the index does not know, so it is left out:
        opening files costs nothing until they are edited.
        """
        kept = self._overlay
        if kept is None or kept[0] is not conn:
            overlay = Overlay(conn, self.root, self.edited(conn), self.cache, self.generation)
            kept = self._overlay = (conn, overlay)
        return kept[1]

    def edited(self, conn: sqlite3.Connection) -> dict[str, Buffer]:
        """The open buffers whose text differs from the indexed version (found once per request)."""
        if self._edited is None:
            buffers = self.buffers()
            indexed = projection.content_hashes(conn, buffers)
            self._edited = {
                path: buf
                for path, buf in buffers.items()
                if indexed.get(path) != self._digest(path)
            }
        return self._edited

    def _digest(self, path: str) -> str | None:
        doc = self.open_documents.get(path)
        if doc is None:
            return None
        return content_hash(doc.text.encode("utf-8", "surrogatepass"))

    def lines(self, path: str) -> list[str]:
        """What the user sees of a file: the open buffer, else the saved text."""
        doc = self.open_documents.get(path)
        if doc is not None:
            return convert.split_lines(doc.text)
        return self.source.lines(path)

    def line_map(self, path: str) -> LineMap | None:
        """The map of an open buffer that differs from its saved text, else None."""
        if path not in self._maps:
            doc = self.open_documents.get(path)
            found = None
            if doc is not None:
                candidate = LineMap(self.source.lines(path), convert.split_lines(doc.text))
                found = None if candidate.identical else candidate
            self._maps[path] = found
        return self._maps[path]

    def position(self, cursor: Cursor) -> Position | None:
        """The cursor as a query position in what the user sees, or None.

        None for a file that is neither open nor on disk.  Raises UsageError
        for a line past the end of the document; a column past the end of its
        line counts as the line's end (LSP).
        """
        if cursor.document is not None:
            lines = convert.split_lines(cursor.document.text)
        elif (self.root / cursor.path).is_file():
            lines = self.source.lines(cursor.path)
        else:
            return None  # Neither open nor on disk: nothing to ask about.
        if cursor.line >= len(lines):
            raise UsageError(
                f"line {cursor.line} (0-based) is past the end of {cursor.path},"
                f" which has {len(lines)} lines"
            )
        col = min(cursor.character, convert.utf16_len(lines[cursor.line]))
        return Position(cursor.path, cursor.line, col)

    def word_range(self, cursor: Cursor) -> types.Range | None:
        """The range of the identifier under the cursor in what the user sees."""
        lines = self.lines(cursor.path)
        if cursor.line >= len(lines):
            return None
        span = word_at(lines[cursor.line], cursor.character)
        if span is None:
            return None
        return convert.to_lsp_range(cursor.line, span[0], cursor.line, span[1])

    def to_live(self, path: str, line: int) -> int | None:
        """Where a saved line of ``path`` is in what the user sees; None if edited."""
        mapping = self.line_map(path)
        return line if mapping is None else mapping.to_live(line)
