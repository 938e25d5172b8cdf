"""Benchmark the language server's latency on the Python standard library.

The corpus is the one of ``bench/index_bench.py``: the ``*.py`` files of the
running interpreter's standard library outside ``site-packages/``, copied
into a temporary folder and indexed once with ``run_index`` (not timed).
Everything else goes through ``python -m codeidx serve`` over stdio, driven
by the small JSON-RPC client below, which times each request on the client
side from the moment its bytes are written to the moment the last byte of
its response is read.  One request is in flight at a time, as when a user
navigates.

The server is started with ``search.embed`` off (``--embed`` turns it on),
so that no embedding model is loaded or run while navigation is measured.
A first, untimed launch waits for the initial run and for the server to go
idle (under 5% of a core for a second, children included), so that the
server's own stores follow the fresh index before anything is timed.

What is measured, in order:

1. Launch to first answer (``LAUNCHES`` fresh processes): the time from
   starting the process to the first non-empty ``textDocument/definition``
   answer on the existing index (``initialize``, ``initialized``,
   ``didOpen`` and the request are sent at once; a failed or empty answer
   is retried).
2. Request latency, in one server that has finished its initial
   (no-change) run, which the script waits for through the
   ``codeidx/indexUpdated`` notification, and then gone idle.  Files
   are opened (``didOpen``) in a seeded random order, as an editor would,
   and at most ``OPEN_WINDOW`` stay open (``--open-window``; 0 asks about
   files that are not open, for comparison).  In each file the script asks for
   its outline and one workspace symbol query, then at identifier positions
   sampled with ``ast`` from pure-ASCII lines of that file: definition,
   declaration, hover, references and document highlights at names,
   attributes and called names; ``prepareCallHierarchy`` at called names and
   function definitions, with incoming and outgoing calls of the first item;
   ``prepareTypeHierarchy`` at class definitions and base classes, with
   supertypes and subtypes of the first item; ``implementation`` at method
   definitions (a ``def`` in a class body) and class definitions.  Workspace symbol queries come
   from real definition names: exact names, prefixes and camel humps.  Every
   kind gets at least ``--samples`` requests.
3. Save to updated: the ~1,000-line file is modified on disk (one line in a
   function body, plus a new function with a fresh name), the client sends
   ``didChange`` and ``didSave``, and the time runs from ``didSave`` to the
   ``codeidx/indexUpdated`` notification of that save.  One warm-up save is
   reported apart; then ``SAVES`` samples.  After each, a workspace symbol
   query checks that the new function is in the index.
4. Server memory: ``VmRSS`` and ``VmHWM`` from ``/proc/<pid>/status`` after
   the run, with a check that no torch library is mapped (no embedding
   model loaded).

Percentiles are nearest-rank.  For each kind the JSON also lists its five
slowest requests with where they were made, and its first three times
(caches warm up on the first requests).  The script prints a table with the targets,
writes JSON (``bench/out/lsp_bench.json`` by default) and the table
(``bench/out/lsp_bench.txt``).  Timing assertions live here, never in the
test suite.

    .venv/bin/python bench/lsp_bench.py [--samples N] [--json PATH] [--reuse DIR] [--embed]
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

sys.path.insert(0, str(Path(__file__).resolve().parent))

from index_bench import EXCLUDE, INCLUDE, copy_corpus, corpus_files, stdlib_root

REPO = Path(__file__).resolve().parent.parent
OUT_DEFAULT = REPO / "bench" / "out" / "lsp_bench.json"
SEED = 20261121
SAMPLES_DEFAULT = 200
LAUNCHES = 3
SAVES = 20
TARGET_LINES = 1_000
#: How many documents stay open at once; the oldest is closed beyond it.
OPEN_WINDOW = 8
#: The longest the script waits for one answer or notification.
TIMEOUT_S = 60.0
INDEX_UPDATED = "codeidx/indexUpdated"
#: The longest the untimed first launch may take to bring the server's stores up to date.
WARM_UP_TIMEOUT_S = 1800.0

# Targets of issue 3 ("Proof"): p95 of each request kind, in seconds.
FAST_KINDS = (
    "textDocument/definition",
    "textDocument/declaration",
    "textDocument/hover",
    "textDocument/documentSymbol",
    "workspace/symbol",
)
GRAPH_KINDS = (
    "textDocument/references",
    "textDocument/prepareCallHierarchy",
    "callHierarchy/incomingCalls",
    "callHierarchy/outgoingCalls",
)
OTHER_KINDS = (
    "textDocument/documentHighlight",
    "textDocument/prepareTypeHierarchy",
    "typeHierarchy/supertypes",
    "typeHierarchy/subtypes",
    "textDocument/implementation",
)
TARGET_P95_S: dict[str, float | None] = {
    **{kind: 0.020 for kind in FAST_KINDS},
    **{kind: 0.050 for kind in GRAPH_KINDS},
    # The issue names no target for these; they are reported without one.
    **{kind: None for kind in OTHER_KINDS},
}
KINDS = (
    "textDocument/definition",
    "textDocument/declaration",
    "textDocument/hover",
    "textDocument/references",
    "textDocument/documentHighlight",
    "textDocument/documentSymbol",
    "workspace/symbol",
    "textDocument/prepareCallHierarchy",
    "callHierarchy/incomingCalls",
    "callHierarchy/outgoingCalls",
    "textDocument/prepareTypeHierarchy",
    "typeHierarchy/supertypes",
    "typeHierarchy/subtypes",
    "textDocument/implementation",
)
TARGET_SAVE_S = 0.100
TARGET_FIRST_ANSWER_S = 1.0
TARGET_RSS_BYTES = 400 * 1000 * 1000

#: What the client advertises: the parts of VS Code's capabilities that change answers.
#: ``workspace.configuration`` is left out so that the settings stay those of
#: ``initializationOptions`` (a client answering with its own settings would
#: queue a full run).
CAPABILITIES: dict[str, Any] = {
    "general": {"positionEncodings": ["utf-16"]},
    "window": {"workDoneProgress": True},
    "workspace": {
        "symbol": {},
        "didChangeWatchedFiles": {"dynamicRegistration": True},
        "workspaceFolders": True,
    },
    "textDocument": {
        "synchronization": {"didSave": True, "dynamicRegistration": False},
        "definition": {"linkSupport": True},
        "declaration": {"linkSupport": True},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "references": {},
        "documentHighlight": {},
        "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
        "callHierarchy": {},
        "typeHierarchy": {},
        "implementation": {"linkSupport": True},
    },
}


# --------------------------------------------------------------------------
# A small JSON-RPC client over the server's stdio.


class LspError(Exception):
    """An error response from the server."""

    def __init__(self, method: str, error: dict[str, Any]) -> None:
        super().__init__(f"{method}: {error.get('code')} {error.get('message')}")
        self.code = error.get("code")


@dataclass
class _Pending:
    done: threading.Event = field(default_factory=threading.Event)
    arrived: float = 0.0
    message: dict[str, Any] | None = None


@dataclass(frozen=True)
class Notification:
    method: str
    params: Any
    arrived: float


class LspClient:
    """One server process and the thread that reads what it sends.

    Responses are matched to requests by id and stamped with
    ``time.perf_counter()`` as soon as their body has been read, before it
    is decoded.  Requests from the server (progress tokens, watcher
    registration) are answered with ``null`` at once.  Notifications are
    kept with their arrival time; ``wait_for`` blocks until one matches.
    """

    def __init__(self, argv: list[str], cwd: Path, stderr: BinaryIO) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in = self.proc.stdin
        self._out = self.proc.stdout
        self._write_lock = threading.Lock()
        self._cond = threading.Condition()
        self._pending: dict[Any, _Pending] = {}
        self._next_id = 0
        self.notifications: list[Notification] = []
        self.server_requests: dict[str, int] = {}
        self.capabilities: dict[str, Any] = {}
        self._reader = threading.Thread(target=self._read_loop, name="lsp-reader", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _send(self, message: dict[str, Any]) -> float:
        body = json.dumps(message, separators=(",", ":")).encode()
        header = f"Content-Length: {len(body)}\r\n\r\n".encode()
        with self._write_lock:
            sent = time.perf_counter()
            self._in.write(header + body)
            self._in.flush()
        return sent

    def _read_loop(self) -> None:
        while True:
            length = -1
            while True:
                line = self._out.readline()
                if not line:
                    self._closed()
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            body = self._out.read(length)
            arrived = time.perf_counter()
            message = json.loads(body)
            self._dispatch(message, arrived)

    def _dispatch(self, message: dict[str, Any], arrived: float) -> None:
        if "method" in message and "id" in message:
            method = message["method"]
            self.server_requests[method] = self.server_requests.get(method, 0) + 1
            self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        elif "method" in message:
            note = Notification(message["method"], message.get("params"), arrived)
            with self._cond:
                self.notifications.append(note)
                self._cond.notify_all()
        else:
            with self._cond:
                pending = self._pending.pop(message["id"], None)
            if pending is not None:
                pending.arrived, pending.message = arrived, message
                pending.done.set()

    def _closed(self) -> None:
        with self._cond:
            for pending in self._pending.values():
                pending.done.set()
            self._pending.clear()
            self._cond.notify_all()

    def request(self, method: str, params: Any) -> tuple[float, Any]:
        """(seconds from send to response, result); LspError for an error response."""
        with self._cond:
            self._next_id += 1
            request_id = self._next_id
            pending = self._pending[request_id] = _Pending()
        sent = self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        if not pending.done.wait(TIMEOUT_S) or pending.message is None:
            code = self.proc.poll()
            if code is not None:
                raise RuntimeError(f"the server exited with code {code} (see its log)")
            raise RuntimeError(f"no answer to {method} within {TIMEOUT_S:.0f} s")
        if "error" in pending.message:
            raise LspError(method, pending.message["error"])
        return pending.arrived - sent, pending.message.get("result")

    def notify(self, method: str, params: Any) -> float:
        """Send a notification; the time it was written."""
        return self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_for(
        self,
        accept: Callable[[Notification], bool],
        after: float = 0.0,
        timeout: float = TIMEOUT_S,
    ) -> Notification:
        """The first notification that arrived after ``after`` and passes ``accept``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for note in self.notifications:
                    if note.arrived >= after and accept(note):
                        return note
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise RuntimeError("the awaited notification never came")
                self._cond.wait(left)

    def close(self) -> None:
        """``shutdown`` and ``exit``, then wait for the process (killed if it hangs)."""
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None)
                self.notify("exit", None)
        except (OSError, RuntimeError, LspError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


def launch(root: Path, index_dir: Path, log: BinaryIO, embed: bool) -> LspClient:
    """Start ``codeidx serve`` and send ``initialize`` and ``initialized`` at once.

    Unless ``embed``, the server is told not to embed (``search.embed``), so
    no embedding model is loaded while navigation is measured.
    """
    # The working directory is outside the corpus: with ``-m`` it goes first
    # on sys.path, and the copied standard library would shadow the real one.
    argv = [sys.executable, "-m", "codeidx", "serve"]
    client = LspClient(argv, root.parent, log)
    params = {
        "processId": os.getpid(),
        "rootUri": uri_of(root),
        "workspaceFolders": [{"uri": uri_of(root), "name": root.name}],
        "capabilities": CAPABILITIES,
        "initializationOptions": {
            "indexDir": str(index_dir),
            "include": list(INCLUDE),
            "exclude": list(EXCLUDE),
            "search": {"embed": embed},
        },
    }
    _elapsed, result = client.request("initialize", params)
    client.capabilities = result.get("capabilities", {})
    client.notify("initialized", {})
    return client


def is_run_end(reason: str, path: str | None = None) -> Callable[[Notification], bool]:
    """Accepts the ``codeidx/indexUpdated`` notification of a run with this reason."""

    def accept(note: Notification) -> bool:
        if note.method != INDEX_UPDATED:
            return False
        if note.params["run"]["reason"] != reason:
            return False
        return path is None or path in note.params["paths"]

    return accept


# --------------------------------------------------------------------------
# Positions sampled from real occurrences.


@dataclass(frozen=True)
class Site:
    """An identifier in the corpus: 0-based line, UTF-16 column (ASCII lines only)."""

    line: int
    col: int
    name: str


@dataclass
class FileSites:
    """The sampled positions of one file, by what a request needs."""

    names: list[Site] = field(default_factory=list)
    calls: list[Site] = field(default_factory=list)
    classes: list[Site] = field(default_factory=list)
    #: Class and method definitions (a ``def`` directly in a class body).
    types_and_methods: list[Site] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)


