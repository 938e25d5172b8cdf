"""Resolution quality of codeidx on the Python standard library, measured against jedi.

The corpus is the standard library of the interpreter running this script
(``*.py`` outside ``site-packages/``), copied to a temporary folder and indexed
with ``codeidx.index.pipeline.run_index``.  jedi (``Script.goto``,
``Script.get_references``) over the same copy, with one cached ``Project`` whose
``sys_path`` is the copy alone, is the reference.  Four measures, all sampled
with a fixed seed:

1. Go to definition: occurrences sampled per kind (``call``, ``attribute``,
   ``name``, ``import``) from random files, found with ``ast``.  A case counts
   only when ``goto(follow_imports=True)`` returns at least one definition
   inside the copy.  Top-1: codeidx's first (highest-confidence) target has the
   (path, line) of one of jedi's; any-hit: any codeidx target does.
2. References: ``REF_DEFS`` module- or class-level definitions (names longer
   than two characters, written in at most ``MAX_NAME_FILES`` files, so jedi's
   own file-search limits do not cut its answer short) with 2-200 jedi
   references in the copy.  Precision and recall of codeidx's (path, line,
   column) against jedi's ``get_references(include_builtins=False)``; the
   definition itself is excluded from both.  Pooled and per-definition figures.
   Then every codeidx reference jedi's search lacks is put to jedi's
   ``goto(follow_imports=True)`` (and ``infer``) at its position: agreement when
   jedi lands on the definition, a codeidx false positive when it lands
   elsewhere, "jedi cannot tell" when it lands nowhere (``adjudicate``); the
   literal and the adjudicated precision are both reported.
3. Incoming calls: ``CALL_DEFS`` functions and methods chosen the same way;
   codeidx's caller sites (path, line) against jedi references followed by
   ``(``, adjudicated the same way (each ``name(`` on the line is asked).
4. Workspace symbols: distinct function/class names; the exact name must be in
   the top 5 of ``search_symbols``, an abbreviation in the top 10.  Two
   abbreviation measures over the same names: the uniform one (initials of the
   words, or the first three letters of the first two words, as sampled) and the
   typed one (``typed_abbreviation``: from the same start, typed on while more
   than ``SHARED_MAX`` indexed names share the query, as a user who sees too many
   matches types more).  With the default ranker, the phase also times
   ``search_symbols`` with and without open documents (proximity).

Prints a table; writes disagreement examples to ``bench/out/resolution_examples.txt``
and every case to ``bench/out/resolution_bench.json``.  Asserts nothing.

    .venv/bin/python bench/resolution_bench.py [--workdir DIR] [--seed N] [--phases P,...]

``--phases`` runs only the named measures (``definition``, ``references``, ``calls``,
``symbols``; all by default).  Each phase draws from its own seeded generator, so a
phase gives the same cases alone as in a full run.  A partial run writes its outputs
under names that carry the phases (``resolution_bench-symbols.json``), so it never
overwrites a full run's.  ``--symbols-ranker`` picks how workspace symbols are ranked:
``default`` is whatever ``search_symbols`` does on its own, ``rank`` scores every name
(``codeidx.query.fuzzy.rank``) and ``index`` searches one ``NameIndex`` built over the
names first, so that either path can be measured on its own.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import json
import os
import random
import re
import shutil
import sys
import sysconfig
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

import jedi
import jedi.file_io as jedi_file_io
import jedi.inference.references as jedi_refs

from codeidx.index.pipeline import IndexOptions, run_index
from codeidx.query import fuzzy
from codeidx.query.calls import find_calls
from codeidx.query.definition import find_definition
from codeidx.query.references import find_references
from codeidx.query.status import open_index
from codeidx.query.symbols import name_cache, search_symbols
from codeidx.query.types import (
    CallsQuery,
    DefinitionQuery,
    Position,
    ReferencesQuery,
    SymbolQuery,
)
from codeidx.store import nodes

OUT = Path(__file__).resolve().parent / "out"
KINDS = ("call", "attribute", "name", "import")
PER_KIND = 220  # occurrences asked of jedi per kind (about 70 % land in the workspace)
FILES = 260  # files the occurrences are drawn from
PER_FILE_KIND = 2  # at most this many occurrences of one kind per file
REF_DEFS = 200  # at least 50 (issue 3); 200 so that no one definition dominates
CALL_DEFS = 200
EARLIER_SAMPLE = 50  # the first runs measured the first 50 of the same seeded sequence
SYMBOL_NAMES = 200
SHARED_MAX = 10  # a typed abbreviation is typed on while more names than this share it
TYPED_MAX = 12  # and at most this long
OPEN_DOCUMENTS = 5  # files open in the editor when timing symbol search with proximity
MAX_NAME_FILES = 15  # a sampled definition's name is written in at most this many files
BUDGET_S = {"definition": 300.0, "references": 1200.0, "calls": 700.0}
EXAMPLES = 10
OUTSIDE = "outside:"  # a jedi answer outside the copy
PHASES = ("definition", "references", "calls", "symbols")
BUILTIN_NAMES = set(dir(builtins))
WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

# jedi stops searching other files after 30 parsed / 2,000 opened files; lift the caps.
jedi_refs._PARSED_FILE_LIMIT = 100_000
jedi_refs._OPENED_FILE_LIMIT = 100_000


# --------------------------------------------------------------------------
# Corpus


def copy_corpus(src: Path, dst: Path) -> None:
    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            full = os.path.join(folder, name)
            if os.path.isdir(full):
                if name in ("site-packages", "__pycache__"):
                    skipped.add(name)
            elif not name.endswith(".py"):
                skipped.add(name)
        return skipped

    shutil.copytree(src, dst, ignore=ignore, symlinks=True)


class Corpus:
    """The copied files: text, lines and parsed trees, read once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths = sorted(
            p.relative_to(root).as_posix()
            for p in root.rglob("*.py")
            if p.is_file() and not p.is_symlink()
        )
        self._text: dict[str, str | None] = {}
        self._tree: dict[str, ast.AST | None] = {}
        self.tokens: dict[str, set[str]] = {}
        self.name_files: Counter[str] = Counter()  # files a word occurs in
        self.name_count: Counter[str] = Counter()  # times a word occurs
        self.call_count: Counter[str] = Counter()  # times a word is followed by "("
        for rel in self.paths:
            text = self.text(rel)
            if text is not None:
                words = re.findall(r"\w+", text)
                self.tokens[rel] = set(words)
                self.name_files.update(self.tokens[rel])
                self.name_count.update(words)
                self.call_count.update(re.findall(r"(\w+)\s*\(", text))

    def files_with(self, name: str) -> list[str]:
        return [rel for rel in self.paths if name in self.tokens.get(rel, ())]

    def text(self, rel: str) -> str | None:
        if rel not in self._text:
            try:
                self._text[rel] = (self.root / rel).read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                self._text[rel] = None
        return self._text[rel]

    def lines(self, rel: str) -> list[str]:
        text = self.text(rel)
        return text.split("\n") if text is not None else []

    def tree(self, rel: str) -> ast.AST | None:
        if rel not in self._tree:
            text = self.text(rel)
            try:
                self._tree[rel] = ast.parse(text) if text is not None else None
            except (SyntaxError, ValueError):
                self._tree[rel] = None
        return self._tree[rel]

    def ascii_line(self, rel: str, line1: int) -> bool:
        lines = self.lines(rel)
        return 0 < line1 <= len(lines) and lines[line1 - 1].isascii()


