"""Writing and reading files and their rows (nodes, occurrences, imports).

Only the writer calls the ``write_*``/``delete_*``/``restore_*`` functions,
on its own connection, inside a transaction it opened; each replaces one
file completely so a crash leaves either the old version or the new one.
Readers use the ``load_*`` functions on their own connections.  No LSP and no
tree-sitter here.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import sqlite3
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from codeidx.parse.records import ImportedName, ImportRecord, NodeRecord, Problem
from codeidx.store.occurrences import PackedOccurrences
from codeidx.store.symbols import Def, is_top

#: Replaced file versions kept for branch switches, newest first.
MAX_SNAPSHOTS = 4000


@dataclass(slots=True)
class FileRows:
    """Everything stored for one file version (built by the index layer)."""

    path: str
    language: str
    module_name: str
    size: int
    mtime_ns: int
    content_hash: str
    line_count: int
    error_count: int
    problems: list[Problem]
    nodes: list[NodeRecord]
    occurrences: PackedOccurrences
    imports: list[ImportRecord]
    locals: dict[int, list[str]] = field(default_factory=dict)
    targets: list[str | None] = field(default_factory=list)  # resolved path per import
    #: The nodes as ``nodes`` row values (``prepare_nodes``), when built where
    #: the file was parsed: plain tuples cross a process boundary several
    #: times cheaper than records, and the single writer has less to do.
    #: ``nodes`` is then left empty.
    prepared_nodes: list[tuple[object, ...]] | None = None


@dataclass(slots=True)
class Fingerprint:
    """What the index knows of a file to decide whether it changed."""

    file_id: int
    size: int
    mtime_ns: int
    content_hash: str
    language: str
    #: The session that last wrote the file's rows.
    session_id: int


@dataclass(slots=True)
class FileDelta:
    """How one write changed a file's definitions (for change tracking)."""

    file_id: int
    change: str  # created | modified
    previous_hash: str | None
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    added_names: set[str] = field(default_factory=set)
    #: A definition's declared supertypes changed: subclasses elsewhere re-link.
    bases_changed: bool = False
    #: The file's imports changed: what it re-exports may resolve elsewhere.
    imports_changed: bool = False
    #: Edges deleted with the file (only when the file itself is deleted).
    edges_removed: int = 0


def node_id(
    path: str, qualified_name: str, kind: str, disambiguator: int, parent_id: int | None = None
) -> int:
    """The stable id of a definition: unchanged symbols keep it across parses.

    The parent's id is part of the key because two same-named containers in
    one scope (told apart by their disambiguator) may hold same-named members.
    """
    key = f"{path}\0{qualified_name}\0{kind}\0{disambiguator}\0{parent_id or 0}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little") >> 1


def node_ids(path: str, nodes: list[NodeRecord]) -> list[int]:
    """Stable ids of a file's nodes (parents always precede their children)."""
    ids: list[int] = []
    for n in nodes:
        parent = ids[n.parent] if n.parent is not None else None
        ids.append(node_id(path, n.qualified_name, n.kind, n.disambiguator, parent))
    return ids


