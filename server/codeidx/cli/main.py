"""The ``codeidx`` command line: argument parsing, dispatch and the error boundary.

The commands themselves live in ``cli.commands``; this module builds the
parser (global options ``--root``, ``--index-dir``, ``--json``, ``--debug``
accepted before or after the command), sets up logging on stderr, and is
the boundary where exceptions end:
``CodeidxError`` becomes ``codeidx: error: <message>`` plus a hint (exit 2
for usage errors, 1 otherwise), anything else one ``internal error`` line
(exit 1), a traceback only with ``--debug``.  No SQL here and no ranking.
Runs on the main thread (the index command installs a SIGINT handler).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from codeidx.cli import commands, search
from codeidx.cli.commands import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, Context
from codeidx.config import ENV_MODEL
from codeidx.errors import CodeidxError, UsageError
from codeidx.index.pipeline import IndexOptions
from codeidx.parse.records import NODE_KINDS
from codeidx.parse.registry import LANGUAGES
from codeidx.query.search import MODES
from codeidx.support.paths import ENV_INDEX_DIR

#: The package logger: the CLI gives it one stderr handler per run.
log = logging.getLogger("codeidx")

Handler = Callable[[Context], int]


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


def _guesses_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--guesses",
        action="store_true",
        help="also list by-name guesses among several candidates (receiver of unknown type)",
    )


def _model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        metavar="NAME|PATH",
        help=f"embedding model (also ${ENV_MODEL}; default: all-MiniLM-L6-v2; `hash` for none)",
    )
    parser.add_argument(
        "--device", metavar="DEVICE", help="torch device for the model (default: GPU if present)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (exposed for tests and docs)."""
    parser = _Parser(prog="codeidx", description="Index a workspace and query the index.")
    _global_options(parser, suppress=False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, handler: Handler) -> argparse.ArgumentParser:
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        _global_options(sub, suppress=True)
        sub.set_defaults(handler=handler)
        return sub

    sub = command("index", "index the workspace (incrementally)", commands.cmd_index)
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

    sub.add_argument(
        "--no-embed",
        action="store_true",
        help="update the full-text store but do not embed (vector search waits)",
    )
    _model_options(sub)

    sub = command("status", "show what the index holds and how fresh it is", commands.cmd_status)
    sub.add_argument("path", nargs="?", metavar="PATH", help="a folder in the workspace")

    sub = command("symbols", "fuzzy-search definitions by name", commands.cmd_symbols)
    sub.add_argument("query", metavar="QUERY")
    sub.add_argument("--kind", choices=NODE_KINDS, metavar="K", help="only this kind")
    sub.add_argument(
        "--language", choices=sorted(LANGUAGES), metavar="L", help="only this language"
    )
    sub.add_argument("--limit", type=_positive, default=50, metavar="N", help="at most N results")

    sub = command(
        "search", "find definitions by what they do (hybrid BM25 + vectors)", search.cmd_search
    )
    sub.add_argument("query", metavar="QUERY", help="words, a sentence or an identifier")
    sub.add_argument(
        "--mode", choices=MODES, default="hybrid", help="hybrid (default), fts or vector"
    )
    sub.add_argument("--limit", type=_positive, default=20, metavar="N", help="at most N results")
    sub.add_argument(
        "--language",
        action="append",
        choices=sorted(LANGUAGES),
        metavar="L",
        help="only this language (repeatable)",
    )
    sub.add_argument(
        "--kind",
        action="append",
        choices=NODE_KINDS,
        metavar="K",
        help="only this kind (repeatable)",
    )
    sub.add_argument("--path", metavar="GLOB", help="only paths matching this gitignore-style glob")
    _model_options(sub)

    sub = command("doctor", "check the three stores against each other", search.cmd_doctor)
    sub.add_argument(
        "--repair", action="store_true", help="bring the search stores in step with the index"
    )
    _model_options(sub)

    sub = command("def", "go to the definition at FILE:LINE:COL", commands.cmd_def)
    sub.add_argument("position", metavar="FILE:LINE:COL", help="1-based line and column")

    sub = command("refs", "find references of the symbol at FILE:LINE:COL", commands.cmd_refs)
    sub.add_argument("position", metavar="FILE:LINE:COL", help="1-based line and column")
    sub.add_argument("--no-declaration", action="store_true", help="leave the declaration out")
    _guesses_option(sub)

    sub = command(
        "impl",
        "find what implements, extends or overrides the symbol at FILE:LINE:COL",
        commands.cmd_impl,
    )
    sub.add_argument("position", metavar="FILE:LINE:COL", help="1-based line and column")
    _guesses_option(sub)

    for name, text in (("callers", "who calls NAME"), ("callees", "what NAME calls")):
        sub = command(name, f"show {text}", commands.cmd_calls)
        sub.add_argument("name", metavar="NAME", help="a simple or qualified name")
        _guesses_option(sub)

    sub = command("deps", "show file dependencies and circular imports", commands.cmd_deps)
    sub.add_argument(
        "file", nargs="?", metavar="FILE", help="show this file's imports and importers"
    )
    sub.add_argument("--cycles", action="store_true", help="list every circular dependency")

    sub = command("serve", "run the language server (LSP over stdio)", commands.cmd_serve)
    sub.add_argument(
        "--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio (for debugging)"
    )
    return parser


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
