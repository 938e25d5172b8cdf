"""What outlives a Resolver: the file tables, and the facts of recent files.

The facts of files (``store.symbols.file_facts``) and the file tables
outlive a Resolver on a read-only connection: each thread keeps the tables
and the last ``FACTS_KEPT`` files it read on its connection, for as long as
nobody commits (``db.data_version`` stays the same).  A references search
reads the facts of a hundred files and more, the same popular files request
after request, and a language server's query worker keeps its connection
between requests.  The writer's and linking's resolvers keep their own.

Besides, every Resolver shares one copy of the file tables per database
while ``stats.files_fingerprint`` is unchanged.

The writer keeps more, from one save to the next: ``WriterMemory``.  Only
``index.resolve`` and the runs that feed the writer's memory use this
module; it reads, never writes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple

from codeidx.store import db, stats, symbols
from codeidx.store.symbols import Def, FileFacts


class FileTables(NamedTuple):
    """The indexed files as resolution looks them up; shared, never modified."""

    #: path → (file id, module name, language)
    files: dict[str, tuple[int, str, str]]
    #: module name → (file id, path) of the files that make it up
    modules: dict[str, list[tuple[int, str]]]
    path_of: dict[int, str]


#: Database file → (``stats.files_fingerprint``, its tables).  Every request
#: makes a Resolver, and reading the files table costs more than most
#: answers; the files change only when a run writes.
_TABLES: dict[str, tuple[tuple[int, ...], FileTables]] = {}
_TABLES_LOCK = threading.Lock()


def _file_tables(conn: sqlite3.Connection) -> FileTables:
    """The file tables as ``conn`` sees them, read again only after the files changed."""
    where = db.database_file(conn)
    fingerprint = stats.files_fingerprint(conn)
    if where:
        with _TABLES_LOCK:
            kept = _TABLES.get(where)
        if kept is not None and kept[0] == fingerprint:
            return kept[1]
    files = symbols.file_index(conn)
    modules: dict[str, list[tuple[int, str]]] = {}
    path_of: dict[int, str] = {}
    for path, (fid, module, _lang) in files.items():
        modules.setdefault(module, []).append((fid, path))
        path_of[fid] = path
    tables = FileTables(files, modules, path_of)
    if where:
        with _TABLES_LOCK:
            _TABLES[where] = (fingerprint, tables)
    return tables


#: Files whose facts a thread keeps for its read-only connection (see module doc);
#: about 50 KB each on the standard library.
FACTS_KEPT = 256


class _Kept(threading.local):
    """What one thread keeps for its read-only connection while nobody commits.

    The file tables and the facts of the last ``FACTS_KEPT`` files; both are
    dropped when ``PRAGMA data_version`` moves, which costs a microsecond
    where checking the files table (``_file_tables``) costs a scan of it.
    """

    conn: sqlite3.Connection | None = None
    version = -1
    tables: FileTables | None = None
    facts: OrderedDict[int, FileFacts]

    def __init__(self) -> None:
        self.facts = OrderedDict()

    def bound_to(self, conn: sqlite3.Connection) -> bool:
        """Make this thread's state that of ``conn`` as it reads now; False for a writer."""
        if conn is not self.conn:
            if not db.is_read_only(conn):
                return False
            self.conn, self.version = conn, -1
        version = db.data_version(conn)
        if version != self.version:
            self.facts = OrderedDict()
            self.tables = None
            self.version = version
        return True


_KEPT = _Kept()


def tables_and_kept_facts(
    conn: sqlite3.Connection, keep: bool
) -> tuple[FileTables, OrderedDict[int, FileFacts] | None]:
    """The file tables as ``conn`` sees them, and the facts this thread keeps for it.

    The facts are None (nothing is kept) without ``keep`` or on a connection
    that writes.
    """
    kept = keep and _KEPT.bound_to(conn)
    tables = _KEPT.tables if kept else None
    if tables is None:
        tables = _file_tables(conn)
        if kept:
            _KEPT.tables = tables
    return tables, _KEPT.facts if kept else None


def kept_facts(
    conn: sqlite3.Connection, kept: OrderedDict[int, FileFacts] | None, file_id: int
) -> FileFacts | None:
    """A file's facts (without occurrences): ``kept``'s, else read and added to ``kept``."""
    if kept is not None and (facts := kept.get(file_id)) is not None:
        kept.move_to_end(file_id)
        return facts
    facts = symbols.file_facts(conn, file_id, with_occurrences=False)
    if facts is not None and kept is not None:
        kept[file_id] = facts
        while len(kept) > FACTS_KEPT:
            kept.popitem(last=False)
    return facts