def _site(lines: list[str], line: int, col: int, name: str) -> Site | None:
    if line >= len(lines) or not lines[line].isascii():
        return None
    if lines[line][col : col + len(name)] != name:
        return None
    return Site(line, col, name)


def _named(lines: list[str], node: ast.AST, keyword: str, name: str) -> Site | None:
    """The position of the name after ``def``/``class`` on the node's line."""
    line = getattr(node, "lineno", 0) - 1
    if line < 0 or line >= len(lines):
        return None
    found = re.search(rf"\b{keyword}\s+({re.escape(name)})\b", lines[line])
    return None if found is None else _site(lines, line, found.start(1), name)


def _attr(lines: list[str], node: ast.Attribute) -> Site | None:
    """The position of ``node.attr``, which ends where the node ends."""
    if node.end_lineno is None or node.end_col_offset is None:
        return None
    line = node.end_lineno - 1
    return _site(lines, line, node.end_col_offset - len(node.attr), node.attr)


def sites_of(text: str) -> FileSites:
    """Identifier positions of one file, found with ``ast`` (empty if it does not parse)."""
    out = FileSites()
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return out
    lines = text.split("\n")
    for node in ast.walk(tree):
        site: Site | None = None
        if isinstance(node, ast.Name):
            site = _site(lines, node.lineno - 1, node.col_offset, node.id)
            if site is not None:
                out.names.append(site)
        elif isinstance(node, ast.Attribute):
            site = _attr(lines, node)
            if site is not None:
                out.names.append(site)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                site = _site(lines, func.lineno - 1, func.col_offset, func.id)
            elif isinstance(func, ast.Attribute):
                site = _attr(lines, func)
            if site is not None:
                out.calls.append(site)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out.definitions.append(node.name)
            site = _named(lines, node, "def", node.name)
            if site is not None:
                out.calls.append(site)
        elif isinstance(node, ast.ClassDef):
            out.definitions.append(node.name)
            site = _named(lines, node, "class", node.name)
            if site is not None:
                out.classes.append(site)
                out.types_and_methods.append(site)
            for member in node.body:
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                    site = _named(lines, member, "def", member.name)
                    if site is not None:
                        out.types_and_methods.append(site)
            for base in node.bases:
                if isinstance(base, ast.Name):
                    site = _site(lines, base.lineno - 1, base.col_offset, base.id)
                elif isinstance(base, ast.Attribute):
                    site = _attr(lines, base)
                else:
                    site = None
                if site is not None:
                    out.classes.append(site)
    return out


