"""The commands of the ``codeidx`` command line, one function each.

Each ``cmd_*`` turns its parsed arguments into one call on the index
pipeline or the query layer and prints the answer through ``Context.emit``:
human text from ``cli.render`` on stdout, or one JSON document with
``--json``.  Progress, notes and logs go to stderr.  Commands raise
``CodeidxError`` for anything a user can fix; ``cli.main`` turns it into one
line and an exit code.  They open one read-only connection each and close it
in ``finally``.  No SQL here and no ranking.  Main thread only (``index``
installs a SIGINT handler).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeVar

from codeidx.cli import render
from codeidx.cli.position import find_root, parse_position, workspace_path
from codeidx.cli.progress import ProgressBar, StopOnInterrupt
from codeidx.errors import UsageError
from codeidx.index.pipeline import IndexOptions, run_index
from codeidx.query.calls import find_calls
from codeidx.query.definition import find_definition
from codeidx.query.deps import dependency_cycles, deps_summary, file_deps
from codeidx.query.implementation import ImplementationQuery, find_implementations
from codeidx.query.references import find_references
from codeidx.query.status import index_status, open_index
from codeidx.query.symbols import search_symbols
from codeidx.query.types import (
    CallsQuery,
    Coverage,
    DefinitionQuery,
    ReferencesQuery,
    SourceLines,
    SymbolQuery,
)
from codeidx.support.paths import index_dir_for

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Context:
    """What every command needs besides its own arguments."""

    args: argparse.Namespace
    cwd: Path
    out: TextIO
    err: TextIO

    @property
    def json(self) -> bool:
        return bool(self.args.json)

    def root_for(self, start: Path | None = None, fallback: Path | None = None) -> Path:
        """--root, else the nearest ancestor of ``start`` (or the cwd) holding .git."""
        if self.args.root:
            root = (self.cwd / str(self.args.root)).resolve()
            if not root.is_dir():
                raise UsageError(f"the workspace root {self.args.root} is not a folder")
            return root
        return find_root(start or self.cwd, fallback or self.cwd)

    def index_dir(self, root: Path) -> Path:
        return index_dir_for(root, self.args.index_dir)

    def read(self, root: Path, work: Callable[[sqlite3.Connection], R]) -> R:
        """``work`` on a read connection to ``root``'s index, closed whatever happens."""
        conn = open_index(self.index_dir(root))
        try:
            return work(conn)
        finally:
            conn.close()

    def emit(
        self, result: object, lines: Callable[[], list[str]], coverage: Coverage | None
    ) -> None:
        """Print a result as JSON or as text, with a stderr note when it is partial."""
        if self.json:
            print(render.to_json(result), file=self.out)
            return
        for line in lines():
            print(line, file=self.out)
        note = render.coverage_note(coverage) if coverage is not None else None
        if note:
            print(f"codeidx: {note}", file=self.err)


def cmd_index(ctx: Context) -> int:
    """``codeidx index [PATH]``: run the pipeline with a progress bar; 130 when interrupted."""
    args = ctx.args
    start = (ctx.cwd / args.path).resolve() if args.path else ctx.cwd
    if not start.is_dir():
        raise UsageError(f"{args.path} is not a folder", hint="pass the workspace folder to index")
    root = ctx.root_for(start, fallback=start)
    index_dir = ctx.index_dir(root)
    options = IndexOptions(
        force=args.force,
        max_file_bytes=args.max_file_bytes,
        include=tuple(args.include),
        exclude=tuple(args.exclude),
    )
    tty = ctx.err.isatty()
    bar = ProgressBar(ctx.err, enabled=tty)
    log.info("indexing %s into %s", root, index_dir)
    started = time.monotonic()

    def waiting() -> None:
        print("codeidx: another codeidx process is writing this index; waiting", file=ctx.err)

    with StopOnInterrupt(ctx.err) as stop:
        try:
            result = run_index(
                root, index_dir, options, progress=bar, should_stop=stop.requested, on_wait=waiting
            )
        finally:
            bar.finish()
    elapsed = time.monotonic() - started
    if not tty:
        print(render.index_line(result, elapsed), file=ctx.err)
    lines = render.render_index(result, str(root), str(index_dir), elapsed)
    if result.status == "interrupted":
        ctx.emit(result, lambda: lines, None)
        return EXIT_INTERRUPTED
    # The search stores follow SQLite: full text now, then embedding (or not).
    from codeidx.cli.search import render_embed_summary, sync_after_index

    summary = sync_after_index(ctx, root, index_dir, embed=not args.no_embed)
    lines += ["  " + line for line in render_embed_summary(summary)]
    ctx.emit(result, lambda: lines, None)
    return EXIT_OK


def cmd_status(ctx: Context) -> int:
    """``codeidx status [PATH]``: what the index holds, its last run and its staleness."""
    start = (ctx.cwd / ctx.args.path).resolve() if ctx.args.path else ctx.cwd
    root = ctx.root_for(start, fallback=start if start.is_dir() else ctx.cwd)
    index_dir = ctx.index_dir(root)
    from codeidx.cli.search import render_stores
    from codeidx.index.doctor import summarize

    conn = open_index(index_dir)
    try:
        report = index_status(conn, root, index_dir)
        stores = summarize(conn, index_dir)
    finally:
        conn.close()
    data = dataclasses.asdict(report)
    data["stores"] = [dataclasses.asdict(s) for s in stores]
    ctx.emit(data, lambda: render.render_status(report) + render_stores(stores), None)
    return EXIT_OK


