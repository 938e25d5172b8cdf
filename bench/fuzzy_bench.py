"""Latency of codeidx.query.fuzzy over ~150k realistic symbol names.

Names are the identifiers defined in this interpreter's standard library (functions,
classes, assigned names and attributes, read with ``ast``), topped up with names built
from the words those identifiers use, in snake_case, camelCase and PascalCase.  Queries
mix the kinds people type: prefixes, camel humps, word prefixes, substrings, subsequences
with characters dropped (typos) and exact names.

Run: ``.venv/bin/python bench/fuzzy_bench.py`` (``--help`` for sizes).  Prints build time
and p50/p95/max query latency, overall and per kind.  It asserts nothing: timings belong
here, not in the test suite.

``--baseline FILE`` also loads another version of the module from a file (for example
``git show HEAD~1:server/codeidx/query/fuzzy.py > /tmp/fuzzy_before.py``), builds its index
over the same names and times both on the same queries, alternating which goes first, so
that a machine shared with other work slows both alike.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import random
import re
import statistics
import sys
import sysconfig
import time
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from codeidx.query.fuzzy import NameIndex

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def stdlib_names() -> list[str]:
    """Distinct identifiers defined anywhere in the standard library."""
    root = Path(sysconfig.get_paths()["stdlib"])
    names: set[str] = set()
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d not in ("site-packages", "__pycache__")]
        for file in files:
            if not file.endswith(".py"):
                continue
            try:
                tree = ast.parse(Path(directory, file).read_bytes())
            except (SyntaxError, ValueError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    names.add(node.name)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
                elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                    names.add(node.attr)
    return sorted(names)


def synthesise(base: list[str], total: int, rng: random.Random) -> list[str]:
    """``base`` plus names made of its words until there are ``total`` names."""
    words = sorted({w.lower() for name in base for w in _WORD.findall(name) if len(w) > 1})
    names = list(base)
    seen = set(names)
    while len(names) < total:
        parts = rng.sample(words, rng.randint(2, 4))
        style = rng.random()
        if style < 0.4:
            name = "_".join(parts)
        elif style < 0.7:
            name = parts[0] + "".join(p.title() for p in parts[1:])
        else:
            name = "".join(p.title() for p in parts)
        if name not in seen:
            seen.add(name)
            names.append(name)
    rng.shuffle(names)
    return names


def make_queries(names: list[str], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query) pairs, an even mix of the kinds."""
    multi = [n for n in names if len(_WORD.findall(n)) >= 2]
    long = [n for n in names if len(n) >= 8]
    queries: list[tuple[str, str]] = []
    kinds = ["prefix", "hump", "word", "substring", "typo", "exact", "short"]
    for i in range(count):
        kind = kinds[i % len(kinds)]
        if kind == "prefix":
            name = rng.choice(names)
            query = name[: rng.randint(2, 6)]
        elif kind == "hump":
            parts = _WORD.findall(rng.choice(multi))
            if rng.random() < 0.5:
                query = "".join(p[0] for p in parts)
            else:
                query = "".join(p[: rng.randint(1, 3)] for p in parts[: rng.randint(2, 3)])
            query = query.lower() if rng.random() < 0.5 else query
        elif kind == "word":
            parts = _WORD.findall(rng.choice(multi))
            query = rng.choice(parts[1:])[: rng.randint(3, 6)].lower()
        elif kind == "substring":
            name = rng.choice(long)
            start = rng.randint(1, len(name) - 4)
            query = name[start : start + rng.randint(3, 6)]
        elif kind == "typo":
            name = rng.choice(long)
            fragment = list(name[: rng.randint(6, 10)])
            for _ in range(rng.randint(1, 2)):
                del fragment[rng.randrange(1, len(fragment))]
            query = "".join(fragment)
        elif kind == "exact":
            query = rng.choice(names)
        else:
            query = rng.choice("abcdefghijklmnoprstuvw") + rng.choice(["", "e", "t", "_"])
        queries.append((kind, query))
    return queries


def load_module(path: Path) -> ModuleType:
    """A version of the fuzzy module read from ``path``, under a name of its own."""
    spec = importlib.util.spec_from_file_location("fuzzy_baseline", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"fuzzy_bench: error: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=150_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--slowest", type=int, default=5, help="list this many slowest queries")
    parser.add_argument(
        "--baseline", type=Path, help="time this copy of fuzzy.py too, on the same queries"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)

    started = time.perf_counter()
    base = stdlib_names()
    names = synthesise(base, args.names, rng)
    elapsed = time.perf_counter() - started
    print(f"{len(names)} names ({len(base)} from the stdlib), read in {elapsed:.1f} s")

    indexes: dict[str, Any] = {}
    for label, cls in [("current", NameIndex)] + (
        [("baseline", load_module(args.baseline).NameIndex)] if args.baseline else []
    ):
        started = time.perf_counter()
        indexes[label] = cls(names)
        print(f"NameIndex ({label}) built in {time.perf_counter() - started:.2f} s")

    for _kind, query in make_queries(names, 20, random.Random(args.seed + 1)):
        for index in indexes.values():
            index.search(query, args.limit)  # Warm the interpreter and the regex cache.

    by_kind: dict[str, defaultdict[str, list[float]]] = {
        label: defaultdict(list) for label in indexes
    }
    timed: list[tuple[float, str, str]] = []
    for n, (kind, query) in enumerate(make_queries(names, args.queries, rng)):
        order = list(indexes.items())
        for label, index in order[n % len(order) :] + order[: n % len(order)]:
            started = time.perf_counter()
            index.search(query, args.limit)
            elapsed = (time.perf_counter() - started) * 1000
            by_kind[label][kind].append(elapsed)
            by_kind[label]["all"].append(elapsed)
            if label == "current":
                timed.append((elapsed, kind, query))

    for label, kinds in by_kind.items():
        print(f"{args.queries} queries, limit {args.limit}, {label}, milliseconds per query:")
        print(f"  {'kind':10} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7}")
        for kind in [*sorted(k for k in kinds if k != "all"), "all"]:
            values = kinds[kind]
            p50, p95 = statistics.median(values), percentile(values, 95)
            print(f"  {kind:10} {len(values):4d} {p50:7.2f} {p95:7.2f} {max(values):7.2f}")
    if args.slowest:
        print(
            "slowest (current):",
            ", ".join(f"{q!r} ({k}) {ms:.1f}" for ms, k, q in sorted(timed)[-args.slowest :]),
        )


if __name__ == "__main__":
    main()