def humps(name: str) -> str | None:
    """Camel humps of a name: ``ThreadingHTTPServer`` → ``THS``, ``get_event_loop`` → ``gel``."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+", name)
    if len(words) < 2:
        return None
    return "".join(w[0] for w in words)


def symbol_queries(names: list[str], count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(style, query, name it came from): exact names, prefixes and camel humps in turn."""
    pool = sorted({n for n in names if len(n) >= 4 and not n.startswith("__")})
    out: list[tuple[str, str, str]] = []
    styles = ("exact", "prefix", "humps")
    while len(out) < count:
        name = rng.choice(pool)
        style = styles[len(out) % len(styles)]
        if style == "exact":
            out.append((style, name, name))
        elif style == "prefix":
            out.append((style, name[: rng.randint(3, min(6, len(name) - 1))], name))
        else:
            hump = humps(name)
            if hump is not None:
                out.append((style, hump, name))
    return out


# --------------------------------------------------------------------------
# Measuring.


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class KindStats:
    times: list[float] = field(default_factory=list)
    empty: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    #: (seconds, where) of every request, to name the slowest in the report.
    where: list[tuple[float, str]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        if not self.times:
            return {"count": 0, "errors": self.errors}
        return {
            "count": len(self.times),
            "non_empty": len(self.times) - self.empty,
            "errors": self.errors,
            "p50_ms": 1000 * statistics.median(self.times),
            "p95_ms": 1000 * percentile(self.times, 0.95),
            "max_ms": 1000 * max(self.times),
            "mean_ms": 1000 * statistics.fmean(self.times),
            "first_ms": [1000 * t for t in self.times[:3]],
            "slowest": [
                {"ms": 1000 * t, "at": at} for t, at in sorted(self.where, reverse=True)[:5]
            ],
            # Every request in the order it was made, to see what the tail is made of.
            "all": [{"ms": 1000 * t, "at": at} for t, at in self.where],
            # The first request at each place only: a place drawn again may be
            # answered from the server's answer cache (``lsp.answers``).
            "first_time": self._first_time(),
        }

    def _first_time(self) -> dict[str, Any]:
        seen: set[str] = set()
        firsts: list[float] = []
        for t, at in self.where:
            if at not in seen:
                seen.add(at)
                firsts.append(t)
        return {
            "count": len(firsts),
            "repeats": len(self.where) - len(firsts),
            "p50_ms": 1000 * statistics.median(firsts) if firsts else None,
            "p95_ms": 1000 * percentile(firsts, 0.95) if firsts else None,
        }


class Session:
    """The request phase: one client, open documents, statistics per kind."""

    def __init__(self, client: LspClient, root: Path) -> None:
        self.client = client
        self.root = root
        self.stats: dict[str, KindStats] = {kind: KindStats() for kind in KINDS}
        self.open: list[str] = []
        self.opened = 0
        self.symbol_hits = {"exact": [0, 0], "prefix": [0, 0], "humps": [0, 0]}

    def ask(self, method: str, params: dict[str, Any]) -> Any:
        """Send one request and record its time; None when it failed."""
        stats = self.stats[method]
        try:
            elapsed, result = self.client.request(method, params)
        except LspError as exc:
            key = str(exc.code)
            stats.errors[key] = stats.errors.get(key, 0) + 1
            return None
        stats.times.append(elapsed)
        stats.where.append((elapsed, describe(self.root, params)))
        if not result:
            stats.empty += 1
        return result

    def count(self, method: str) -> int:
        return len(self.stats[method].times)

    def open_file(self, uri: str, text: str, window: int) -> None:
        self.client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        self.open.append(uri)
        self.opened += 1
        if len(self.open) > window:
            oldest = self.open.pop(0)
            self.client.notify("textDocument/didClose", {"textDocument": {"uri": oldest}})

    def at(self, uri: str, site: Site) -> dict[str, Any]:
        return {
            "textDocument": {"uri": uri},
            "position": {"line": site.line, "character": site.col},
        }

    def navigate(self, uri: str, site: Site) -> None:
        params = self.at(uri, site)
        self.ask("textDocument/definition", params)
        self.ask("textDocument/declaration", params)
        self.ask("textDocument/hover", params)
        self.ask("textDocument/references", {**params, "context": {"includeDeclaration": True}})
        self.ask("textDocument/documentHighlight", params)

    def calls(self, uri: str, site: Site) -> None:
        items = self.ask("textDocument/prepareCallHierarchy", self.at(uri, site))
        if items:
            self.ask("callHierarchy/incomingCalls", {"item": items[0]})
            self.ask("callHierarchy/outgoingCalls", {"item": items[0]})

    def types(self, uri: str, site: Site) -> None:
        items = self.ask("textDocument/prepareTypeHierarchy", self.at(uri, site))
        if items:
            self.ask("typeHierarchy/supertypes", {"item": items[0]})
            self.ask("typeHierarchy/subtypes", {"item": items[0]})

    def implementations(self, uri: str, site: Site) -> None:
        self.ask("textDocument/implementation", self.at(uri, site))

    def symbols(self, style: str, query: str, name: str) -> None:
        found = self.ask("workspace/symbol", {"query": query})
        hits = self.symbol_hits[style]
        hits[1] += 1
        if found and any(item["name"] == name for item in found):
            hits[0] += 1


def describe(root: Path, params: dict[str, Any]) -> str:
    """Where a request was made, for the list of the slowest: path:line:col, item or query."""
    if "query" in params:
        return f"query {params['query']!r}"
    if "item" in params:
        item = params["item"]
        line = item["selectionRange"]["start"]["line"]
        return f"item {item['name']} {item['uri'].rsplit('/', 1)[-1]}:{line + 1}"
    uri = params["textDocument"]["uri"]
    path = Path(uri.removeprefix("file://")).relative_to(root.resolve()).as_posix()
    position = params.get("position")
    if position is None:
        return path
    return f"{path}:{position['line'] + 1}:{position['character'] + 1}"


def measure_requests(
    client: LspClient,
    root: Path,
    files: list[Path],
    samples: int,
    rng: random.Random,
    window: int = OPEN_WINDOW,
) -> Session:
    """The request phase (step 2 of the module doc); ``window`` 0 opens no document."""
    session = Session(client, root)
    texts: dict[Path, str] = {}
    plans: dict[Path, FileSites] = {}
    for path in files:
        try:
            texts[path] = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        plans[path] = sites_of(texts[path])
    names = [n for plan in plans.values() for n in plan.definitions]
    queries = iter(symbol_queries(names, 4 * samples, rng))

    def short(method: str) -> bool:
        return session.count(method) < samples

    for path, plan in plans.items():
        if not any(short(kind) for kind in KINDS):
            break
        uri = uri_of(path)
        if window:
            session.open_file(uri, texts[path], window)
        if short("textDocument/documentSymbol"):
            session.ask("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
        if short("workspace/symbol"):
            session.symbols(*next(queries))
        if any(short(k) for k in KINDS[:5]):
            for site in rng.sample(plan.names, min(2, len(plan.names))):
                session.navigate(uri, site)
        if any(short(k) for k in KINDS[7:10]):
            for site in rng.sample(plan.calls, min(2, len(plan.calls))):
                session.calls(uri, site)
        if any(short(k) for k in KINDS[10:13]):
            for site in rng.sample(plan.classes, min(2, len(plan.classes))):
                session.types(uri, site)
        if short("textDocument/implementation"):
            sites = plan.types_and_methods
            for site in rng.sample(sites, min(2, len(sites))):
                session.implementations(uri, site)
    return session


def first_answer(
    root: Path, index_dir: Path, probe: tuple[Path, Site], log: BinaryIO, embed: bool
) -> dict[str, Any]:
    """Launch to the first non-empty definition answer (step 1 of the module doc)."""
    path, site = probe
    client = launch(root, index_dir, log, embed)
    try:
        initialized = time.perf_counter() - client.started
        uri = uri_of(path)
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": "python",
                    "version": 1,
                    "text": path.read_text(encoding="utf-8"),
                }
            },
        )
        params = {
            "textDocument": {"uri": uri},
            "position": {"line": site.line, "character": site.col},
        }
        attempts = 0
        while True:
            attempts += 1
            try:
                _elapsed, result = client.request("textDocument/definition", params)
            except LspError:
                result = None
            if result:
                answered = time.perf_counter() - client.started
                break
            if time.perf_counter() - client.started > TIMEOUT_S:
                raise RuntimeError("the server never answered the probe definition")
            time.sleep(0.01)
        initial = client.wait_for(is_run_end("initial"), timeout=WARM_UP_TIMEOUT_S)
        return {
            "initialize_s": initialized,
            "first_answer_s": answered,
            "attempts": attempts,
            "initial_run_end_s": initial.arrived - client.started,
            "initial_run": initial.params["run"],
        }
    finally:
        client.close()