def cmd_symbols(ctx: Context) -> int:
    """``codeidx symbols QUERY``: fuzzy search over definition names."""
    root = ctx.root_for()
    query = SymbolQuery(ctx.args.query, ctx.args.kind, ctx.args.language, ctx.args.limit)
    result = ctx.read(root, lambda conn: search_symbols(conn, query))
    source = SourceLines(root)
    ctx.emit(result, lambda: render.render_symbols(result, source), result.coverage)
    return EXIT_OK


def _position_root(ctx: Context, spec: str) -> Path:
    # The root is looked up from the file's folder, so a position in another
    # repository works from any cwd; the file itself is checked later.
    file = spec.rsplit(":", 2)[0] if spec.count(":") >= 2 else spec
    folder = (ctx.cwd / file).resolve().parent
    return ctx.root_for(folder if folder.is_dir() else ctx.cwd)


def cmd_def(ctx: Context) -> int:
    """``codeidx def FILE:LINE:COL``: where the identifier at the position is defined."""
    spec = ctx.args.position
    root = _position_root(ctx, spec)
    position = parse_position(spec, root, ctx.cwd)
    result = ctx.read(root, lambda conn: find_definition(conn, root, DefinitionQuery(position)))
    ctx.emit(result, lambda: render.render_definition(result, spec), result.coverage)
    return EXIT_OK


def cmd_refs(ctx: Context) -> int:
    """``codeidx refs FILE:LINE:COL``: every reference to the identifier at the position."""
    spec = ctx.args.position
    root = _position_root(ctx, spec)
    position = parse_position(spec, root, ctx.cwd)
    query = ReferencesQuery(
        position,
        include_declaration=not ctx.args.no_declaration,
        include_guesses=ctx.args.guesses,
    )
    result = ctx.read(root, lambda conn: find_references(conn, root, query))
    ctx.emit(result, lambda: render.render_references(result, spec), result.coverage)
    return EXIT_OK


def cmd_impl(ctx: Context) -> int:
    """``codeidx impl FILE:LINE:COL``: what implements, extends or overrides the symbol there."""
    spec = ctx.args.position
    root = _position_root(ctx, spec)
    position = parse_position(spec, root, ctx.cwd)
    query = ImplementationQuery(position, include_guesses=ctx.args.guesses)
    result = ctx.read(root, lambda conn: find_implementations(conn, root, query))
    ctx.emit(result, lambda: render.render_implementations(result, spec), result.coverage)
    return EXIT_OK


def cmd_calls(ctx: Context) -> int:
    """``codeidx callers|callees NAME``: one group per matching symbol, with call sites."""
    root = ctx.root_for()
    query = CallsQuery(
        ctx.args.name, incoming=ctx.args.command == "callers", include_guesses=ctx.args.guesses
    )
    result = ctx.read(root, lambda conn: find_calls(conn, root, query))
    source = SourceLines(root)
    document = render.calls_document(result) if ctx.json else result
    ctx.emit(document, lambda: render.render_calls(result, source), result.coverage)
    return EXIT_OK


def cmd_deps(ctx: Context) -> int:
    """``codeidx deps [FILE] [--cycles]``: the summary, one file's imports, or cycles."""
    args = ctx.args
    if args.file:
        folder = (ctx.cwd / args.file).resolve().parent
        root = ctx.root_for(folder if folder.is_dir() else ctx.cwd)
        path, _ = workspace_path(args.file, root, ctx.cwd)
    else:
        root = ctx.root_for()
        path = None
    conn = open_index(ctx.index_dir(root))
    try:
        if path is not None:
            deps = file_deps(conn, path, with_cycles=args.cycles)
            ctx.emit(deps, lambda: render.render_file_deps(deps, args.cycles), deps.coverage)
        elif args.cycles:
            cycles = dependency_cycles(conn)
            document = {"cycles": [dataclasses.asdict(c) for c in cycles]}
            ctx.emit(document, lambda: render.render_cycles(cycles), None)
        else:
            summary = deps_summary(conn)
            ctx.emit(summary, lambda: render.render_deps_summary(summary, False), summary.coverage)
    finally:
        conn.close()
    return EXIT_OK


def _address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"expected HOST:PORT, got {text!r}", hint="e.g. --tcp 127.0.0.1:2087")
    return host, int(port)


def cmd_serve(ctx: Context) -> int:
    """``codeidx serve [--tcp HOST:PORT]``: the language server; logs go to stderr only."""
    address = _address(ctx.args.tcp) if ctx.args.tcp else None
    if not ctx.args.debug:
        logging.getLogger("codeidx").setLevel(logging.INFO)
    # Imported here so that the other commands never load pygls.
    from codeidx.lsp.server import serve_stdio, serve_tcp

    if address is None:
        serve_stdio(ctx.args.index_dir)
    else:
        serve_tcp(address[0], address[1], ctx.args.index_dir)
    return EXIT_OK