class NameTable:
    """Interns identifier names for one writer connection (cached ids).

    When the table was empty at the start of a run every name not in the
    cache is new: ids are handed out in order (as SQLite would) and a file's
    new names are inserted in one statement, without a lookup first.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._ids: dict[str, int] = {}
        self._fresh = conn.execute("SELECT 1 FROM names LIMIT 1").fetchone() is None

    def ids(self, names: list[str]) -> list[int]:
        cache = self._ids
        if self._fresh:
            new = list(dict.fromkeys(name for name in names if name not in cache))
            if new:
                first = len(cache) + 1
                # The table was empty and only this writer adds to it during
                # the run, so ids 1, 2, ... follow the order of first use.
                numbered = list(zip(range(first, first + len(new)), new, strict=True))
                self._conn.executemany("INSERT INTO names (name_id, name) VALUES (?, ?)", numbered)
                cache.update((name, nid) for nid, name in numbered)
            return [cache[name] for name in names]
        out: list[int] = []
        conn = self._conn
        for name in names:
            nid = cache.get(name)
            if nid is None:
                row = conn.execute("SELECT name_id FROM names WHERE name = ?", (name,)).fetchone()
                if row is None:
                    cur = conn.execute("INSERT INTO names (name) VALUES (?)", (name,))
                    nid = int(cur.lastrowid or 0)
                else:
                    nid = int(row[0])
                cache[name] = nid
            out.append(nid)
        return out

    def settle(self) -> None:
        """End of a run: other writers may add names before the next one."""
        self._fresh = False

    def forget(self) -> None:
        """Drop cached ids (after a rollback they may not exist)."""
        self._ids.clear()
        self._fresh = False


def load_fingerprints(
    conn: sqlite3.Connection, paths: Iterable[str] | None = None
) -> dict[str, Fingerprint]:
    """path → fingerprint of every indexed file, or of the given paths only."""
    sql = "SELECT file_id, path, size, mtime_ns, content_hash, language, session_id FROM files"
    if paths is None:
        rows = conn.execute(sql).fetchall()
    else:
        wanted = list(paths)
        rows = []
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows += conn.execute(f"{sql} WHERE path IN ({marks})", chunk).fetchall()
    return {
        path: Fingerprint(fid, size, mtime, digest, lang, session)
        for fid, path, size, mtime, digest, lang, session in rows
    }


def has_files(conn: sqlite3.Connection) -> bool:
    """Whether the index holds any file."""
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM files)").fetchone()[0])


def indexed_paths(conn: sqlite3.Connection) -> set[str]:
    """The path of every indexed file (a narrow scan of the unique path index)."""
    return {path for (path,) in conn.execute("SELECT path FROM files")}


def file_id_of(conn: sqlite3.Connection, path: str) -> int | None:
    """The id of an indexed file, or None (on the writer's connection)."""
    row = conn.execute("SELECT file_id FROM files WHERE path = ?", (path,)).fetchone()
    return int(row[0]) if row is not None else None


def snapshot_hashes(
    conn: sqlite3.Connection, paths: Iterable[str] | None = None
) -> dict[str, frozenset[str]]:
    """path → content hashes of its restorable replaced versions (all, or these paths)."""
    found: dict[str, set[str]] = {}
    if paths is None:
        rows = conn.execute("SELECT path, content_hash FROM snapshots").fetchall()
    else:
        wanted = list(paths)
        rows = []
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows += conn.execute(
                f"SELECT path, content_hash FROM snapshots WHERE path IN ({marks})", chunk
            ).fetchall()
    for path, digest in rows:
        found.setdefault(str(path), set()).add(str(digest))
    return {k: frozenset(v) for k, v in found.items()}


def touch_file(conn: sqlite3.Connection, file_id: int, size: int, mtime_ns: int) -> None:
    """Record a new mtime for a file whose content hash did not change."""
    conn.execute(
        "UPDATE files SET size = ?, mtime_ns = ? WHERE file_id = ?", (size, mtime_ns, file_id)
    )


def write_file(
    conn: sqlite3.Connection, rows: FileRows, session_id: int, names: NameTable
) -> FileDelta:
    """Replace a file's rows with a new version (caller holds the transaction)."""
    old = conn.execute(
        "SELECT file_id, content_hash FROM files WHERE path = ?", (rows.path,)
    ).fetchone()
    old_nodes: dict[int, tuple[str, str, str | None]] = {}
    if old is not None:
        file_id, previous = int(old[0]), str(old[1])
        old_nodes = {
            int(nid): (bh, name, bases)
            for nid, bh, name, bases in conn.execute(
                "SELECT node_id, body_hash, name, bases FROM nodes WHERE file_id = ?", (file_id,)
            )
        }
        if previous != rows.content_hash:
            _snapshot(conn, file_id, rows.path, previous)
        old_imports = _import_keys(conn, file_id)
        _delete_rows(conn, file_id)
        _store_file_row(conn, rows.path, _file_values(rows), session_id, file_id)
        delta = FileDelta(file_id, "modified", previous)
        delta.imports_changed = old_imports != [
            (imp.module, _names_json(imp), imp.bind, target)
            for imp, target in zip(rows.imports, _targets(rows), strict=True)
        ]
    else:
        file_id = _store_file_row(conn, rows.path, _file_values(rows), session_id, None)
        delta = FileDelta(file_id, "created", None)
    prepared = rows.prepared_nodes
    if prepared is None:
        prepared = prepare_nodes(rows.path, rows.nodes)
    conn.executemany(
        "INSERT OR REPLACE INTO nodes (node_id, file_id, ordinal, parent_id, kind, name,"
        " qualified_name, visibility, signature, doc, decorators, params, type_params, bases,"
        " start_byte, end_byte, start_line, start_col, end_line, end_col, name_start_byte,"
        " name_end_byte, name_line, name_col, name_end_col, body_hash, disambiguator)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(v[0], file_id, *v[2:]) for v in prepared],
    )
    groups = rows.occurrences.groups
    name_list = list(groups)
    # Sorted by key so the clustered table is appended to, not split.
    conn.executemany(
        "INSERT INTO occurrences (file_id, name_id, count, data) VALUES (?, ?, ?, ?)",
        sorted(
            (file_id, nid, *groups[name])
            for nid, name in zip(names.ids(name_list), name_list, strict=True)
        ),
    )
    conn.executemany(
        "INSERT INTO file_deps (file_id, line, kind, text, module, names, bind, is_relative,"
        " level, is_external, target_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            _dep_values(file_id, imp, target)
            for imp, target in zip(rows.imports, _targets(rows), strict=True)
        ],
    )
    new_nodes = {
        cast(int, v[_NODE_ID]): (str(v[_BODY_HASH]), str(v[_NAME]), v[_BASES]) for v in prepared
    }
    for nid, (bh, name, bases) in new_nodes.items():
        before = old_nodes.get(nid)
        if before is None:
            delta.added.append(nid)
            delta.added_names.add(name)
        elif before[0] != bh or before[2] != bases:
            delta.changed.append(nid)
            if before[2] != bases:
                delta.bases_changed = True
    delta.removed = [nid for nid in old_nodes if nid not in new_nodes]
    return delta