def warm_up(root: Path, index_dir: Path, log: BinaryIO, embed: bool) -> dict[str, Any]:
    """One untimed launch that lets the server bring everything it keeps up to date.

    The index is fresh, but the server's own stores (the full-text store)
    may not be: this run waits for the initial run and for the server to go
    idle, so that the timed launches start on an existing, complete index.
    """
    client = launch(root, index_dir, log, embed)
    try:
        initial = client.wait_for(is_run_end("initial"), timeout=WARM_UP_TIMEOUT_S)
        ended = initial.arrived - client.started
        idle = wait_idle(client.pid)
        return {"initial_run_end_s": ended, "idle_after_s": idle}
    finally:
        client.close()


def probe_site(files: list[Path]) -> tuple[Path, Site]:
    """A call of a module-level function defined in the same file: it has a definition."""
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
            tree = ast.parse(text)
        except (UnicodeDecodeError, SyntaxError, ValueError):
            continue
        defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        lines = text.split("\n")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in defined
            ):
                site = _site(lines, node.func.lineno - 1, node.func.col_offset, node.func.id)
                if site is not None:
                    return path, site
    raise RuntimeError("no probe site in the corpus")


def save_target(root: Path, files: list[Path]) -> Path:
    def distance(p: Path) -> int:
        return abs(p.read_bytes().count(b"\n") - TARGET_LINES)

    return min(files, key=lambda p: (distance(p), p.relative_to(root).as_posix()))


