"""Search quality and speed of codeidx's hybrid search on the Python standard library.

Quality is measured the CodeSearchNet way.  The standard library's ``*.py``
files outside ``site-packages/`` and outside its test packages (``test/``,
``tests/``, ``idle_test/``: their docstrings are few and mostly "Test ..."),
in path order up to ``--budget`` definitions (the whole non-test library has
about 19,000 searchable definitions, which takes over an hour to embed on a
shared 2-core machine; ``--budget 0`` takes every file), are copied to a work
folder with every docstring removed (``ast``; a body left empty gets
``pass``), so an answer cannot be found by copying its text.
From the ORIGINAL files, functions and methods whose docstring opens with a
real sentence (at least four words, not "Test ...", not a bare reference
such as "See foo") give the queries: the first sentence is the query, the
definition at that path and line is the only right answer.  A fixed seed
shuffles them into a dev set (for tuning) and a test set (for reporting).

The copy is indexed like ``codeidx index`` does it: ``run_index``, then
``TextSync`` and ``VectorSync`` (embedding through a cache), so only the
first run over a ``--workdir`` embeds everything.  Each query is answered by
``query.search`` in the modes fts, vector and hybrid, and by a naive
baseline: the same model over each function's raw source text from the
stripped copy (cut to the model's limit by the model), cosine similarity,
no BM25, no headers, no fusion.  Figures: MRR@10, recall@1 and recall@10.

Speed: the whole-corpus embedding time and chunks per second (from the
first run over a work folder, or after ``--rebuild`` for texts not cached
yet), the time to re-index and re-embed after one function of one file
changes (only that function's chunk should reach the model), and search
latency p50/p95 per mode in-process (``query.search``) and through
``codeidx serve`` over stdio (``codeidx/semanticSearch``).

    .venv/bin/python bench/search_bench.py --workdir /tmp/searchbench [--phases ...]

Phases (default: all of them in this order): prepare, index, baseline,
quality, latency, reembed, lsp.  ``tune`` runs hybrid fusion over a grid of
weights on the dev set only, and ``tune-fts`` the full-text store's field
boosts (coordinate ascent on BM25 alone); they are how the defaults were
chosen.  Figures
go to ``--json`` (default ``bench/out/search_bench.json``); method and
results are written up in ``bench/results/search.md``.  Timing assertions
live here, never in tests.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import random
import re
import shutil
import statistics
import sys
import sysconfig
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

OUT_DEFAULT = Path(__file__).resolve().parent / "out" / "search_bench.json"
SEED = 20261121
DEV_SIZE = 300
TEST_SIZE = 500
MIN_WORDS = 4
TOP = 10
LATENCY_QUERIES = 200
TEST_DIRS = frozenset({"test", "tests", "idle_test"})
#: Definitions (functions, methods, classes) of the corpus, counted with ``ast``.
BUDGET_DEFAULT = 4000
MODES = ("fts", "vector", "hybrid")


def step(what: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] {what}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# The corpus: a docstring-free copy of the standard library.


def stdlib_root() -> Path:
    return Path(sysconfig.get_paths()["stdlib"]).resolve()


def corpus_sources(src: Path, budget: int) -> list[Path]:
    """The ``*.py`` files of ``src`` outside site-packages, caches and test packages.

    In path order, until the files hold ``budget`` definitions (0: no limit).
    """
    out: list[Path] = []
    total = 0
    for path in sorted(src.rglob("*.py")):
        parts = path.relative_to(src).parts[:-1]
        if "site-packages" in parts or "__pycache__" in parts:
            continue
        if any(part in TEST_DIRS for part in parts):
            continue
        if not path.is_file() or path.is_symlink():
            continue
        if budget and total >= budget:
            break
        out.append(path)
        with contextlib.suppress(SyntaxError, ValueError):
            total += len(_defs_in_order(ast.parse(path.read_bytes())))
    return out


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_DOC_OWNERS = (ast.Module, *_DEFS)


def _docstring_expr(node: ast.AST) -> ast.Expr | None:
    body = getattr(node, "body", None)
    if not body:
        return None
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return first
    return None


def strip_docstrings(text: str) -> str | None:
    """``text`` without docstrings, still valid Python; None when it does not parse.

    A docstring alone on its lines loses those lines (or becomes ``pass`` at
    its indentation when it was the whole body); one sharing a line with
    other code is replaced in place by ``pass``.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, int, int, bool]] = []
    for node in ast.walk(tree):
        if not isinstance(node, _DOC_OWNERS):
            continue
        expr = _docstring_expr(node)
        if expr is None or expr.end_lineno is None or expr.end_col_offset is None:
            continue
        sole = len(node.body) == 1
        edits.append((expr.lineno, expr.col_offset, expr.end_lineno, expr.end_col_offset, sole))
    # Later edits first, so earlier positions stay valid.
    for line, col, end_line, end_col, sole in sorted(edits, reverse=True):
        first, last = lines[line - 1], lines[end_line - 1]
        # Column offsets are UTF-8 byte offsets; convert for lines with non-ASCII text.
        before = first.encode("utf-8")[:col].decode("utf-8", "replace")
        after = last.encode("utf-8")[end_col:].decode("utf-8", "replace")
        alone = not before.strip() and (not after.strip() or after.strip().startswith("#"))
        if alone and not sole:
            del lines[line - 1 : end_line]
        elif alone:
            lines[line - 1 : end_line] = [f"{before}pass\n"]
        else:
            lines[line - 1 : end_line] = [f"{before}pass{after}"]
    out = "".join(lines)
    try:
        ast.parse(out)
    except (SyntaxError, ValueError):
        return None
    return out