# --------------------------------------------------------------------------
# Sampling with ast (lines 1-based, columns 0-based code points; ASCII lines only)


def occurrences(corpus: Corpus, rel: str) -> dict[str, list[tuple[int, int, str]]]:
    tree = corpus.tree(rel)
    out: dict[str, list[tuple[int, int, str]]] = {k: [] for k in KINDS}
    if tree is None:
        return out
    funcs: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            funcs.add(id(node.func))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id in BUILTIN_NAMES:
                continue
            kind = "call" if id(node) in funcs else "name"
            out[kind].append((node.lineno, node.col_offset, node.id))
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            if node.end_lineno is None or node.end_col_offset is None:
                continue
            col = node.end_col_offset - len(node.attr)
            line = corpus.lines(rel)[node.end_lineno - 1] if node.end_lineno else ""
            if line[col : col + len(node.attr)] != node.attr:
                continue
            kind = "call" if id(node) in funcs else "attribute"
            out[kind].append((node.end_lineno, col, node.attr))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    out["import"].append((alias.lineno, alias.col_offset, alias.name))
    for kind in KINDS:
        out[kind] = [o for o in out[kind] if corpus.ascii_line(rel, o[0])]
    return out


def definitions(corpus: Corpus, rel: str) -> list[tuple[int, int, str, str]]:
    """Module- and class-level definitions: (line, col, name, kind)."""
    tree = corpus.tree(rel)
    if tree is None:
        return []
    out: list[tuple[int, int, str, str]] = []
    lines = corpus.lines(rel)

    def visit(body: list[ast.stmt], in_class: bool) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                text = lines[node.lineno - 1]
                m = re.search(r"\b(?:def|class)\s+(" + re.escape(node.name) + r")\b", text)
                if m is None:
                    continue
                kind = (
                    "class"
                    if isinstance(node, ast.ClassDef)
                    else ("method" if in_class else "function")
                )
                out.append((node.lineno, m.start(1), node.name, kind))
                if isinstance(node, ast.ClassDef):
                    visit(node.body, True)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        out.append(
                            (
                                t.lineno,
                                t.col_offset,
                                t.id,
                                "class_variable" if in_class else "variable",
                            )
                        )

    visit(tree.body, False)  # type: ignore[attr-defined]
    return [d for d in out if corpus.ascii_line(rel, d[0])]


# --------------------------------------------------------------------------
# jedi


class Jedi:
    def __init__(self, root: Path, corpus: Corpus) -> None:
        self.root = root
        self.corpus = corpus
        self.searching: str | None = None
        # jedi's reference search opens every project file to grep for the name;
        # hand it the files that contain the word instead (same result, much faster).
        original = jedi_refs._find_project_modules

        def project_modules(inference_state: Any, module_contexts: Any) -> Any:
            if self.searching is None:
                yield from original(inference_state, module_contexts)
                return
            skip = {str(m.py__file__()) for m in module_contexts}
            for rel in corpus.files_with(self.searching):
                path = str(root / rel)
                if path not in skip:
                    yield jedi_file_io.FileIO(path)

        jedi_refs._find_project_modules = project_modules
        self.project = jedi.Project(path=root, sys_path=[str(root)], smart_sys_path=False)
        self.env = jedi.InterpreterEnvironment()
        self._scripts: dict[str, jedi.Script] = {}

    def script(self, corpus: Corpus, rel: str) -> jedi.Script:
        if rel not in self._scripts:
            if len(self._scripts) > 40:
                self._scripts.clear()
            self._scripts[rel] = jedi.Script(
                corpus.text(rel), path=self.root / rel, project=self.project, environment=self.env
            )
        return self._scripts[rel]

    def rel(self, name: Any) -> str | None:
        path = name.module_path
        if path is None:
            return None
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None


def to_codepoints(corpus: Corpus, rel: str, line0: int, col16: int) -> int:
    lines = corpus.lines(rel)
    text = lines[line0] if 0 <= line0 < len(lines) else ""
    if text.isascii():
        return col16
    units = 0
    for i, ch in enumerate(text):
        if units >= col16:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


# --------------------------------------------------------------------------
# Measures