def modified(original: str, tag: str) -> str:
    """The file with one body line changed and a new function with a fresh name."""
    lines = original.split("\n")
    for i, line in enumerate(lines):
        stripped = line.strip()
        # The first plain assignment inside a function body: safe to extend.
        if line.startswith("        ") and re.fullmatch(r"self\.\w+ = \w+", stripped):
            lines[i] = f"{line}; codeidx_bench_edit = {tag!r}"
            break
    body = "\n".join(lines).rstrip("\n")
    return f"{body}\n\n\ndef codeidx_bench_probe_{tag}():\n    return {tag!r}\n"


def measure_saves(client: LspClient, root: Path, path: Path) -> dict[str, Any]:
    """Save to updated (step 3 of the module doc); the file is restored afterwards."""
    rel = path.relative_to(root).as_posix()
    uri = uri_of(path)
    original = path.read_text(encoding="utf-8")
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": original}},
    )
    version = 1
    times: list[float] = []
    warmup = 0.0
    found = 0
    runs: list[dict[str, Any]] = []

    def save(text: str) -> tuple[float, dict[str, Any]]:
        nonlocal version
        version += 1
        path.write_text(text, encoding="utf-8")
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )
        sent = client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        note = client.wait_for(is_run_end("save", rel), after=sent)
        return note.arrived - sent, note.params["run"]

    try:
        for i in range(SAVES + 1):
            tag = f"s{os.getpid()}_{i}"
            elapsed, run = save(modified(original, tag))
            if i == 0:
                warmup = elapsed
            else:
                times.append(elapsed)
                runs.append(run)
            _t, hits = client.request("workspace/symbol", {"query": f"codeidx_bench_probe_{tag}"})
            if hits and any(h["name"] == f"codeidx_bench_probe_{tag}" for h in hits):
                found += 1
            time.sleep(0.2)
    finally:
        save(original)
    # The writer logs each run's own duration (to 10 ms) at INFO, which the
    # server forwards as window/logMessage: the part of a save spent indexing.
    runs_s = [
        float(m.group(1))
        for note in client.notifications
        if note.method == "window/logMessage"
        and (m := re.search(r"save index run \w+ in ([\d.]+) s", note.params["message"]))
    ]
    return {
        "file": rel,
        "lines": original.count("\n"),
        "logged_run_s": runs_s,
        "warmup_ms": 1000 * warmup,
        "samples_ms": [1000 * t for t in times],
        "median_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * percentile(times, 0.95),
        "min_ms": 1000 * min(times),
        "probe_found": found,
        "probe_checked": SAVES + 1,
        "files_parsed": sorted({r["filesParsed"] for r in runs}),
    }