def _targets(rows: FileRows) -> list[str | None]:
    return [rows.targets[i] if i < len(rows.targets) else None for i in range(len(rows.imports))]


def _names_json(imp: ImportRecord) -> str | None:
    return json.dumps([[n.name, n.alias] for n in imp.names]) if imp.names else None


def _import_keys(
    conn: sqlite3.Connection, file_id: int
) -> list[tuple[str, str | None, str | None, str | None]]:
    return [
        (str(m), names, bind, target)
        for m, names, bind, target in conn.execute(
            "SELECT module, names, bind, target_path FROM file_deps WHERE file_id = ?"
            " ORDER BY dep_id",
            (file_id,),
        )
    ]


@dataclass(frozen=True, slots=True)
class StoredImport:
    """An import record as stored, with its row, its file and its resolved target."""

    dep_id: int
    file_id: int
    path: str
    record: ImportRecord
    target: str | None


def stored_imports(conn: sqlite3.Connection) -> list[StoredImport]:
    """Every stored import record, decoded as written (``_dep_values``), in file order."""
    rows = conn.execute(
        "SELECT d.dep_id, d.file_id, f.path, d.line, d.kind, d.text, d.module, d.names,"
        " d.bind, d.is_relative, d.level, d.target_path"
        " FROM file_deps d JOIN files f ON f.file_id = d.file_id"
        " ORDER BY f.path, d.dep_id"
    )
    out: list[StoredImport] = []
    for (
        dep_id,
        file_id,
        path,
        line,
        kind,
        text_,
        module,
        names,
        bind,
        relative,
        level,
        target,
    ) in rows:
        record = ImportRecord(
            str(text_),
            str(module),
            int(line),
            names=[ImportedName(str(n), a) for n, a in json.loads(names)] if names else [],
            relative=bool(relative),
            level=int(level),
            bind=bind,
            kind=str(kind),
        )
        out.append(StoredImport(int(dep_id), int(file_id), str(path), record, target))
    return out


