"""Open buffers as the query layer sees them, and their records in the index's shapes.

A ``Buffer`` is an open file's path, language and current text, with a way
to extract its records (``parse.extract``: the same queries the indexer
runs, so nothing here knows a language).  ``build_live_file`` turns one
into a ``LiveFile``: its definitions with the stable ids the indexer would
give them (``store.files.node_ids``) as ``NodeRow`` and ``Def`` records, and
its occurrences, locals and imports as ``FileFacts``, which is what
resolution reads.  Import targets are taken from the indexed version of the
same import statement, and resolved anew only for new imports.
``LiveCache`` keeps live files between requests while neither the buffer
nor the index changed.  ``query.overlay`` answers questions with them.

Reads the index through ``store`` functions only; knows no LSP.  Any thread
may build a live file with a read connection it owns.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from codeidx.parse import registry
from codeidx.parse.extract import Extractor
from codeidx.parse.hooks import Workspace
from codeidx.parse.records import NodeRecord, ParseResult
from codeidx.query.types import SourceLines
from codeidx.store import symbols
from codeidx.store.files import node_ids
from codeidx.store.nodes import NodeRow
from codeidx.store.occurrences import pack_table
from codeidx.store.symbols import Def, FileFacts, FileNode, ImportFact


@dataclass(frozen=True, slots=True)
class Buffer:
    """An open file as the user sees it.

    ``extract(module_name)`` returns the records of ``text`` (the caller may
    parse incrementally and cache them); ``module_name`` is the name the
    index gives the file, so qualified names and ids match the indexer's.
    """

    path: str
    language: str
    text: str
    extract: Callable[[str], ParseResult]
    #: Stands for this text: equal keys mean equal texts, so what was built
    #: from the text may be reused (``LiveCache``).  None: never reused.
    key: object = None


class LiveCache:
    """Live files built for earlier requests, reused while buffer and index stay the same.

    A live file depends on its buffer's text (``Buffer.key``) and on what the
    index says about the file (its id, module name and import targets), so
    entries are keyed by both: the caller passes a ``generation`` that
    changes whenever the index may have changed.  Any thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, tuple[object, object, LiveFile]] = {}

    def get(self, path: str, key: object, generation: object) -> LiveFile | None:
        with self._lock:
            found = self._files.get(path)
        if found is None or found[0] is not key or found[1] != generation:
            return None
        return found[2]

    def put(self, path: str, key: object, generation: object, live: LiveFile) -> None:
        with self._lock:
            self._files[path] = (key, generation, live)

    def keep(self, paths: set[str]) -> None:
        """Forget the files of buffers that closed."""
        with self._lock:
            for path in set(self._files) - paths:
                del self._files[path]


def buffer_of(path: str, text: str) -> Buffer | None:
    """A buffer parsed from scratch on each extraction; None for a file codeidx does not index.

    For callers without an incremental parse of their own (the CLI, tests).
    """
    language = registry.language_for_path(path)
    if language is None:
        return None
    data = text.encode("utf-8", "replace")

    def extract(module_name: str) -> ParseResult:
        return Extractor().parse(language, data, module_name)

    return Buffer(path, language, text, extract)


def split_lines(text: str) -> list[str]:
    """A text's lines as the index counts them: split on ``\\n``, ``\\r`` stripped."""
    return [line.rstrip("\r") for line in text.split("\n")]


@dataclass(slots=True)
class LiveFile:
    """One buffer's records in the shapes the index and resolution use."""

    path: str
    language: str
    file_id: int  # the indexed file's id, or a negative stand-in for a new file
    lines: list[str]
    result: ParseResult
    facts: FileFacts
    rows: list[NodeRow]
    by_id: dict[int, NodeRow]
    records: dict[int, NodeRecord]
    defs: dict[str, list[Def]]


class LiveSource(SourceLines):
    """Line texts, from the buffer for a live file and from disk otherwise."""

    def __init__(self, root: Path, live: Mapping[str, list[str]], blank: bool = False) -> None:
        super().__init__(root, blank=blank)
        self._live = live

    def lines(self, path: str) -> list[str]:
        found = self._live.get(path)
        return found if found is not None else SourceLines.lines(self, path)


