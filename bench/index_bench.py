"""Benchmark the indexing engine on the Python standard library.

The corpus is the standard library of the interpreter running this script,
restricted to ``*.py`` files outside ``site-packages/``, copied once into a
temporary folder so files can be modified without touching the real
installation.  Every figure below is measured on that copy, in one run:

1. universal-ctags over the same copy (best of 3), the yardstick;
2. a cold index into a fresh index folder (best of 2), each run in its own
   process so its peak RSS and that of its worker processes can be read
   with ``getrusage``;
3. a no-change re-run over the same index (best of 3);
4. one ~1,000-line file modified and re-indexed, both with ``only=`` (the
   "files" mode used on save) and with a full incremental run (median of 5).

It prints a table, writes the figures as JSON (``bench/out/index_bench.json``
by default) and checks them against the targets in ``bench/results/indexing.md``.
Timing assertions live here, never in the test suite.

    .venv/bin/python bench/index_bench.py [--json PATH] [--keep]
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

# Time the engine of this checkout, whichever codeidx the interpreter has
# installed: the report names this checkout's commit and digest, and a
# benchmark run from another checkout (an older commit's ``git archive``)
# would otherwise time the installed engine under the older name.
ENGINE_ROOT = Path(__file__).resolve().parent.parent / "server"
sys.path.insert(0, str(ENGINE_ROOT))

INCLUDE = ("*.py",)
EXCLUDE = ("site-packages/",)
OUT_DEFAULT = Path(__file__).resolve().parent / "out" / "index_bench.json"
TARGET_LINES = 1_000
MODIFICATIONS = 5

# Targets (see bench/results/indexing.md): a figure passes when it is at most / under these.
TARGET_COLD_VS_CTAGS = 15.0
TARGET_NO_CHANGE_S = 1.0
TARGET_ONE_FILE_S = 0.050
TARGET_DB_VS_SOURCE = 3.0
TARGET_RSS_BYTES = 500 * 1000 * 1000


# --------------------------------------------------------------------------
# The child process: one cold index, with its own rusage.


def child_main(root: str, index_dir: str) -> None:
    """Run one index and print its counts and peak RSS figures as one JSON line."""
    started = time.perf_counter()
    from codeidx.index.pipeline import IndexOptions, run_index

    imported = time.perf_counter()
    result = run_index(Path(root), Path(index_dir), IndexOptions(include=INCLUDE, exclude=EXCLUDE))
    finished = time.perf_counter()
    counts = result.counts
    # ru_maxrss is in KiB on Linux.  RUSAGE_CHILDREN covers every descendant
    # that was waited for: the parse and link worker pools (and git).
    self_usage = resource.getrusage(resource.RUSAGE_SELF)
    children_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = self_usage.ru_maxrss * 1024
    workers = children_usage.ru_maxrss * 1024
    print(
        json.dumps(
            {
                "status": result.status,
                "wall_s": finished - imported,
                "import_s": imported - started,
                "files_seen": counts.files_seen,
                "files_parsed": counts.files_parsed,
                "files_skipped": counts.files_skipped,
                "nodes": counts.nodes,
                "edges": counts.edges,
                "timings": counts.timings,
                "reasons": counts.reasons,
                "rss_parent_bytes": own,
                "rss_max_worker_bytes": workers,
                # CPU seconds (user + system) of the indexing process, start-up
                # included, and of all its worker processes together.  On a
                # shared machine they vary less than wall time does.
                "cpu_parent_s": self_usage.ru_utime + self_usage.ru_stime,
                "cpu_workers_s": children_usage.ru_utime + children_usage.ru_stime,
            }
        )
    )


# --------------------------------------------------------------------------
# Corpus.


def stdlib_root() -> Path:
    return Path(sysconfig.get_paths()["stdlib"]).resolve()


def copy_corpus(src: Path, dst: Path) -> None:
    """Copy the ``*.py`` files of ``src`` outside ``site-packages`` to ``dst``."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            full = os.path.join(folder, name)
            if os.path.isdir(full):
                if name == "site-packages" or name == "__pycache__":
                    skipped.add(name)
            elif not name.endswith(".py"):
                skipped.add(name)
        return skipped

    shutil.copytree(src, dst, ignore=ignore, symlinks=True)