def bench_definitions(corpus: Corpus, jd: Jedi, conn: Any, rng: random.Random) -> dict[str, Any]:
    files = rng.sample(corpus.paths, min(FILES, len(corpus.paths)))
    pool: dict[str, list[tuple[str, int, int, str]]] = {k: [] for k in KINDS}
    for rel in files:
        for kind, occs in occurrences(corpus, rel).items():
            for o in rng.sample(occs, min(PER_FILE_KIND, len(occs))):
                pool[kind].append((rel, *o))
    sample = []
    for kind in KINDS:
        rng.shuffle(pool[kind])
        sample += [(kind, *o) for o in pool[kind][:PER_KIND]]
    sample.sort(key=lambda s: (s[1], s[2], s[3]))  # by file, so jedi reuses its Script
    cases = []
    asked = Counter()
    start = time.monotonic()
    for kind, rel, line1, col, name in sample:
        if time.monotonic() - start > BUDGET_S["definition"]:
            break
        asked[kind] += 1
        try:
            found = jd.script(corpus, rel).goto(line1, col, follow_imports=True)
        except Exception as exc:  # jedi has its own bugs; count them, skip the case
            asked["jedi_error"] += 1
            print(f"  jedi error at {rel}:{line1}: {exc!r}", file=sys.stderr)
            continue
        jedi_defs = sorted({(jd.rel(d), d.line) for d in found if jd.rel(d) is not None})
        if not jedi_defs:
            continue
        res = find_definition(conn, corpus.root, DefinitionQuery(Position(rel, line1 - 1, col)))
        ours = [(d.location.path, d.location.line + 1) for d in res.definitions]
        confs = [round(d.location.confidence, 2) for d in res.definitions]
        jset = set(jedi_defs)
        cases.append(
            {
                "kind": kind,
                "path": rel,
                "line": line1,
                "col": col,
                "name": name,
                "codeidx": ours,
                "confidence": confs,
                "local": res.local,
                "jedi": jedi_defs,
                "top1": bool(ours) and ours[0] in jset,
                "any": any(o in jset for o in ours),
            }
        )
    return {"cases": cases, "asked": dict(asked), "seconds": time.monotonic() - start}


def candidate_defs(
    corpus: Corpus, rng: random.Random, kinds: set[str], calls: bool = False
) -> list[tuple[str, int, int, str, str]]:
    """Definitions of ``kinds`` whose name is written 3+ times (called 2+ times: ``calls``)."""
    out = []
    for rel in corpus.paths:
        for line1, col, name, kind in definitions(corpus, rel):
            if (
                kind not in kinds
                or len(name) <= 2
                or (name.startswith("__") and name.endswith("__"))
            ):
                continue
            if corpus.name_files[name] > MAX_NAME_FILES:
                continue
            if (corpus.call_count[name] if calls else corpus.name_count[name]) < (
                2 if calls else 3
            ):
                continue
            out.append((rel, line1, col, name, kind))
    rng.shuffle(out)
    return out


def jedi_references(
    corpus: Corpus, jd: Jedi, rel: str, line1: int, col: int
) -> set[tuple[str, int, int]]:
    name = corpus.lines(rel)[line1 - 1][col:]
    jd.searching = re.match(r"\w+", name).group(0)  # type: ignore[union-attr]
    try:
        refs = jd.script(corpus, rel).get_references(line1, col, include_builtins=False)
    finally:
        jd.searching = None
    out = set()
    for r in refs:
        p = jd.rel(r)
        if p is not None and (p, r.line, r.column) != (rel, line1, col):
            out.add((p, r.line, r.column))
    return out


def bench_references(corpus: Corpus, jd: Jedi, conn: Any, rng: random.Random) -> dict[str, Any]:
    cases = []
    tried = 0
    start = time.monotonic()
    for rel, line1, col, name, kind in candidate_defs(
        corpus, rng, {"function", "class", "method", "variable", "class_variable"}
    ):
        if len(cases) >= REF_DEFS or time.monotonic() - start > BUDGET_S["references"]:
            break
        tried += 1
        try:
            theirs = jedi_references(corpus, jd, rel, line1, col)
        except Exception as exc:
            print(f"  jedi error at {rel}:{line1}: {exc!r}", file=sys.stderr)
            continue
        if not 2 <= len(theirs) <= 200:
            continue
        res = find_references(
            conn,
            corpus.root,
            ReferencesQuery(Position(rel, line1 - 1, col), include_declaration=False),
        )
        ours = {
            (r.path, r.line + 1, to_codepoints(corpus, r.path, r.line, r.col))
            for r in res.references
        }
        ours.discard((rel, line1, col))
        cases.append(
            {
                "path": rel,
                "line": line1,
                "col": col,
                "name": name,
                "kind": kind,
                "codeidx": sorted(ours),
                "jedi": sorted(theirs),
                "true_positive": len(ours & theirs),
            }
        )
    return {"cases": cases, "tried": tried, "seconds": time.monotonic() - start}


def bench_calls(corpus: Corpus, jd: Jedi, conn: Any, rng: random.Random) -> dict[str, Any]:
    cases = []
    tried = 0
    start = time.monotonic()
    for rel, line1, col, name, kind in candidate_defs(
        corpus, rng, {"function", "method"}, calls=True
    ):
        if len(cases) >= CALL_DEFS or time.monotonic() - start > BUDGET_S["calls"]:
            break
        tried += 1
        try:
            refs = jedi_references(corpus, jd, rel, line1, col)
        except Exception as exc:
            print(f"  jedi error at {rel}:{line1}: {exc!r}", file=sys.stderr)
            continue
        theirs = set()
        for p, l1, c in refs:
            rest = corpus.lines(p)[l1 - 1][c + len(name) :]
            if rest.lstrip().startswith("("):
                theirs.add((p, l1))
        if not 1 <= len(theirs) <= 200:
            continue
        res = find_calls(conn, corpus.root, CallsQuery(name, incoming=True))
        ours = set()
        matched = False
        for group in res.groups:
            if group.symbol.path == rel and group.symbol.line == line1 - 1:
                matched = True
                for call in group.calls:
                    ours.update((s.path, s.line + 1) for s in call.sites)
        cases.append(
            {
                "path": rel,
                "line": line1,
                "col": col,
                "name": name,
                "kind": kind,
                "symbol_found": matched,
                "codeidx": sorted(ours),
                "jedi": sorted(theirs),
                "true_positive": len(ours & theirs),
            }
        )
    return {"cases": cases, "tried": tried, "seconds": time.monotonic() - start}