_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]`'\"])[.!?](?=\s|$)")
_REFERENCE = re.compile(
    r"^(see|same as|alias for|deprecated|override|overrides|overridden|internal|helper|"
    r"implements?|wrapper|compatibility|used by|called by|for internal|todo|xxx)\b",
    re.IGNORECASE,
)


def first_sentence(doc: str) -> str | None:
    """The first sentence of a docstring when it is a real sentence (see module doc)."""
    paragraph = doc.strip().split("\n\n", 1)[0]
    text = " ".join(paragraph.split())
    match = _SENTENCE_END.search(text)
    sentence = text[: match.start()] if match else text
    sentence = sentence.strip().rstrip(":;,")
    words = sentence.split()
    if len(words) < MIN_WORDS or len(words) > 40:
        return None
    if not words[0][:1].isalpha():
        return None
    if words[0].lower() in ("test", "tests", "testing"):
        return None
    if _REFERENCE.match(sentence):
        return None
    # A signature line ("foo(a, b) -> str") or a doctest is not a sentence.
    if "(" in words[0] or ">>>" in sentence or "->" in sentence:
        return None
    return sentence


@dataclass(frozen=True, slots=True)
class Query:
    """One benchmark query and its only right answer (0-based line of the name)."""

    text: str
    path: str
    name: str
    line: int


def _defs_in_order(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    return [n for n in ast.walk(tree) if isinstance(n, _DEFS)]


def prepare(work: Path, budget: int) -> dict[str, Any]:
    """Copy and strip the corpus, pick the queries; writes corpus/ and queries.json."""
    src = stdlib_root()
    root = work / "corpus"
    if root.exists():
        shutil.rmtree(root)
    candidates: list[Query] = []
    files = stripped = unparsable = 0
    for path in corpus_sources(src, budget):
        rel = path.relative_to(src).as_posix()
        data = path.read_bytes()
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        files += 1
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        out = strip_docstrings(text) if text is not None else None
        if text is None or out is None:
            target.write_bytes(data)
            unparsable += 1
            continue
        target.write_text(out, encoding="utf-8")
        stripped += 1
        original, copy = _defs_in_order(ast.parse(text)), _defs_in_order(ast.parse(out))
        if len(original) != len(copy):
            continue
        for old, new in zip(original, copy, strict=True):
            if isinstance(old, ast.ClassDef):
                continue
            doc = ast.get_docstring(old)
            if not doc or old.name.startswith("test"):
                continue
            sentence = first_sentence(doc)
            if sentence is None:
                continue
            candidates.append(Query(sentence, rel, new.name, new.lineno - 1))
    # A query that several definitions share has no single right answer.
    counts: dict[str, int] = {}
    for q in candidates:
        key = q.text.lower()
        counts[key] = counts.get(key, 0) + 1
    unique = [q for q in candidates if counts[q.text.lower()] == 1]
    random.Random(SEED).shuffle(unique)
    dev, test = unique[:DEV_SIZE], unique[DEV_SIZE : DEV_SIZE + TEST_SIZE]
    summary = {
        "source": str(src),
        "budget": budget,
        "files": files,
        "files_stripped": stripped,
        "files_copied_unchanged": unparsable,
        "candidate_queries": len(candidates),
        "unique_queries": len(unique),
        "dev": len(dev),
        "test": len(test),
        "seed": SEED,
    }
    (work / "queries.json").write_text(
        json.dumps(
            {
                "summary": summary,
                "dev": [asdict(q) for q in dev],
                "test": [asdict(q) for q in test],
            },
            indent=1,
        )
        + "\n"
    )
    return summary


def load_queries(work: Path) -> tuple[list[Query], list[Query]]:
    data = json.loads((work / "queries.json").read_text())
    return [Query(**q) for q in data["dev"]], [Query(**q) for q in data["test"]]


# --------------------------------------------------------------------------
# Indexing and embedding, as ``codeidx index`` does it.


def progress_logger(what: str, every_s: float = 30.0) -> Callable[[int, int], None]:
    started = time.perf_counter()
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.perf_counter()
        if done in (0, total) or now - last[0] >= every_s:
            last[0] = now
            step(f"{what}: {done}/{total} files, {now - started:.0f} s")

    return report


def index_corpus(work: Path, rebuild: bool = False) -> dict[str, Any]:
    """SQLite index, full-text sync and embedding of the copy (cached between runs).

    The stores follow file contents, not the code that makes their
    documents: after a change to chunk texts, ``rebuild`` (``--rebuild``)
    deletes both search stores first.  The embedding cache stays, so only
    texts never embedded before reach the model.
    """
    from codeidx.index.pipeline import run_index
    from codeidx.index.search_sync import TEXT_DIR, VECTOR_DIR, TextSync, VectorSync
    from codeidx.store import db
    from codeidx.store.embedder import load_embedder

    root, index_dir = work / "corpus", work / "index"
    if rebuild:
        for store in (TEXT_DIR, VECTOR_DIR):
            shutil.rmtree(index_dir / store, ignore_errors=True)
    t = time.perf_counter()
    run = run_index(root, index_dir)
    index_s = time.perf_counter() - t
    step(f"indexed in {index_s:.1f} s")
    conn = db.connect_reader(index_dir / db.DB_NAME)
    try:
        text = TextSync(root, index_dir).sync(conn)
        step(f"full-text sync: {text.updated} files in {text.seconds:.1f} s")
        vectors = VectorSync(root, index_dir, lambda: load_embedder("default"))
        try:
            rep = vectors.sync(conn, progress=progress_logger("embedding"))
        finally:
            vectors.close()
    finally:
        conn.close()
    step(
        f"embedding: {rep.updated} files, {rep.embedded} chunks embedded,"
        f" {rep.cached} cached, {rep.seconds:.1f} s"
    )
    return {
        "index_s": index_s,
        "index_run": str(run)[:300],
        "text_sync": {"files": text.updated, "seconds": text.seconds},
        "embed": {
            "files": rep.updated,
            "embedded": rep.embedded,
            "cached": rep.cached,
            "seconds": rep.seconds,
            "chunks_per_s": rep.embedded / rep.seconds if rep.embedded else None,
        },
    }


# --------------------------------------------------------------------------
# Quality: MRR@10 and recall@1/@10 per mode, and the naive baseline.


@dataclass(slots=True)
class Scores:
    """Ranks of the right answers (None: not in the top ``TOP``)."""

    ranks: list[int | None]

    def summary(self) -> dict[str, float]:
        n = len(self.ranks)
        found = [r for r in self.ranks if r is not None]
        return {
            "queries": n,
            "mrr@10": sum(1.0 / r for r in found) / n,
            "r@1": sum(1 for r in found if r == 1) / n,
            "r@10": sum(1 for r in found if r <= TOP) / n,
        }


def rank_of(answers: Sequence[tuple[str, int]], query: Query) -> int | None:
    """1-based rank of the query's definition among (path, 0-based name line) answers."""
    for i, (path, line) in enumerate(answers[:TOP], start=1):
        if path == query.path and line == query.line:
            return i
    return None


class Searcher:
    """The read side as ``codeidx search`` opens it, kept open for many queries."""

    def __init__(self, work: Path, weights: Any = None, embed: bool = True) -> None:
        from codeidx.index.models import ModelHolder
        from codeidx.query.search_stores import SearchStores
        from codeidx.store import db

        self.index_dir = work / "index"
        self.conn = db.connect_reader(self.index_dir / db.DB_NAME)
        self.models = ModelHolder("default", None) if embed else None
        self.stores = SearchStores(self.index_dir, self.models, weights)

    def search(self, text: str, mode: str, limit: int = TOP) -> Any:
        from codeidx.query.search import SearchQuery, search

        return search(self.conn, self.stores.backends(self.conn), SearchQuery(text, limit, mode))

    def answers(self, text: str, mode: str) -> list[tuple[str, int]]:
        result = self.search(text, mode)
        if result.mode != mode:
            raise SystemExit(f"search ran {result.mode!r} instead of {mode!r}: {result.notes}")
        return [(h.row.path, h.row.name_line) for h in result.hits]

    def close(self) -> None:
        self.stores.close()
        self.conn.close()
        if self.models is not None:
            self.models.close()


def quality(work: Path) -> dict[str, Any]:
    """Each mode over the dev and test queries, through ``query.search``."""
    dev, test = load_queries(work)
    searcher = Searcher(work)
    out: dict[str, Any] = {}
    misses: dict[str, list[str]] = {}
    try:
        coverage = searcher.stores.backends(searcher.conn).coverage
        out["coverage"] = asdict(coverage)
        if coverage.partial:
            raise SystemExit(f"the search stores lag ({coverage.reason}): run --phases index")
        for split, queries in (("dev", dev), ("test", test)):
            for mode in MODES:
                ranks = [rank_of(searcher.answers(q.text, mode), q) for q in queries]
                out[f"{split}/{mode}"] = Scores(ranks).summary()
                misses[f"{split}/{mode}"] = [
                    q.text for q, r in zip(queries, ranks, strict=True) if r is None
                ][:20]
                step(f"{split} {mode}: {out[f'{split}/{mode}']}")
    finally:
        searcher.close()
    out["misses_sample"] = misses
    return out


def collect_lists(
    searcher: Searcher, queries: Sequence[Query], fetch: int
) -> list[tuple[str, list[tuple[int, float]], list[tuple[int, float]]]]:
    """Per query: its text, and the fts and vector lists fusion starts from."""
    from codeidx.query.search import _ranked

    backends = searcher.stores.backends(searcher.conn)
    assert backends.text is not None and backends.vectors is not None
    assert backends.encode is not None
    out = []
    for q in queries:
        fts = _ranked(backends.text.search(q.text, fetch), None)
        vec = _ranked(backends.vectors.search(backends.encode(q.text), fetch), None)
        out.append((q.text, fts, vec))
    return out


def fused_scores(
    searcher: Searcher,
    queries: Sequence[Query],
    lists: Sequence[tuple[str, list[tuple[int, float]], list[tuple[int, float]]]],
    weights: Any,
    fetch: int,
) -> dict[str, float]:
    """Hybrid fusion over collected lists with ``weights`` (the code's own functions)."""
    from codeidx.query.search import _fuse, _symbol_matches
    from codeidx.store import projection

    where: dict[int, tuple[str, int]] = {}
    ranks = []
    for q, (text, fts, vec) in zip(queries, lists, strict=True):
        found = {n for n, _ in fts} | {n for n, _ in vec}
        symbol = _symbol_matches(searcher.conn, text, found, fetch)
        top = [n for n, _ in _fuse(fts, vec, symbol, weights, "hybrid")[:TOP]]
        unknown = [n for n in top if n not in where]
        for node_id, row in projection.hit_rows(searcher.conn, unknown).items():
            where[node_id] = (row.path, row.name_line)
        ranks.append(rank_of([where[n] for n in top if n in where], q))
    return Scores(ranks).summary()


def tune(work: Path) -> dict[str, Any]:
    """Hybrid on the DEV set over a grid of fusion weights; the test set is not touched."""
    from codeidx.query.search import OVERFETCH, Weights

    dev, _ = load_queries(work)
    fetch = max(TOP * OVERFETCH, 50)
    searcher = Searcher(work)
    try:
        lists = collect_lists(searcher, dev, fetch)
        rows = []
        for k in (2, 5, 10, 20, 60):
            for fts_w in (0.25, 0.35, 0.5, 0.75, 1.0):
                for sym_w in (0.0, 0.25, 0.5, 1.0):
                    weights = Weights(fts_w, 1.0, sym_w, k)
                    figures = fused_scores(searcher, dev, lists, weights, fetch)
                    rows.append({"k": k, "fts": fts_w, "vector": 1.0, "symbol": sym_w, **figures})
        rows.sort(key=lambda r: -r["mrr@10"])
        default = fused_scores(searcher, dev, lists, Weights(), fetch)
    finally:
        searcher.close()
    for row in rows[:10]:
        step(f"tune: {row}")
    step(f"tune: defaults {default}")
    return {"defaults": default, "grid": rows}


def fts_ranks_summary(searcher: Searcher, queries: Sequence[Query], fetch: int) -> dict[str, float]:
    """BM25 alone over ``queries`` with the full-text store's current boosts."""
    from codeidx.store import projection

    backends = searcher.stores.backends(searcher.conn)
    assert backends.text is not None
    ranks = []
    for q in queries:
        hits = backends.text.search(q.text, fetch)
        ids = list(dict.fromkeys(h.node_id for h in hits))[:TOP]
        rows = projection.hit_rows(searcher.conn, ids)
        ranks.append(rank_of([(rows[n].path, rows[n].name_line) for n in ids if n in rows], q))
    return Scores(ranks).summary()


#: Values tried per field boost, and for the tie breaker, by ``tune_fts``.
FTS_BOOST_VALUES = (0.0, 0.3, 0.6, 1.0, 1.5, 2.5, 4.0, 6.0)
FTS_TIE_VALUES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7)


def tune_fts(work: Path) -> dict[str, Any]:
    """BM25 field boosts and tie breaker by coordinate ascent on the DEV set's MRR@10.

    Starts from the store's current values and changes one at a time,
    keeping a change that gains more than 0.001; the test set is not
    touched.  Boosts and the tie breaker apply at query time, so the store
    is not rebuilt; the stop list and the fields themselves are what the
    code says.
    """
    from codeidx.store import text_index

    dev, _ = load_queries(work)
    fetch = 50
    searcher = Searcher(work, embed=False)
    original = (dict(text_index.FIELD_BOOSTS), text_index._TIE_BREAKER)
    steps: list[dict[str, Any]] = []
    try:
        config: dict[str, float] = {**original[0], "tie": original[1]}

        def score(candidate: dict[str, float]) -> float:
            boosts = {k: v for k, v in candidate.items() if k != "tie"}
            text_index.FIELD_BOOSTS.clear()
            text_index.FIELD_BOOSTS.update(boosts)
            text_index._TIE_BREAKER = candidate["tie"]
            return fts_ranks_summary(searcher, dev, fetch)["mrr@10"]

        start = best = score(config)
        for _round in range(3):
            improved = False
            for key in list(config):
                values = FTS_TIE_VALUES if key == "tie" else FTS_BOOST_VALUES
                for value in values:
                    if value == config[key]:
                        continue
                    candidate = {**config, key: value}
                    figure = score(candidate)
                    if figure > best + 0.001:
                        best, config, improved = figure, candidate, True
                        steps.append({"set": key, "to": value, "dev_mrr@10": figure})
                        step(f"tune-fts: {key} = {value}: {figure:.4f}")
            if not improved:
                break
    finally:
        text_index.FIELD_BOOSTS.clear()
        text_index.FIELD_BOOSTS.update(original[0])
        text_index._TIE_BREAKER = original[1]
        searcher.close()
    step(f"tune-fts: current {start:.4f}, best {best:.4f}: {config}")
    return {"current_dev_mrr@10": start, "best_dev_mrr@10": best, "best": config, "steps": steps}


def function_texts(root: Path) -> list[tuple[str, int, str]]:
    """(path, 0-based def line, raw source) of every function and method of the copy."""
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
            tree = ast.parse(text)
        except (SyntaxError, ValueError, UnicodeDecodeError):
            continue
        lines = text.splitlines()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                end = node.end_lineno or node.lineno
                out.append((rel, node.lineno - 1, "\n".join(lines[node.lineno - 1 : end])))
    return out


#: Characters of raw source kept per function; the model cuts at 256 tokens anyway.
BASELINE_CHARS = 4000


def baseline(work: Path) -> dict[str, Any]:
    """The same model over raw function text, cosine only (embeddings cached)."""
    from codeidx.store.embed_cache import EmbeddingCache, text_key
    from codeidx.store.embedder import load_embedder

    functions = function_texts(work / "corpus")
    texts = [text[:BASELINE_CHARS] for _, _, text in functions]
    model = load_embedder("default")
    cache = EmbeddingCache.open(work / "baseline-cache.sqlite")
    try:
        keys = [text_key(t) for t in texts]
        found = cache.get_many(model.model_id, list(set(keys)))
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        step(f"baseline: {len(functions)} functions, {len(missing)} to embed")
        started = time.perf_counter()
        for i in range(0, len(missing), 512):
            batch = missing[i : i + 512]
            vectors = model.encode([t for _, t in batch])
            items = [(k, vectors[j]) for j, (k, _) in enumerate(batch)]
            cache.put_many(model.model_id, items)
            found.update(items)
            seconds = time.perf_counter() - started
            step(f"baseline: {i + len(batch)}/{len(missing)} embedded in {seconds:.0f} s")
        matrix = np.stack([found[k] for k in keys]).astype(np.float32)
        dev, test = load_queries(work)
        out: dict[str, Any] = {"functions": len(functions)}
        for split, queries in (("dev", dev), ("test", test)):
            vectors = model.encode([q.text for q in queries])
            sims = vectors @ matrix.T
            ranks = []
            for qi, q in enumerate(queries):
                top = np.argsort(-sims[qi])[:TOP]
                ranks.append(rank_of([functions[j][:2] for j in top], q))
            out[f"{split}/baseline"] = Scores(ranks).summary()
            step(f"{split} baseline: {out[f'{split}/baseline']}")
        return out
    finally:
        cache.close()
        model.close()


# --------------------------------------------------------------------------
# Speed: latency per mode, re-embedding after one change, through the LSP.


def percentile(samples: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, int(np.ceil(share * len(ordered))) - 1))
    return ordered[index]


def timing_summary(samples: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": percentile(samples, 0.50) * 1000,
        "p95_ms": percentile(samples, 0.95) * 1000,
        "max_ms": max(samples) * 1000,
        "mean_ms": statistics.fmean(samples) * 1000,
    }


def latency_queries(work: Path) -> list[str]:
    dev, test = load_queries(work)
    texts = [q.text for q in (*test, *dev)]
    return texts[:LATENCY_QUERIES]


def latency(work: Path) -> dict[str, Any]:
    """``query.search`` in-process, one query at a time, limit 10, per mode."""
    texts = latency_queries(work)
    searcher = Searcher(work)
    out: dict[str, Any] = {}
    try:
        for text in texts[:10]:  # warm-up: model loaded, stores opened, caches filled
            for mode in MODES:
                searcher.search(text, mode)
        for mode in MODES:
            samples = []
            for text in texts:
                t = time.perf_counter()
                result = searcher.search(text, mode)
                samples.append(time.perf_counter() - t)
                if result.mode != mode:
                    raise SystemExit(f"search ran {result.mode!r} instead of {mode!r}")
            out[mode] = timing_summary(samples)
            step(f"latency {mode}: {out[mode]}")
        t = time.perf_counter()
        for text in texts:
            searcher.stores.encode(text)
        out["query_embedding_mean_ms"] = (time.perf_counter() - t) / len(texts) * 1000
    finally:
        searcher.close()
    return out


def _probe_edit(text: str) -> str | None:
    """``text`` with one statement added to the body of its largest function."""
    tree = ast.parse(text)
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and len(n.body) >= 3]
    if not functions:
        return None
    target = max(functions, key=lambda n: (n.end_lineno or 0) - n.lineno)
    first = target.body[0]
    lines = text.splitlines(keepends=True)
    indent = lines[first.lineno - 1][: first.col_offset]
    lines.insert(first.lineno - 1, f"{indent}codeidx_bench_probe = 1\n")
    return "".join(lines)


def reembed(work: Path) -> dict[str, Any]:
    """One function of one file changed: re-index, full-text sync, re-embed; then restore."""
    from codeidx.index.pipeline import run_index
    from codeidx.index.search_sync import TextSync, VectorSync
    from codeidx.store import db
    from codeidx.store.embedder import load_embedder

    root, index_dir = work / "corpus", work / "index"
    rel = "argparse.py"
    path = root / rel
    original = path.read_text(encoding="utf-8")
    changed = _probe_edit(original)
    if changed is None:
        raise SystemExit(f"no function to change in {rel}")
    out: dict[str, Any] = {"file": rel, "lines": original.count("\n")}
    vectors = VectorSync(root, index_dir, lambda: load_embedder("default"))
    try:
        _ = vectors.embedder  # load the model first: a server has it loaded already
        for label, text in (("changed", changed), ("restored", original)):
            path.write_text(text, encoding="utf-8")
            t = time.perf_counter()
            run_index(root, index_dir)
            index_s = time.perf_counter() - t
            conn = db.connect_reader(index_dir / db.DB_NAME)
            try:
                text_report = TextSync(root, index_dir).sync(conn, [rel])
                vec_report = vectors.sync(conn)
            finally:
                conn.close()
            out[label] = {
                "index_s": index_s,
                "text_sync_s": text_report.seconds,
                "embed_s": vec_report.seconds,
                "files_embedded": vec_report.updated,
                "chunks_embedded": vec_report.embedded,
                "chunks_cached": vec_report.cached,
                "total_s": index_s + text_report.seconds + vec_report.seconds,
            }
            step(f"reembed {label}: {out[label]}")
    finally:
        path.write_text(original, encoding="utf-8")
        vectors.close()
    return out


def lsp(work: Path) -> dict[str, Any]:
    """``codeidx/semanticSearch`` through ``codeidx serve`` over stdio, per mode."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from lsp_bench import launch

    root, index_dir = work / "corpus", work / "index"
    texts = latency_queries(work)
    out: dict[str, Any] = {}
    with (work / "lsp-server.log").open("wb") as log:
        client = launch(root, index_dir, log, embed=True)
        try:
            # Wait until the server answers hybrid searches from complete stores.
            deadline = time.monotonic() + 600
            while True:
                _, result = client.request(
                    "codeidx/semanticSearch", {"query": texts[0], "limit": TOP, "mode": "hybrid"}
                )
                if result["mode"] == "hybrid" and not result["partial"]:
                    break
                if time.monotonic() > deadline:
                    raise SystemExit(f"the server never answered a full hybrid search: {result}")
                time.sleep(1.0)
            for text in texts[:10]:
                for mode in MODES:
                    client.request("codeidx/semanticSearch", {"query": text, "mode": mode})
            for mode in MODES:
                samples = []
                for text in texts:
                    seconds, result = client.request(
                        "codeidx/semanticSearch", {"query": text, "limit": TOP, "mode": mode}
                    )
                    if result["mode"] != mode:
                        raise SystemExit(f"the server ran {result['mode']!r} for {mode!r}")
                    samples.append(seconds)
                out[mode] = timing_summary(samples)
                step(f"lsp {mode}: {out[mode]}")
        finally:
            client.close()
    return out


# --------------------------------------------------------------------------
# Main.

PHASES = ("prepare", "index", "baseline", "quality", "latency", "reembed", "lsp")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="kept between runs")
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated phases")
    parser.add_argument("--json", type=Path, default=OUT_DEFAULT, help="where to write figures")
    parser.add_argument(
        "--budget", type=int, default=BUDGET_DEFAULT, help="definitions in the corpus (0: all)"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild the search stores (chunk texts changed)"
    )
    args = parser.parse_args()
    os.environ.setdefault("LANCEDB_LOG", "error")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    work: Path = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {}
    if args.json.exists():
        figures = json.loads(args.json.read_text())
    figures["loadavg_start"] = os.getloadavg()
    for phase in phases:
        step(f"phase {phase}")
        if phase == "prepare":
            if (work / "queries.json").exists():
                step("corpus and queries exist; keeping them")
            else:
                figures["corpus"] = prepare(work, args.budget)
                step(f"corpus: {figures['corpus']}")
        elif phase == "index":
            figures["index"] = index_corpus(work, args.rebuild)
        else:
            figures[phase] = PHASE_FUNCTIONS[phase](work)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    figures["loadavg_end"] = os.getloadavg()
    args.json.write_text(json.dumps(figures, indent=2) + "\n")


PHASE_FUNCTIONS: dict[str, Callable[[Path], Any]] = {
    "quality": quality,
    "baseline": baseline,
    "tune": tune,
    "tune-fts": tune_fts,
    "latency": latency,
    "reembed": reembed,
    "lsp": lsp,
}

if __name__ == "__main__":
    main()