def corpus_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def line_count(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def describe_corpus(root: Path) -> dict[str, Any]:
    paths = corpus_files(root)
    total_bytes = 0
    total_lines = 0
    per_file: dict[str, int] = {}
    for p in paths:
        data = p.read_bytes()
        total_bytes += len(data)
        n = line_count(data)
        total_lines += n
        per_file[p.relative_to(root).as_posix()] = n
    return {"files": len(paths), "bytes": total_bytes, "lines": total_lines, "per_file": per_file}


# --------------------------------------------------------------------------
# ctags.


def bench_ctags(root: Path, tmp: Path, corpus_file_count: int) -> dict[str, Any]:
    exe = shutil.which("ctags")
    if exe is None:
        return {
            "available": False,
            "hint": "install universal-ctags: apt-get install universal-ctags",
        }
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    if "Universal Ctags" not in version:
        return {
            "available": False,
            "hint": f"{exe} is not universal-ctags; install it: apt-get install universal-ctags",
        }
    tags = tmp / "ctags.tags"
    cmd = [exe, "-R", "--languages=Python", "--exclude=site-packages", "-f", str(tags), str(root)]
    times = []
    for _ in range(3):
        tags.unlink(missing_ok=True)
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    tag_count = 0
    tagged_files = set()
    with tags.open("rb") as fh:
        for raw in fh:
            if raw.startswith(b"!_"):
                continue
            tag_count += 1
            tagged_files.add(raw.split(b"\t", 2)[1])
    # Which files ctags read, to check it saw exactly the corpus.
    totals = subprocess.run(
        [*cmd[:-1], "--totals=yes", str(root)], capture_output=True, text=True, check=True
    ).stderr
    scanned = None
    for line in totals.splitlines():
        if " files, " in line:
            scanned = int(line.split()[0])
    tags.unlink(missing_ok=True)
    return {
        "available": True,
        "version": version.splitlines()[0],
        "command": " ".join(["ctags", *cmd[1:-3], "-f", "<tmpfile>", "<corpus>"]),
        "wall_s": min(times),
        "samples_s": times,
        "tags": tag_count,
        "files_with_tags": len(tagged_files),
        "files_scanned": scanned,
        "same_file_set": scanned == corpus_file_count,
    }


# --------------------------------------------------------------------------
# The index.


def index_sizes(index_dir: Path) -> dict[str, int]:
    def size(name: str) -> int:
        p = index_dir / name
        return p.stat().st_size if p.exists() else 0

    db_bytes = size("index.sqlite") + size("index.sqlite-wal") + size("index.sqlite-shm")
    folder = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file())
    return {
        "sqlite": size("index.sqlite"),
        "wal": size("index.sqlite-wal"),
        "shm": size("index.sqlite-shm"),
        "db_bytes": db_bytes,
        "folder_bytes": folder,
    }


def index_stats(index_dir: Path) -> dict[str, Any]:
    """Row counts read straight from the database (read-only)."""
    uri = f"{(index_dir / 'index.sqlite').as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        by_kind = dict(
            conn.execute("SELECT kind, COUNT(*) FROM edges GROUP BY kind ORDER BY 2 DESC")
        )
        return {
            "files": one("SELECT COUNT(*) FROM files"),
            "nodes": one("SELECT COUNT(*) FROM nodes"),
            "references": one("SELECT COALESCE(SUM(count), 0) FROM occurrences"),
            "occurrence_rows": one("SELECT COUNT(*) FROM occurrences"),
            "edges": one("SELECT COUNT(*) FROM edges"),
            "edge_sites": one("SELECT COALESCE(SUM(count), 0) FROM edges"),
            "edges_by_kind": by_kind,
            "files_with_errors": one("SELECT COUNT(*) FROM files WHERE error_count > 0"),
        }
    finally:
        conn.close()


def cold_index(root: Path, index_dir: Path) -> dict[str, Any]:
    """One cold index in a fresh process; returns its figures."""
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(root), str(index_dir)],
        capture_output=True,
        text=True,
    )
    process_s = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"cold index failed:\n{proc.stderr}")
    run = json.loads(proc.stdout.strip().splitlines()[-1])
    run["process_s"] = process_s
    run["sizes"] = index_sizes(index_dir)
    run["stats"] = index_stats(index_dir)
    return run