def jedi_lands(
    corpus: Corpus, jd: Jedi, rel: str, line1: int, col: int
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Where jedi's ``goto(follow_imports=True)`` and ``infer`` go from a position.

    Each is a list of (path, line); a path outside the copy is given as jedi names it,
    behind ``OUTSIDE``.
    """
    script = jd.script(corpus, rel)

    def places(found: list[Any]) -> list[tuple[str, int]]:
        out = set()
        for d in found:
            inside = jd.rel(d)
            out.add((inside if inside is not None else f"{OUTSIDE}{d.module_path}", d.line or 0))
        return sorted(out)

    return places(script.goto(line1, col, follow_imports=True)), places(script.infer(line1, col))


def verdict(
    goto: list[tuple[str, int]], infer: list[tuple[str, int]], target: tuple[str, int]
) -> str:
    """``agree`` when jedi's goto (or, when goto finds nothing, infer) lands on ``target``;
    ``other`` when goto lands elsewhere only; ``unknown`` when neither lands anywhere.

    infer alone never makes a reference wrong: for a variable it answers the type of the
    value (``x = 5`` infers to ``int``), not the definition of the name.
    """
    if target in goto:
        return "agree"
    if goto:
        return "other"
    return "agree" if target in infer else "unknown"


def shape(corpus: Corpus, rel: str, line1: int, col: int, name: str) -> str:
    """The syntactic pattern of an occurrence, for grouping the cases jedi cannot tell."""
    text = corpus.lines(rel)[line1 - 1] if 0 < line1 <= len(corpus.lines(rel)) else ""
    before, after = text[:col], text[col + len(name) :].lstrip()
    use = "call" if after.startswith("(") else "read"
    if (
        after.startswith("=")
        and not after.startswith("==")
        and before.count("(") > before.count(")")
    ):
        return "keyword argument name"
    stripped = before.rstrip()
    if stripped.endswith("."):
        receiver = re.search(r"([\w.]*[\w)\]])\s*\.$", stripped)
        head = receiver.group(1) if receiver else "?"
        if head in ("self", "cls"):
            return f"{head}.{name} {use}"
        if head.startswith(("self.", "cls.")):
            return f"attribute {use} on an attribute of {head.split('.')[0]}"
        if head.endswith(")") or head.endswith("]"):
            return f"attribute {use} on a call or subscript result"
        return f"attribute {use} on a name ({head.split('.')[0]}...)"
    if re.match(r"\s*(from|import)\b", text):
        return "import"
    return f"plain name {use}"


def adjudicate(corpus: Corpus, jd: Jedi, phase: dict[str, Any], key: str) -> None:
    """Ask jedi's goto about every codeidx answer its reference search lacks.

    Adds to each case ``adjudged``: one record per such reference (``key`` references)
    or call line (``calls``: every ``name(`` on the line is asked; one landing on the
    definition agrees).  Work goes file by file so jedi reuses its parsed scripts.
    """
    start = time.monotonic()
    asks = []
    for n, case in enumerate(phase["cases"]):
        case["adjudged"] = []
        theirs = set(map(tuple, case["jedi"]))
        for item in case["codeidx"]:
            if tuple(item) not in theirs:
                asks.append((item[0], item[1], n, item))
    asks.sort(key=lambda a: (a[0], a[1]))
    for rel, line1, n, item in asks:
        case = phase["cases"][n]
        target = (case["path"], case["line"])
        if key == "references":
            cols = [item[2]]
        else:
            # Every call of the name on the line; failing that (a call through an alias,
            # ``_recursive_repr()`` for ``recursive_repr``), every call on the line.
            text = corpus.lines(rel)[line1 - 1]
            cols = [
                m.start() for m in re.finditer(r"\b" + re.escape(case["name"]) + r"\s*\(", text)
            ] or [m.start() for m in re.finditer(r"\b\w+(?=\s*\()", text)]
        record: dict[str, Any] = {"site": item, "verdict": "unknown", "goto": [], "infer": []}
        for col in cols:
            try:
                goto, infer = jedi_lands(corpus, jd, rel, line1, col)
            except Exception as exc:
                print(f"  jedi error at {rel}:{line1}: {exc!r}", file=sys.stderr)
                continue
            found = verdict(goto, infer, target)
            rank = ("agree", "other", "unknown")
            if rank.index(found) < rank.index(record["verdict"]):
                record.update(verdict=found, goto=goto, infer=infer)
            if record["verdict"] == "agree":
                break
        record["shape"] = shape(corpus, rel, line1, cols[0] if cols else 0, case["name"])
        if record["shape"] == "keyword argument name" and target not in record["goto"]:
            # The name of a keyword argument is a parameter of the callee (or a field of
            # a dataclass-like class); infer may still answer a same-named global, so only
            # goto counts, and a module-level definition is never what it means.
            module_level = case["kind"] in ("function", "class", "variable")
            record["verdict"] = "other" if module_level or record["goto"] else "unknown"
        case["adjudged"].append(record)
    phase["adjudge_seconds"] = time.monotonic() - start


def abbreviations(name: str) -> list[tuple[str, str]]:
    words = WORD.findall(name)
    if len(words) < 2:
        return []
    initials = "".join(w[0] for w in words)
    return [("initials", initials), ("prefix3x2", words[0][:3] + words[1][:3])]


class Sharing:
    """How many indexed names a query abbreviates: the names a user would see it match.

    A name shares a query when the query, casefolded, can be cut into pieces that are
    each a prefix of one of the name's words, in order, skipping words at will: its
    initials (``gcv``), the start of the name (``get_co``), a sub-word match
    (``tesget`` of ``test_get_raises``, ``config`` of ``get_config_vars``).  Every name
    the index holds counts, of every kind, not only the sampled functions and classes.
    """

    def __init__(self, names: list[str]) -> None:
        lines = ["\x01" + "\x01".join(w.casefold() for w in WORD.findall(n)) for n in names]
        self.lines = [line for line in lines if len(line) > 1]
        self.text = "\n".join(self.lines) + "\n"
        self._memo: dict[str, int] = {}

    def count(self, query: str, within: str | None = None) -> int:
        """Names ``query`` abbreviates (within the lines ``within``, a subset, when given)."""
        q = query.casefold()
        if q not in self._memo:
            pattern = "(?m)^[^\n]*?\x01" + re.escape(q[0])
            for c in q[1:]:
                c = re.escape(c)
                pattern += f"(?:{c}|[^\n]*?\x01{c})"
            self._memo[q] = len(re.findall(pattern, within or self.text))
        return self._memo[q]

    def holding(self, query: str) -> str:
        """The lines holding ``query``'s characters in order: a superset of its sharers and
        of the sharers of every query typed on from it (each adds characters)."""
        q = query.casefold()
        pattern = "(?m)^" + "".join(f"[^{re.escape(c)}\n]*+{re.escape(c)}" for c in q) + ".*\n"
        return "".join(re.findall(pattern, self.text))


def typed_abbreviation(name: str, style: str, sharing: Sharing) -> tuple[str, list[str]]:
    """The abbreviation a user ends up typing for ``name``, and the queries on the way.

    Start from the ``style`` abbreviation (initials, or three letters of each of the
    first two words).  While more than ``SHARED_MAX`` indexed names share it, type one
    more character: the next letter of a word already begun, or the initial of the word
    after the last one begun, whichever leaves the fewest names sharing the query (ties:
    the earlier word), as a user who sees the wrong names and knows the one they want
    would; stop at ``TYPED_MAX`` characters or when no character can be added.
    """
    words = WORD.findall(name)
    if style == "initials":
        taken = [1] * len(words)
    else:
        taken = [min(3, len(w)) if i < 2 else 0 for i, w in enumerate(words)]

    def spell(lengths: list[int]) -> str:
        return "".join(w[:n] for w, n in zip(words, lengths, strict=True))

    query = spell(taken)
    path = [query]
    within = sharing.holding(query)
    while sharing.count(query, within) > SHARED_MAX and len(query) < TYPED_MAX:
        moves = []
        for i, w in enumerate(words):
            if 0 < taken[i] < len(w):
                moves.append([*taken[:i], taken[i] + 1, *taken[i + 1 :]])
        last = max(i for i, n in enumerate(taken) if n)
        if last + 1 < len(words):
            moves.append([*taken[: last + 1], 1, *taken[last + 2 :]])
        if not moves:
            break
        taken = min(moves, key=lambda m: sharing.count(spell(m), within))
        query = spell(taken)
        path.append(query)
    return query, path


def symbols_ranker(conn: Any, how: str) -> Any:
    """The ``rank`` argument of ``search_symbols`` for ``--symbols-ranker``."""
    if how == "default":
        return None
    if how == "rank":
        return fuzzy.rank
    names = nodes.symbol_names(conn, None, None, False)
    index = fuzzy.NameIndex(names)

    def search(text: str, given: Any, limit: int) -> list[tuple[int, float]]:
        # Every query here reads the same names, unfiltered, as the index was built on.
        assert len(given) == len(names)
        return index.search(text, limit)

    return search


def bench_symbols(
    corpus: Corpus, conn: Any, rng: random.Random, ranker: str = "default"
) -> dict[str, Any]:
    names = sorted(
        {
            d[2]
            for rel in corpus.paths
            for d in definitions(corpus, rel)
            if d[3] in ("function", "method", "class")
        }
    )
    multi = [n for n in names if len(WORD.findall(n)) >= 2]
    exact_names = rng.sample(names, SYMBOL_NAMES)
    abbrev_names = rng.sample(multi, SYMBOL_NAMES)
    same: dict[str, Counter[str]] = {"initials": Counter(), "prefix3x2": Counter()}
    for n in multi:
        for style, q in abbreviations(n):
            same[style][q] += 1
    cases = []
    start = time.monotonic()
    rank = symbols_ranker(conn, ranker)
    for name in exact_names:
        res = search_symbols(conn, SymbolQuery(name, limit=5), rank=rank)
        top = [m.symbol.name for m in res.matches[:5]]
        cases.append(
            {"measure": "exact", "query": name, "name": name, "hit": name in top, "top": top}
        )
    for i, name in enumerate(abbrev_names):
        style, query = abbreviations(name)[i % 2]
        res = search_symbols(conn, SymbolQuery(query, limit=10), rank=rank)
        top = [m.symbol.name for m in res.matches[:10]]
        cases.append(
            {
                "measure": style,
                "query": query,
                "name": name,
                "hit": name in top,
                "top": top,
                "same_abbrev": same[style][query],
            }
        )
    # The same names again, typed as a user would: on from the same start until at
    # most SHARED_MAX indexed names share the query (see ``typed_abbreviation``).
    sharing = Sharing(nodes.symbol_names(conn, None, None, False))
    for i, name in enumerate(abbrev_names):
        style = abbreviations(name)[i % 2][0]
        query, path = typed_abbreviation(name, style, sharing)
        res = search_symbols(conn, SymbolQuery(query, limit=10), rank=rank)
        top = [m.symbol.name for m in res.matches[:10]]
        cases.append(
            {
                "measure": "typed",
                "start": style,
                "query": query,
                "typed": path,
                "name": name,
                "hit": name in top,
                "top": top,
                "shared": sharing.count(query),
                "definitions": len(nodes.nodes_with_names(conn, [name], None, None)),
            }
        )
    seconds = time.monotonic() - start
    timing = time_proximity(corpus, conn, [c["query"] for c in cases], rng) if rank is None else {}
    return {"cases": cases, "seconds": seconds, "ranker": ranker, "proximity": timing}


def time_proximity(
    corpus: Corpus, conn: Any, queries: list[str], rng: random.Random
) -> dict[str, Any]:
    """``search_symbols`` as the language server calls it (limit 100) with no open documents
    and with ``OPEN_DOCUMENTS`` sampled files open, interleaved, once the name cache's
    index is built; and how many answers' first 10 definitions the open files reorder."""
    near = rng.sample(corpus.paths, OPEN_DOCUMENTS)
    search_symbols(conn, SymbolQuery("warm", limit=100))
    name_cache(conn, None, None, False).wait_built(300)
    times: dict[str, list[float]] = {"closed": [], "open": []}
    changed = 0
    for n, query in enumerate(queries):
        runs = [("closed", ()), ("open", tuple(near))]
        tops = {}
        for label, files in runs if n % 2 else runs[::-1]:
            t = time.perf_counter()
            res = search_symbols(conn, SymbolQuery(query, limit=100), near=files)
            times[label].append((time.perf_counter() - t) * 1000)
            tops[label] = [m.symbol.node_id for m in res.matches[:10]]
        changed += tops["closed"] != tops["open"]
    return {"open_documents": near, "ms": times, "top10_changed": changed}


# --------------------------------------------------------------------------
# Report


def ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "n/a"


def pr(cases: list[dict[str, Any]]) -> tuple[int, int, int, float, float, float, float]:
    tp = sum(c["true_positive"] for c in cases)
    ours = sum(len(c["codeidx"]) for c in cases)
    theirs = sum(len(c["jedi"]) for c in cases)
    # Micro (pooled) and macro (mean per definition; an empty answer has precision 1).
    macro_p = [c["true_positive"] / len(c["codeidx"]) if c["codeidx"] else 1.0 for c in cases]
    macro_r = [c["true_positive"] / len(c["jedi"]) for c in cases]
    mp = sum(macro_p) / len(cases) if cases else 0.0
    mr = sum(macro_r) / len(cases) if cases else 0.0
    return tp, ours, theirs, tp / ours if ours else 0.0, tp / theirs if theirs else 0.0, mp, mr


def report(r: dict[str, Any]) -> str:
    out = [f"Corpus: {r['files']} files; index {r['index_s']:.1f} s; seed {r['seed']}", ""]
    if "definition" in r:
        out += report_definitions(r)
    for label, key in (("References", "references"), ("Incoming calls", "calls")):
        if key in r:
            out += report_links(r, label, key)
    if "symbols" in r:
        out += report_symbols(r)
    out.append("Seconds: " + ", ".join(f"{k} {r[k]['seconds']:.0f}" for k in PHASES if k in r))
    return "\n".join(out)


def report_definitions(r: dict[str, Any]) -> list[str]:
    out = []
    d = r["definition"]["cases"]
    out.append("Go to definition (cases where jedi finds a definition in the workspace)")
    out.append(f"  {'kind':<10} {'asked':>6} {'cases':>6} {'top-1':>6} {'any':>6} {'none':>6}")
    for kind in (*KINDS, "all"):
        cs = [c for c in d if kind in ("all", c["kind"])]
        asked = (
            sum(v for k, v in r["definition"]["asked"].items() if k in KINDS)
            if kind == "all"
            else r["definition"]["asked"].get(kind, 0)
        )
        top1 = sum(c["top1"] for c in cs)
        anyh = sum(c["any"] for c in cs)
        none = sum(not c["codeidx"] for c in cs)
        out.append(
            f"  {kind:<10} {asked:>6} {len(cs):>6} {ratio(top1, len(cs)):>6} "
            f"{ratio(anyh, len(cs)):>6} {none:>6}"
        )
    out.append("")
    return out


def report_links(r: dict[str, Any], label: str, key: str) -> list[str]:
    out = []
    cs = r[key]["cases"]
    tp, ours, theirs, p, rc, mp, mr = pr(cs)
    out.append(
        f"{label}: {len(cs)} definitions ({r[key]['tried']} tried); "
        f"codeidx {ours}, jedi {theirs}, both {tp}"
    )
    out.append(
        f"  precision {p:.3f} (mean per definition {mp:.3f}); "
        f"recall {rc:.3f} (mean per definition {mr:.3f})"
    )
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in cs:
        by_kind[c["kind"]].append(c)
    for kind, group in sorted(by_kind.items()):
        tp, ours, theirs, p, rc, _, _ = pr(group)
        out.append(
            f"    {kind:<15} n={len(group):<3} precision {p:.3f} recall {rc:.3f}"
            f" (codeidx {ours}, jedi {theirs}, both {tp})"
        )
    if len(cs) > EARLIER_SAMPLE:
        tp, ours, theirs, p, rc, mp, mr = pr(cs[:EARLIER_SAMPLE])
        out.append(
            f"  first {EARLIER_SAMPLE} definitions (the earlier sample): precision {p:.3f}"
            f" (mean {mp:.3f}), recall {rc:.3f} (mean {mr:.3f});"
            f" codeidx {ours}, jedi {theirs}, both {tp}"
        )
    if key == "calls":
        missing = sum(not c["symbol_found"] for c in cs)
        out.append(f"  definitions find_calls did not list as a symbol: {missing}")
    if all("adjudged" in c for c in cs):
        out += report_adjudged(cs)
    out.append("")
    return out


def adjudged_counts(c: dict[str, Any]) -> Counter[str]:
    return Counter(a["verdict"] for a in c["adjudged"])


def report_adjudged(cs: list[dict[str, Any]]) -> list[str]:
    """Literal figures next to the ones after asking jedi's goto (see ``adjudicate``)."""
    tp = sum(c["true_positive"] for c in cs)
    ours = sum(len(c["codeidx"]) for c in cs)
    v: Counter[str] = Counter()
    per_definition = []
    for c in cs:
        n = adjudged_counts(c)
        v += n
        decided = len(c["codeidx"]) - n["unknown"]
        per_definition.append((c["true_positive"] + n["agree"]) / decided if decided else 1.0)
    only = v["agree"] + v["other"] + v["unknown"]
    decided = ours - v["unknown"]
    out = [
        f"  codeidx answers jedi's reference search lacks: {only}; jedi's goto at each:"
        f" lands on the definition {v['agree']}, elsewhere {v['other']},"
        f" nowhere (jedi cannot tell) {v['unknown']}",
        f"  adjudicated precision {ratio(tp + v['agree'], decided)}"
        f" (({tp} + {v['agree']}) / ({ours} - {v['unknown']}), cannot-tell left out;"
        f" mean per definition {sum(per_definition) / len(per_definition):.3f});"
        f" cannot-tell counted wrong {ratio(tp + v['agree'], ours)},"
        f" counted right {ratio(ours - v['other'], ours)}",
    ]
    shapes = Counter(a["shape"] for c in cs for a in c["adjudged"] if a["verdict"] == "unknown")
    if shapes:
        out.append(
            "  cannot tell, by pattern: " + "; ".join(f"{k} {n}" for k, n in shapes.most_common())
        )
    return out


def report_symbols(r: dict[str, Any]) -> list[str]:
    out = []
    s = r["symbols"]["cases"]
    ranker = r["symbols"].get("ranker", "default")
    out.append("Workspace symbols" + ("" if ranker == "default" else f" (ranker: {ranker})"))
    uniform = ("initials", "prefix3x2")
    for measure, top in (("exact", 5), ("initials", 10), ("prefix3x2", 10), ("abbreviation", 10)):
        cs = [
            c
            for c in s
            if c["measure"] == measure or (measure == "abbreviation" and c["measure"] in uniform)
        ]
        hits = sum(c["hit"] for c in cs)
        line = f"  {measure:<13} in top {top:<3} {hits}/{len(cs)} = {ratio(hits, len(cs))}"
        if measure != "exact":
            # Queries that at most 10 sampled-kind names share: a top 10 can hold them all.
            few = [c for c in cs if c["same_abbrev"] <= 10]
            fh = sum(c["hit"] for c in few)
            line += f"; unambiguous (<=10 names share it) {fh}/{len(few)} = {ratio(fh, len(few))}"
        out.append(line)
    typed = [c for c in s if c["measure"] == "typed"]
    if typed:
        out.append(
            f"  Typed on until at most {SHARED_MAX} indexed names share the query"
            f" (at most {TYPED_MAX} characters):"
        )
        for start in ("initials", "prefix3x2", "all"):
            cs = [c for c in typed if start in ("all", c["start"])]
            hits = sum(c["hit"] for c in cs)
            few = [c for c in cs if c["shared"] <= SHARED_MAX]
            fh = sum(c["hit"] for c in few)
            out.append(
                f"  typed from {start:<9} in top 10  {hits}/{len(cs)} = {ratio(hits, len(cs))};"
                f" reaching <={SHARED_MAX} names {fh}/{len(few)} = {ratio(fh, len(few))}"
            )
        lengths = sorted(len(c["query"]) for c in typed)
        extended = sum(len(c["typed"]) > 1 for c in typed)
        out.append(
            f"    {extended} of {len(typed)} queries typed on; length median"
            f" {lengths[len(lengths) // 2]}, max {lengths[-1]};"
            f" still shared by more than {SHARED_MAX} names at the bound:"
            f" {sum(c['shared'] > SHARED_MAX for c in typed)}"
        )
    prox = r["symbols"].get("proximity")
    if prox:
        out.append(
            f"  search_symbols, limit 100, {len(prox['ms']['closed'])} queries, milliseconds"
            f" (no open documents / {len(prox['open_documents'])} open):"
        )
        for label in ("closed", "open"):
            ms = sorted(prox["ms"][label])
            out.append(
                f"    {label:<7} p50 {ms[len(ms) // 2]:.2f} p95 {ms[int(0.95 * (len(ms) - 1))]:.2f}"
                f" max {ms[-1]:.2f}"
            )
        out.append(
            f"    answers whose first 10 the open documents reorder: {prox['top10_changed']}"
        )
    out.append("")
    return out


def examples(r: dict[str, Any]) -> str:
    out = [
        "Disagreements between codeidx and jedi (first examples per measure).",
        "Lines are 1-based; 'codeidx'/'jedi' list (path, line) or (path, line, col).",
        "",
    ]
    for kind in KINDS if "definition" in r else ():
        out.append(f"== Go to definition: top-1 misses, kind {kind}")
        misses = [c for c in r["definition"]["cases"] if c["kind"] == kind and not c["top1"]]
        for c in misses[:EXAMPLES]:
            out.append(
                f"{c['path']}:{c['line']}:{c['col'] + 1}  {c['name']}"
                f"{'  (codeidx: local)' if c['local'] else ''}"
            )
            out.append(f"    codeidx: {c['codeidx'][:4]} conf {c['confidence'][:4]}")
            out.append(f"    jedi:    {c['jedi'][:4]}")
        out.append("")
    for label, key in (("References", "references"), ("Incoming calls", "calls")):
        if key not in r:
            continue
        out.append(f"== {label}: definitions where the sets differ")
        bad = [
            c
            for c in r[key]["cases"]
            if set(map(tuple, c["codeidx"])) != set(map(tuple, c["jedi"]))
        ]
        for c in bad[:EXAMPLES]:
            ours = set(map(tuple, c["codeidx"]))
            theirs = set(map(tuple, c["jedi"]))
            out.append(
                f"{c['path']}:{c['line']}  {c['name']} ({c['kind']})"
                f"  codeidx {len(ours)}, jedi {len(theirs)}, both {c['true_positive']}"
            )
            out.append(f"    only codeidx: {sorted(ours - theirs)[:5]}")
            out.append(f"    only jedi:    {sorted(theirs - ours)[:5]}")
        out.append("")
        out += adjudged_examples(r[key]["cases"], label)
    if "symbols" not in r:
        return "\n".join(out) + "\n"
    out.append("== Workspace symbols: misses")
    for c in [c for c in r["symbols"]["cases"] if not c["hit"]][: EXAMPLES * 2]:
        out.append(f"{c['measure']:<10} query {c['query']!r} for {c['name']!r}: top {c['top']}")
    out.append("")
    out.append("== Workspace symbols: typed abbreviations missed (every one)")
    for c in [c for c in r["symbols"]["cases"] if c["measure"] == "typed" and not c["hit"]]:
        out.append(
            f"typed {' > '.join(c['typed'])} for {c['name']!r} (shared by {c['shared']},"
            f" {c['definitions']} definitions of the name): top {c['top']}"
        )
    return "\n".join(out) + "\n"


def adjudged_examples(cs: list[dict[str, Any]], label: str) -> list[str]:
    """Every codeidx answer jedi's goto sends elsewhere, and the cannot-tell ones by pattern."""
    if not all("adjudged" in c for c in cs):
        return []
    out = [f"== {label}: codeidx answers jedi's goto sends elsewhere (every one)"]
    for c in cs:
        wrong = [a for a in c["adjudged"] if a["verdict"] == "other"]
        if wrong:
            out.append(f"{c['path']}:{c['line']}  {c['name']} ({c['kind']}): {len(wrong)}")
        for a in wrong:
            site = ":".join(map(str, a["site"]))
            out.append(f"    {site}  [{a['shape']}]  jedi goto: {a['goto'][:3]}")
    out.append("")
    out.append(f"== {label}: codeidx answers jedi cannot tell (goto and infer find nothing)")
    by_shape: defaultdict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    for c in cs:
        for a in c["adjudged"]:
            if a["verdict"] == "unknown":
                by_shape[a["shape"]].append((c, a))
    for pattern, items in sorted(by_shape.items(), key=lambda kv: -len(kv[1])):
        names = Counter(f"{c['name']} ({c['path']}:{c['line']})" for c, _ in items)
        out.append(
            f"{pattern}: {len(items)}; definitions: "
            + ", ".join(f"{k} {n}" for k, n in names.most_common(6))
        )
        for _, a in items[: EXAMPLES // 2]:
            out.append("    " + ":".join(map(str, a["site"])))
    out.append("")
    return out


def main() -> None:
    global REF_DEFS, CALL_DEFS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workdir", type=Path, help="reuse this folder for the copy and the index")
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"comma-separated measures to run, of {', '.join(PHASES)} (default: all)",
    )
    ap.add_argument(
        "--symbols-ranker",
        choices=("default", "rank", "index"),
        default="default",
        help="how workspace symbols are ranked (default: as search_symbols does)",
    )
    ap.add_argument(
        "--definitions",
        type=int,
        default=REF_DEFS,
        help=f"definitions sampled for references and for incoming calls (default {REF_DEFS})",
    )
    args = ap.parse_args()
    REF_DEFS = CALL_DEFS = args.definitions
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = sorted(set(phases) - set(PHASES))
    if unknown or not phases:
        ap.error(f"--phases takes some of {', '.join(PHASES)}, not {args.phases!r}")
    # A partial run names its outputs after its phases, so a full run's are kept.
    stem = (
        "resolution_bench"
        if set(phases) == set(PHASES)
        else "resolution_bench-" + "-".join(p for p in PHASES if p in phases)
    )
    if args.symbols_ranker != "default" and "symbols" in phases:
        stem += f"-{args.symbols_ranker}"
    if args.definitions != 200 and {"references", "calls"} & set(phases):
        stem += f"-{args.definitions}defs"
    tmp = None
    if args.workdir is None:
        tmp = tempfile.mkdtemp(prefix="codeidx-resbench-")
        work = Path(tmp)
    else:
        work = args.workdir
        work.mkdir(parents=True, exist_ok=True)
    try:
        root = (work / "ws").resolve() if (work / "ws").exists() else work / "ws"
        if not root.exists():
            print("copying the standard library", file=sys.stderr)
            copy_corpus(Path(sysconfig.get_paths()["stdlib"]).resolve(), root)
        root = root.resolve()
        print("indexing", file=sys.stderr)
        t = time.monotonic()
        run_index(root, work / "idx", IndexOptions(include=("*.py",), exclude=("site-packages/",)))
        index_s = time.monotonic() - t
        t = time.monotonic()
        corpus = Corpus(root)
        print(f"  corpus read in {time.monotonic() - t:.0f} s", file=sys.stderr)
        jd = Jedi(root, corpus) if set(phases) - {"symbols"} else None
        conn = open_index(work / "idx")
        r: dict[str, Any] = {
            "seed": args.seed,
            "files": len(corpus.paths),
            "index_s": index_s,
            "jedi": jedi.__version__,
        }
        if jd is not None and "definition" in phases:
            print("go to definition", file=sys.stderr)
            r["definition"] = bench_definitions(corpus, jd, conn, random.Random(args.seed))
        if jd is not None and "references" in phases:
            print("references", file=sys.stderr)
            r["references"] = bench_references(corpus, jd, conn, random.Random(args.seed + 1))
            print("  asking jedi's goto about codeidx's extra references", file=sys.stderr)
            adjudicate(corpus, jd, r["references"], "references")
        if jd is not None and "calls" in phases:
            print("incoming calls", file=sys.stderr)
            r["calls"] = bench_calls(corpus, jd, conn, random.Random(args.seed + 2))
            print("  asking jedi's goto about codeidx's extra call sites", file=sys.stderr)
            adjudicate(corpus, jd, r["calls"], "calls")
        if "symbols" in phases:
            print("workspace symbols", file=sys.stderr)
            r["symbols"] = bench_symbols(
                corpus, conn, random.Random(args.seed + 3), args.symbols_ranker
            )
        conn.close()
        text = report(r)
        print(text)
        OUT.mkdir(exist_ok=True)
        examples_name = stem.replace("resolution_bench", "resolution_examples")
        (OUT / f"{examples_name}.txt").write_text(examples(r))
        (OUT / f"{stem}.json").write_text(json.dumps(r, indent=1))
        (OUT / f"{stem}.txt").write_text(text + "\n")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
