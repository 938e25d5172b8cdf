"""Read side of definitions and per-file facts, for resolution and queries.

These functions only read.  Any thread may call them with a connection that
thread owns.  They return plain tuples and dataclasses, never cursors.
"""

from __future__ import annotations

import json
import marshal
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from codeidx.store.occurrences import StoredOccurrence, unpack


@dataclass(frozen=True, slots=True)
class Def:
    """A definition as resolution sees it."""

    node_id: int
    kind: str
    name: str
    file_id: int
    parent_id: int | None
    parent_kind: str | None
    parent_name: str | None
    module_name: str
    language: str
    qualified_name: str
    bases_json: str | None
    #: Defined directly in its module (not inside a class or function) and
    #: visible there by its bare name: a Go method sits at module level but
    #: is reached only through its type (see ``is_top``).
    top: bool

    @property
    def bases(self) -> tuple[tuple[str, str], ...]:
        """Declared supertypes as (role, text); parsed on use, which is rare."""
        if not self.bases_json:
            return ()
        return tuple((str(r), str(t)) for r, t in json.loads(self.bases_json))


_DEF_COLUMNS = (
    "n.node_id, n.kind, n.name, n.file_id, n.parent_id, p.kind, p.name,"
    " f.module_name, f.language, n.qualified_name, n.bases"
)
_DEF_FROM = (
    " FROM nodes n JOIN files f ON f.file_id = n.file_id"
    " LEFT JOIN nodes p ON p.node_id = n.parent_id"
)
_DEF_SELECT = f"SELECT {_DEF_COLUMNS}{_DEF_FROM}"


def is_top(kind: str, parent_kind: str | None) -> bool:
    """Whether a definition is a module-level name (``Def.top``).

    A method whose parent is the module is attached to a type from outside
    its body (Go), never named bare in the module's scope.
    """
    return parent_kind == "module" and kind != "method"


def _def(row: tuple[object, ...]) -> Def:
    # The columns of _DEF_SELECT are the fields of Def in order; SQLite
    # already returns ints, strings and None, so no conversion is needed.
    return Def(*row, is_top(row[1], row[5]))  # type: ignore[arg-type, call-arg]


#: The order of a name's definitions everywhere: by file, then as written in
#: the file.  Not the planner's order, which reads a few names through the
#: name index (in row order, where a saved file moved to the end) and many
#: by scanning files; equally near by-name guesses keep this order
#: (``Guesses._nearest_first``).
_DEF_ORDER = " ORDER BY n.file_id, n.ordinal"


def defs_named(
    conn: sqlite3.Connection, names: Iterable[str], file_id: int | None = None
) -> dict[str, list[Def]]:
    """Every non-module definition with one of the given names, in ``_DEF_ORDER``.

    With ``file_id``, only that file's: the writer's memory
    (``index.file_cache.WriterMemory``) mends the lists it keeps with them
    after a write and must leave them as a fresh read would.
    """
    out: dict[str, list[Def]] = {}
    wanted = list(dict.fromkeys(names))
    in_file = "" if file_id is None else " AND n.file_id = ?"
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"{_DEF_SELECT} WHERE n.name IN ({marks}) AND n.kind != 'module'{in_file}{_DEF_ORDER}",
            chunk if file_id is None else [*chunk, file_id],
        ):
            d = _def(row)
            out.setdefault(d.name, []).append(d)
    for name in wanted:
        out.setdefault(name, [])
    return out


def file_def_names(
    conn: sqlite3.Connection, path: str
) -> tuple[tuple[int, str, str] | None, frozenset[str]]:
    """A file's entry (file id, module name, language) and the names it defines."""
    row = conn.execute(
        "SELECT file_id, module_name, language FROM files WHERE path = ?", (path,)
    ).fetchone()
    if row is None:
        return None, frozenset()
    names = frozenset(
        str(name)
        for (name,) in conn.execute(
            "SELECT DISTINCT name FROM nodes WHERE file_id = ? AND kind != 'module'", (row[0],)
        )
    )
    return (int(row[0]), str(row[1]), str(row[2])), names


