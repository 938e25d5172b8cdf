"""What outlives a Resolver: the file tables, and the facts of recent files.

The facts of files (``store.symbols.file_facts``) and the file tables
outlive a Resolver on a read-only connection: each thread keeps the tables
and the last ``FACTS_KEPT`` files it read on its connection, for as long as
nobody commits (``db.data_version`` stays the same).  A references search
reads the facts of a hundred files and more, the same popular files request
after request, and a language server's query worker keeps its connection
between requests.  The writer's and linking's resolvers keep their own.

Besides, every Resolver shares one copy of the file tables per database
while ``stats.files_fingerprint`` is unchanged.  Only ``index.resolve``
uses this module; it reads, never writes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from typing import NamedTuple

from codeidx.store import db, stats, symbols
from codeidx.store.symbols import FileFacts


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
