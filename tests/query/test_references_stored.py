"""References read from stored edges equal references resolved at query time.

``find_references`` answers most occurrences from the edges linking stored
and resolves only the rest; ``from_edges=False`` resolves every one.  Both
are asked about every identifier of a workspace that mixes the cases the
edges must get right: calls through ``self``, through typed and untyped
receivers, by-name guesses among several candidates, imports and aliases,
decorators, attribute reads that make no edge, locals, recursion, and a
name defined twice; and reads: of modules (``import os`` and ``os.sep``,
``import a.b as c``, ``from pkg import mod``), of functions, classes and
variables from other files, resolved by a guess with one candidate or
several, in annotations and decorators next to plain reads, through
``self``, name paths and expressions, and of locals that shadow a global
name (also in closures and behind nested definitions).
Highlights (``in_file_only``) are the workspace's references in the
cursor's file.
"""

from __future__ import annotations

import marshal
import sqlite3
from pathlib import Path

import pytest
from querytest import build

from codeidx.query import references
from codeidx.query.overlay import Overlay
from codeidx.query.references import find_references
from codeidx.query.types import Location, Position, ReferencesQuery, ReferencesResult
from codeidx.store.occurrences import StoredOccurrence, unpack
from codeidx.store.symbols import FileFacts

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

WORKSPACE = {
    "pkg/__init__.py": "",
    "pkg/base.py": """
        import functools


        def traced(fn):
            @functools.wraps(fn)
            def inner(*args):
                return fn(*args)
            return inner


        class Base:
            limit = 3

            def check(self, value):
                return value < self.limit

            def run(self, value):
                if self.check(value):
                    return self.run(value - 1)
                return self.check


        class Other:
            def check(self, value):
                return value > 0

            def run(self, value):
                return value
    """,
    "pkg/child.py": """
        from pkg.base import Base, traced
        from pkg.base import Other as Alias


        class Child(Base):
            @traced
            def check(self, value):
                ok = super().check(value)
                handler = self.check
                return ok and handler(value)

            def go(self, thing):
                self.check(1)
                thing.check(2)
                Alias().check(3)
                local = Base()
                local.run(4)
                return local.limit

            def cap(self):
                return self.limit
    """,
    "os.py": """
        sep = "/"


        def getcwd():
            return sep
    """,
    "a/__init__.py": "",
    "a/b.py": """
        VALUE = 1


        def make():
            return VALUE
    """,
    "pkg/mod.py": """
        SETTING = 1
        Number = int


        def helper():
            return SETTING


        def itself():
            return itself


        class Registry:
            def __init__(self, fn):
                self.fn = fn
    """,
    "pkg/only.py": """
        def rarely_read_target():
            return 1
    """,
    "pkg/twin_a.py": """
        twin_value = 1
    """,
    "pkg/twin_b.py": """
        twin_value = 2
    """,
    "users.py": """
        import os
        import a.b as c
        import a.b
        from pkg import mod
        from pkg.base import traced, Base
        from pkg.mod import Number, SETTING, Registry
        from pkg.child import Child

        SEP = os.sep
        here = os


        def paths(root):
            where = os.getcwd()
            return root + os.sep + where + c.VALUE


        def modules():
            chosen = mod
            table = {"c": c, "m": mod, "os": os}
            return chosen.SETTING + a.b.VALUE + mod.helper() + table["c"].make()


        def plain_reads(items):
            wrapper = traced
            kinds = [Base, Child]
            return wrapper, kinds, rarely_read_target, twin_value, SETTING


        def typed(value: Number) -> Number:
            return Number


        def shadow():
            traced = 1
            Base = "local"
            return traced, Base


        def closure():
            SETTING = 2

            def inner():
                return SETTING

            return inner


        def nested_shadow():
            helper = 1

            def helper():
                return 2

            return helper


        def set_setting():
            global SETTING
            SETTING = 5


        class Holder:
            wrap = traced

            @traced
            def method(self):
                return self.wrap


        def make_registry():
            return Registry


        class Box:
            inner = mod


        def through_expression():
            return Box().inner.SETTING


        def through_names():
            return closure.inner, Holder.method


        @Registry
        def registered():
            return make_registry
    """,
    "main.py": """
        from pkg.child import Child
        from pkg import base


        def check(value):
            return value


        def main(items):
            child = Child()
            child.check(1)
            child.go(items)
            base.Base().run(2)
            for item in items:
                item.run(3)
                check(item)
            return check
    """,
}