def bench_no_change(root: Path, index_dir: Path) -> dict[str, Any]:
    from codeidx.index.pipeline import IndexOptions, run_index

    samples = []
    for _ in range(3):
        t = time.perf_counter()
        result = run_index(root, index_dir, IndexOptions(include=INCLUDE, exclude=EXCLUDE))
        wall = time.perf_counter() - t
        samples.append(
            {
                "wall_s": wall,
                "files_parsed": result.counts.files_parsed,
                "files_unchanged": result.counts.files_unchanged,
                "timings": result.counts.timings,
            }
        )
    best = min(samples, key=lambda s: s["wall_s"])
    return {"wall_s": best["wall_s"], "best": best, "samples": samples}


# --------------------------------------------------------------------------
# One modified file.


def pick_file(root: Path, per_file: dict[str, int]) -> tuple[str, int, int, int]:
    """The file closest to TARGET_LINES lines with a one-line statement to change.

    Returns (path, lines, line index, byte column) of the place to edit: the
    end of a single-line assignment or call inside a function body.
    """
    for rel, lines in sorted(per_file.items(), key=lambda kv: (abs(kv[1] - TARGET_LINES), kv[0])):
        data = (root / rel).read_bytes()
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            continue
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            for stmt in fn.body:
                simple = isinstance(stmt, ast.Assign) or (
                    isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                )
                if simple and stmt.lineno == stmt.end_lineno and stmt.end_col_offset is not None:
                    return rel, lines, stmt.lineno - 1, stmt.end_col_offset
    raise SystemExit("no file with a function body line to modify")


def modified(original: bytes, line: int, col: int, tag: str) -> bytes:
    """The original text with one body line changed and a new function appended."""
    lines = original.splitlines(keepends=True)
    text = lines[line]
    lines[line] = text[:col] + f"; codeidx_bench_edit = {tag!r}".encode() + text[col:]
    body = b"".join(lines)
    if not body.endswith(b"\n"):
        body += b"\n"
    probe = (
        f"\n\ndef codeidx_bench_probe_{tag}(value):\n"
        f'    """Added by bench/index_bench.py."""\n'
        f"    return len(str(value)) + {len(tag)}\n"
    )
    return body + probe.encode()


def write_modified(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    # A fresh mtime even on a file system with coarse timestamps.
    now = time.time_ns()
    os.utime(path, ns=(now, now))


def probe_indexed(index_dir: Path, tag: str) -> bool:
    uri = f"{(index_dir / 'index.sqlite').as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        row = conn.execute(
            "SELECT COUNT(*) FROM nodes WHERE name = ?", (f"codeidx_bench_probe_{tag}",)
        ).fetchone()
        return bool(row[0])
    finally:
        conn.close()


