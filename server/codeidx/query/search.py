"""Natural-language and keyword search over definitions: BM25, vectors and names, fused.

``search`` answers a ``SearchQuery`` in one of three modes:

- ``fts``: BM25 over the full-text store (identifier-aware tokens, name and
  signature fields weighed above bodies);
- ``vector``: nearest chunks of the vector store to the embedded query,
  folded to their definitions (a definition's best window counts);
- ``hybrid`` (the default): reciprocal-rank fusion of both lists,
  ``w / (k + rank)`` per source, plus a symbol-name boost from SQLite: a
  definition named exactly as a word of the query (``getTokenName``), or
  whose name's words the query spells out (``token name`` for
  ``get_token_name``), is lifted as if it ranked first in a list of its own.

A store that is missing or damaged, or a model that cannot load, never
fails the search: hybrid degrades to what is available and says so in
``notes`` and ``mode`` (what actually ran).  Coverage tells how much of the
index each store holds, and ``partial`` is true while either lags.

Filters (language, kind, path glob) are applied to every source before
fusion; results are enriched from SQLite (ranges, names, a snippet).  Runs
on a query worker with a read connection it owns; the stores passed in
must be safe for that thread (``SearchStores`` documents which are).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from pathspec import GitIgnoreSpec

from codeidx.errors import CodeidxError, UsageError
from codeidx.store import projection
from codeidx.store.tokens import split_identifier

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

MODES = ("hybrid", "fts", "vector")
MAX_LIMIT = 200
#: Candidates fetched from each source per requested result (filters and fusion need slack).
OVERFETCH = 5
_SNIPPET_CHARS = 160
#: Cosine similarity taken off a hit on a later window of a definition (see ``_ranked``).
WINDOW_PENALTY = 0.1


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A search request; filters are empty for "any"."""

    text: str
    limit: int = 20
    mode: str = "hybrid"
    languages: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    path_glob: str | None = None

    def check(self) -> None:
        """Raise UsageError for a request no search can answer."""
        if self.mode not in MODES:
            expected = ", ".join(MODES)
            raise UsageError(f"unknown search mode {self.mode!r} (expected one of {expected})")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise UsageError(f"limit must be between 1 and {MAX_LIMIT}, not {self.limit}")


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each source counts in hybrid fusion (configuration ``search.*Weight``).

    The defaults are ``SearchSettings``'s, chosen on the dev queries of
    ``bench/search_bench.py``: natural-language queries find code through
    the vectors somewhat more often than through BM25, so BM25 counts three
    quarters, and a small ``k`` lets each list's first ranks decide.  The
    name boost stays small: in a sentence it mostly lifts the wrong
    definitions, while a typed name should still come first.
    """

    fts: float = 0.75
    vector: float = 1.0
    symbol: float = 0.25
    k: int = 5


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One definition found, with the score of each source that found it.

    ``scores`` holds the raw per-store scores (``fts``: BM25, ``vector``:
    cosine similarity, ``symbol``: 1 for an exact name, the share of the
    name's words otherwise); ``score`` is the fused score the list is sorted by.
    """

    row: projection.HitRow
    score: float
    scores: dict[str, float]
    snippet: str


@dataclass(frozen=True, slots=True)
class SearchCoverage:
    """How much of the index the stores behind an answer hold."""

    nodes_total: int
    nodes_indexed: int
    nodes_embedded: int
    files_total: int
    files_lagging_text: int
    files_lagging_vectors: int
    partial: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[SearchHit]
    mode: str  # what actually ran
    coverage: SearchCoverage
    notes: list[str] = field(default_factory=list)


class TextSearcher(Protocol):
    """The full-text store as search sees it (``store.text_index.TextIndex``)."""

    def search(
        self,
        query: str,
        limit: int,
        *,
        languages: Collection[str] | None = None,
        kinds: Collection[str] | None = None,
    ) -> Sequence[_Hit]: ...


class VectorSearcher(Protocol):
    """The vector store as search sees it (``store.vector_index.VectorIndex``)."""

    def search(
        self,
        vector: np.ndarray,
        limit: int,
        *,
        languages: Collection[str] | None = None,
        kinds: Collection[str] | None = None,
    ) -> Sequence[_Hit]: ...


