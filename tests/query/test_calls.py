"""Callers, callees and recursion detection over small indexed workspaces."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from querytest import build

from codeidx.errors import UsageError
from codeidx.query.calls import find_calls, find_calls_by_id, find_recursion, matching_symbols
from codeidx.query.types import CallGroup, CallsQuery, CallsResult
from codeidx.store.edges import pack_sites, share_a_site, unpack_site_columns, unpack_sites

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

FILES = {
    "pkg/__init__.py": "",
    "pkg/core.py": """
        class Engine:
            def start(self):
                return helper(1) + helper(2)


        def helper(x):
            if x:
                return helper(x - 1)
            return 0


        def ping(n):
            return pong(n)


        def pong(n):
            return pang(n)


        def pang(n):
            return ping(n) if n else 0


        def outside():
            return ping(3)
    """,
    "main.py": """
        from pkg.core import Engine, helper


        def go():
            e = Engine()
            return e.start() + helper(5)
    """,
}


def calls(tmp_path: Path, name: str, incoming: bool) -> CallsResult:
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        return find_calls(conn, fx.root, CallsQuery(name, incoming))


def only(result: CallsResult) -> CallGroup:
    assert len(result.groups) == 1, [g.symbol.qualified_name for g in result.groups]
    return result.groups[0]


def test_callers_with_sites_and_counts(tmp_path: Path) -> None:
    group = only(calls(tmp_path, "helper", incoming=True))
    assert group.symbol.qualified_name == "pkg.core.helper"
    summary = {c.symbol.qualified_name: (c.kind, c.count) for c in group.calls}
    assert summary == {
        "main.go": ("calls", 1),
        "pkg.core.Engine.start": ("calls", 2),
        "pkg.core.helper": ("calls", 1),
    }
    start = next(c for c in group.calls if c.symbol.name == "start")
    assert [(s.path, s.line, s.col) for s in start.sites] == [
        ("pkg/core.py", 2, 15),
        ("pkg/core.py", 2, 27),
    ]
    assert start.sites[0].text == "        return helper(1) + helper(2)"
    assert (start.confidence, start.resolution) == (1.0, "exact")


def test_callees_include_instantiation(tmp_path: Path) -> None:
    group = only(calls(tmp_path, "go", incoming=False))
    summary = {c.symbol.qualified_name: c.kind for c in group.calls}
    assert summary == {
        "pkg.core.Engine": "instantiates",
        "pkg.core.Engine.start": "calls",
        "pkg.core.helper": "calls",
    }
    assert group.recursion is None and group.recursion_complete


def test_direct_recursion(tmp_path: Path) -> None:
    group = only(calls(tmp_path, "helper", incoming=False))
    assert group.recursion is not None
    assert group.recursion.kind == "direct"
    assert [s.name for s in group.recursion.cycle] == ["helper", "helper"]


def test_mutual_recursion_reports_the_cycle(tmp_path: Path) -> None:
    group = only(calls(tmp_path, "pong", incoming=True))
    r = group.recursion
    assert r is not None and r.kind == "mutual" and r.members == 3
    assert [s.name for s in r.cycle] == ["pong", "pang", "ping", "pong"]
    assert r.confidence == 1.0


def test_a_caller_of_a_cycle_is_not_recursive(tmp_path: Path) -> None:
    group = only(calls(tmp_path, "outside", incoming=False))
    assert [c.symbol.name for c in group.calls] == ["ping"]
    assert group.recursion is None


def test_qualified_names_select_one_symbol(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        assert [r.qualified_name for r in matching_symbols(conn, "core.helper")] == [
            "pkg.core.helper"
        ]
        assert [r.qualified_name for r in matching_symbols(conn, "Engine::start")] == [
            "pkg.core.Engine.start"
        ]
        assert matching_symbols(conn, "other.helper") == []
        with pytest.raises(UsageError):
            matching_symbols(conn, "  ")


def test_unknown_name_gives_no_groups(tmp_path: Path) -> None:
    assert calls(tmp_path, "nothing_like_this", incoming=True).groups == []


def test_several_matches_give_one_group_each(tmp_path: Path) -> None:
    files = {
        "a.py": "def run():\n    return 1\n\n\ndef main():\n    return run()\n",
        "b.py": "def run():\n    return 2\n",
    }
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        result = find_calls(conn, fx.root, CallsQuery("run", incoming=True))
    assert [(g.symbol.path, len(g.calls)) for g in result.groups] == [("a.py", 1), ("b.py", 0)]


def test_recursion_search_is_bounded(tmp_path: Path) -> None:
    chain = "".join(f"def f{i}():\n    return f{i + 1}()\n\n\n" for i in range(6))
    chain += "def f6():\n    return f0()\n"
    fx = build(tmp_path, {"chain.py": chain})
    with fx.connect() as conn:
        start = matching_symbols(conn, "f0")[0].node_id
        recursion, complete = find_recursion(conn, start)
        assert complete and recursion is not None
        assert [s.name for s in recursion.cycle] == [f"f{i}" for i in range(7)] + ["f0"]
        recursion, complete = find_recursion(conn, start, limit=3)
        assert not complete and recursion is None


def test_calls_by_id_answer_for_one_definition(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        (helper,) = matching_symbols(conn, "pkg.core.helper")
        by_name = only(find_calls(conn, fx.root, CallsQuery("pkg.core.helper", True)))
        assert find_calls_by_id(conn, fx.root, helper.node_id, incoming=True) == by_name
        callees = find_calls_by_id(conn, fx.root, helper.node_id, incoming=False)
        assert callees is not None
        assert [c.symbol.qualified_name for c in callees.calls] == ["pkg.core.helper"]
        assert callees.recursion is not None and callees.recursion.kind == "direct"
        assert find_calls_by_id(conn, fx.root, 12345, incoming=True) is None


def test_callers_leave_out_guesses_among_several_candidates(tmp_path: Path) -> None:
    fx = build(
        tmp_path,
        {
            "a.py": "class Store:\n    def flush(self):\n        pass\n",
            "b.py": "class Cache:\n    def flush(self):\n        pass\n",
            "c.py": """
                from a import Store


                def guess(thing):
                    thing.flush()


                def known():
                    s = Store()
                    s.flush()
            """,
        },
    )
    with fx.connect() as conn:
        sure = find_calls(conn, fx.root, CallsQuery("Store.flush", incoming=True))
        every = find_calls(
            conn, fx.root, CallsQuery("Store.flush", incoming=True, include_guesses=True)
        )
    assert [c.symbol.name for c in only(sure).calls] == ["known"]
    assert [(c.symbol.name, c.resolution) for c in only(every).calls] == [
        ("guess", "by_name"),
        ("known", "exact"),
    ]


def callers_of(tmp_path: Path, files: dict[str, str], name: str) -> list[str]:
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        result = find_calls(conn, fx.root, CallsQuery(name, True))
    return [c.symbol.name for group in result.groups for c in group.calls]


def test_javascript_callers_of_commonjs_exports_and_prototype_methods(tmp_path: Path) -> None:
    files = {
        "lib/queue.js": """
            function Queue() { this.items = []; }
            Queue.prototype.enqueue = function (item) {
              this.items.push(item);
              this.grow();
            };
            Queue.prototype.grow = function () {};
            exports.Queue = Queue;
            exports.makeQueue = function () { return new Queue(); };
        """,
        "main.js": """
            const { makeQueue } = require('./lib/queue');
            function start() { return makeQueue(); }
        """,
    }
    assert callers_of(tmp_path, files, "makeQueue") == ["start"]
    # ``this`` in a prototype method is an instance of the function it is
    # written beside (a constructor): the call is Queue's own ``grow``.
    assert callers_of(tmp_path, files, "Queue.grow") == ["enqueue"]


OVERRIDES = """
    class Shape:
        def area(self):
            return 0


    class Square(Shape):
        def area(self):
            return 1


    def total(shapes):
        return sum(s.area() for s in shapes)
