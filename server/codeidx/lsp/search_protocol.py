"""The shapes of ``codeidx/semanticSearch`` (see docs/protocol-extensions.md).

The method name is ``lsp.extensions.SEMANTIC_SEARCH``.

Params arrive from pygls as attribute objects or plain mappings; ``parse_params``
reads either and raises InvalidParams with a sentence for anything malformed.
Results are attrs classes that pygls serialises with camelCase keys; no field
has a default, because pygls leaves out fields equal to their default and
clients should always see every key.  Plain translation, any thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from codeidx.lsp import convert
from codeidx.parse.records import NODE_KINDS
from codeidx.parse.registry import LANGUAGES
from codeidx.query.search import MAX_LIMIT, MODES, SearchCoverage, SearchQuery, SearchResult


@attrs.define
class StoreScores:
    """Each store's own score for a result; null where that store did not find it."""

    fts: float | None
    vector: float | None
    symbol: float | None


@attrs.define
class SearchResultItem:
    uri: str
    range: types.Range
    selection_range: types.Range
    name: str
    qualified_name: str
    kind: str
    symbol_kind: int
    language: str
    snippet: str
    score: float
    scores: StoreScores


@attrs.define
class SearchCoverageInfo:
    """How much of the index the stores hold; ``partial`` while either lags."""

    nodes_total: int
    nodes_indexed: int
    nodes_embedded: int
    files_total: int
    files_lagging_text: int
    files_lagging_vectors: int
    partial: bool
    reason: str | None


@attrs.define
class SemanticSearchResult:
    results: list[SearchResultItem]
    mode: str
    partial: bool
    coverage: SearchCoverageInfo
    notes: list[str]


def _get(params: Any, key: str) -> Any:
    if params is None:
        return None
    if isinstance(params, Mapping):
        return params.get(key)
    return getattr(params, key, None)


def _strings(params: Any, key: str, known: Any) -> tuple[str, ...]:
    value = _get(params, key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise JsonRpcInvalidParams(f"{key} must be a list of strings")
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise JsonRpcInvalidParams(
            f"unknown {key}: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return tuple(value)


def parse_params(params: Any) -> SearchQuery:
    """The request's params as a query; InvalidParams with a sentence when malformed."""
    text = _get(params, "query")
    if not isinstance(text, str):
        raise JsonRpcInvalidParams("codeidx/semanticSearch needs a string `query`")
    limit = _get(params, "limit")
    if limit is None:
        limit = 20
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise JsonRpcInvalidParams(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    mode = _get(params, "mode") or "hybrid"
    if mode not in MODES:
        raise JsonRpcInvalidParams(f"mode must be one of {', '.join(MODES)}")
    glob = _get(params, "pathGlob")
    if glob is not None and not isinstance(glob, str):
        raise JsonRpcInvalidParams("pathGlob must be a string")
    return SearchQuery(
        text,
        limit,
        mode,
        _strings(params, "languages", LANGUAGES),
        _strings(params, "kinds", NODE_KINDS),
        glob,
    )


def coverage_info(coverage: SearchCoverage) -> SearchCoverageInfo:
    return SearchCoverageInfo(
        coverage.nodes_total,
        coverage.nodes_indexed,
        coverage.nodes_embedded,
        coverage.files_total,
        coverage.files_lagging_text,
        coverage.files_lagging_vectors,
        coverage.partial,
        coverage.reason,
    )


def to_result(root: Path, result: SearchResult, extra_notes: list[str]) -> SemanticSearchResult:
    """The LSP answer: saved-file positions (lines 0-based, UTF-16 columns) as ranges."""
    items = []
    for hit in result.hits:
        row = hit.row
        items.append(
            SearchResultItem(
                convert.path_to_uri(root, row.path),
                convert.to_lsp_range(row.start_line, row.start_col, row.end_line, row.end_col),
                convert.to_lsp_range(row.name_line, row.name_col, row.name_line, row.name_end_col),
                row.name,
                row.qualified_name,
                row.kind,
                int(convert.to_lsp_symbol_kind(row.kind)),
                row.language,
                hit.snippet,
                hit.score,
                StoreScores(
                    hit.scores.get("fts"), hit.scores.get("vector"), hit.scores.get("symbol")
                ),
            )
        )
    return SemanticSearchResult(
        items,
        result.mode,
        result.coverage.partial,
        coverage_info(result.coverage),
        [*result.notes, *extra_notes],
    )


def merge(
    answers: list[SemanticSearchResult], limit: int, notes: list[str]
) -> SemanticSearchResult:
    """Several workspace folders' answers as one: results by score, coverage summed."""
    results = sorted(
        (item for answer in answers for item in answer.results), key=lambda r: -r.score
    )[:limit]
    covers = [a.coverage for a in answers]
    reasons = [c.reason for c in covers if c.reason]
    coverage = SearchCoverageInfo(
        sum(c.nodes_total for c in covers),
        sum(c.nodes_indexed for c in covers),
        sum(c.nodes_embedded for c in covers),
        sum(c.files_total for c in covers),
        sum(c.files_lagging_text for c in covers),
        sum(c.files_lagging_vectors for c in covers),
        any(c.partial for c in covers),
        "; ".join(reasons) or None,
    )
    modes = list(dict.fromkeys(a.mode for a in answers))
    return SemanticSearchResult(
        results,
        modes[0] if len(modes) == 1 else "+".join(modes),
        coverage.partial or bool(notes),
        coverage,
        [*dict.fromkeys(n for a in answers for n in a.notes), *notes],
    )
