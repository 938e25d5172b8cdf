"""Index real corpora of several languages and compare definitions with ctags.

``index_bench.py`` measures speed on Python; this script checks what the
other languages' queries extract from real code, not from fixtures.  For each
corpus found on the machine (or named on the command line) it:

1. copies the language's files into a temporary folder (symbolic links
   followed, nothing outside the corpus);
2. runs universal-ctags over the copy (JSON output, best of 3) and a cold
   codeidx index (one run), and reports both wall times and their ratio;
3. reports files parsed and skipped with reasons, nodes and edges by kind,
   and how calls into methods were resolved (through the receiver's type,
   or guessed from the method's name);
4. compares definitions: for each ctags kind, the share of ctags tags for
   which codeidx has a definition with the same name in the same file whose
   range starts or whose name sits on the same line, with a few misses
   printed per kind to read.

Agreement is not accuracy: ctags tags things codeidx deliberately leaves to
the occurrence table (locals inside functions, object-literal keys,
anonymous functions it names itself), and the reverse.  Kinds where both
tools mean the same thing are listed as "comparable" in the results file.

Default corpora (Debian's ``golang-*-dev`` and ``librust-*-dev`` packages,
npm's own installation, the kernel's C headers in ``/usr/include/linux``);
missing ones are skipped::

    .venv/bin/python bench/languages_bench.py [--json PATH] [--corpus LANG=DIR ...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

OUT_DEFAULT = Path(__file__).resolve().parent / "out" / "languages_bench.json"
#: codeidx language → (file suffixes, ctags language, default corpus folder)
LANGUAGES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "go": ((".go",), "Go", "/usr/share/gocode/src"),
    "rust": ((".rs",), "Rust", "/usr/share/cargo/registry"),
    "javascript": ((".js",), "JavaScript", "/usr/lib/node_modules/npm"),
    "typescript": ((".ts",), "TypeScript", ""),
    "c": ((".c", ".h"), "C", "/usr/include/linux"),
    "java": ((".java",), "Java", ""),
}
MISSES_SHOWN = 4


def copy_corpus(src: Path, dst: Path, suffixes: tuple[str, ...]) -> int:
    """Copy the corpus's files with these suffixes; returns how many."""
    count = 0
    for folder, _dirs, names in os.walk(src, followlinks=True):
        for name in names:
            if not name.endswith(suffixes):
                continue
            path = Path(folder) / name
            target = dst / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(path, target)
            except OSError:
                continue
            count += 1
    return count


