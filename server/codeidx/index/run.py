"""One index run's steps: discover → fingerprint → parse (in processes) → write → link.

``pipeline.Indexer`` holds the connection and the writer lock and makes a
``Run`` per run; a run's state and steps live here so each step reads on its
own.  Files are written in transactions of whole files (a small run such as
a save writes its files and their edges in one), so a Ctrl-C or a kill
leaves every file either at its old or its new version; files stay marked
unlinked until their edges are stored, so the next run finishes what a
killed one started.  Vanished files are pruned only by a run that saw the
whole workspace.

Parsing holds the GIL, so parsing runs in worker processes (one per core);
the parent only writes.  A run over a handful of files parses inline, which
is faster than starting workers.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from codeidx.index import link, retarget
from codeidx.index.discovery import Candidate, DiscoveryOptions, discover
from codeidx.index.file_cache import WriterMemory
from codeidx.index.worker import Job, Outcome, init_worker, parse_job, read_configs
from codeidx.parse.hooks import Workspace
from codeidx.parse.registry import language_for_path
from codeidx.store import db, edges, files, sessions
from codeidx.store.sessions import SessionCounts
from codeidx.store.symbols import Def

#: Below this many files to parse, workers cost more than they save.
INLINE_LIMIT = 48
#: Files per write transaction, and the longest a transaction stays open.
_BATCH_FILES = 256
_BATCH_SECONDS = 0.5

ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class IndexOptions:
    """What a run does; every field has a default a user would want."""

    force: bool = False
    max_file_bytes: int = 2_000_000
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    workers: int = 0  # 0: one per core
    #: Index only these workspace-relative paths (a save); such a run never prunes.
    only: tuple[str, ...] | None = None

    def discovery(self) -> DiscoveryOptions:
        """The walk these options ask for (a run's, or a look at the disk's)."""
        return DiscoveryOptions(
            max_file_bytes=self.max_file_bytes, include=self.include, exclude=self.exclude
        )


def unchanged(known: files.Fingerprint | None, found: Candidate) -> bool:
    """Whether a file on disk is as the index saw it, by its stat alone (no read)."""
    return (
        known is not None
        and known.size == found.size
        and known.mtime_ns == found.mtime_ns
        and known.language == found.language
    )


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if any (after a failure or a Ctrl-C)."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


class Run:
    """The state and steps of one run (``pipeline.Indexer`` makes one per run)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        root: Path,
        options: IndexOptions,
        session_id: int,
        report: ProgressFn,
        stop: Callable[[], bool],
        names: files.NameTable,
    ) -> None:
        self.conn = conn
        self.root = root
        self.options = options
        self.session_id = session_id
        self.report = report
        self.stop = stop
        self.counts = SessionCounts()
        self.reasons: Counter[str] = Counter()
        self.stopped = False
        self.saw_everything = False
        self.skipped_examples: list[tuple[str, str]] = []
        self.changed_paths: list[str] = []
        self.names = names
        self._txn_started = 0.0
        self._txn_files = 0
        self.db_path: Path | None = None
        self.workspace_cache: Workspace | None = None
        #: (nodes, edges) before this run, when known without counting.
        self.base_totals: tuple[int, int] | None = None
        #: Files last written by this session or earlier are parsed again
        #: (extracted under other rules; see ``pipeline.Indexer._check_rules``).
        self.reparse_upto: int | None = None
        self.node_delta = 0
        #: Every definition written, by name, while the run builds a new
        #: index (``files.written_defs``); None otherwise.
        self.written: dict[str, list[Def]] | None = None
        #: The writer's memory between saves (``file_cache.WriterMemory``),
        #: mended around every file this run writes; None when the run does
        #: not use it (the run then empties it).
        self.memory: WriterMemory | None = None
        self.edge_delta = 0
        #: Files parsed by this run: their imports were resolved against its workspace.
        self.parsed_paths: set[str] = set()
        self.failed = False
        #: Whether the index held no file when the run started (set by ``execute``).
        self.fresh = False

    def execute(self) -> None:
        # A new index: its secondary indexes are built once at the end, and no
        # file written has dependents to mark.
        self.fresh = not files.has_files(self.conn)
        if self.fresh:
            db.drop_bulk_indexes(self.conn)
        try:
            self._execute()
        except BaseException:
            self.failed = True
            raise
        finally:
            # Also after a failure or Ctrl-C: the index must stay usable.
            if self.fresh:
                rollback(self.conn)
                t = time.perf_counter()
                db.restore_indexes(self.conn)
                self.counts.timings["build_indexes"] = time.perf_counter() - t
            self._finish_counts()

    def _finish_counts(self) -> None:
        """Totals recorded for every outcome, interrupted and failed runs too.

        A long-lived indexer knows the totals after its previous run; when no
        other process wrote since, this run's deltas give the new totals
        without counting two large tables (most of a save's fixed cost).
        """
        if self.base_totals is not None and not self.failed:
            nodes, edges_total = self.base_totals
            self.counts.nodes = nodes + self.node_delta
            self.counts.edges = edges_total + self.edge_delta
        else:
            self.counts.nodes = int(self.conn.execute("SELECT COUNT(*) FROM nodes").fetchone()[0])
            self.counts.edges = int(self.conn.execute("SELECT COUNT(*) FROM edges").fetchone()[0])
        self.counts.reasons = dict(self.reasons)

    def _execute(self) -> None:
        started = time.perf_counter()
        candidates, complete = self._discover()
        self._commit()  # deletions of explicitly named files that vanished
        self.counts.timings["discover"] = time.perf_counter() - started
        if self.options.only is not None:
            # A save: read only the named files' rows, not every file's.
            named = [c.path for c in candidates]
            known = files.load_fingerprints(self.conn, named)
            tables = self.memory.tables if self.memory is not None else None
            # The writer's memory holds every indexed path since the last save.
            indexed = set(tables.files) if tables is not None else files.indexed_paths(self.conn)
            snapshots = files.snapshot_hashes(self.conn, named)
        else:
            known = files.load_fingerprints(self.conn)
            indexed = set(known)
            snapshots = files.snapshot_hashes(self.conn)
        jobs: list[Job] = []
        upto = self.reparse_upto
        for c in candidates:
            fp = known.get(c.path)
            force = self.options.force or (
                upto is not None and fp is not None and fp.session_id <= upto
            )
            if not force and unchanged(fp, c):
                self.counts.files_unchanged += 1
                continue
            jobs.append(
                Job(
                    c.path,
                    str(c.abs_path),
                    c.language,
                    None if force or fp is None else fp.content_hash,
                    frozenset() if force else snapshots.get(c.path, frozenset()),
                    self.options.max_file_bytes,
                )
            )
        paths = {c.path for c in candidates}
        if self.options.only is not None:
            paths |= indexed
        frozen = frozenset(paths)
        cached = self.workspace_cache
        reused = cached is not None and cached.files == frozen
        if cached is not None and reused:
            # A save in a long-lived indexer: the file set did not change.
            workspace = cached
        else:
            workspace = Workspace.of(frozen, configs=read_configs(self.root, paths))
        self.workspace_cache = workspace
        t = time.perf_counter()
        # A small run (a save) writes its files and their edges in one
        # transaction: one commit instead of two, and the file is still
        # never visible unlinked to readers.
        one_transaction = len(jobs) <= INLINE_LIMIT
        if self.memory is not None and not (one_transaction and reused):
            # Many files, or imports resolved again: mending file by file would
            # cost more than reading afresh.
            self.memory.clear()
            self.memory = None
        if self.fresh and not one_transaction:
            self.written = {}
        self._parse_and_write(jobs, workspace, commit=not one_transaction)
        self.counts.timings["parse_write"] = time.perf_counter() - t
        self.saw_everything = complete and not self.stopped and self.options.only is None
        if self.saw_everything:
            self._prune(set(known) - {c.path for c in candidates})
        if self.stopped:
            self._commit()
            return
        if not reused:
            self._retarget(workspace)
        t = time.perf_counter()
        unlinked = edges.unlinked_files(self.conn)
        if unlinked:
            self.report("link", 0, len(unlinked))
            workers = self.options.workers or os.cpu_count() or 1
            if link.uses_workers(len(unlinked), workers, self.db_path):
                self._commit()
            self.edge_delta += link.link_files(
                self.conn,
                unlinked,
                db_path=self.db_path,
                workers=workers,
                should_stop=self._check_stop,
                progress=lambda done: self.report("link", done, len(unlinked)),
                defs=self.written,
                memory=self.memory,
            )
        files.prune_snapshots(self.conn)
        self._commit()
        self.counts.timings["link"] = time.perf_counter() - t

    def _check_stop(self) -> bool:
        if not self.stopped and self.stop():
            self.stopped = True
        return self.stopped

    def _discover(self) -> tuple[list[Candidate], bool]:
        self.report("discover", 0, 0)
        if self.options.only is not None:
            return self._explicit(self.options.only), True
        result = discover(
            self.root, language_for_path, self.options.discovery(), should_stop=self._check_stop
        )
        self.counts.files_seen = len(result.files)
        for reason, n in result.skipped.items():
            self.reasons[reason] += n
            self.counts.files_skipped += n
        self.skipped_examples = list(result.skipped_examples)
        return result.files, result.complete

    def _explicit(self, only: tuple[str, ...]) -> list[Candidate]:
        out = []
        for rel in only:
            language = language_for_path(rel)
            if language is None:
                continue
            abs_path = self.root / rel
            try:
                st = abs_path.stat()
            except OSError:
                self._delete(rel)
                continue
            if st.st_size > self.options.max_file_bytes:
                self._skip(rel, "oversize")
                continue
            out.append(Candidate(rel, abs_path, st.st_size, st.st_mtime_ns, language))
        self.counts.files_seen = len(out)
        return out

    def _outcomes(self, jobs: list[Job], workspace: Workspace) -> Iterator[Outcome]:
        workers = self.options.workers or os.cpu_count() or 1
        if len(jobs) <= INLINE_LIMIT or workers <= 1:
            init_worker(workspace, ignore_sigint=False)
            for job in jobs:
                yield parse_job(job)
            return
        # Largest files first so no worker is left with a big file at the end.
        jobs = sorted(jobs, key=lambda j: -_size(j.abs_path))
        method = "fork" if threading.active_count() == 1 else "spawn"
        ctx = multiprocessing.get_context(method)
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=init_worker,
            initargs=(workspace, True, True),
        ) as pool:
            try:
                yield from pool.map(parse_job, jobs, chunksize=4)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

    def _parse_and_write(self, jobs: list[Job], workspace: Workspace, commit: bool = True) -> None:
        """Parse and write every job; ``commit=False`` leaves the last batch open."""
        total = len(jobs)
        self.report("parse", 0, total)
        bulk = total > 200
        if bulk:
            # A derived index may trade durability against power loss for
            # speed during a bulk build; a killed process still loses nothing
            # that was committed.
            self.conn.execute("PRAGMA synchronous=OFF")
        try:
            for done, outcome in enumerate(self._outcomes(jobs, workspace), start=1):
                if self._check_stop():
                    break
                self._apply(outcome)
                self.report("parse", done, total)
            if commit:
                self._commit()
        except BaseException:
            rollback(self.conn)
            self.names.forget()
            raise
        finally:
            if bulk:
                self.conn.execute("PRAGMA synchronous=NORMAL")

    def _begin(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            self._txn_started = time.perf_counter()
            self._txn_files = 0

    def _file_done(self) -> None:
        """Commit every few files: each file is atomic, commits are amortised."""
        self._txn_files += 1
        if (
            self._txn_files >= _BATCH_FILES
            or time.perf_counter() - self._txn_started > _BATCH_SECONDS
        ):
            self._commit()

    def _commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def _apply(self, outcome: Outcome) -> None:
        conn = self.conn
        if outcome.skip_reason is not None:
            self._skip(outcome.path, outcome.skip_reason)
            if outcome.skip_reason in {"vanished", "unreadable", "binary", "oversize"}:
                self._delete(outcome.path)
            return
        self._begin()
        if outcome.rows is None:
            assert outcome.content_hash is not None
            if outcome.restore:
                self._before_write(outcome.path)
                delta = files.restore_snapshot(
                    conn, outcome.path, outcome.content_hash, outcome.mtime_ns, self.session_id
                )
                self._after_write(outcome.path)
                if delta is not None:
                    self.counts.files_restored += 1
                    self._track(outcome.path, outcome.content_hash, delta, mark=True)
            else:
                fid = files.file_id_of(conn, outcome.path)
                if fid is not None:
                    files.touch_file(conn, fid, outcome.size, outcome.mtime_ns)
                self.counts.files_unchanged += 1
            self._file_done()
            return
        rows = outcome.rows
        for problem in rows.problems:
            self.reasons[problem.reason] += 1
        self._before_write(rows.path)
        delta = files.write_file(conn, rows, self.session_id, self.names)
        self._after_write(rows.path)
        if self.written is not None:
            for d in files.written_defs(delta.file_id, rows):
                self.written.setdefault(d.name, []).append(d)
        self._track(rows.path, rows.content_hash, delta, mark=not self.fresh)
        self.parsed_paths.add(rows.path)
        self.counts.files_parsed += 1
        self._file_done()

    def _before_write(self, path: str) -> None:
        if self.memory is not None:
            self.memory.before_write(self.conn, path)

    def _after_write(self, path: str) -> None:
        if self.memory is not None:
            self.memory.after_write(self.conn, path)

    def _track(self, path: str, digest: str, delta: files.FileDelta, mark: bool) -> None:
        self.node_delta += len(delta.added) - len(delta.removed)
        if mark and (
            delta.removed or delta.added_names or delta.bases_changed or delta.imports_changed
        ):
            edges.mark_dependents(
                self.conn,
                path,
                delta.removed,
                delta.added_names,
                bases_changed=delta.bases_changed,
                imports_changed=delta.imports_changed,
            )
        unchanged = not (delta.added or delta.removed or delta.changed)
        if delta.change == "modified" and unchanged and delta.previous_hash == digest:
            return
        sessions.record_change(
            self.conn,
            self.session_id,
            path,
            delta.change,
            digest,
            delta.previous_hash,
            delta.added,
            delta.removed,
            delta.changed,
        )
        self.changed_paths.append(path)

    def _skip(self, path: str, reason: str) -> None:
        self.reasons[reason] += 1
        self.counts.files_skipped += 1
        if len(self.skipped_examples) < 50:
            self.skipped_examples.append((path, reason))

    def _delete(self, path: str) -> None:
        conn = self.conn
        self._begin()
        self._before_write(path)
        delta = files.delete_file(conn, path)
        self._after_write(path)
        if delta is not None:
            self.node_delta -= len(delta.removed)
            self.edge_delta -= delta.edges_removed
            edges.mark_dependents(conn, path, delta.removed, ())
            sessions.record_change(
                conn,
                self.session_id,
                path,
                "deleted",
                None,
                delta.previous_hash,
                [],
                delta.removed,
                [],
            )
            self.counts.files_deleted += 1
            self.changed_paths.append(path)
        self._file_done()

    def _retarget(self, workspace: Workspace) -> None:
        """Resolve unchanged files' imports again when files or configurations changed."""
        t = time.perf_counter()
        try:
            if retarget.workspace_changed(self.conn, workspace):
                retarget.refresh_targets(self.conn, workspace, self.parsed_paths)
            self._commit()
        except BaseException:
            rollback(self.conn)
            raise
        self.counts.timings["retarget"] = time.perf_counter() - t

    def _prune(self, vanished: set[str]) -> None:
        try:
            for path in sorted(vanished):
                if self._check_stop():
                    break
                self._delete(path)
            self._commit()
        except BaseException:
            rollback(self.conn)
            raise


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
