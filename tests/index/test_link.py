"""Exact edges of a small Python package: kinds, counts, call sites, confidence.

Sites are computed from the fixture text (``site(path, "h(2)")`` is the line
and column of that snippet's first occurrence), so the fixture can be edited
without recounting columns by hand.
"""

from __future__ import annotations

import textwrap
from contextlib import closing
from pathlib import Path

import pytest

from codeidx.index.bindings import _Positions
from codeidx.parse.records import ROLES
from codeidx.store import db, symbols
from codeidx.store.edges import pack_sites, unpack_sites
from helpers.workspace import Edge, Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

BASE = textwrap.dedent(
    """
    LIMIT = 10


    def helper(x):
        return x + 1


    def deco(fn):
        return fn


    class Base:
        def run(self):
            return self.step()

        def step(self):
            return 1


    class Thing:
        pass
    """
).lstrip()

MAIN = textwrap.dedent(
    """
    import pkg.base as m
    from .base import helper as h, Base, Thing, deco, LIMIT


    def helper():
        return 0


    class Child(Base):
        def step(self):
            return self.run()

        def go(self):
            return self.step()


    @deco
    def fact(n: Thing) -> int:
        if n:
            return fact(n - 1)
        return h(1) + m.helper(2) + twice() + LIMIT


    def twice():
        t = Thing()
        h(1)
        h(2)
        return t


    def shadow():
        helper = lambda y: y
        return helper(3)


    def unknown(obj):
        return obj.rarely_named()
    """
).lstrip()

OTHER = textwrap.dedent(
    """
    class Other:
        def rarely_named(self):
            return 1
    """
).lstrip()

SOURCES = {"pkg/__init__.py": "", "pkg/base.py": BASE, "pkg/main.py": MAIN, "pkg/other.py": OTHER}


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> set[Edge]:
    base = tmp_path_factory.mktemp("link")
    ws = Workspace(base / "ws", base / "index")
    for path, text in SOURCES.items():
        ws.write(path, text, dedent=False)
    result = ws.index()
    assert result.status == "complete"
    assert ws.scalar("SELECT COUNT(*) FROM files WHERE linked = 0") == 0
    return ws.edges()


def site(path: str, snippet: str, offset: int = 0) -> tuple[int, int]:
    """(line, column) of ``snippet`` (plus ``offset`` characters) in a fixture file."""
    text = SOURCES[path]
    index = text.index(snippet) + offset
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1)


def sites(path: str, *snippets: str) -> frozenset[tuple[int, int]]:
    return frozenset(site(path, s) for s in snippets)


def from_(edges: set[Edge], src: str, kind: str) -> set[Edge]:
    return {e for e in edges if e.src == src and e.kind == kind}


def exact(src: str, dst: str, kind: str, count: int, where: frozenset[tuple[int, int]]) -> Edge:
    return Edge(src, dst, kind, 1.0, "exact", count, where)


M = "pkg/main.py"


def test_calls_with_counts_and_call_sites(linked: set[Edge]):
    assert from_(linked, "pkg.main.twice", "calls") == {
        exact("pkg.main.twice", "pkg.base.helper", "calls", 2, sites(M, "h(1)\n", "h(2)")),
    }


def test_aliased_import_and_module_alias_calls_resolve_exactly(linked: set[Edge]):
    # from .base import helper as h; h(1)  and  import pkg.base as m; m.helper(2)
    helper_sites = frozenset({site(M, "h(1) +"), site(M, "m.helper(2)", 2)})
    assert from_(linked, "pkg.main.fact", "calls") == {
        exact("pkg.main.fact", "pkg.base.helper", "calls", 2, helper_sites),
        exact("pkg.main.fact", "pkg.main.fact", "calls", 1, sites(M, "fact(n - 1)")),
        exact("pkg.main.fact", "pkg.main.twice", "calls", 1, sites(M, "twice() +")),
    }


def test_recursion_is_a_self_call_edge(linked: set[Edge]):
    loops = {e for e in linked if e.kind == "calls" and e.src == e.dst}
    assert loops == {exact("pkg.main.fact", "pkg.main.fact", "calls", 1, sites(M, "fact(n - 1)"))}


def test_local_variable_shadows_the_global_function(linked: set[Edge]):
    # main.py defines helper() too; inside shadow() the name is a local lambda.
    assert [e for e in linked if e.src == "pkg.main.shadow"] == []


def test_inherits_and_overrides(linked: set[Edge]):
    assert from_(linked, "pkg.main.Child", "inherits") == {
        exact("pkg.main.Child", "pkg.base.Base", "inherits", 1, sites(M, "Base):")),
    }
    overrides = {e for e in linked if e.kind == "overrides"}
    assert {(e.src, e.dst, e.confidence, e.resolution) for e in overrides} == {
        ("pkg.main.Child.step", "pkg.base.Base.step", 1.0, "exact"),
    }


def test_self_method_resolves_in_the_class_and_through_its_base(linked: set[Edge]):
    assert from_(linked, "pkg.main.Child.go", "calls") == {
        exact("pkg.main.Child.go", "pkg.main.Child.step", "calls", 1, sites(M, "step()\n")),
    }
    (inherited,) = from_(linked, "pkg.main.Child.step", "calls")
    assert (inherited.dst, inherited.resolution, inherited.count) == (
        "pkg.base.Base.run",
        "exact",
        1,
    )
    assert inherited.sites == sites(M, "run()")
    # A member found through a base class is exact but scored a little lower
    # than one of the class itself, because a subclass may override it.
    assert 0.9 <= inherited.confidence <= 1.0
    # Inside Base, self.step() is Base.step (the override is not known there).
    assert {(e.dst, e.resolution) for e in from_(linked, "pkg.base.Base.run", "calls")} == {
        ("pkg.base.Base.step", "exact")
    }