def run_ctags(corpus: Path, ctags_language: str, tags: Path) -> float:
    """Best-of-3 wall time of ctags over the corpus (tags written to ``tags``)."""
    best = float("inf")
    for _ in range(3):
        tags.unlink(missing_ok=True)  # ctags refuses to overwrite a JSON tags file
        started = time.perf_counter()
        subprocess.run(
            [
                "ctags",
                "-R",
                f"--languages={ctags_language}",
                # ctags reads ``.h`` as C++ unless told; codeidx reads it as C.
                *(["--langmap=C:+.h"] if ctags_language == "C" else []),
                "--fields=+nK",
                "--output-format=json",
                "-f",
                str(tags),
                str(corpus),
            ],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        best = min(best, time.perf_counter() - started)
    return best


def read_tags(tags: Path, corpus: Path) -> list[tuple[str, str, int, str]]:
    """(name, workspace-relative path, 1-based line, kind) of every ctags tag."""
    out = []
    with tags.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            entry = json.loads(line)
            if entry.get("_type") != "tag":
                continue
            path = os.path.relpath(entry["path"], corpus)
            out.append((entry["name"], path, int(entry.get("line", 0)), entry.get("kind", "?")))
    return out


def bench_language(language: str, src: Path, tmp: Path) -> dict[str, Any]:
    """Index one corpus and compare its definitions with ctags."""
    import sqlite3
    from contextlib import closing

    from codeidx.index.pipeline import IndexOptions, run_index

    suffixes, ctags_language, _default = LANGUAGES[language]
    corpus = tmp / language / "corpus"
    files = copy_corpus(src, corpus, suffixes)
    tags_path = tmp / language / "tags.json"
    ctags_s = run_ctags(corpus, ctags_language, tags_path)
    started = time.perf_counter()
    result = run_index(
        corpus, tmp / language / "index", IndexOptions(include=tuple(f"*{s}" for s in suffixes))
    )
    index_s = time.perf_counter() - started
    tags = read_tags(tags_path, corpus)
    with closing(sqlite3.connect(tmp / language / "index" / "index.sqlite")) as conn:
        at: set[tuple[str, str, int]] = set()
        named: set[tuple[str, str]] = set()
        for path, name, name_line, start_line in conn.execute(
            "SELECT f.path, n.name, n.name_line, n.start_line"
            " FROM nodes n JOIN files f ON f.file_id = n.file_id"
        ):
            at.add((path, name, name_line + 1))
            at.add((path, name, start_line + 1))
            named.add((path, name))
        nodes = dict(conn.execute("SELECT kind, COUNT(*) FROM nodes GROUP BY kind ORDER BY 2 DESC"))
        edges = dict(conn.execute("SELECT kind, COUNT(*) FROM edges GROUP BY kind ORDER BY 2 DESC"))
        # Calls into methods by how they were resolved: through the receiver's
        # type (exact) or by a guess on the method's name alone.
        method_calls = {
            str(resolution): {"edges": int(n), "sites": int(sites)}
            for resolution, n, sites in conn.execute(
                "SELECT e.resolution, COUNT(*), SUM(e.count) FROM edges e"
                " JOIN nodes n ON n.node_id = e.dst_id"
                " WHERE e.kind = 'calls' AND n.kind = 'method' GROUP BY 1"
            )
        }
    per_kind: dict[str, dict[str, Any]] = {}
    total = Counter(t[3] for t in tags)
    rng = random.Random(1)
    for kind, count in total.most_common():
        of_kind = [t for t in tags if t[3] == kind]
        missed = [t for t in of_kind if (t[1], t[0], t[2]) not in at]
        same_name = sum(1 for t in of_kind if (t[1], t[0]) in named)
        shown = rng.sample(missed, min(MISSES_SHOWN, len(missed)))
        per_kind[kind] = {
            "tags": count,
            "same_line": (count - len(missed)) / count,
            "same_name_in_file": same_name / count,
            "misses": [
                {"path": p, "line": line, "name": n, "text": _line_text(corpus / p, line)}
                for n, p, line, _k in shown
            ],
        }
    return {
        "language": language,
        "corpus": str(src),
        "files": files,
        "status": result.status,
        "files_parsed": result.counts.files_parsed,
        "reasons": dict(result.counts.reasons),
        "ctags_s": ctags_s,
        "index_s": index_s,
        "ratio": index_s / ctags_s if ctags_s else None,
        "phases": {k: round(v, 3) for k, v in result.counts.timings.items()},
        "ctags_tags": len(tags),
        "nodes": nodes,
        "edges": edges,
        "method_calls": method_calls,
        "kinds": per_kind,
    }


def _line_text(path: Path, line: int) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return lines[line - 1].strip()[:100] if 0 < line <= len(lines) else ""


def print_report(r: dict[str, Any]) -> None:
    print(f"\n{r['language']}  ({r['corpus']})")
    print(
        f"  files {r['files']:,}, parsed {r['files_parsed']:,}, status {r['status']},"
        f" reasons {r['reasons']}"
    )
    print(
        f"  ctags {r['ctags_s']:.2f} s ({r['ctags_tags']:,} tags), codeidx {r['index_s']:.2f} s"
        f" = {r['ratio']:.1f}x  phases {r['phases']}"
    )
    print(f"  nodes {sum(r['nodes'].values()):,} {r['nodes']}")
    print(f"  edges {sum(r['edges'].values()):,} {r['edges']}")
    calls = ", ".join(
        f"{resolution} {v['edges']:,} edges / {v['sites']:,} sites"
        for resolution, v in sorted(r["method_calls"].items())
    )
    print(f"  calls into methods: {calls or 'none'}")
    print("  ctags kind        tags  same line  same name in file")
    for kind, k in r["kinds"].items():
        line, name = k["same_line"], k["same_name_in_file"]
        print(f"    {kind:14s} {k['tags']:7,d}  {line:9.3f}  {name:9.3f}")
        for miss in k["misses"] if k["same_line"] < 0.99 else []:
            print(f"      missed {miss['path']}:{miss['line']} {miss['name']!r}: {miss['text']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=OUT_DEFAULT, help="where to write figures")
    parser.add_argument(
        "--corpus",
        action="append",
        default=[],
        metavar="LANG=DIR",
        help=f"a corpus to use instead of the default ({', '.join(LANGUAGES)})",
    )
    parser.add_argument("--only", nargs="*", default=None, help="languages to run")
    args = parser.parse_args()
    if shutil.which("ctags") is None:
        sys.exit("universal-ctags is needed: apt-get install universal-ctags")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
    corpora = {lang: spec[2] for lang, spec in LANGUAGES.items()}
    for item in args.corpus:
        lang, _, folder = item.partition("=")
        if lang not in LANGUAGES or not folder:
            sys.exit(f"--corpus wants LANG=DIR with LANG one of {', '.join(LANGUAGES)}")
        corpora[lang] = folder
    results = []
    with tempfile.TemporaryDirectory(prefix="codeidx-languages-") as tmp:
        for lang, folder in corpora.items():
            if args.only is not None and lang not in args.only:
                continue
            if not folder or not Path(folder).is_dir():
                print(f"\n{lang}: no corpus (pass --corpus {lang}=DIR)")
                continue
            r = bench_language(lang, Path(folder), Path(tmp))
            print_report(r)
            results.append(r)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"\nfigures written to {args.json}")


if __name__ == "__main__":
    main()