def bench_one_file(root: Path, index_dir: Path, per_file: dict[str, int]) -> dict[str, Any]:
    """A save as the language server does it, and a whole-workspace re-run.

    "files" uses one long-lived ``Indexer`` (the server's writer keeps its
    connection between saves; its first save, which compiles the queries, is
    a warm-up and not counted) and, after each timed save, does untimed what
    the server's writer does once the client has heard of the run
    (``lsp.indexing``): a garbage collection and a passive WAL checkpoint, so
    no save pays for the checkpoint of the WAL its predecessors wrote (their
    time is recorded as ``after_run_s``); "incremental" runs ``run_index``
    from scratch each time, the way ``codeidx index`` does.
    """
    import gc

    from codeidx.index.pipeline import Indexer, IndexOptions, run_index
    from codeidx.store import db

    rel, lines, edit_line, edit_col = pick_file(root, per_file)
    path = root / rel
    original = path.read_bytes()
    modes: dict[str, list[dict[str, Any]]] = {"files": [], "incremental": []}
    indexer = Indexer(root, index_dir)
    checkpoints = db.connect_writer(index_dir / db.DB_NAME)

    def after_run() -> float:
        t = time.perf_counter()
        gc.collect()
        db.checkpoint_passive(checkpoints)
        return time.perf_counter() - t

    write_modified(path, modified(original, edit_line, edit_col, "warmup"))
    indexer.run(IndexOptions(only=(rel,)))
    after_run()
    # All saves first, then all whole-workspace runs: a server's saves follow
    # each other on one writer; a run by another process in between would make
    # the writer recount its totals (it cannot know what the other one did).
    for mode in ("files", "incremental"):
        for i in range(MODIFICATIONS):
            tag = f"{mode[0]}{i}"
            write_modified(path, modified(original, edit_line, edit_col, tag))
            t = time.perf_counter()
            cpu = time.process_time()
            if mode == "files":
                result = indexer.run(IndexOptions(only=(rel,)))
            else:
                result = run_index(root, index_dir, IndexOptions(include=INCLUDE, exclude=EXCLUDE))
            wall = time.perf_counter() - t
            cpu_s = time.process_time() - cpu
            after_s = after_run() if mode == "files" else 0.0
            modes[mode].append(
                {
                    "wall_s": wall,
                    # Both modes run in this process (one file parses inline),
                    # so its CPU time is the run's, less sensitive to other load.
                    "cpu_s": cpu_s,
                    "after_run_s": after_s,
                    "status": result.status,
                    "files_parsed": result.counts.files_parsed,
                    "timings": result.counts.timings,
                    "probe_indexed": probe_indexed(index_dir, tag),
                }
            )
    indexer.close()
    checkpoints.close()
    out: dict[str, Any] = {"path": rel, "lines": lines, "edited_line": edit_line + 1}
    for mode, samples in modes.items():
        out[mode] = {
            "median_s": statistics.median(s["wall_s"] for s in samples),
            "samples_s": [s["wall_s"] for s in samples],
            "median_cpu_s": statistics.median(s["cpu_s"] for s in samples),
            "median_after_run_s": statistics.median(s["after_run_s"] for s in samples),
            "all_parsed_one": all(s["files_parsed"] == 1 for s in samples),
            "all_probes_indexed": all(s["probe_indexed"] for s in samples),
            "median_timings": {
                k: statistics.median(s["timings"].get(k, 0.0) for s in samples)
                for k in ("discover", "parse_write", "link")
            },
            "samples": samples,
        }
    return out


# --------------------------------------------------------------------------
# Report.