"""


def test_a_guess_among_overrides_is_a_call_of_the_base(tmp_path: Path) -> None:
    # The receiver's type is unknown, but every candidate is Shape.area or its
    # override: whichever runs, total calls the Shape.area family.
    assert callers_of(tmp_path, {"shapes.py": OVERRIDES}, "Shape.area") == ["total"]


def test_a_guess_with_an_unrelated_rival_is_left_out(tmp_path: Path) -> None:
    unrelated = (
        OVERRIDES
        + """

    class Report:
        def area(self):
            return 2
    """
    )
    assert callers_of(tmp_path, {"shapes.py": unrelated}, "Shape.area") == []


def test_a_guess_is_kept_when_a_same_named_call_elsewhere_is_no_rival(tmp_path: Path) -> None:
    # ``area(1)`` calls the function ``area`` exactly, at another site than
    # the guess ``s.area()``: an edge to a same-named definition is a rival
    # only where it shares the guess's call site.
    files = {
        "shapes.py": OVERRIDES
        + """

    def area(x):
        return x


    def both(shapes):
        area(1)
        return [s.area() for s in shapes]
    """
    }
    assert callers_of(tmp_path, files, "Shape.area") == ["total", "both"]


def test_an_exact_call_and_a_dispatched_guess_are_one_caller(tmp_path: Path) -> None:
    fx = build(
        tmp_path,
        {
            "shapes.py": OVERRIDES
            + """

    def twice(shapes):
        first = Shape()
        first.area()
        return [s.area() for s in shapes]
    """
        },
    )
    with fx.connect() as conn:
        group = only(find_calls(conn, fx.root, CallsQuery("Shape.area", True)))
    twice = next(c for c in group.calls if c.symbol.name == "twice")
    assert (twice.kind, twice.count, twice.resolution, twice.confidence) == (
        "calls",
        2,
        "exact",
        1.0,
    )
    assert [(s.path, s.line, s.col) for s in twice.sites] == [
        ("shapes.py", 16, 10),
        ("shapes.py", 17, 14),
    ]
    # One row of two stored edges, the exact call's and the guess's.
    (row,) = [r for r in group.calls.rows if r.name == "twice"]
    assert len(row.sites) == 2
    assert row.site_lines() == [("shapes.py", [(16, 10), (17, 14)])]


def test_calls_are_packed_rows_until_read_as_records(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        (helper,) = matching_symbols(conn, "pkg.core.helper")
        bare = find_calls_by_id(conn, fx.root, helper.node_id, incoming=True, with_text=False)
        full = find_calls_by_id(conn, fx.root, helper.node_id, incoming=True)
    assert bare is not None and full is not None
    rows = bare.calls.rows
    # Listed by where the caller is: main.go, then Engine.start and helper.
    assert [(r.path, r.line, r.name, r.kind, r.site_count) for r in rows] == [
        ("main.py", 3, "go", "calls", 1),
        ("pkg/core.py", 1, "start", "calls", 2),
        ("pkg/core.py", 5, "helper", "calls", 1),
    ]
    assert len(bare.calls) == 3
    assert [c.symbol for c in bare.calls] == [r.symbol() for r in rows]
    # Without text the sites are the same places with empty lines.
    assert [s.text for c in bare.calls for s in c.sites] == ["", "", "", ""]
    assert [s.text.strip() for s in full.calls[1].sites] == ["return helper(1) + helper(2)"] * 2
    assert [(s.path, s.line, s.col) for c in bare.calls for s in c.sites] == [
        (s.path, s.line, s.col) for c in full.calls for s in c.sites
    ]
    assert bare.calls != full.calls
    assert full.calls == full.calls.records() == list(full.calls)


SITE_LISTS = st.lists(
    st.one_of(
        st.none(),
        st.lists(st.integers(0, 2**17), max_size=8).map(lambda v: v[: len(v) // 2 * 2]),
        st.lists(st.integers(0, 500), max_size=8).map(lambda v: v[: len(v) // 2 * 2]),
    ),
    max_size=12,
)


@given(SITE_LISTS)
def test_sites_decoded_at_once_are_the_sites_decoded_one_by_one(
    lists: list[list[int] | None],
) -> None:
    blobs = [None if values is None else pack_sites(values) for values in lists]
    counts, lines, cols = unpack_site_columns(blobs)
    one_by_one = [unpack_sites(blob) for blob in blobs]
    assert counts.tolist() == [len(sites) for sites in one_by_one]
    assert list(zip(lines.tolist(), cols.tolist(), strict=True)) == [
        site for sites in one_by_one for site in sites
    ]


def test_packed_sites_share_a_site_only_when_they_have_one_in_common() -> None:
    assert share_a_site(pack_sites([3, 4, 5, 6]), pack_sites([5, 6]))
    assert share_a_site(pack_sites([3, 4]), pack_sites([3, 4]))
    assert not share_a_site(pack_sites([3, 4]), pack_sites([4, 3]))
    assert not share_a_site(pack_sites([]), pack_sites([]))
    assert not share_a_site(None, pack_sites([3, 4]))
    # Two bytes a value and four bytes a value are compared by value.
    assert share_a_site(pack_sites([70000, 1, 3, 4]), pack_sites([3, 4]))


def test_go_callers_of_a_method_through_receivers_and_parameters(tmp_path: Path) -> None:
    files = {
        "go.mod": "module example.com/m\n\ngo 1.21\n",
        "t.go": """
            package m

            type T struct{ n int }

            func (t *T) Step() int { return t.n }

            func (t *T) Twice() int { return t.Step() + t.Step() }

            func use(v *T) int { return v.Step() }

            func fresh() int {
            \tw := &T{}
            \treturn w.Step()
            }
        """,
    }
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        group = only(find_calls(conn, fx.root, CallsQuery("Step", incoming=True)))
    assert group.symbol.qualified_name == "example.com/m.T.Step"
    callers = {c.symbol.qualified_name: (c.resolution, c.count) for c in group.calls}
    assert callers == {
        "example.com/m.T.Twice": ("exact", 2),
        "example.com/m.use": ("exact", 1),
        "example.com/m.fresh": ("exact", 1),
    }


def test_rust_callers_of_a_method_through_typed_bindings(tmp_path: Path) -> None:
    files = {
        "Cargo.toml": '[package]\nname = "demo"\nversion = "0.1.0"\n',
        "src/lib.rs": """
            pub struct Engine { n: u32 }

            impl Engine {
                pub fn new() -> Self { Engine { n: 0 } }
                pub fn start(&self) -> u32 { self.n }
                pub fn boxed() -> Box<Engine> { Box::new(Engine::new()) }
            }

            pub fn by_param(e: &mut Engine) -> u32 { e.start() }

            pub fn by_constructor() -> u32 {
                let e = Engine::new();
                e.start()
            }

            pub fn by_annotation() -> u32 {
                let e: Engine = make();
                e.start()
            }

            pub fn by_box() -> u32 {
                let b = Engine::boxed();
                b.start()
            }

            fn make() -> Engine { Engine::new() }
        """,
    }
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        group = only(find_calls(conn, fx.root, CallsQuery("start", incoming=True)))
    callers = {c.symbol.qualified_name: (c.resolution, c.count) for c in group.calls}
    assert callers == {
        "demo::by_param": ("exact", 1),
        "demo::by_constructor": ("exact", 1),
        "demo::by_annotation": ("exact", 1),
        "demo::by_box": ("exact", 1),
    }


def test_typescript_callers_of_a_method_through_typed_bindings(tmp_path: Path) -> None:
    files = {
        "engine.ts": """
            export class Engine {
              start(): number { return 1; }
              static create(): Engine { return new Engine(); }
            }

            export function make(): Engine | null { return new Engine(); }
        """,
        "main.ts": """
            import { Engine, make } from "./engine";

            export function byParam(e: Engine): number { return e.start(); }

            export function byNew(): number {
              const e = new Engine();
              return e.start();
            }

            export function byFactory(): number {
              const e = Engine.create();
              return e.start();
            }

            export function byAnnotation(): number {
              const e: Engine = make()!;
              return e.start();
            }

            export function byUnion(): number {
              const e = make();
              return e ? e.start() : 0;
            }
        """,
    }
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        group = only(find_calls(conn, fx.root, CallsQuery("start", incoming=True)))
    callers = {c.symbol.qualified_name: (c.resolution, c.count) for c in group.calls}
    assert callers == {
        f"main.{name}": ("exact", 1)
        for name in ("byParam", "byNew", "byFactory", "byAnnotation", "byUnion")
    }


def test_java_callers_of_a_method_through_typed_bindings(tmp_path: Path) -> None:
    files = {
        "src/main/java/demo/Engine.java": """
            package demo;

            public class Engine {
                public int start() { return 1; }
                public static Engine create() { return new Engine(); }
            }
        """,
        "src/main/java/demo/Main.java": """
            package demo;

            public class Main {
                int byParam(Engine e) { return e.start(); }
                int byVar() { var e = new Engine(); return e.start(); }
                int byFactory() { var e = Engine.create(); return e.start(); }
                int byChain() { return Engine.create().start(); }
            }
        """,
    }
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        group = only(find_calls(conn, fx.root, CallsQuery("start", incoming=True)))
    callers = {c.symbol.qualified_name: (c.resolution, c.count) for c in group.calls}
    assert callers == {
        f"demo.Main.{name}": ("exact", 1) for name in ("byParam", "byVar", "byFactory", "byChain")
    }


def test_members_found_through_a_cycle_of_bases_whatever_is_asked_first(tmp_path: Path) -> None:
    # ``A``'s bases lead back to ``A`` through ``B``: asked first about ``A``,
    # the lookup in ``B`` is cut where it meets ``A`` again, and that partial
    # answer must not stand for ``B`` later (it would depend on which file,
    # or which use, was linked first).
    files = {
        "m.py": """
            class D:
                def k(self):
                    return 1


            class B(A):
                pass


            class A(B, D):
                pass


            def use_a(a: A):
                return a.k()


            def use_b(b: B):
                return b.k()
        """,
    }
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        group = only(find_calls(conn, fx.root, CallsQuery("k", incoming=True)))
    callers = {c.symbol.qualified_name: c.resolution for c in group.calls}
    assert callers == {"m.use_a": "exact", "m.use_b": "exact"}
