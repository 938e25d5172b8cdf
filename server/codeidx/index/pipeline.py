"""The writer of an index: one index run at a time, under the writer lock.

This is the only code that writes the index.  ``Indexer`` keeps a
connection, interned names and git HEAD between runs (a language server's
saves); each run records a session, checks that the index's extraction and
linking rules are this codeidx's, and hands the steps to ``run.Run``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from codeidx.errors import Cancelled
from codeidx.index import link
from codeidx.index.changes import GitCache
from codeidx.index.discovery import discover
from codeidx.index.file_cache import WriterMemory
from codeidx.index.run import IndexOptions, ProgressFn, Run, rollback, unchanged
from codeidx.parse.hooks import Workspace
from codeidx.parse.registry import extraction_digest, language_for_path
from codeidx.store import db, edges, files, migrate, sessions
from codeidx.store.sessions import SessionCounts
from codeidx.support.paths import WriterLock

__all__ = ["IndexOptions", "Indexer", "RunResult", "run_index"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RunResult:
    """The outcome of one run, as recorded in its session."""

    session_id: int
    status: str  # complete | interrupted | failed
    counts: SessionCounts
    saw_everything: bool
    skipped_examples: list[tuple[str, str]] = field(default_factory=list)
    changed_paths: list[str] = field(default_factory=list)


def run_index(
    root: Path,
    index_dir: Path,
    options: IndexOptions = IndexOptions(),
    progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> RunResult:
    """Bring the index of ``root`` up to date once (see module doc)."""
    indexer = Indexer(root, index_dir)
    try:
        return indexer.run(options, progress, should_stop, on_wait)
    finally:
        indexer.close()


class Indexer:
    """The writer of one index, for many runs (a language server's saves).

    It keeps its connection, interned names and git HEAD between runs, so a
    save costs only the file's own work.  The writer lock is taken for each
    run, so a CLI ``index`` can run between a server's saves.  Use from one
    thread at a time.
    """

    def __init__(self, root: Path, index_dir: Path) -> None:
        self.root = root.resolve()
        self.index_dir = index_dir
        self.db_path = index_dir / db.DB_NAME
        self._lock = WriterLock(index_dir)
        self._conn: sqlite3.Connection | None = None
        self._names: files.NameTable | None = None
        self._git = GitCache(self.root)
        self._workspace: Workspace | None = None
        self._totals: tuple[int, int, int] | None = None
        #: Definitions, facts and file tables a save's linking read, kept for
        #: the next save (``file_cache.WriterMemory``).
        self._memory = WriterMemory()

    def run(
        self,
        options: IndexOptions = IndexOptions(),
        progress: ProgressFn | None = None,
        should_stop: Callable[[], bool] | None = None,
        on_wait: Callable[[], None] | None = None,
    ) -> RunResult:
        """One index run under the writer lock (see module doc)."""
        stop = should_stop or (lambda: False)
        report = progress or (lambda phase, done, total: None)
        self._lock.acquire(on_wait)
        try:
            conn = self._connection()
            if self._names is None:
                self._names = files.NameTable(conn)
            reparse_upto = self._check_rules(conn) if options.only is None else None
            mode = (
                "force"
                if options.force or reparse_upto is not None
                else ("files" if options.only is not None else "incremental")
            )
            session_id = sessions.start_session(conn, mode, self._git.head())
            run = Run(conn, self.root, options, session_id, report, stop, self._names)
            run.db_path = self.db_path
            run.reparse_upto = reparse_upto
            if self._totals is not None and self._totals[0] == db.data_version(conn):
                run.base_totals = self._totals[1:]
            self._totals = None
            # Full runs re-read configuration files; saves reuse the workspace.
            run.workspace_cache = self._workspace if options.only is not None else None
            self._memory.check(conn)
            run.memory = self._memory
            try:
                run.execute()
            except BaseException as exc:
                rollback(conn)
                self._names.forget()
                self._memory.clear()
                status = (
                    "interrupted" if isinstance(exc, KeyboardInterrupt | Cancelled) else "failed"
                )
                sessions.finish_session(
                    conn, session_id, status, run.counts, False, f"{type(exc).__name__}: {exc}"
                )
                raise
            self._workspace = run.workspace_cache
            status = "interrupted" if run.stopped else "complete"
            if reparse_upto is not None and run.saw_everything and status == "complete":
                db.delete_meta(conn, REPARSE_KEY)
            sessions.finish_session(conn, session_id, status, run.counts, run.saw_everything)
            # Valid for the next run only if nobody else writes in between.
            self._totals = (db.data_version(conn), run.counts.nodes, run.counts.edges)
            self._memory.seal(conn)
            if run.counts.files_parsed + run.counts.files_deleted > 200:
                conn.execute("PRAGMA optimize")
                db.checkpoint(conn)
            return RunResult(
                session_id,
                status,
                run.counts,
                run.saw_everything,
                run.skipped_examples,
                run.changed_paths,
            )
        finally:
            if self._names is not None:
                self._names.settle()
            self._lock.release()

    def changed_on_disk(self, options: IndexOptions) -> dict[str, tuple[int, int] | None] | None:
        """The files created, changed or deleted on disk since the index saw them; nothing written.

        path → (size, mtime_ns) on disk, None for a file that is gone (told
        only when the walk saw the whole workspace).  A language server
        whose client reports no file events looks with this between runs
        (``lsp.indexing``).  None before the first run opened the index.
        """
        if self._conn is None:
            return None
        found = discover(self.root, language_for_path, options.discovery())
        known = files.load_fingerprints(self._conn)
        out: dict[str, tuple[int, int] | None] = {
            c.path: (c.size, c.mtime_ns) for c in found.files if not unchanged(known.get(c.path), c)
        }
        if found.complete:
            seen = {c.path for c in found.files}
            out.update((path, None) for path in known if path not in seen)
        return out

    @staticmethod
    def _check_rules(conn: sqlite3.Connection) -> int | None:
        """Act on rules changed since the index was built; the last session to parse again.

        When another codeidx (or grammar) extracted what the index holds,
        every file written so far is parsed again, and no snapshot of the old
        rules may come back after a branch switch.  When other linking rules
        made its edges, every file is linked again.  The new digests, the
        bound of the files to parse again (the latest session: every stale
        file was written by it or earlier), the dropped snapshots and the
        files marked for linking are committed together, so a run
        interrupted afterwards leaves done what it did, and any later run
        finishes the rest.  Returns None when no file is to be parsed again.
        """
        extraction = extraction_digest()
        linking = link.linking_digest()
        new_extraction = db.read_meta(conn, EXTRACTION_KEY) != extraction
        new_linking = db.read_meta(conn, LINKING_KEY) != linking
        if new_extraction or new_linking:
            stale = files.has_files(conn)
            conn.execute("BEGIN IMMEDIATE")
            try:
                if new_extraction:
                    db.write_meta(conn, EXTRACTION_KEY, extraction)
                    if stale:
                        db.write_meta(conn, REPARSE_KEY, str(sessions.latest_session_id(conn)))
                        files.prune_snapshots(conn, keep=0)
                if new_linking:
                    edges.unlink_all(conn)
                    db.write_meta(conn, LINKING_KEY, linking)
                conn.execute("COMMIT")
            except BaseException:
                rollback(conn)
                raise
            if stale and new_extraction:
                log.info("the extraction rules changed since this index was built")
            if stale and new_linking:
                log.info("the linking rules changed since this index was built")
        pending = db.read_meta(conn, REPARSE_KEY)
        return int(pending) if pending is not None else None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = db.connect_writer(self.db_path)
            try:
                migrate.apply_migrations(conn)
                db.restore_indexes(conn)  # after a bulk build that was killed
                sessions.close_abandoned(conn)
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def close(self) -> None:
        """Close the connection (the last close folds the WAL into the database)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._names = None
            self._totals = None  # data_version is only comparable on one connection
            self._memory.clear()


#: The ``meta`` key of the extraction digest (``parse.registry.extraction_digest``)
#: of the rules every file of the index was last parsed with.
EXTRACTION_KEY = "extraction"
#: The ``meta`` key of the last session whose files were extracted under
#: other rules and are still to be parsed again (absent when none are).
REPARSE_KEY = "reparse_upto"
#: The ``meta`` key of the linking digest (``index.link.linking_digest``) of
#: the rules every linked file's edges were made with.
LINKING_KEY = "linking"
