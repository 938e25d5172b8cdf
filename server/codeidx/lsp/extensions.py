"""Typed results of codeidx's own protocol methods (see docs/protocol-extensions.md).

This module owns the shapes of ``codeidx/status`` (request, and the
``codeidx.status`` command), of the ``codeidx/indexUpdated`` notification
and of the ``codeidx.reindex`` command's answer.  They are attrs classes,
which pygls serialises with camelCase keys; no field has a default, because
pygls leaves out fields equal to their default and clients should always
see every key.  Building them from query
results is plain translation; no I/O here.  Any thread.
"""

from __future__ import annotations

from typing import Any

import attrs

from codeidx.index.doctor import StoreHealth
from codeidx.index.pipeline import RunResult
from codeidx.query.types import StatusReport
from codeidx.store.stats import SessionRow

STATUS = "codeidx/status"
INDEX_UPDATED = "codeidx/indexUpdated"
COMMAND_STATUS = "codeidx.status"
COMMAND_REINDEX = "codeidx.reindex"

SEMANTIC_SEARCH = "codeidx/semanticSearch"  # shapes in lsp.search_protocol

#: Every custom method and command; a test checks each is documented.
CUSTOM_METHODS = (STATUS, INDEX_UPDATED, COMMAND_STATUS, COMMAND_REINDEX, SEMANTIC_SEARCH)


@attrs.define
class RunSummary:
    """The outcome of one index run the server made."""

    reason: str  # initial | reindex | config | save | watch | external
    status: str  # complete | interrupted | failed
    files_parsed: int
    files_unchanged: int
    files_deleted: int
    files_skipped: int
    changed_paths: list[str]
    error: str | None

    @classmethod
    def of_session(cls, reason: str, row: SessionRow) -> RunSummary:
        """A run another process made, as its session recorded it (changed paths unknown)."""
        return cls(
            reason,
            row.status,
            row.files_parsed,
            row.files_unchanged,
            row.files_deleted,
            row.files_skipped,
            [],
            row.error,
        )

    @classmethod
    def of(cls, reason: str, result: RunResult | None, error: str | None) -> RunSummary:
        if result is None:
            return cls(reason, "failed", 0, 0, 0, 0, [], error)
        counts = result.counts
        return cls(
            reason,
            result.status,
            counts.files_parsed,
            counts.files_unchanged,
            counts.files_deleted,
            counts.files_skipped,
            list(result.changed_paths),
            error,
        )


@attrs.define
class IndexUpdatedParams:
    """``codeidx/indexUpdated``: an index run of the server ended."""

    run: RunSummary
    paths: list[str]  # the saved files of a save run; empty for full runs
    root: str  # the workspace folder whose index the run updated


@attrs.define
class CoverageInfo:
    partial: bool
    files: int
    unlinked_files: int
    reason: str | None


@attrs.define
class IndexingState:
    running: str | None
    full_run_queued: bool
    saves_queued: int
    #: The run in progress waits for another process (another server, the CLI) to finish writing.
    waiting_for_other_writer: bool
    #: The writer looks at the disk for changed files (the client reports none).
    watching_disk: bool


@attrs.define
class StatusResult:
    """``codeidx/status``: what the index holds and what the server is doing.

    The top-level fields describe the first workspace folder; ``roots``
    holds the same fields for every folder, first included (their own
    ``roots`` are empty).
    """

    root: str
    index_dir: str
    indexed: bool
    indexing: IndexingState
    last_run: RunSummary | None
    open_documents: int
    readers_open: int
    files: int
    nodes: int
    edges: int
    files_by_language: dict[str, int]
    stale_files: int
    schema_version: int
    coverage: CoverageInfo | None
    roots: list[StatusResult]
    search: SearchStatus | None


@attrs.define
class SearchStatus:
    """The search stores of a folder and its embedding model.

    ``modelState`` is ``off`` (embedding turned off), ``idle`` (not loaded
    yet), ``loading``, ``ready`` or ``failed`` (``modelError`` says why).
    Lag counts files whose version in the store differs from the index.
    """

    model: str | None
    model_state: str
    model_error: str | None
    embedding: bool
    text_documents: int
    text_lagging_files: int
    vector_chunks: int
    vector_lagging_files: int
    vector_model: str | None
    notes: list[str]


def search_status(service: dict[str, Any], stores: list[StoreHealth]) -> SearchStatus:
    """The status of one folder's search from its service and ``index.doctor.summarize``."""
    by_name = {s.name: s for s in stores}
    text, vectors = by_name.get("text"), by_name.get("vectors")
    problems = [f"{s.name}: {s.problem}" for s in stores if s.problem]
    return SearchStatus(
        service.get("model"),
        str(service.get("modelState", "off")),
        service.get("modelError"),
        bool(service.get("embedding", False)),
        text.count if text else 0,
        text.lag if text else 0,
        vectors.count if vectors else 0,
        vectors.lag if vectors else 0,
        vectors.detail if vectors else None,
        [*service.get("notes", []), *problems],
    )


def status_result(
    report: StatusReport | None,
    root: str,
    index_dir: str,
    indexing: IndexingState,
    last_run: RunSummary | None,
    open_documents: int,
    readers_open: int,
) -> StatusResult:
    """The status answer; ``report`` is None while there is no index yet."""
    if report is None:
        return StatusResult(
            root, index_dir, False, indexing, last_run, open_documents, readers_open,
            0, 0, 0, {}, 0, 0, None, [], None,
        )  # fmt: skip
    cov = report.coverage
    return StatusResult(
        root,
        index_dir,
        True,
        indexing,
        last_run,
        open_documents,
        readers_open,
        files=report.files,
        nodes=sum(report.nodes_by_kind.values()),
        edges=sum(report.edges_by_kind.values()),
        files_by_language=dict(report.files_by_language),
        stale_files=sum(report.stale_counts.values()),
        schema_version=report.schema_version,
        coverage=CoverageInfo(cov.partial, cov.files, cov.unlinked_files, cov.reason),
        roots=[],
        search=None,
    )


@attrs.define
class ReindexResult:
    """``codeidx.reindex``: whether a new run was queued (False: one was already queued)."""

    queued: bool