def children_of(pid: int) -> list[int]:
    """The ids of the processes whose parent is ``pid``."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry.name))
    return out


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children, in seconds."""
    total = 0
    for p in (pid, *children_of(pid)):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, share: float = 0.05, window: float = 1.0, limit: float = 600.0) -> float:
    """Wait until the server (and its children) used under ``share`` of a core for a window.

    The end of the initial run does not end all background work (the
    full-text store follows the index after each run): requests are
    measured once the server is idle.  Returns the seconds waited.
    """
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = cpu_seconds(pid)
        time.sleep(window)
        if cpu_seconds(pid) - before < share * window:
            break
    return time.monotonic() - started


def memory_of(pid: int) -> dict[str, Any]:
    """VmRSS and VmHWM of a process and its children, and whether torch is mapped."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) * 1024
    maps = Path(f"/proc/{pid}/maps").read_text()
    children = {}
    for child in children_of(pid):
        try:
            status = Path(f"/proc/{child}/status").read_text()
            child_maps = Path(f"/proc/{child}/maps").read_text()
        except OSError:
            continue
        rss = next((ln.split()[1] for ln in status.splitlines() if ln.startswith("VmRSS")), "0")
        children[child] = {"rss_bytes": int(rss) * 1024, "torch_mapped": "torch" in child_maps}
    return {
        "rss_bytes": fields.get("VmRSS", 0),
        "hwm_bytes": fields.get("VmHWM", 0),
        "torch_mapped": "torch" in maps,
        "children": children,
    }


# --------------------------------------------------------------------------
# Report.


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return "-"
    return "PASS" if value < target else "FAIL"


def table(report: dict[str, Any]) -> str:
    rows = [f"{'measure':<36} {'n':>5} {'p50':>9} {'p95':>9} {'target':>10}  result"]
    for kind in KINDS:
        s = report["requests"][kind]
        target = TARGET_P95_S[kind]
        label = "-" if target is None else f"p95<{1000 * target:.0f}ms"
        if not s["count"]:
            rows.append(f"{kind:<36} {0:>5} {'-':>9} {'-':>9} {label:>10}  FAIL")
            continue
        rows.append(
            f"{kind:<36} {s['count']:>5} {s['p50_ms']:>7.1f}ms {s['p95_ms']:>7.1f}ms"
            f" {label:>10}  {verdict(s['p95_ms'] / 1000, target)}"
        )
    repeated = [k for k in KINDS if report["requests"][k].get("first_time", {}).get("repeats")]
    if repeated:
        rows.append("first request at each place (repeats may come from the answer cache):")
        for kind in repeated:
            first = report["requests"][kind]["first_time"]
            rows.append(
                f"  {kind:<34} {first['count']:>5} {first['p50_ms']:>7.1f}ms"
                f" {first['p95_ms']:>7.1f}ms   ({first['repeats']} repeats left out)"
            )
    saves = report["save"]
    rows.append(
        f"{'save to codeidx/indexUpdated':<36} {len(saves['samples_ms']):>5}"
        f" {saves['median_ms']:>7.1f}ms {saves['p95_ms']:>7.1f}ms {'p95<100ms':>10}"
        f"  {verdict(saves['p95_ms'] / 1000, TARGET_SAVE_S)}"
    )
    launches = [x["first_answer_s"] for x in report["launch"]]
    worst = max(launches)
    rows.append(
        f"{'launch to first definition':<36} {len(launches):>5}"
        f" {1000 * statistics.median(launches):>7.0f}ms {1000 * worst:>7.0f}ms"
        f" {'max<1s':>10}  {verdict(worst, TARGET_FIRST_ANSWER_S)}"
    )
    memory = report["memory"]["after_saves"]
    rows.append(
        f"{'server RSS (VmRSS / VmHWM)':<36} {'':>5} {memory['rss_bytes'] / 1e6:>7.0f}MB"
        f" {memory['hwm_bytes'] / 1e6:>7.0f}MB {'<400MB':>10}"
        f"  {verdict(memory['hwm_bytes'], TARGET_RSS_BYTES)}"
    )
    return "\n".join(rows)


def engine_version() -> dict[str, Any]:
    def git(*args: str) -> str:
        run = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return run.stdout.strip()

    import codeidx

    return {
        # The package the script and the server import (PYTHONPATH may name a checkout).
        "source": str(Path(codeidx.__file__).resolve().parent),
        "head": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "server")),
    }


def prepare(work: Path) -> tuple[Path, Path, dict[str, Any]]:
    """The corpus copy and its index under ``work`` (made once, reused when present)."""
    root, index_dir = work / "corpus", work / "index"
    info: dict[str, Any] = {"reused": root.is_dir() and index_dir.is_dir()}
    if not info["reused"]:
        if root.exists():
            shutil.rmtree(root)
        if index_dir.exists():
            shutil.rmtree(index_dir)
        copy_corpus(stdlib_root(), root)
        from codeidx.index.pipeline import IndexOptions, run_index

        started = time.perf_counter()
        result = run_index(root, index_dir, IndexOptions(include=INCLUDE, exclude=EXCLUDE))
        info["index_s"] = time.perf_counter() - started
        info["index_status"] = result.status
    return root, index_dir, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=SAMPLES_DEFAULT, help="requests per kind")
    parser.add_argument("--json", type=Path, default=OUT_DEFAULT, help="where to write figures")
    parser.add_argument(
        "--reuse", type=Path, help="keep the corpus and index in this folder and reuse them"
    )
    parser.add_argument(
        "--embed", action="store_true", help="let the server embed (load its model) meanwhile"
    )
    parser.add_argument(
        "--open-window",
        type=int,
        default=OPEN_WINDOW,
        help="documents kept open during the request phase (0: ask about closed files only)",
    )
    args = parser.parse_args(argv)
    if args.samples < 1:
        parser.error("--samples must be at least 1")

    load_start = os.getloadavg()
    work = args.reuse if args.reuse is not None else Path(tempfile.mkdtemp(prefix="codeidx-lsp-"))
    work.mkdir(parents=True, exist_ok=True)
    log_path = work / "server.log"
    try:
        root, index_dir, corpus = prepare(work)
        files = corpus_files(root)
        target = save_target(root, files)
        rng = random.Random(SEED)
        order = [p for p in files if p != target]
        rng.shuffle(order)
        probe = probe_site(order)
        with log_path.open("ab") as log:
            warmup = warm_up(root, index_dir, log, args.embed)
            launches = [
                first_answer(root, index_dir, probe, log, args.embed) for _ in range(LAUNCHES)
            ]
            client = launch(root, index_dir, log, args.embed)
            try:
                initial = client.wait_for(is_run_end("initial"), timeout=WARM_UP_TIMEOUT_S)
                idle_wait = wait_idle(client.pid)
                memory_idle = memory_of(client.pid)
                began = time.perf_counter()
                session = measure_requests(client, root, order, args.samples, rng, args.open_window)
                request_wall = time.perf_counter() - began
                load_requests = os.getloadavg()
                memory_requests = memory_of(client.pid)
                saves = measure_saves(client, root, target)
                memory_saves = memory_of(client.pid)
                server_requests = dict(client.server_requests)
                capabilities = client.capabilities
                messages = [
                    n.params for n in client.notifications if n.method == "window/logMessage"
                ]
            finally:
                client.close()
        load_end = os.getloadavg()
        report: dict[str, Any] = {
            "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "machine": {
                "cores": os.cpu_count(),
                "python": platform.python_version(),
                "load_start": load_start,
                "load_after_requests": load_requests,
                "load_end": load_end,
            },
            "engine": engine_version(),
            "corpus": {"root": str(root), "files": len(files), **corpus},
            "samples_per_kind": args.samples,
            "open_window": args.open_window,
            "embed": args.embed,
            "warm_up": warmup,
            "idle_wait_s": idle_wait,
            "launch": launches,
            "initial_run": initial.params["run"],
            "request_phase_s": request_wall,
            "requests": {kind: session.stats[kind].summary() for kind in KINDS},
            "workspace_symbol_hits": session.symbol_hits,
            "files_opened": session.opened,
            "save": saves,
            "memory": {
                "after_initial_run": memory_idle,
                "after_requests": memory_requests,
                "after_saves": memory_saves,
            },
            "server_requests": server_requests,
            "implementation_served": "implementationProvider" in capabilities,
            "providers": sorted(k for k in capabilities if k.endswith("Provider")),
            "server_log_messages": messages[:20],
        }
    finally:
        if args.reuse is None:
            shutil.rmtree(work, ignore_errors=True)
    text = table(report)
    print(text)
    print(f"load average: start {load_start}, end {load_end}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    args.json.with_suffix(".txt").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