def member_defs(conn: sqlite3.Connection, parent_id: int, name: str) -> list[Def]:
    """Definitions named ``name`` directly inside one class-like node."""
    # ``+n.name`` keeps the planner on the parent index: once ``ANALYZE`` has
    # run, the name index looks more selective on average (two rows a name),
    # but for the names asked here most (``__init__``, ``get``) it holds
    # thousands of rows, where a class holds a few dozen members.
    return [
        _def(row)
        for row in conn.execute(
            f"{_DEF_SELECT} WHERE n.parent_id = ? AND +n.name = ?{_DEF_ORDER}", (parent_id, name)
        )
    ]


def impl_member_defs(
    conn: sqlite3.Connection, type_name: str, name: str, qualified: str = ""
) -> list[Def]:
    """Definitions named ``name`` attached to a type from outside its body.

    Those inside impl blocks of the type (Rust), and those whose qualified
    name is ``qualified`` (the type's qualified name and ``name``: Go
    methods, C++ methods defined out of line).
    """
    return [
        _def(row)
        for row in conn.execute(
            f"{_DEF_SELECT} WHERE n.name = ?"
            f" AND ((p.kind = 'impl' AND p.name = ?) OR n.qualified_name = ?){_DEF_ORDER}",
            (name, type_name, qualified),
        )
    ]


def has_methods_beside(
    conn: sqlite3.Connection, file_id: int, parent_id: int | None, prefix: str
) -> bool:
    """Whether a scope holds a method named ``prefix`` and its name (``mod.Foo.bar``).

    Such a method is written beside its owner, outside it (JavaScript's
    ``Foo.prototype.bar = function …`` next to ``function Foo``); ``prefix``
    is the owner's qualified name and separator.
    """
    row = conn.execute(
        "SELECT 1 FROM nodes WHERE file_id = ? AND parent_id IS ? AND kind = 'method'"
        " AND qualified_name = ? || name LIMIT 1",
        (file_id, parent_id, prefix),
    ).fetchone()
    return row is not None


def member_callables(
    conn: sqlite3.Connection, name: str, kinds: list[str], limit: int
) -> list[Def]:
    """Up to ``limit`` callables named ``name`` that are not module-level functions.

    Methods count wherever they are written (Go methods sit at module level).
    In ``_DEF_ORDER`` when all of them fit.  Sorted here: ``ORDER BY`` would
    make SQLite read every row of a name before the limit (17 ms for the
    standard library's ``__init__``, against 0.03 ms).
    """
    marks = ",".join("?" * len(kinds))
    rows = conn.execute(
        f"SELECT {_DEF_COLUMNS}, n.ordinal{_DEF_FROM} WHERE n.name = ? AND n.kind IN ({marks})"
        " AND (p.kind != 'module' OR n.kind = 'method') LIMIT ?",
        (name, *kinds, limit),
    ).fetchall()
    rows.sort(key=_file_and_ordinal)
    return [_def(row[:-1]) for row in rows]


def _file_and_ordinal(row: tuple[object, ...]) -> tuple[int, int]:
    # The file id (fourth column) and the ordinal ``member_callables`` adds last.
    return cast(int, row[3]), cast(int, row[-1])


def all_defs(conn: sqlite3.Connection) -> dict[str, list[Def]]:
    """Every non-module definition grouped by name (for whole-workspace linking).

    In ``_DEF_ORDER``, as ``defs_named`` and ``files.written_defs`` (files
    written in the order of their ids) give them.
    """
    out: dict[str, list[Def]] = {}
    for row in conn.execute(f"{_DEF_SELECT} WHERE n.kind != 'module'{_DEF_ORDER}"):
        d = _def(row)
        out.setdefault(d.name, []).append(d)
    return out


