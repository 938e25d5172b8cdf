"""The ``codeidx`` command line: argument parsing, dispatch and the error boundary.

Each command turns its arguments into one call on the index pipeline or the
query layer and prints the answer: human text from ``cli.render``, or one
JSON document with ``--json``.  Answers go to stdout; progress, notes, logs
and errors go to stderr.  ``main`` is the boundary where exceptions end:
``CodeidxError`` becomes ``codeidx: error: <message>`` plus a hint (exit 2
for usage errors, 1 otherwise), anything else one ``internal error`` line
(exit 1), a traceback only with ``--debug``.  No SQL here and no ranking.
Runs on the main thread (the index command installs a SIGINT handler).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TextIO

from codeidx.cli import render
from codeidx.cli.position import find_root, parse_position, workspace_path
from codeidx.cli.progress import ProgressBar, StopOnInterrupt
from codeidx.errors import CodeidxError, UsageError
from codeidx.index.pipeline import IndexOptions, run_index
from codeidx.parse.records import NODE_KINDS
from codeidx.parse.registry import LANGUAGES
from codeidx.query.calls import find_calls
from codeidx.query.definition import find_definition
from codeidx.query.deps import dependency_cycles, deps_summary, file_deps
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
from codeidx.support.paths import ENV_INDEX_DIR, index_dir_for

log = logging.getLogger("codeidx")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


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


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, hint=f"see `{self.prog} --help`")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number from 1 up, got {value}")
    return value


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    # The options are accepted before and after the command; the copy on each
    # command uses SUPPRESS so its defaults never overwrite a value given first.
    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("global options")
    group.add_argument(
        "--root",
        metavar="PATH",
        default=default(None),
        help="workspace root (default: nearest folder holding .git, else the cwd)",
    )
    group.add_argument(
        "--index-dir",
        metavar="DIR",
        default=default(None),
        help=f"index folder (also ${ENV_INDEX_DIR}; default: a per-workspace cache)",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="print one JSON document (0-based lines, UTF-16 columns)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="log at DEBUG level and show tracebacks",
    )


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (exposed for tests and docs)."""
    parser = _Parser(prog="codeidx", description="Index a workspace and query the index.")
    _global_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        name: str, help_text: str, handler: Callable[[Context], int]
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _global_options(sub, suppress=True)
        sub.set_defaults(handler=handler)
        return sub

    sub = command("index", "index the workspace (incrementally)", _cmd_index)
    sub.add_argument("path", nargs="?", metavar="PATH", help="the folder to index (default: cwd)")
    sub.add_argument("--force", action="store_true", help="re-parse every file")
    sub.add_argument(
        "--max-file-bytes",
        type=_positive,
        default=IndexOptions().max_file_bytes,
        metavar="N",
        help="skip files larger than N bytes",
    )
    sub.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="GLOB",
        help="index only matching paths (repeatable)",
    )
    sub.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave matching paths out (repeatable)",
    )

    sub = command("status", "show what the index holds and how fresh it is", _cmd_status)
    sub.add_argument("path", nargs="?", metavar="PATH", help="a folder in the workspace")

    sub = command("symbols", "fuzzy-search definitions by name", _cmd_symbols)
    sub.add_argument("query", metavar="QUERY")
    sub.add_argument("--kind", choices=NODE_KINDS, metavar="K", help="only this kind")
    sub.add_argument(
        "--language", choices=sorted(LANGUAGES), metavar="L", help="only this language"
    )
    sub.add_argument("--limit", type=_positive, default=50, metavar="N", help="at most N results")

    sub = command("def", "go to the definition at FILE:LINE:COL", _cmd_def)
    sub.add_argument("position", metavar="FILE:LINE:COL", help="1-based line and column")

    sub = command("refs", "find references of the symbol at FILE:LINE:COL", _cmd_refs)
    sub.add_argument("position", metavar="FILE:LINE:COL", help="1-based line and column")
    sub.add_argument("--no-declaration", action="store_true", help="leave the declaration out")

    for name, text in (("callers", "who calls NAME"), ("callees", "what NAME calls")):
        sub = command(name, f"show {text}", _cmd_calls)
        sub.add_argument("name", metavar="NAME", help="a simple or qualified name")

    sub = command("deps", "show file dependencies and circular imports", _cmd_deps)
    sub.add_argument(
        "file", nargs="?", metavar="FILE", help="show this file's imports and importers"
    )
    sub.add_argument("--cycles", action="store_true", help="list every circular dependency")
    return parser


# Commands ---------------------------------------------------------------------