class _Hit(Protocol):
    @property
    def node_id(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def path(self) -> str: ...


@dataclass(slots=True)
class Backends:
    """What one search may use; a None source is unavailable (``why_*`` says why)."""

    text: TextSearcher | None
    vectors: VectorSearcher | None
    encode: Callable[[str], np.ndarray] | None
    coverage: SearchCoverage
    weights: Weights = field(default_factory=Weights)
    why_no_text: str | None = None
    why_no_vectors: str | None = None


def search(conn: sqlite3.Connection, backends: Backends, query: SearchQuery) -> SearchResult:
    """Answer ``query`` from the stores in ``backends`` (see module doc)."""
    query.check()
    notes: list[str] = []
    text = query.text.strip()
    if not text:
        return SearchResult([], query.mode, backends.coverage, notes)
    spec = _path_spec(query.path_glob)
    want_fts = query.mode in ("hybrid", "fts")
    want_vec = query.mode in ("hybrid", "vector")
    fetch = max(query.limit * OVERFETCH, 50)
    if spec is not None:
        fetch *= 4  # the glob is applied after the stores answer
    langs = query.languages or None
    kinds = query.kinds or None

    fts: list[tuple[int, float]] = []
    ran: list[str] = []
    if want_fts:
        if backends.text is None:
            notes.append(f"full-text search is unavailable: {backends.why_no_text}")
        else:
            try:
                hits = backends.text.search(text, fetch, languages=langs, kinds=kinds)
                fts = _ranked(hits, spec)
                ran.append("fts")
            except CodeidxError as exc:
                notes.append(f"full-text search failed: {exc}")
    vec: list[tuple[int, float]] = []
    if want_vec:
        if backends.vectors is None or backends.encode is None:
            notes.append(f"vector search is unavailable: {backends.why_no_vectors}")
        else:
            try:
                vector = backends.encode(text)
                hits = backends.vectors.search(vector, fetch, languages=langs, kinds=kinds)
                vec = _ranked(hits, spec)
                ran.append("vector")
            except CodeidxError as exc:
                notes.append(f"vector search failed: {exc}")
    symbol: dict[int, float] = {}
    if query.mode == "hybrid":
        symbol = _symbol_matches(conn, text, {n for n, _ in fts} | {n for n, _ in vec}, fetch)
    if query.mode == "hybrid" and not ran and not symbol:
        return SearchResult([], "none", backends.coverage, notes)

    fused = _fuse(fts, vec, symbol, backends.weights, query.mode)
    rows = projection.hit_rows(conn, [node_id for node_id, _ in fused[:fetch]])
    fts_scores, vec_scores = dict(fts), dict(vec)
    out: list[SearchHit] = []
    for node_id, score in fused:
        row = rows.get(node_id)
        if row is None or not _admitted(row, query, spec):
            continue
        scores: dict[str, float] = {}
        if node_id in fts_scores:
            scores["fts"] = fts_scores[node_id]
        if node_id in vec_scores:
            scores["vector"] = vec_scores[node_id]
        if node_id in symbol:
            scores["symbol"] = symbol[node_id]
        out.append(SearchHit(row, score, scores, _snippet(row)))
        if len(out) >= query.limit:
            break
    mode = query.mode
    if mode == "hybrid" and len(ran) < 2:
        mode = "+".join(ran) or "symbols"  # what actually ran
    return SearchResult(out, mode, backends.coverage, notes)


def _path_spec(glob: str | None) -> GitIgnoreSpec | None:
    if glob is None or not glob.strip():
        return None
    try:
        return GitIgnoreSpec.from_lines([glob.strip()])
    except (ValueError, TypeError) as exc:
        raise UsageError(f"bad path glob {glob!r}: {exc}") from None


def _ranked(hits: Sequence[_Hit], spec: GitIgnoreSpec | None) -> list[tuple[int, float]]:
    """(node id, best score) in rank order, one entry per definition.

    A vector hit on a later window of a long definition (``chunk_id``
    ``"<node>:<window>"`` with a window above 0) counts ``WINDOW_PENALTY``
    less: the first window holds the name, signature and doc that say what
    the definition is about; a later one is a stretch of code out of context,
    which should find the definition only when it matches clearly better.
    """
    seen: dict[int, float] = {}
    for hit in hits:
        if spec is not None and not spec.match_file(hit.path):
            continue
        score = float(hit.score)
        chunk = getattr(hit, "chunk_id", None)
        if isinstance(chunk, str) and not chunk.endswith(":0"):
            score -= WINDOW_PENALTY
        if hit.node_id not in seen or score > seen[hit.node_id]:
            seen[hit.node_id] = score
    return sorted(seen.items(), key=lambda item: -item[1])


def _symbol_matches(
    conn: sqlite3.Connection, text: str, candidates: set[int], limit: int
) -> dict[int, float]:
    """Definitions the query names: 1.0 for a name typed exactly, else the share spelled out.

    Exact: a word of the query is a definition's name, when the word is
    spelled like an identifier (``parse_headers``, ``getTokenName``,
    ``NormalDist``) or the query is at most ``_NAME_QUERY_WORDS`` words (a
    name looked up: ``date``).  A plain English word inside a sentence is
    not taken for a name: in "construct a date from a string" the words
    ``date`` and ``string`` name dozens of definitions, and lifting each of
    them as if it ranked first buries the answer (``bench/search_bench.py``
    measured this on the standard library).

    Spelled out: among the candidates the stores found, a name of two or
    more parts of which at least ``_MIN_RUN`` consecutive parts appear in
    the query as consecutive words, in order, scores the share of its parts
    in that run (``token name`` → ``get_token_name`` 2/3, "install scripts
    into ..." → ``install_scripts`` 1).  Names sharing one word with a
    sentence ("end" and ``end_fill``) are left to the stores' own ranking.
    """
    raw = _raw_words(text)
    short = len(raw) <= _NAME_QUERY_WORDS
    words = [w for w in raw if len(w) >= 3 and (short or _identifier_shaped(w))]
    out: dict[int, float] = {}
    for node_id, _name in projection.nodes_named_any(conn, words, limit):
        out[node_id] = 1.0
    sequence = [part for word in raw for part in split_identifier(word)]
    if len(sequence) < _MIN_RUN or not candidates:
        return out
    rows = projection.hit_rows(conn, [c for c in candidates if c not in out])
    for node_id, row in rows.items():
        parts = split_identifier(row.name)
        if len(parts) < 2:
            continue  # a one-word name is matched by BM25's name field already
        run = _longest_common_run(parts, sequence)
        share = run / len(parts)
        if run >= _MIN_RUN and share >= _MIN_SHARE:
            out[node_id] = share
    return out


#: A query of at most this many words may be a bare name (``date``, ``Path stem``).
_NAME_QUERY_WORDS = 2
#: Consecutive name parts the query must spell out, and the share of the name they must be.
_MIN_RUN = 2
_MIN_SHARE = 0.5

_IDENTIFIER_SHAPE = re.compile(r"_|[a-z][A-Z]|[A-Z]{2}[a-z]|[A-Za-z][0-9]")


def _identifier_shaped(word: str) -> bool:
    """Whether a query word is written like a code name rather than an English word.

    Underscores, a case change inside the word (``getName``, ``HTTPServer``)
    or a letter next to a digit (``utf8``) mark a name; ``Text``, ``MIME``
    and ``date`` do not.
    """
    return _IDENTIFIER_SHAPE.search(word) is not None


def _longest_common_run(parts: Sequence[str], sequence: Sequence[str]) -> int:
    """How many consecutive ``parts`` at most appear consecutively in ``sequence``."""
    best = 0
    previous = [0] * (len(sequence) + 1)
    for part in parts:
        current = [0] * (len(sequence) + 1)
        for j, word in enumerate(sequence, start=1):
            if word == part:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def _raw_words(text: str) -> list[str]:
    """The query's words as typed (identifier characters), in order, without repeats."""
    word: list[str] = []
    out: list[str] = []
    for ch in text + " ":
        if ch.isalnum() or ch == "_":
            word.append(ch)
        elif word:
            out.append("".join(word))
            word = []
    return list(dict.fromkeys(out))


def _fuse(
    fts: list[tuple[int, float]],
    vec: list[tuple[int, float]],
    symbol: dict[int, float],
    weights: Weights,
    mode: str,
) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion of the lists (one list alone keeps its own order)."""
    if mode == "fts":
        return [(n, s) for n, s in fts]
    if mode == "vector":
        return [(n, s) for n, s in vec]
    k = weights.k
    fused: dict[int, float] = {}
    for weight, ranked in ((weights.fts, fts), (weights.vector, vec)):
        for rank, (node_id, _score) in enumerate(ranked, start=1):
            fused[node_id] = fused.get(node_id, 0.0) + weight / (k + rank)
    for node_id, share in symbol.items():
        fused[node_id] = fused.get(node_id, 0.0) + weights.symbol * share / (k + 1)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def _admitted(row: projection.HitRow, query: SearchQuery, spec: GitIgnoreSpec | None) -> bool:
    """Filters once more on SQLite's row: the symbol boost does not filter by itself."""
    if query.languages and row.language not in query.languages:
        return False
    if query.kinds and row.kind not in query.kinds:
        return False
    return spec is None or spec.match_file(row.path)


def _snippet(row: projection.HitRow) -> str:
    """The signature, and the first line of the doc when there is one."""
    first = row.doc.strip().splitlines()[0].strip() if row.doc.strip() else ""
    text = row.signature.strip() or row.qualified_name
    if first:
        text = f"{text} — {first}"
    return text if len(text) <= _SNIPPET_CHARS else text[: _SNIPPET_CHARS - 1] + "…"