def set_import_targets(conn: sqlite3.Connection, targets: list[tuple[str | None, int]]) -> None:
    """Store new target paths, as (target or None, dep id) (caller holds the transaction)."""
    conn.executemany(
        "UPDATE file_deps SET target_path = ?, is_external = ? WHERE dep_id = ?",
        [(target, int(target is None), dep_id) for target, dep_id in targets],
    )


def delete_file(conn: sqlite3.Connection, path: str) -> FileDelta | None:
    """Remove a vanished file and its rows; returns what it held."""
    old = conn.execute("SELECT file_id, content_hash FROM files WHERE path = ?", (path,)).fetchone()
    if old is None:
        return None
    file_id = int(old[0])
    removed = [
        int(r[0]) for r in conn.execute("SELECT node_id FROM nodes WHERE file_id = ?", (file_id,))
    ]
    _snapshot(conn, file_id, path, str(old[1]))
    _delete_rows(conn, file_id)
    edges_removed = conn.execute("DELETE FROM edges WHERE file_id = ?", (file_id,)).rowcount
    conn.execute("DELETE FROM files WHERE file_id = ?", (file_id,))
    return FileDelta(file_id, "deleted", str(old[1]), removed=removed, edges_removed=edges_removed)


def _delete_rows(conn: sqlite3.Connection, file_id: int) -> None:
    conn.execute("DELETE FROM nodes WHERE file_id = ?", (file_id,))
    conn.execute("DELETE FROM occurrences WHERE file_id = ?", (file_id,))
    conn.execute("DELETE FROM file_deps WHERE file_id = ?", (file_id,))


def _store_file_row(
    conn: sqlite3.Connection,
    path: str,
    values: tuple[object, ...],
    session_id: int,
    file_id: int | None,
) -> int:
    """Insert or update a file's row (``values`` as ``_file_values`` orders them).

    The row is marked unlinked: its edges are computed after it is written.
    """
    if file_id is not None:
        conn.execute(
            "UPDATE files SET language = ?, module_name = ?, size = ?, mtime_ns = ?,"
            " content_hash = ?, line_count = ?, error_count = ?, problems = ?, locals = ?,"
            " receivers = ?, linked = 0, session_id = ? WHERE file_id = ?",
            (*values, session_id, file_id),
        )
        return file_id
    cur = conn.execute(
        "INSERT INTO files (path, language, module_name, size, mtime_ns, content_hash,"
        " line_count, error_count, problems, locals, receivers, linked, session_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
        (path, *values, session_id),
    )
    return int(cur.lastrowid or 0)


def _file_values(rows: FileRows) -> tuple[object, ...]:
    problems = (
        json.dumps([[p.reason, p.detail, p.line] for p in rows.problems]) if rows.problems else None
    )
    return (
        rows.language,
        rows.module_name,
        rows.size,
        rows.mtime_ns,
        rows.content_hash,
        rows.line_count,
        rows.error_count,
        problems,
        marshal.dumps(rows.locals) if rows.locals else None,
        marshal.dumps(rows.occurrences.receivers) if rows.occurrences.receivers else None,
    )


def _bases_json(n: NodeRecord) -> str | None:
    return json.dumps(n.bases) if n.bases else None


# Positions in a ``nodes`` row (the columns of migrations/0001_initial.sql).
_NODE_ID, _PARENT_ID, _KIND, _NAME, _QUALIFIED_NAME, _BASES, _BODY_HASH = 0, 3, 4, 5, 6, 13, 25


