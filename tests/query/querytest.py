"""Fixture workspaces for query tests: multi-file sources with markers, indexed for real.

Write ``$0`` where the cursor is and ``[[...]]`` around every range a test
expects (definitions, references); the helpers strip the markers, compute
0-based lines and UTF-16 columns, write the files under ``tmp_path``, index
them into ``tmp_path/idx`` and open a read connection the test closes.
"""

from __future__ import annotations

import os
import sqlite3
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from codeidx.index.pipeline import RunResult, run_index
from codeidx.query.calls import find_calls
from codeidx.query.status import open_index
from codeidx.query.types import CallsQuery, Location, Position

CURSOR = "$0"
OPEN, CLOSE = "[[", "]]"

Range = tuple[str, int, int, int]  # path, line, col, end_col


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def strip_markers(path: str, text: str) -> tuple[str, Position | None, list[Range]]:
    """Remove markers; return the clean text, the cursor and the marked ranges."""
    out: list[str] = []
    cursor: Position | None = None
    ranges: list[Range] = []
    opened: tuple[int, int] | None = None
    line, col, i = 0, 0, 0
    while i < len(text):
        if text.startswith(CURSOR, i):
            cursor = Position(path, line, col)
            i += len(CURSOR)
        elif text.startswith(OPEN, i):
            opened = (line, col)
            i += len(OPEN)
        elif text.startswith(CLOSE, i) and opened is not None:
            assert opened[0] == line, "a marked range must stay on one line"
            ranges.append((path, line, opened[1], col))
            opened = None
            i += len(CLOSE)
        else:
            ch = text[i]
            out.append(ch)
            if ch == "\n":
                line, col = line + 1, 0
            else:
                col += _units(ch)
            i += 1
    return "".join(out), cursor, ranges


@dataclass
class Fixture:
    """An indexed fixture workspace."""

    root: Path
    index_dir: Path
    run: RunResult
    cursor: Position | None = None
    ranges: list[Range] = field(default_factory=list)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        conn = open_index(self.index_dir)
        try:
            yield conn
        finally:
            conn.close()

    def at(self) -> Position:
        assert self.cursor is not None, "the fixture has no $0 cursor"
        return self.cursor


def build(tmp_path: Path, files: dict[str, str], mtime_ns: int | None = None) -> Fixture:
    """Write the files (dedented, markers stripped) and index them.

    ``mtime_ns`` back-dates every file; otherwise the indexer sees files
    written a moment ago and records no mtime for them (racy-clean rule).
    """
    root = tmp_path / "ws"
    root.mkdir(exist_ok=True)
    cursor: Position | None = None
    ranges: list[Range] = []
    for path, raw in files.items():
        text, here, marked = strip_markers(path, textwrap.dedent(raw).lstrip("\n"))
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if mtime_ns is not None:
            os.utime(target, ns=(mtime_ns, mtime_ns))
        if here is not None:
            cursor = here
        ranges.extend(marked)
    index_dir = tmp_path / "idx"
    run = run_index(root, index_dir)
    assert run.status == "complete", run
    return Fixture(root, index_dir, run, cursor, sorted(ranges))


def ranges_of(locations: list[Location]) -> list[Range]:
    """The (path, line, col, end_col) of locations, sorted, to compare with markers."""
    return sorted((loc.path, loc.line, loc.col, loc.end_col) for loc in locations)


def guessing_callers(
    tmp_path: Path, files: dict[str, str], name: str
) -> dict[str, tuple[str, int]]:
    """Callers of the one definition ``name``, guesses too: qualified name → (resolution, count).

    {} when nothing calls it.
    """
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        result = find_calls(conn, fx.root, CallsQuery(name, incoming=True, include_guesses=True))
    if not result.groups:
        return {}
    assert len(result.groups) == 1, [g.symbol.qualified_name for g in result.groups]
    return {c.symbol.qualified_name: (c.resolution, c.count) for c in result.groups[0].calls}