def module_files(conn: sqlite3.Connection) -> dict[str, list[tuple[int, str]]]:
    """module name → [(file_id, path)] of the files declaring that module, in path order."""
    out: dict[str, list[tuple[int, str]]] = {}
    for fid, path, module in conn.execute(
        "SELECT file_id, path, module_name FROM files ORDER BY path"
    ):
        out.setdefault(str(module), []).append((int(fid), str(path)))
    return out


@dataclass(slots=True)
class FileNode:
    """A definition of the file being resolved, by ordinal."""

    node_id: int
    ordinal: int
    parent: int | None  # ordinal
    kind: str
    name: str
    start_byte: int
    end_byte: int
    bases: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class ImportFact:
    """A stored import with its resolved target."""

    kind: str
    module: str
    names: list[tuple[str, str | None]]
    bind: str | None
    relative: bool
    level: int
    target_path: str | None
    line: int


@dataclass(slots=True)
class FileFacts:
    """Everything resolution needs about one file, read back from the index."""

    file_id: int
    path: str
    language: str
    module_name: str
    nodes: list[FileNode]
    imports: list[ImportFact]
    locals: dict[int, list[str]]
    receivers: list[str]
    #: Packed occurrence blobs by name (see store/occurrences.py).
    blobs: dict[str, bytes] = field(default_factory=dict)
    _occurrences: dict[str, list[StoredOccurrence]] | None = None
    _children: dict[tuple[int, str], list[FileNode]] | None = None
    _ordinals: dict[int, int] | None = None
    _bindings: dict[str, tuple[ImportFact, str | None]] | None = None

    @property
    def occurrences(self) -> dict[str, list[StoredOccurrence]]:
        """Decoded occurrences by name (decoded on first use: linking reads blobs)."""
        if self._occurrences is None:
            self._occurrences = {
                name: list(unpack(blob, self.receivers)) for name, blob in self.blobs.items()
            }
        return self._occurrences

    def glob_imports(self) -> list[ImportFact]:
        """Imports that bring every top-level name along (``*``, C includes)."""
        return [
            imp
            for imp in self.imports
            if imp.kind == "include" or any(original == "*" for original, _ in imp.names)
        ]

    def import_bindings(self) -> dict[str, tuple[ImportFact, str | None]]:
        """Local name → (import, original name or None when it binds the module).

        The first import binding a name wins, as in the statement order.
        """
        if self._bindings is None:
            found: dict[str, tuple[ImportFact, str | None]] = {}
            for imp in self.imports:
                if imp.bind:
                    found.setdefault(imp.bind, (imp, None))
                for original, alias in imp.names:
                    if original != "*":
                        found.setdefault(alias or original, (imp, original))
            self._bindings = found
        return self._bindings

    def children(self, parent: int, name: str) -> list[FileNode]:
        """Definitions named ``name`` directly inside the node with ordinal ``parent``."""
        if self._children is None:
            index: dict[tuple[int, str], list[FileNode]] = {}
            for n in self.nodes:
                if n.parent is not None:
                    index.setdefault((n.parent, n.name), []).append(n)
            self._children = index
        return self._children.get((parent, name), [])

    def ordinal_of(self, node_id: int) -> int | None:
        """The ordinal of one of this file's nodes."""
        if self._ordinals is None:
            self._ordinals = {n.node_id: n.ordinal for n in self.nodes}
        return self._ordinals.get(node_id)