def written_defs(file_id: int, rows: FileRows) -> list[Def]:
    """The definitions ``write_file`` stored for ``rows``, as ``symbols.all_defs`` reads them.

    A bulk build collects them while writing, so linking the new index does
    not read every definition back in one serial step between parsing and
    linking (0.6 s on the standard library, with one core idle).
    """
    prepared = rows.prepared_nodes
    if prepared is None:
        prepared = prepare_nodes(rows.path, rows.nodes)
    by_id = {v[_NODE_ID]: v for v in prepared}
    out = []
    for v in prepared:
        kind = cast(str, v[_KIND])
        if kind == "module":
            continue
        parent_id = cast("int | None", v[_PARENT_ID])
        parent = by_id.get(parent_id) if parent_id is not None else None
        parent_kind = cast("str | None", parent[_KIND]) if parent is not None else None
        out.append(
            Def(
                cast(int, v[_NODE_ID]),
                kind,
                cast(str, v[_NAME]),
                file_id,
                parent_id,
                parent_kind,
                cast("str | None", parent[_NAME]) if parent is not None else None,
                rows.module_name,
                rows.language,
                cast(str, v[_QUALIFIED_NAME]),
                cast("str | None", v[_BASES]),
                is_top(kind, parent_kind),
            )
        )
    return out


def prepare_nodes(path: str, nodes: list[NodeRecord]) -> list[tuple[object, ...]]:
    """A file's nodes as ``nodes`` row values, with file id 0 until written.

    Pure: parse workers call it so the writer only inserts.
    """
    ids = node_ids(path, nodes)
    return [_node_values(n, ids[i], 0, ids) for i, n in enumerate(nodes)]


def _node_values(n: NodeRecord, nid: int, file_id: int, ids: list[int]) -> tuple[object, ...]:
    s, ns = n.span, n.name_span
    return (
        nid,
        file_id,
        n.ordinal,
        ids[n.parent] if n.parent is not None else None,
        n.kind,
        n.name,
        n.qualified_name,
        n.visibility,
        n.signature,
        n.doc,
        json.dumps(n.decorators) if n.decorators else None,
        json.dumps([[p.name, p.type, p.default, p.variadic] for p in n.params])
        if n.params
        else None,
        json.dumps([[t.name, t.constraint] for t in n.type_params]) if n.type_params else None,
        _bases_json(n),
        s.start_byte,
        s.end_byte,
        s.start_line,
        s.start_col,
        s.end_line,
        s.end_col,
        ns.start_byte,
        ns.end_byte,
        ns.start_line,
        ns.start_col,
        ns.end_col,
        n.body_hash,
        n.disambiguator,
    )


def _dep_values(file_id: int, imp: ImportRecord, target: str | None) -> tuple[object, ...]:
    return (
        file_id,
        imp.line,
        imp.kind,
        imp.text,
        imp.module,
        _names_json(imp),
        imp.bind,
        int(imp.relative),
        imp.level,
        int(target is None),
        target,
    )


# Snapshots: a replaced version's rows, restorable without parsing.

_SNAPSHOT_TABLES = (
    ("nodes", "SELECT * FROM nodes WHERE file_id = ?"),
    ("occurrences", "SELECT * FROM occurrences WHERE file_id = ?"),
    ("file_deps", "SELECT * FROM file_deps WHERE file_id = ?"),
)


def _snapshot(conn: sqlite3.Connection, file_id: int, path: str, content_hash: str) -> None:
    file_row = conn.execute(
        "SELECT language, module_name, size, mtime_ns, content_hash, line_count, error_count,"
        " problems, locals, receivers FROM files WHERE file_id = ?",
        (file_id,),
    ).fetchone()
    tables = {
        name: [tuple(r) for r in conn.execute(sql, (file_id,))] for name, sql in _SNAPSHOT_TABLES
    }
    data = zlib.compress(marshal.dumps((tuple(file_row), tables)), 1)
    conn.execute(
        "INSERT OR REPLACE INTO snapshots (content_hash, path, created_at, data)"
        " VALUES (?, ?, ?, ?)",
        (content_hash, path, time.time(), data),
    )


def has_snapshot(conn: sqlite3.Connection, path: str, content_hash: str) -> bool:
    """Whether a replaced version with this content can be restored."""
    return (
        conn.execute(
            "SELECT 1 FROM snapshots WHERE content_hash = ? AND path = ?", (content_hash, path)
        ).fetchone()
        is not None
    )