def build_live_file(
    conn: sqlite3.Connection, buf: Buffer, stand_in: int, workspace: Callable[[], Workspace]
) -> LiveFile:
    """A buffer's records in the shapes of the index (see module doc); reads the index."""
    file_id = symbols.file_id_for(conn, buf.path)
    old = symbols.file_facts(conn, file_id, with_occurrences=False) if file_id is not None else None
    module = old.module_name if old is not None else _module_name(buf, workspace)
    result = buf.extract(module)
    module = result.nodes[0].qualified_name if result.nodes else module
    fid = file_id if file_id is not None else stand_in
    ids = node_ids(buf.path, result.nodes)
    rows: list[NodeRow] = []
    records: dict[int, NodeRecord] = {}
    defs: dict[str, list[Def]] = {}
    file_nodes: list[FileNode] = []
    for n, nid in zip(result.nodes, ids, strict=True):
        parent = result.nodes[n.parent] if n.parent is not None else None
        parent_id = ids[n.parent] if n.parent is not None else None
        rows.append(_row(n, nid, fid, buf.path, result.language, parent_id))
        records[nid] = n
        bases = tuple((str(r), str(t)) for r, t in n.bases)
        file_nodes.append(
            FileNode(
                nid,
                n.ordinal,
                n.parent,
                n.kind,
                n.name,
                n.span.start_byte,
                n.span.end_byte,
                bases,
            )
        )
        if n.kind != "module":
            defs.setdefault(n.name, []).append(
                Def(
                    nid,
                    n.kind,
                    n.name,
                    fid,
                    parent_id,
                    parent.kind if parent is not None else None,
                    parent.name if parent is not None else None,
                    module,
                    result.language,
                    n.qualified_name,
                    json.dumps(n.bases) if n.bases else None,
                    parent is not None and parent.kind == "module",
                )
            )
    packed = pack_table(result.occurrence_table)
    facts = FileFacts(
        fid,
        buf.path,
        result.language,
        module,
        file_nodes,
        _imports(buf, result, old, workspace),
        dict(result.locals),
        list(packed.receivers),
        {name: blob for name, (_count, blob) in packed.groups.items()},
    )
    return LiveFile(
        buf.path,
        result.language,
        fid,
        split_lines(buf.text),
        result,
        facts,
        rows,
        {row.node_id: row for row in rows},
        records,
        defs,
    )


def _imports(
    buf: Buffer, result: ParseResult, old: FileFacts | None, workspace: Callable[[], Workspace]
) -> list[ImportFact]:
    """The live imports, with targets from the indexed statement where it is unchanged."""
    known: dict[tuple[str, str, bool, int], str | None] = {}
    for fact in old.imports if old is not None else []:
        known.setdefault((fact.kind, fact.module, fact.relative, fact.level), fact.target_path)
    hooks = registry.hooks(result.language).HOOKS
    out = []
    for imp in result.imports:
        key = (imp.kind, imp.module, imp.relative, imp.level)
        target = known[key] if key in known else hooks.resolve_import(imp, buf.path, workspace())
        out.append(
            ImportFact(
                imp.kind,
                imp.module,
                [(n.name, n.alias) for n in imp.names],
                imp.bind,
                imp.relative,
                imp.level,
                target,
                imp.line,
            )
        )
    return out


def _module_name(buf: Buffer, workspace: Callable[[], Workspace]) -> str:
    hooks = registry.hooks(buf.language).HOOKS
    return str(hooks.module_name(buf.path, workspace()))


def stand_in_id(path: str) -> int:
    """A negative file id for a buffer the index does not hold, the same in every request."""
    digest = hashlib.blake2b(path.encode(), digest_size=6).digest()
    return -1 - int.from_bytes(digest, "little")


def _row(
    n: NodeRecord, nid: int, file_id: int, path: str, language: str, parent_id: int | None
) -> NodeRow:
    name = n.name_span
    return NodeRow(
        nid,
        file_id,
        path,
        language,
        n.kind,
        n.name,
        n.qualified_name,
        n.signature,
        parent_id,
        n.ordinal,
        n.span.start_line,
        n.span.end_line,
        name.start_line,
        name.start_col,
        name.end_col,
    )