def file_facts(
    conn: sqlite3.Connection, file_id: int, with_occurrences: bool = True
) -> FileFacts | None:
    """Read one file's nodes, imports, locals and (optionally) occurrences."""
    row = conn.execute(
        "SELECT path, language, module_name, locals, receivers FROM files WHERE file_id = ?",
        (file_id,),
    ).fetchone()
    if row is None:
        return None
    raw = conn.execute(
        "SELECT node_id, ordinal, parent_id, kind, name, start_byte, end_byte, bases"
        " FROM nodes WHERE file_id = ? ORDER BY ordinal",
        (file_id,),
    ).fetchall()
    # SQLite returns the columns' ints and strings as they are: no
    # conversion per value (a file's nodes are read once per link).
    ordinal_of: dict[int, int] = {r[0]: r[1] for r in raw}
    nodes = [
        FileNode(
            nid,
            ordinal,
            None if parent is None else ordinal_of.get(parent),
            kind,
            name,
            sb,
            eb,
            _bases(bases) if bases else (),
        )
        for nid, ordinal, parent, kind, name, sb, eb, bases in raw
    ]
    imports = [
        ImportFact(
            str(kind),
            str(module),
            [(str(n), a) for n, a in json.loads(names)] if names else [],
            bind,
            bool(rel),
            int(level),
            target,
            int(line),
        )
        for kind, module, names, bind, rel, level, target, line in conn.execute(
            "SELECT kind, module, names, bind, is_relative, level, target_path, line"
            " FROM file_deps WHERE file_id = ? ORDER BY dep_id",
            (file_id,),
        )
    ]
    facts = FileFacts(
        file_id,
        str(row[0]),
        str(row[1]),
        str(row[2]),
        nodes,
        imports,
        marshal.loads(row[3]) if row[3] else {},
        marshal.loads(row[4]) if row[4] else [],
    )
    if with_occurrences:
        # Names are TEXT and blobs BLOB: the rows are the (name, blob) pairs.
        facts.blobs.update(
            conn.execute(
                "SELECT m.name, o.data FROM occurrences o JOIN names m ON m.name_id = o.name_id"
                " WHERE o.file_id = ?",
                (file_id,),
            )
        )
    return facts


def _bases(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((str(r), str(t)) for r, t in json.loads(text))


def params_texts(conn: sqlite3.Connection, file_id: int) -> dict[int, str]:
    """node id → the stored ``params`` JSON of one file's definitions that have any.

    One statement for a whole file; ``param_annotations`` parses an entry.
    """
    return {
        int(nid): str(text)
        for nid, text in conn.execute(
            "SELECT node_id, params FROM nodes WHERE file_id = ? AND params IS NOT NULL",
            (file_id,),
        )
    }


def param_annotations(text: str | None) -> dict[str, str]:
    """Parameters as name → annotation text ("" when unannotated).

    ``text`` is a ``params`` column (JSON ``[[name, type, default,
    variadic], ...]``); {} when there is none or it is not such a list.
    """
    if not text:
        return {}
    try:
        items = json.loads(text)
    except ValueError:
        return {}
    out: dict[str, str] = {}
    for item in items if isinstance(items, list) else ():
        parts = item if isinstance(item, list) else [item]
        name = parts[0] if parts else None
        annotation = parts[1] if len(parts) > 1 else None
        out[str(name or "")] = str(annotation or "")
    return out


def file_id_for(conn: sqlite3.Connection, path: str) -> int | None:
    """The id of an indexed file, or None."""
    row = conn.execute("SELECT file_id FROM files WHERE path = ?", (path,)).fetchone()
    return int(row[0]) if row else None


def occurrence_rows(conn: sqlite3.Connection, name: str) -> list[tuple[int, str, bytes, list[str]]]:
    """(file_id, path, blob, receivers) of every file where a name occurs."""
    out = []
    for fid, path, blob, recv in conn.execute(
        "SELECT o.file_id, f.path, o.data, f.receivers FROM occurrences o"
        " JOIN names m ON m.name_id = o.name_id JOIN files f ON f.file_id = o.file_id"
        " WHERE m.name = ?",
        (name,),
    ):
        out.append((int(fid), str(path), bytes(blob), marshal.loads(recv) if recv else []))
    return out


def file_index(conn: sqlite3.Connection) -> dict[str, tuple[int, str, str]]:
    """path → (file_id, module_name, language) of every indexed file, in path order.

    In path order, not id order: ids follow the order files were first
    written, which varies with how a run shared files out, and resolution
    walks a module's files in this order (the first that binds a name wins).
    """
    return {
        str(path): (int(fid), str(module), str(lang))
        for fid, path, module, lang in conn.execute(
            "SELECT file_id, path, module_name, language FROM files ORDER BY path"
        )
    }