def test_imports_point_into_the_imported_module(linked: set[Edge]):
    # main.py defines its own helper(); "from .base import helper as h" still
    # imports pkg.base.helper, not the importing file's function.  The package
    # segment of "import pkg.base as m" is an import of the package pkg too
    # (Python runs pkg/__init__.py first).
    imports = {(e.dst, e.confidence, e.resolution) for e in from_(linked, "pkg.main", "imports")}
    assert imports == {
        ("pkg", 1.0, "exact"),
        ("pkg.base", 1.0, "exact"),
        ("pkg.base.helper", 1.0, "exact"),
        ("pkg.base.Base", 1.0, "exact"),
        ("pkg.base.Thing", 1.0, "exact"),
        ("pkg.base.deco", 1.0, "exact"),
        ("pkg.base.LIMIT", 1.0, "exact"),
    }


def test_instantiates_decorates_uses_type_and_references(linked: set[Edge]):
    assert from_(linked, "pkg.main.twice", "instantiates") == {
        exact("pkg.main.twice", "pkg.base.Thing", "instantiates", 1, sites(M, "Thing()")),
    }
    assert from_(linked, "pkg.base.deco", "decorates") == {
        exact("pkg.base.deco", "pkg.main.fact", "decorates", 1, sites(M, "deco\ndef")),
    }
    assert from_(linked, "pkg.main.fact", "uses_type") == {
        exact("pkg.main.fact", "pkg.base.Thing", "uses_type", 1, sites(M, "Thing) ->")),
    }
    limit_site = frozenset({site(M, "+ LIMIT\n", 2)})
    assert from_(linked, "pkg.main.fact", "references") == {
        exact("pkg.main.fact", "pkg.base.LIMIT", "references", 1, limit_site),
    }
    # ``m`` in ``m.helper(2)`` reads the module ``import pkg.base as m`` binds:
    # like an import, a read of a module is stated by the reading module.
    assert from_(linked, "pkg.main", "references") == {
        exact("pkg.main", "pkg.base", "references", 1, sites(M, "m.helper")),
    }


def test_method_call_on_an_unknown_object_resolves_by_name(linked: set[Edge]):
    (guess,) = from_(linked, "pkg.main.unknown", "calls")
    assert guess.dst == "pkg.other.Other.rarely_named"
    assert guess.resolution == "by_name"
    assert 0 < guess.confidence < 1.0
    assert guess.sites == sites(M, "rarely_named()")


def test_every_other_edge_is_exact(linked: set[Edge]):
    guessed = {(e.src, e.dst) for e in linked if e.resolution != "exact"}
    assert guessed == {("pkg.main.unknown", "pkg.other.Other.rarely_named")}


def test_sites_past_two_bytes_round_trip() -> None:
    # Two bytes per value unless one does not fit; the array refuses it.
    assert pack_sites([1, 2])[:1] == b"H"
    wide = pack_sites([3, 70_000, 65_535, 0])
    assert wide[:1] == b"I"
    assert unpack_sites(wide) == [(3, 70_000), (65_535, 0)]
    assert unpack_sites(pack_sites([])) == []


def test_occurrence_positions_are_every_occurrence_in_source_order(tmp_path: Path) -> None:
    # Receiver typing reads a file's occurrences as sorted columns; they must
    # be exactly the stored occurrences, ordered by start byte, but for
    # keyword arguments' names (no part of an expression chain).
    ws = Workspace(tmp_path / "ws", tmp_path / "index")
    for path, text in SOURCES.items():
        ws.write(path, text, dedent=False)
    assert ws.index().status == "complete"
    with closing(db.connect_reader(ws.db_path)) as conn:
        file_id = symbols.file_id_for(conn, M)
        assert file_id is not None
        facts = symbols.file_facts(conn, file_id)
    assert facts is not None
    expected = sorted(
        (o.start_byte, o.line, o.role, name, o.receiver)
        for name, occs in facts.occurrences.items()
        for o in occs
        if o.role != "argument"
    )
    pos = _Positions.build(facts.blobs, facts.receivers)
    got = [
        (
            pos.starts[j],
            pos.lines[j],
            ROLES[pos.role(j)],
            pos.names[j],
            facts.receivers[pos.recvs[j] - 1] if pos.recvs[j] else "",
        )
        for j in range(len(pos.starts))
    ]
    assert got == expected
    # ``m.helper(2)``: the call's expression starts at its receiver.
    call = next(j for j, row in enumerate(got) if row[3] == "helper" and row[4] == "m")
    assert pos.exprs[call] == got[call][0] - len("m.")
    assert pos.chain_text(call) == "m.helper()"


def test_a_guess_and_an_exact_call_of_one_target_are_two_edges(tmp_path: Path) -> None:
    # One caller calls the same method once on a typed receiver and once on an
    # unknown one: the guess's site must not pass for an exact one.
    ws = Workspace(tmp_path / "ws", tmp_path / "index")
    other = "class Other:\n    def rarely_named(self):\n        return 1\n"
    main = (
        "from pkg.other import Other\n\n\n"
        "def both(unknown):\n"
        "    Other().rarely_named()\n"
        "    unknown.rarely_named()\n"
    )
    for path, text in {"pkg/__init__.py": "", "pkg/other.py": other, "pkg/main.py": main}.items():
        ws.write(path, text, dedent=False)
    assert ws.index().status == "complete"
    calls = sorted(
        (e.resolution, e.count, sorted(e.sites))
        for e in from_(ws.edges(), "pkg.main.both", "calls")
        if e.dst == "pkg.other.Other.rarely_named"
    )
    assert calls == [("by_name", 1, [(5, 12)]), ("exact", 1, [(4, 12)])]