class WriterMemory:
    """What the writer's resolvers keep from one save to the next.

    A language server's writer links one saved file at a time, and each
    save's Resolver used to read again the file tables, the definitions of
    every name the file uses (``__init__`` alone is two thousand rows on the
    standard library), the facts of the files it imports and the members it
    asks classes for: the same rows as the save before, about a third of a
    save.  All of them are functions of the rows of the files that hold
    them, so the writer keeps them and mends them file by file:
    ``before_write`` and ``after_write`` surround every write, restore or
    deletion of a file in a run that uses the memory.  A name's definitions
    lose the file's old ones and gain its new ones where a fresh read puts
    them (``symbols.defs_named``: by file, then as written); the narrow
    lookups of a name the file defined or defines are dropped.  So a warm
    resolver answers exactly as a cold one.

    Whatever else writes makes the writer forget everything: another
    connection's commit (``check``, through ``PRAGMA data_version``), a run
    of many files, a run that failed or rolled back (its reads saw rows that
    were never committed).  One writer thread uses it; readers never see it.
    """

    def __init__(self) -> None:
        #: name → definitions, as ``symbols.defs_named`` reads them; a
        #: Resolver adds the names it reads.
        self.defs: dict[str, list[Def]] = {}
        #: file id → facts without occurrences (``kept_facts``' bounded order).
        self.facts: OrderedDict[int, FileFacts] = OrderedDict()
        self.tables: FileTables | None = None
        #: name → {what was asked: the answer} of the narrow queries for
        #: definitions of that name (``Resolver.read_named``).
        self.lookups: dict[str, dict[tuple[object, ...], list[Def]]] = {}
        self._version: int | None = None
        #: path → (file id, names defined) before the write in progress.
        self._before: dict[str, tuple[int | None, frozenset[str]]] = {}

    @property
    def empty(self) -> bool:
        return not self.defs and not self.facts and self.tables is None and not self.lookups

    def clear(self) -> None:
        """Forget everything (the next save reads what it needs again)."""
        self.defs = {}
        self.facts = OrderedDict()
        self.tables = None
        self.lookups = {}
        self._version = None
        self._before.clear()

    def check(self, conn: sqlite3.Connection) -> None:
        """Forget everything unless this connection alone wrote since ``seal``.

        Also when it has grown past its bounds: a server open for days saves
        files all over a large workspace, and what one save reads is a few
        hundred names.
        """
        if (
            self._version is None
            or db.data_version(conn) != self._version
            or len(self.defs) > _DEF_NAMES
            or len(self.lookups) > _LOOKUP_NAMES
        ):
            self.clear()

    def seal(self, conn: sqlite3.Connection) -> None:
        """Note that what is kept matches the database ``conn`` has committed."""
        self._version = db.data_version(conn)

    def tables_for(self, conn: sqlite3.Connection) -> FileTables:
        if self.tables is None:
            self.tables = _file_tables(conn)
        return self.tables

    def named_lookup(
        self, name: str, key: tuple[object, ...], read: Callable[[], list[Def]]
    ) -> list[Def]:
        """``read()``'s answer, kept under ``name`` until a file defining ``name`` is written."""
        kept = self.lookups.get(name)
        if kept is None:
            kept = self.lookups[name] = {}
        found = kept.get(key)
        if found is None:
            found = kept[key] = read()
        return found

    def before_write(self, conn: sqlite3.Connection, path: str) -> None:
        """Note a file's definitions before the run writes or deletes it."""
        if self.empty:
            return
        entry, names = symbols.file_def_names(conn, path)
        self._before[path] = (entry[0] if entry else None, names)

    def after_write(self, conn: sqlite3.Connection, path: str) -> None:
        """Mend what is kept for a file the run has just written or deleted."""
        old_id, old_names = self._before.pop(path, (None, frozenset()))
        if self.empty:
            return
        entry, new_names = symbols.file_def_names(conn, path)
        new_id = entry[0] if entry else None
        if self.tables is not None and self.tables.files.get(path) != entry:
            self.tables = None  # a file came, went, or changed module or language
        gone = {fid for fid in (old_id, new_id) if fid is not None}
        for fid in gone:
            self.facts.pop(fid, None)
        touched = old_names | new_names
        for name in touched:
            self.lookups.pop(name, None)
        mend = [name for name in touched if name in self.defs]
        if not mend:
            return
        written = symbols.defs_named(conn, mend, new_id) if new_id is not None else {}
        for name in mend:
            kept = [d for d in self.defs[name] if d.file_id not in gone] + written.get(name, [])
            # Stable: each file's definitions keep their order.
            kept.sort(key=_file_of)
            self.defs[name] = kept


def _file_of(d: Def) -> int:
    return d.file_id


#: Names whose definitions (``WriterMemory.defs``) and narrow lookups
#: (``WriterMemory.lookups``) the writer keeps before it starts over, at the
#: next run.  A save reads a hundred names or so; the standard library's
#: 52,765 names hold 95,585 definitions (71 MB as ``Def``s), and 10,000 of
#: its names taken at random hold about 19,000 (some 14 MB), more when the
#: names are common ones.
_DEF_NAMES = 10_000
_LOOKUP_NAMES = 10_000