def source_state() -> dict[str, Any]:
    """The engine's commit and uncommitted changes: others edit the source concurrently.

    Read-only git commands only (``--no-optional-locks`` keeps status from
    refreshing the index file).
    """
    repo = Path(__file__).resolve().parent.parent

    def git(*argv: str) -> str:
        try:
            proc = subprocess.run(
                ["git", "--no-optional-locks", *argv], cwd=repo, capture_output=True, text=True
            )
        except OSError:
            return ""
        return proc.stdout.strip() if proc.returncode == 0 else ""

    dirty = git("status", "--porcelain", "--", "server", "migrations").splitlines()
    # A digest of the files the indexing engine runs (its layer and those
    # below it), so work on the query layer, tests or docs during a run does
    # not count as a change of what was measured.
    digest = hashlib.sha256()
    package = repo / "server" / "codeidx"
    engine = [package / "errors.py", *(repo / "migrations").glob("*.sql")]
    for layer in ("index", "parse", "store", "support"):
        engine += [p for p in (package / layer).rglob("*") if p.suffix in (".py", ".scm")]
    for path in sorted(engine):
        digest.update(path.relative_to(repo).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<vanished>")
    import codeidx

    return {
        "commit": git("rev-parse", "--short", "HEAD") or None,
        "uncommitted": dirty,
        "engine_digest": digest.hexdigest()[:16],
        # The package the timings ran, which ``ENGINE_ROOT`` makes this checkout's.
        "engine_path": str(Path(codeidx.__file__).resolve().parent),
    }


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "unknown"


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def ms(s: float) -> str:
    return f"{s * 1000:,.1f} ms"


def verdicts(r: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    cold = r["cold"]["best"]
    ratio = r["ratios"].get("cold_vs_ctags")
    rss = max(r["cold"]["rss_parent_max_bytes"], r["cold"]["rss_worker_max_bytes"])
    return [
        (
            f"cold index <= {TARGET_COLD_VS_CTAGS:g}x ctags",
            "n/a (no ctags)" if ratio is None else f"{ratio:.1f}x",
            None if ratio is None else ratio <= TARGET_COLD_VS_CTAGS,
        ),
        (
            f"no-change re-run < {TARGET_NO_CHANGE_S:g} s",
            ms(r["no_change"]["wall_s"]),
            r["no_change"]["wall_s"] < TARGET_NO_CHANGE_S,
        ),
        (
            f"one modified file (files mode) < {TARGET_ONE_FILE_S * 1000:g} ms",
            ms(r["one_file"]["files"]["median_s"]),
            r["one_file"]["files"]["median_s"] < TARGET_ONE_FILE_S,
        ),
        (
            f"database <= {TARGET_DB_VS_SOURCE:g}x source bytes",
            f"{r['ratios']['db_vs_source']:.2f}x",
            r["ratios"]["db_vs_source"] <= TARGET_DB_VS_SOURCE,
        ),
        (
            f"peak RSS per process < {TARGET_RSS_BYTES / 1e6:g} MB",
            mb(rss),
            rss < TARGET_RSS_BYTES,
        ),
        ("(info) cold wall time", f"{cold['wall_s']:.2f} s", None),
    ]


def print_report(r: dict[str, Any]) -> None:
    c = r["corpus"]
    cold = r["cold"]["best"]
    st = cold["stats"]
    rows: list[tuple[str, str]] = [
        ("machine", f"{r['machine']['nproc']} cores, Python {r['machine']['python']}"),
        (
            "engine source",
            f"{r['source']['commit']} + {len(r['source']['uncommitted'])} "
            f"uncommitted files, engine digest {r['source']['engine_digest']}"
            + (" (CHANGED during the run)" if r["source_changed_during_run"] else ""),
        ),
        ("engine package", r["source"].get("engine_path", "?")),
        ("load average at start / end", f"{r['loadavg_start']}  /  {r['loadavg_end']}"),
        ("corpus", f"{c['files']:,} files, {c['lines']:,} lines, {mb(c['bytes'])}"),
    ]
    ct = r["ctags"]
    if ct["available"]:
        rows += [
            ("ctags wall (best of 3)", f"{ct['wall_s']:.3f} s  ({ct['tags']:,} tags)"),
            ("ctags files scanned", f"{ct['files_scanned']} (same set: {ct['same_file_set']})"),
        ]
    else:
        rows.append(("ctags", f"missing: {ct['hint']}"))
    t = cold["timings"]
    other = cold["wall_s"] - sum(t.values())
    rows += [
        (
            "cold index wall (best of 2)",
            f"{cold['wall_s']:.2f} s  (samples {r['cold']['samples_s']})",
        ),
        ("  phases", "  ".join(f"{k} {v:.2f} s" for k, v in t.items()) + f"  other {other:.2f} s"),
        (
            "  process incl. start-up",
            f"{cold['process_s']:.2f} s (import {cold['import_s']:.2f} s)",
        ),
        (
            "  cold / ctags",
            "n/a" if "cold_vs_ctags" not in r["ratios"] else f"{r['ratios']['cold_vs_ctags']:.1f}x",
        ),
        (
            "  throughput",
            f"{r['rates']['files_per_s']:,.0f} files/s, {r['rates']['lines_per_s']:,.0f} lines/s",
        ),
        (
            "  files parsed / skipped",
            f"{cold['files_parsed']:,} / {cold['files_skipped']:,} {cold['reasons'] or ''}",
        ),
        ("  nodes", f"{st['nodes']:,}"),
        ("  references (sum of counts)", f"{st['references']:,} in {st['occurrence_rows']:,} rows"),
        ("  edges", f"{st['edges']:,} ({st['edge_sites']:,} sites)"),
        *[(f"    {k}", f"{v:,}") for k, v in st["edges_by_kind"].items()],
        (
            "  database (sqlite+wal+shm)",
            f"{mb(cold['sizes']['db_bytes'])} "
            f"(wal {mb(cold['sizes']['wal'])}), {r['ratios']['db_bytes_per_node']:.0f} B/node",
        ),
        ("  database / source bytes", f"{r['ratios']['db_vs_source']:.2f}x"),
        (
            "  CPU parent / workers",
            f"{cold.get('cpu_parent_s', 0):.1f} s / {cold.get('cpu_workers_s', 0):.1f} s "
            "(user + system, best run)",
        ),
        (
            "  peak RSS parent / worker",
            f"{mb(r['cold']['rss_parent_max_bytes'])} / "
            f"{mb(r['cold']['rss_worker_max_bytes'])} (max over both runs)",
        ),
        (
            "no-change re-run (best of 3)",
            ms(r["no_change"]["wall_s"])
            + "  ("
            + "  ".join(f"{k} {ms(v)}" for k, v in r["no_change"]["best"]["timings"].items())
            + ")",
        ),
    ]
    one = r["one_file"]
    rows.append(("modified file", f"{one['path']} ({one['lines']} lines)"))
    for mode in ("files", "incremental"):
        m = one[mode]
        rows.append(
            (
                f"  {mode} mode (median of {MODIFICATIONS})",
                f"{ms(m['median_s'])}, CPU {ms(m.get('median_cpu_s', 0.0))}  ("
                + "  ".join(f"{k} {ms(v)}" for k, v in m["median_timings"].items())
                + f"; samples {', '.join(f'{s * 1000:.0f}' for s in m['samples_s'])} ms;"
                f" probe found: {m['all_probes_indexed']})",
            )
        )
        if mode == "files":
            after = ms(m.get("median_after_run_s", 0.0))
            rows.append(("    after each save, untimed", f"gc + passive WAL checkpoint {after}"))
    width = max(len(k) for k, _ in rows)
    print()
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    print()
    print("targets")
    for name, value, ok in verdicts(r):
        mark = "" if ok is None else ("PASS" if ok else "FAIL")
        print(f"  {mark:<4}  {name:<44}  {value}")


# --------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=OUT_DEFAULT, help="where to write figures")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--child", nargs=2, metavar=("ROOT", "INDEX_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(*args.child)
        return

    r: dict[str, Any] = {
        "loadavg_start": load_average(),
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "command": ".venv/bin/python bench/index_bench.py",
        "source": source_state(),
    }
    tmp = Path(tempfile.mkdtemp(prefix="codeidx-bench-"))
    try:
        src = stdlib_root()
        root = tmp / "corpus"
        step("copying the corpus")
        copy_corpus(src, root)
        corpus = describe_corpus(root)
        per_file = corpus.pop("per_file")
        r["corpus"] = {"source": str(src), "copy": "temporary folder", **corpus}

        step("ctags")
        r["ctags"] = bench_ctags(root, tmp, corpus["files"])

        runs = []
        for i in range(2):
            step(f"cold index {i + 1}/2")
            index_dir = tmp / f"index-{i}"
            runs.append(cold_index(root, index_dir))
        best = min(runs, key=lambda run: run["wall_s"])
        r["cold"] = {
            "best": best,
            "samples_s": [round(run["wall_s"], 2) for run in runs],
            "rss_parent_max_bytes": max(run["rss_parent_bytes"] for run in runs),
            "rss_worker_max_bytes": max(run["rss_max_worker_bytes"] for run in runs),
            "runs": runs,
        }
        index_dir = tmp / "index-1"

        step("no-change re-runs")
        r["no_change"] = bench_no_change(root, index_dir)
        step("modified file")
        r["one_file"] = bench_one_file(root, index_dir, per_file)
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    db_bytes = best["sizes"]["db_bytes"]
    r["rates"] = {
        "files_per_s": best["files_parsed"] / best["wall_s"],
        "lines_per_s": corpus["lines"] / best["wall_s"],
        "bytes_per_s": corpus["bytes"] / best["wall_s"],
    }
    r["ratios"] = {
        "db_vs_source": db_bytes / corpus["bytes"],
        "db_bytes_per_node": db_bytes / max(1, best["stats"]["nodes"]),
    }
    if r["ctags"]["available"]:
        r["ratios"]["cold_vs_ctags"] = best["wall_s"] / r["ctags"]["wall_s"]
    r["loadavg_end"] = load_average()
    r["source_changed_during_run"] = source_state()["engine_digest"] != r["source"]["engine_digest"]
    r["targets"] = [{"target": name, "value": value, "pass": ok} for name, value, ok in verdicts(r)]
    print_report(r)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(r, indent=2, sort_keys=False) + "\n")
    print(f"\nfigures written to {args.json}")


def step(what: str) -> None:
    print(f"... {what}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
