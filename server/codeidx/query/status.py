"""Index status, and opening an index for reading.

This module owns ``open_index`` (the read-only connection every query runs
on, with the schema checked so that a newer index is refused with a clear
message instead of failing inside some statement) and ``index_status``, the
figures behind ``codeidx status``: counts by kind and language, the last
run, stale files (indexed files whose size or mtime differ from the disk,
plus files on disk the index does not hold yet), unlinked files and the
database's size including its ``-wal`` sidecar, which holds recent commits.

Reads the index and stats files on disk; never writes either.  Any thread
may call these; the connection belongs to the caller, who closes it.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from pathlib import Path

from codeidx.errors import IndexUnavailable, SchemaTooNew
from codeidx.index.discovery import discover
from codeidx.index.fingerprint import content_hash
from codeidx.parse.registry import language_for_path
from codeidx.query.types import Coverage, StaleFile, StatusReport
from codeidx.store import db, migrate, stats

#: How many stale and unlinked paths a report lists (the counts are complete).
MAX_LISTED = 200


def open_index(index_dir: Path) -> sqlite3.Connection:
    """A read-only connection to the index in ``index_dir``; the caller closes it.

    Raises IndexUnavailable when there is no usable index there, SchemaTooNew
    when a newer codeidx wrote it.
    """
    path = index_dir / db.DB_NAME
    conn = db.connect_reader(path)
    try:
        version = migrate.current_version(conn)
        newest = len(migrate.shipped_migrations())
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise IndexUnavailable(
            f"cannot read the index at {index_dir}: {exc}",
            hint="delete the index folder and run `codeidx index` to rebuild it",
        ) from exc
    except BaseException:
        conn.close()
        raise
    if version == 0:
        conn.close()
        raise IndexUnavailable(
            f"the index at {index_dir} is empty", hint="run `codeidx index` in the workspace first"
        )
    if version > newest:
        conn.close()
        raise SchemaTooNew(
            f"the index was written by a newer codeidx (schema {version},"
            f" this codeidx knows up to {newest})",
            hint="upgrade codeidx, or delete the index folder to rebuild it",
        )
    return conn


def index_status(
    conn: sqlite3.Connection, root: Path, index_dir: Path, scan_new: bool = True
) -> StatusReport:
    """Everything ``codeidx status`` shows (see module doc).

    ``scan_new`` walks the workspace with the default discovery rules to find
    files not indexed yet; a run made with ``--include``/``--exclude`` may
    therefore see some of them listed as new.
    """
    with stats.read_snapshot(conn):
        coverage = Coverage.of(stats.coverage(conn))
        by_language = stats.files_by_language(conn)
        report_counts = (
            stats.nodes_by_kind(conn),
            stats.nodes_by_language(conn),
            stats.edges_by_kind(conn),
            stats.edges_by_language(conn),
        )
        errors = stats.files_with_syntax_errors(conn)
        last = stats.last_session(conn)
        complete = stats.last_complete_session(conn)
        unlinked_count, unlinked = stats.unlinked_paths(conn, MAX_LISTED)
        indexed = stats.file_stats(conn)
        version = migrate.current_version(conn)
    # The disk is read after the snapshot ends so that a slow walk does not
    # hold a read transaction open (it would keep the WAL from checkpointing).
    stale = _stale_files(root, indexed)
    if scan_new:
        known = {p for p, _, _, _ in indexed}
        found = discover(root, language_for_path)
        stale.extend(StaleFile(c.path, "new") for c in found.files if c.path not in known)
    stale.sort(key=lambda s: (s.path, s.reason))
    counts = Counter(s.reason for s in stale)
    db_path = index_dir / db.DB_NAME
    return StatusReport(
        root=str(root),
        index_dir=str(index_dir),
        database_bytes=_size(db_path),
        wal_bytes=_size(db_path.with_name(db_path.name + "-wal")),
        schema_version=version,
        files=sum(n for n, _ in by_language.values()),
        lines=sum(lines for _, lines in by_language.values()),
        files_by_language={lang: n for lang, (n, _) in by_language.items()},
        nodes_by_kind=report_counts[0],
        nodes_by_language=report_counts[1],
        edges_by_kind=report_counts[2],
        edges_by_language=report_counts[3],
        files_with_syntax_errors=errors,
        last_session=last,
        last_complete_session=complete,
        stale=stale[:MAX_LISTED],
        stale_counts=dict(sorted(counts.items())),
        new_files_scanned=scan_new,
        unlinked_count=unlinked_count,
        unlinked=unlinked,
        coverage=coverage,
    )


def _stale_files(root: Path, indexed: list[tuple[str, int, int, str]]) -> list[StaleFile]:
    """Indexed files that were modified or deleted since they were indexed.

    The size and mtime decide, as they do for the indexer.  A stored mtime of
    0 means the file was written just before it was indexed (a later write in
    the same timestamp tick could look unchanged), so its content is hashed
    instead: only recently written files pay for that.
    """
    out: list[StaleFile] = []
    for path, size, mtime_ns, digest in indexed:
        try:
            st = os.stat(root / path)
        except FileNotFoundError:
            out.append(StaleFile(path, "deleted"))
            continue
        except OSError:
            out.append(StaleFile(path, "unreadable"))
            continue
        moved = st.st_mtime_ns != mtime_ns
        if st.st_size != size or (moved and (mtime_ns != 0 or _hash(root / path) != digest)):
            out.append(StaleFile(path, "modified"))
    return out


def _hash(path: Path) -> str | None:
    try:
        return content_hash(path.read_bytes())
    except OSError:
        return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
