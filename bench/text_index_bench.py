"""Benchmark of the full-text index on the Python standard library.

Builds one document per function, method and class (and one per module
docstring) of every ``.py`` file under ``sysconfig.get_paths()["stdlib"]``
with :mod:`ast`, then measures: the time to add them all and commit, the
index size on disk, the latency of a one-file replace plus commit, search
latency over 200 queries from one thread, and search throughput from two
threads at once while the writer keeps committing (a check that shared
searches are safe and run in parallel).  It only reads the standard library
and writes under a temporary folder.

Usage: ``.venv/bin/python bench/text_index_bench.py [--limit-files N]``.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import random
import statistics
import sysconfig
import tempfile
import threading
import time
from pathlib import Path

from codeidx.store.text_index import TextDoc, TextIndex
from codeidx.store.tokens import split_identifier


def _node_id(path: str, qualified_name: str, kind: str) -> int:
    """A stable signed 63-bit id, like the index's own node ids."""
    digest = hashlib.blake2b(f"{path}\0{qualified_name}\0{kind}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big") >> 1


def _docs_of_file(root: Path, file: Path) -> tuple[str, str, list[TextDoc]] | None:
    """The documents of one file, or None when it cannot be read or parsed."""
    try:
        data = file.read_bytes()
        source = data.decode("utf-8")
        tree = ast.parse(source)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None
    path = file.relative_to(root).as_posix()
    module = path.removesuffix(".py").replace("/", ".")
    lines = source.splitlines()
    docs: list[TextDoc] = []
    module_doc = ast.get_docstring(tree) or ""
    if module_doc:
        docs.append(
            TextDoc(
                _node_id(path, module, "module"),
                path,
                module.rsplit(".", 1)[-1],
                module,
                "module",
                "python",
                "",
                module_doc,
                "",
            )
        )

    def visit(node: ast.AST, prefix: str, in_class: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                qualified = f"{prefix}.{child.name}"
                if isinstance(child, ast.ClassDef):
                    kind = "class"
                else:
                    kind = "method" if in_class else "function"
                start = child.lineno - 1
                end = child.end_lineno or child.lineno
                body = "\n".join(lines[start:end])
                signature = lines[start].strip() if start < len(lines) else ""
                docs.append(
                    TextDoc(
                        _node_id(path, qualified, kind),
                        path,
                        child.name,
                        qualified,
                        kind,
                        "python",
                        signature,
                        ast.get_docstring(child) or "",
                        body,
                    )
                )
                visit(child, qualified, isinstance(child, ast.ClassDef))

    visit(tree, module, False)
    return path, hashlib.sha256(data).hexdigest(), docs


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _check_search_releases_the_interpreter(reader: TextIndex, docs: list[TextDoc]) -> None:
    """Count how often another thread runs Python while one search is running.

    If tantivy held the interpreter lock during a search, a thread waking
    from a 1 ms sleep could only run between searches; with the lock
    released it runs all along.  A deliberately heavy query (the words of
    1,500 names) makes each search last long enough to tell.
    """
    words = " ".join(
        dict.fromkeys(word for doc in docs[:3000] for word in split_identifier(doc.name))
    )
    heavy = " ".join(words.split()[:1500])
    spans: list[tuple[float, float]] = []
    stop = threading.Event()

    def search_heavily() -> None:
        while not stop.is_set():
            began = time.perf_counter()
            reader.search(heavy, 10_000)
            spans.append((began, time.perf_counter()))

    thread = threading.Thread(target=search_heavily)
    thread.start()
    wakeups: list[float] = []
    deadline = time.perf_counter() + 3
    while time.perf_counter() < deadline:
        time.sleep(0.001)
        wakeups.append(time.perf_counter())
    stop.set()
    thread.join()
    inside = sum(1 for at in wakeups if any(a + 0.002 < at < b - 0.002 for a, b in spans))
    searching_s = sum(b - a for a, b in spans)
    print(
        f"interpreter lock: {len(spans)} heavy searches ran {searching_s:.2f} s; another thread "
        f"woke {len(wakeups)} times, {inside} of them inside a running search"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-files", type=int, default=0, help="index only the first N files")
    parser.add_argument("--writer-threads", type=int, default=1)
    parser.add_argument("--heap-mb", type=int, default=64)
    parser.add_argument(
        "--under",
        type=Path,
        default=None,
        help="make the index folder here (/dev/shm leaves out disk syncs)",
    )
    args = parser.parse_args()

    root = Path(sysconfig.get_paths()["stdlib"])
    # Third-party packages installed into the interpreter are not the standard library.
    files = sorted(
        f for f in root.rglob("*.py") if "site-packages" not in f.relative_to(root).parts
    )
    if args.limit_files:
        files = files[: args.limit_files]
    started = time.perf_counter()
    per_file = [parsed for file in files if (parsed := _docs_of_file(root, file)) is not None]
    extract_s = time.perf_counter() - started
    total_docs = sum(len(docs) for _p, _h, docs in per_file)
    print(f"extracted {total_docs} docs from {len(per_file)} files in {extract_s:.1f} s")

    with tempfile.TemporaryDirectory(dir=args.under, ignore_cleanup_errors=True) as temporary:
        folder = Path(temporary) / "text"
        writer = TextIndex.open(
            folder,
            writable=True,
            writer_heap_bytes=args.heap_mb * 1_000_000,
            writer_threads=args.writer_threads,
        )
        started = time.perf_counter()
        for path, content_hash, docs in per_file:
            writer.replace_file(path, content_hash, docs)
        added_s = time.perf_counter() - started
        writer.commit()
        total_s = time.perf_counter() - started
        print(
            f"add {total_docs} docs: {added_s:.1f} s; with commit {total_s:.1f} s "
            f"({total_docs / total_s:.0f} docs/s); doc_count {writer.doc_count()}"
        )
        started = time.perf_counter()
        manifest = writer.manifest()
        manifest_ms = (time.perf_counter() - started) * 1000
        print(f"manifest() of {len(manifest)} files: {manifest_ms:.1f} ms")
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        print(f"size on disk after commit: {size / 1e6:.1f} MB")

        rng = random.Random(7)
        commit_ms: list[float] = []
        for path, content_hash, docs in rng.sample(per_file, 30):
            started = time.perf_counter()
            writer.replace_file(path, content_hash, docs)
            writer.commit()
            commit_ms.append((time.perf_counter() - started) * 1000)
        print(
            f"one-file replace+commit over 30 files: p50 {statistics.median(commit_ms):.1f} ms, "
            f"p95 {_percentile(commit_ms, 0.95):.1f} ms, "
            f"docs per file p50 {statistics.median(len(d) for _p, _h, d in per_file):.0f}"
        )

        reader = TextIndex.open(folder, writable=False)
        all_docs = [doc for _p, _h, docs in per_file for doc in docs]
        queries: list[str] = []
        for doc in rng.sample(all_docs, 150):
            queries.append(" ".join(split_identifier(doc.name)))
        queries += rng.sample(
            [
                "parse an http header",
                "read a zip archive",
                "decode base64",
                "compare two files",
                "temporary directory cleanup",
                "send email smtp",
                "thread pool executor",
                "json encoder default",
                "format a date",
                "walk directory tree",
                "utf8Decode",
                "getHTTPResponse",
                "email/_header_value_parser.py",
                "foo(",
                "a:b OR c",
                "sqlite connection cursor",
                "random shuffle",
                "socket timeout",
                "gzip compress",
                "regular expression compile",
                "unicode normalize",
                "csv reader dialect",
                "subprocess pipe",
                "signal handler",
                "pickle protocol",
                "http cookie jar",
                "xml element tree",
                "abstract base class",
                "async generator",
                "tar file extract",
                "ssl context",
                "decimal rounding",
                "fraction limit denominator",
                "heap push pop",
                "bisect insort",
                "lru cache",
                "hash digest",
                "mime type guess",
                "url quote",
                "argparse subparsers",
                "logging handler rotate",
                "queue get nowait",
                "wave read frames",
                "turtle draw circle",
                "curses window",
                "tkinter button",
                "shutil copy tree",
                "glob pattern",
                "struct pack",
                "array typecode",
            ],
            50,
        )
        reader.search("warm up", 10)
        latency_ms: list[float] = []
        for query in queries:
            started = time.perf_counter()
            reader.search(query, 20)
            latency_ms.append((time.perf_counter() - started) * 1000)
        print(
            f"search (limit 20) over {len(queries)} queries, one thread: "
            f"p50 {statistics.median(latency_ms):.2f} ms, "
            f"p95 {_percentile(latency_ms, 0.95):.2f} ms, "
            f"max {max(latency_ms):.2f} ms"
        )

        started = time.perf_counter()
        for query in queries * 3:
            reader.search(query, 20)
        serial_s = time.perf_counter() - started
        errors: list[BaseException] = []
        stop = threading.Event()

        def search_all() -> None:
            try:
                for query in queries * 3:
                    reader.search(query, 20)
            except BaseException as error:
                errors.append(error)

        def keep_committing() -> None:
            items = rng.sample(per_file, 20)
            while not stop.is_set():
                for path, content_hash, docs in items:
                    writer.replace_file(path, content_hash, docs)
                    writer.commit()
                    if stop.is_set():
                        break

        threads = [threading.Thread(target=search_all) for _ in range(2)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        parallel_s = time.perf_counter() - started
        print(
            f"{3 * len(queries)} searches: one thread {serial_s:.2f} s; twice that on two "
            f"threads {parallel_s:.2f} s (speed-up {2 * serial_s / parallel_s:.2f}x); "
            f"errors {len(errors)}"
        )

        committer = threading.Thread(target=keep_committing)
        committer.start()
        threads = [threading.Thread(target=search_all) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stop.set()
        committer.join()
        print(
            f"two search threads during continuous commits: errors {len(errors)}; "
            f"doc_count {reader.doc_count()} (expected {total_docs})"
        )
        _check_search_releases_the_interpreter(reader, all_docs)
        reader.close()
        writer.close()


if __name__ == "__main__":
    main()