def positions(conn: sqlite3.Connection) -> list[Position]:
    """Every stored occurrence and definition name in the workspace, as a cursor position.

    A definition's own name asks about that definition alone, even where
    its uses resolve by a guess among several candidates.
    """
    out = []
    for path, blob, receivers in conn.execute(
        "SELECT f.path, o.data, f.receivers FROM occurrences o"
        " JOIN files f ON f.file_id = o.file_id ORDER BY f.path"
    ):
        table = marshal.loads(receivers) if receivers else []
        out.extend(Position(path, occ.line, occ.col) for occ in unpack(blob, table))
    for path, line, col in conn.execute(
        "SELECT f.path, n.name_line, n.name_col FROM nodes n"
        " JOIN files f ON f.file_id = n.file_id WHERE n.kind != 'module'"
    ):
        out.append(Position(path, line, col))
    return sorted(set(out), key=lambda p: (p.path, p.line, p.col))


def shape(result: ReferencesResult) -> list[tuple[object, ...]]:
    return [
        (r.path, r.line, r.col, r.end_col, r.role, r.confidence, r.resolution)
        for r in result.references
    ]


@pytest.mark.parametrize("guesses", [False, True])
def test_stored_answers_equal_resolved_answers_everywhere(tmp_path: Path, guesses: bool) -> None:
    fx = build(tmp_path, WORKSPACE)
    with fx.connect() as conn:
        cursors = positions(conn)
        assert len(cursors) > 80
        answered = 0
        for at in cursors:
            query = ReferencesQuery(at, include_guesses=guesses)
            stored = find_references(conn, fx.root, query)
            resolved = find_references(conn, fx.root, query, from_edges=False)
            assert shape(stored) == shape(resolved), at
            assert stored.files_searched == resolved.files_searched, at
            answered += bool(stored.references)
        assert answered > 40


def test_reads_of_a_kind_that_makes_no_reference_edge_are_resolved(tmp_path: Path) -> None:
    # Linking makes no "references" edge to a namespace, so a read of one in
    # another file is a reference that no edge records.
    fx = build(
        tmp_path,
        {
            "shapes.ts": """
                export namespace Shapes {
                    export const side = 1;
                }
            """,
            "use.ts": """
                import { Shapes } from "./shapes";

                export function pick() {
                    const found = Shapes;
                    return found;
                }
            """,
        },
    )
    with fx.connect() as conn:
        at = Position("shapes.ts", 0, len("export namespace "))
        stored = find_references(conn, fx.root, ReferencesQuery(at))
        assert [s.kind for s in stored.symbols] == ["namespace"]
        assert ("use.ts", 3, "read") in {(r.path, r.line, r.role) for r in stored.references}
        for at in positions(conn):
            query = ReferencesQuery(at)
            assert shape(find_references(conn, fx.root, query)) == shape(
                find_references(conn, fx.root, query, from_edges=False)
            ), at


def test_a_guess_that_loses_its_rival_is_found_after_the_rival_is_removed(
    tmp_path: Path,
) -> None:
    # Two candidates: the read in reader.py is a guess among them and makes
    # no edge.  Once one is removed the read is a sure guess of the other,
    # which only relinking reader.py records.
    files = {
        "twin_a.py": "twin_value = 1\n",
        "twin_b.py": "twin_value = 2\n",
        "reader.py": "def use():\n    return twin_value\n",
    }
    build(tmp_path, files)
    fx = build(tmp_path, {**files, "twin_b.py": "other_value = 2\n"})
    with fx.connect() as conn:
        query = ReferencesQuery(Position("twin_a.py", 0, 0), include_declaration=False)
        stored = find_references(conn, fx.root, query)
        assert shape(stored) == shape(find_references(conn, fx.root, query, from_edges=False))
        assert [(r.path, r.resolution) for r in stored.references] == [("reader.py", "by_name")]


def test_a_file_whose_edges_are_out_of_date_is_resolved_again(tmp_path: Path) -> None:
    fx = build(tmp_path, WORKSPACE)
    # Edges that name the wrong definition: only resolving again gets main.py right.
    writer = sqlite3.connect(fx.index_dir / "index.sqlite")
    try:
        with writer:
            writer.execute(
                "UPDATE edges SET dst_id = dst_id + 1 WHERE file_id ="
                " (SELECT file_id FROM files WHERE path = 'main.py')"
            )
            writer.execute("UPDATE files SET linked = 0 WHERE path = 'main.py'")
    finally:
        writer.close()
    with fx.connect() as conn:
        for at in positions(conn):
            query = ReferencesQuery(at)
            stored = find_references(conn, fx.root, query)
            assert shape(stored) == shape(find_references(conn, fx.root, query, from_edges=False))