def restore_snapshot(
    conn: sqlite3.Connection, path: str, content_hash: str, mtime_ns: int, session_id: int
) -> FileDelta | None:
    """Bring back a replaced version's rows without parsing (caller holds the transaction)."""
    row = conn.execute(
        "SELECT data FROM snapshots WHERE content_hash = ? AND path = ?", (content_hash, path)
    ).fetchone()
    if row is None:
        return None
    file_row, tables = marshal.loads(zlib.decompress(row[0]))
    values = (*file_row[:3], mtime_ns, *file_row[4:])  # the file as it is now on disk
    old = conn.execute("SELECT file_id, content_hash FROM files WHERE path = ?", (path,)).fetchone()
    old_nodes: dict[int, tuple[str, str | None]] = {}
    old_imports: list[tuple[str, str | None, str | None, str | None]] = []
    if old is not None:
        file_id = int(old[0])
        old_nodes = {
            int(a): (str(b), c)
            for a, b, c in conn.execute(
                "SELECT node_id, body_hash, bases FROM nodes WHERE file_id = ?", (file_id,)
            )
        }
        if old[1] != content_hash:
            _snapshot(conn, file_id, path, str(old[1]))
        old_imports = _import_keys(conn, file_id)
        _delete_rows(conn, file_id)
        _store_file_row(conn, path, values, session_id, file_id)
        delta = FileDelta(file_id, "modified", str(old[1]))
    else:
        file_id = _store_file_row(conn, path, values, session_id, None)
        delta = FileDelta(file_id, "created", None)
    for table, rows in tables.items():
        if not rows:
            continue
        fixed = [_with_file_id(table, r, file_id) for r in rows]
        marks = ", ".join("?" * len(fixed[0]))
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", fixed)
    conn.execute("DELETE FROM snapshots WHERE content_hash = ? AND path = ?", (content_hash, path))
    new_nodes = {
        int(r[_NODE_ID]): (str(r[_BODY_HASH]), str(r[_NAME]), r[_BASES]) for r in tables["nodes"]
    }
    for nid, (bh, name, bases) in new_nodes.items():
        before = old_nodes.get(nid)
        if before is None:
            delta.added.append(nid)
            delta.added_names.add(name)
        elif before != (bh, bases):
            delta.changed.append(nid)
            delta.bases_changed = delta.bases_changed or before[1] != bases
    delta.removed = [nid for nid in old_nodes if nid not in new_nodes]
    # file_deps columns: 5 module, 6 names, 7 bind, 11 target_path.
    new_imports = [(r[5], r[6], r[7], r[11]) for r in tables["file_deps"]]
    delta.imports_changed = delta.change == "modified" and old_imports != new_imports
    return delta


def _with_file_id(table: str, row: tuple[object, ...], file_id: int) -> tuple[object, ...]:
    # nodes(node_id, file_id, ...) and file_deps(dep_id, file_id, ...) hold the
    # file id second (file_deps gets a fresh dep_id); occurrences(file_id, ...)
    # holds it first.
    if table == "occurrences":
        return (file_id, *row[1:])
    if table == "nodes":
        # node_pk (the last column) is assigned anew.
        return (row[0], file_id, *row[2:-1], None)
    if table == "file_deps":
        return (None, file_id, *row[2:])
    return (row[0], file_id, *row[2:])


def prune_snapshots(conn: sqlite3.Connection, keep: int = MAX_SNAPSHOTS) -> int:
    """Drop the oldest snapshots beyond ``keep``; returns how many went."""
    # Counting is a b-tree count (microseconds); ordering every snapshot by
    # age is a scan and a sort (about 10 ms at 4,000), which most runs, and
    # every save of a long session, would pay for nothing.
    if int(conn.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0]) <= keep:
        return 0
    cur = conn.execute(
        "DELETE FROM snapshots WHERE (content_hash, path) IN (SELECT content_hash, path"
        " FROM snapshots ORDER BY created_at DESC LIMIT -1 OFFSET ?)",
        (keep,),
    )
    return cur.rowcount
