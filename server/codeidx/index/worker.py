"""The parse job: read, fingerprint and parse one file into storable rows.

Runs in worker processes (or inline for small runs).  A job never raises for
a bad file: unreadable, vanished, binary and oversize files come back as a
skip reason; invalid UTF-8 and syntax errors come back as parsed rows with
problems.  Workers hold one Extractor and the workspace's file set.
"""

from __future__ import annotations

import gc
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from codeidx.index.fingerprint import content_hash, looks_binary
from codeidx.parse import registry
from codeidx.parse.extract import Extractor
from codeidx.parse.hooks import Workspace
from codeidx.store.files import FileRows, prepare_nodes
from codeidx.store.occurrences import pack_table
from codeidx.support.collector import collector_paused

_MAX_CONFIG_BYTES = 1_000_000
#: Files modified less than this long ago are "racily clean" (as git says).
_RACY_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class Job:
    """One file to look at; ``known_hash`` is the indexed content's hash, if any."""

    path: str
    abs_path: str
    language: str
    known_hash: str | None
    snapshot_hashes: frozenset[str]
    max_bytes: int


@dataclass(slots=True)
class Outcome:
    """What a job found: rows to write, an unchanged/restorable hash, or a skip."""

    path: str
    size: int = 0
    mtime_ns: int = 0
    content_hash: str | None = None
    rows: FileRows | None = None
    restore: bool = False
    skip_reason: str | None = None


_STATE: dict[str, object] = {}


def init_worker(workspace: Workspace, ignore_sigint: bool, freeze_heap: bool = False) -> None:
    """Set up a worker: Ctrl-C is the parent's business, not the workers'.

    ``freeze_heap`` is for worker processes: what they inherited or loaded
    at start-up lives as long as they do, so the cyclic collector leaves it
    alone (``gc.freeze``) instead of scanning it again and again.
    """
    if ignore_sigint:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STATE["workspace"] = workspace
    _STATE.setdefault("extractor", Extractor())
    if freeze_heap:
        gc.freeze()


def parse_job(job: Job) -> Outcome:
    """Read and parse one file (see module doc)."""
    # A file's query matches and nodes make no cycles (see support.collector).
    with collector_paused():
        return _parse_job(job)


def _parse_job(job: Job) -> Outcome:
    workspace = _STATE["workspace"]
    extractor = _STATE["extractor"]
    assert isinstance(workspace, Workspace) and isinstance(extractor, Extractor)
    path = Path(job.abs_path)
    try:
        st = path.stat()
        if st.st_size > job.max_bytes:
            return Outcome(job.path, skip_reason="oversize")
        data = path.read_bytes()
    except FileNotFoundError:
        return Outcome(job.path, skip_reason="vanished")
    except OSError:
        return Outcome(job.path, skip_reason="unreadable")
    if len(data) > job.max_bytes:
        return Outcome(job.path, skip_reason="oversize")
    if looks_binary(data):
        return Outcome(job.path, skip_reason="binary")
    digest = content_hash(data)
    mtime = st.st_mtime_ns
    if mtime > time.time_ns() - _RACY_NS:
        # Written so recently that another write within the same timestamp
        # tick would go unnoticed: record no mtime, so the next run hashes it.
        mtime = 0
    base = Outcome(job.path, st.st_size, mtime, digest)
    if digest == job.known_hash:
        return base
    if digest in job.snapshot_hashes:
        base.restore = True
        return base
    hooks = registry.hooks(job.language).HOOKS
    module = hooks.module_name(job.path, workspace)
    result = extractor.parse(job.language, data, module)
    module = result.nodes[0].qualified_name
    base.rows = FileRows(
        path=job.path,
        language=job.language,
        module_name=module,
        size=st.st_size,
        mtime_ns=mtime,
        content_hash=digest,
        line_count=result.line_count,
        error_count=result.error_count,
        problems=result.problems,
        # Row values instead of records: see FileRows.prepared_nodes.
        nodes=[],
        occurrences=pack_table(result.occurrence_table),
        imports=result.imports,
        locals=result.locals,
        targets=[hooks.resolve_import(imp, job.path, workspace) for imp in result.imports],
        prepared_nodes=prepare_nodes(job.path, result.nodes),
    )
    return base


def read_configs(root: Path, paths: set[str]) -> dict[str, str]:
    """Text of the language configuration files hooks ask for (go.mod, tsconfig.json).

    Looked up in every folder holding an indexed file and in its ancestors.
    """
    names: set[str] = set()
    for language in {registry.language_for_path(p) for p in paths} - {None}:
        assert language is not None
        names.update(registry.hooks(language).HOOKS.config_files)
    if not names:
        return {}
    folders: set[str] = {""}
    for p in paths:
        d = p.rpartition("/")[0]
        while d and d not in folders:
            folders.add(d)
            d = d.rpartition("/")[0]
    out: dict[str, str] = {}
    for folder in folders:
        for name in names:
            rel = f"{folder}/{name}" if folder else name
            candidate = root / rel
            try:
                if candidate.is_file() and candidate.stat().st_size <= _MAX_CONFIG_BYTES:
                    out[rel] = candidate.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
    return out