def test_only_calls_that_share_an_edge_with_other_calls_are_resolved_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fx = build(tmp_path, WORKSPACE)
    resolved: list[tuple[str, str]] = []
    real = references._resolved_hit

    def spy(*args: object, **kwargs: object) -> object:
        occ = args[3]
        assert isinstance(occ, StoredOccurrence)
        resolved.append((occ.role, occ.receiver))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(references, "_resolved_hit", spy)
    with fx.connect() as conn:
        text = (fx.root / "pkg/base.py").read_text().splitlines()
        line = next(i for i, t in enumerate(text) if "def run" in t)
        at = Position("pkg/base.py", line, text[line].index("run"))
        result = find_references(conn, fx.root, ReferencesQuery(at))
    calls = {(r.path, r.line) for r in result.references if r.role == "call"}
    assert calls == {("pkg/base.py", line + 2), ("pkg/child.py", 16), ("main.py", 12)}
    # ``self.run`` in Base.run and ``local.run`` in Child.go each have an
    # edge of their own: read, not resolved.  In main(), the exact call
    # ``base.Base().run`` and the guess ``item.run`` have the same caller and
    # callee but two edges, one per resolution, so both are read from them
    # too, and the guess is left out as before.
    assert [r for r in resolved if r[0] == "call"] == []


@pytest.mark.parametrize(
    ("path", "snippet", "word", "found"),
    [
        ("users.py", "import os", "os", 7),
        ("users.py", "import a.b as c", "b", 4),
        ("pkg/base.py", "def traced", "traced", 7),
        ("pkg/only.py", "def rarely_read_target", "rarely_read_target", 2),
        ("pkg/twin_a.py", "twin_value", "twin_value", 1),
        ("pkg/mod.py", "SETTING = 1", "SETTING", 8),
    ],
)
def test_reads_settled_by_edges_resolve_nothing_outside_the_defining_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    snippet: str,
    word: str,
    found: int,
) -> None:
    fx = build(tmp_path, WORKSPACE)
    resolved: list[str] = []
    real = references._resolved_hit

    def spy(*args: object, **kwargs: object) -> object:
        facts = args[1]
        assert isinstance(facts, FileFacts)
        resolved.append(facts.path)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(references, "_resolved_hit", spy)
    with fx.connect() as conn:
        text = (fx.root / path).read_text().splitlines()
        line = next(i for i, t in enumerate(text) if t.startswith(snippet))
        at = Position(path, line, text[line].index(word))
        result = find_references(conn, fx.root, ReferencesQuery(at))
    # Module reads, plain reads (a sure guess among them), reads through
    # name paths, decorators and shadowing locals elsewhere are all settled
    # by the edges.  Resolved again: the defining file's own occurrences,
    # ``Box().inner.SETTING`` (through an expression), and plain reads that
    # are no site of an edge to a top-level definition alone with its name
    # (``traced = 1`` in users.py): a sure guess of it may have had a rival
    # when the file was linked.
    assert len(result.references) == found
    defining = {s.path for s in result.symbols}
    again = ["users.py"] if snippet in ("SETTING = 1", "def traced") else []
    assert sorted(set(p for p in resolved if p not in defining)) == again


def in_file(result: ReferencesResult, path: str) -> list[Location]:
    return [r for r in result.references if r.path == path]


def test_highlights_are_the_references_in_the_cursors_file(tmp_path: Path) -> None:
    fx = build(tmp_path, WORKSPACE)
    with fx.connect() as conn:
        for at in positions(conn):
            everywhere = find_references(conn, fx.root, ReferencesQuery(at))
            here = find_references(conn, fx.root, ReferencesQuery(at, in_file_only=True))
            assert here.references == in_file(everywhere, at.path), at
            assert here.files_searched <= 1


def test_without_text_locations_are_the_same_but_empty(tmp_path: Path) -> None:
    fx = build(tmp_path, WORKSPACE)
    with fx.connect() as conn:
        text = (fx.root / "main.py").read_text().splitlines()
        line = next(i for i, t in enumerate(text) if "def check" in t)
        at = Position("main.py", line, text[line].index("check"))
        full = find_references(conn, fx.root, ReferencesQuery(at))
        bare = find_references(conn, fx.root, ReferencesQuery(at, with_text=False))
    assert len(full.references) == 3
    assert [r.text for r in full.references] == [text[r.line] for r in full.references]
    assert all(r.text == "" for r in bare.references)
    assert shape(bare) == shape(full)


def test_a_lookup_made_beforehand_gives_the_same_answers(tmp_path: Path) -> None:
    # The language server looks the cursor up once, for its answer cache's key,
    # and hands that lookup (an overlay's, with no edited buffer) to the search.
    fx = build(tmp_path, WORKSPACE)
    with fx.connect() as conn:
        answered = 0
        for at in positions(conn):
            query = ReferencesQuery(at)
            overlay = Overlay(conn, fx.root, {})
            with overlay.snapshot():
                found = overlay.lookup(at)
                given = overlay.find_references(query, found)
            alone = find_references(conn, fx.root, query)
            assert shape(given) == shape(alone), at
            assert [s.node_id for s in given.symbols] == [s.node_id for s in alone.symbols], at
            answered += bool(alone.references)
        assert answered > 40