def _cmd_index(ctx: Context) -> int:
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
    ctx.emit(result, lambda: render.render_index(result, str(root), str(index_dir), elapsed), None)
    return EXIT_INTERRUPTED if result.status == "interrupted" else EXIT_OK


def _cmd_status(ctx: Context) -> int:
    start = (ctx.cwd / ctx.args.path).resolve() if ctx.args.path else ctx.cwd
    root = ctx.root_for(start, fallback=start if start.is_dir() else ctx.cwd)
    index_dir = ctx.index_dir(root)
    conn = open_index(index_dir)
    try:
        report = index_status(conn, root, index_dir)
    finally:
        conn.close()
    ctx.emit(report, lambda: render.render_status(report), None)
    return EXIT_OK


def _cmd_symbols(ctx: Context) -> int:
    root = ctx.root_for()
    query = SymbolQuery(ctx.args.query, ctx.args.kind, ctx.args.language, ctx.args.limit)
    conn = open_index(ctx.index_dir(root))
    try:
        result = search_symbols(conn, query)
    finally:
        conn.close()
    source = SourceLines(root)
    ctx.emit(result, lambda: render.render_symbols(result, source), result.coverage)
    return EXIT_OK


def _position_root(ctx: Context, spec: str) -> Path:
    # The root is looked up from the file's folder, so a position in another
    # repository works from any cwd; the file itself is checked later.
    file = spec.rsplit(":", 2)[0] if spec.count(":") >= 2 else spec
    folder = (ctx.cwd / file).resolve().parent
    return ctx.root_for(folder if folder.is_dir() else ctx.cwd)


def _cmd_def(ctx: Context) -> int:
    spec = ctx.args.position
    root = _position_root(ctx, spec)
    position = parse_position(spec, root, ctx.cwd)
    conn = open_index(ctx.index_dir(root))
    try:
        result = find_definition(conn, root, DefinitionQuery(position))
    finally:
        conn.close()
    ctx.emit(result, lambda: render.render_definition(result, spec), result.coverage)
    return EXIT_OK


def _cmd_refs(ctx: Context) -> int:
    spec = ctx.args.position
    root = _position_root(ctx, spec)
    position = parse_position(spec, root, ctx.cwd)
    query = ReferencesQuery(position, include_declaration=not ctx.args.no_declaration)
    conn = open_index(ctx.index_dir(root))
    try:
        result = find_references(conn, root, query)
    finally:
        conn.close()
    ctx.emit(result, lambda: render.render_references(result, spec), result.coverage)
    return EXIT_OK


def _cmd_calls(ctx: Context) -> int:
    root = ctx.root_for()
    query = CallsQuery(ctx.args.name, incoming=ctx.args.command == "callers")
    conn = open_index(ctx.index_dir(root))
    try:
        result = find_calls(conn, root, query)
    finally:
        conn.close()
    source = SourceLines(root)
    ctx.emit(result, lambda: render.render_calls(result, source), result.coverage)
    return EXIT_OK


def _cmd_deps(ctx: Context) -> int:
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


# The boundary -------------------------------------------------------------------

_log_handler: logging.Handler | None = None


def _configure_logging(debug: bool, stream: TextIO) -> None:
    """Log to stderr: warnings by default, everything with --debug."""
    global _log_handler
    if _log_handler is not None:
        log.removeHandler(_log_handler)
    _log_handler = logging.StreamHandler(stream)
    _log_handler.setFormatter(logging.Formatter("codeidx: %(levelname)s: %(name)s: %(message)s"))
    log.addHandler(_log_handler)
    log.setLevel(logging.DEBUG if debug else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code (see module doc)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    out, err = sys.stdout, sys.stderr
    debug = "--debug" in arguments
    _configure_logging(debug, err)
    try:
        args = build_parser().parse_args(arguments)
        debug = bool(args.debug)
        ctx = Context(args, Path(os.getcwd()), out, err)
        code: int = args.handler(ctx)
        return code
    except SystemExit as exc:  # --help and --version exit through argparse.
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except CodeidxError as exc:
        if debug:
            traceback.print_exc(file=err)
        print(f"codeidx: error: {exc}", file=err)
        if exc.hint:
            print(f"hint: {exc.hint}", file=err)
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_ERROR
    except KeyboardInterrupt:
        print("\ncodeidx: interrupted", file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of stdout went away (`| head`); stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:
        if debug:
            traceback.print_exc(file=err)
            print(f"codeidx: internal error: {type(exc).__name__}: {exc}", file=err)
        else:
            print(
                f"codeidx: internal error: {type(exc).__name__}: {exc}"
                " (run with --debug for the traceback)",
                file=err,
            )
        return EXIT_ERROR
