"""Type hierarchy over small indexed workspaces, one per language.

`$0` is the cursor for ``prepare_types``; `[[...]]` marks the names of the
types the test expects as supertypes or subtypes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from querytest import Fixture, build

from codeidx.query.hierarchy import find_subtypes, find_supertypes, prepare_types
from codeidx.query.types import DefinitionQuery, Symbol, TypeRelations

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def prepared(fx: Fixture) -> Symbol:
    with fx.connect() as conn:
        result = prepare_types(conn, fx.root, DefinitionQuery(fx.at()))
    assert len(result.types) == 1, result
    return result.types[0]


def related(fx: Fixture, node_id: int, supertypes: bool) -> TypeRelations:
    with fx.connect() as conn:
        find = find_supertypes if supertypes else find_subtypes
        return find(conn, node_id)


def names(result: TypeRelations) -> list[tuple[str, str]]:
    return [(r.symbol.qualified_name, r.kind) for r in result.related]


def spans(result: TypeRelations) -> list[tuple[str, int, int, int]]:
    return sorted(
        (r.symbol.path, r.symbol.line, r.symbol.col, r.symbol.end_col) for r in result.related
    )


def test_python_supertypes_across_files_and_subtypes(tmp_path: Path) -> None:
    fx = build(
        tmp_path,
        {
            "base.py": "class [[Base]]:\n    pass\n\n\nclass [[Mixin]]:\n    pass\n",
            "main.py": """
                from base import Base, Mixin


                class Sq$0(Base, Mixin):
                    pass
            """,
        },
    )
    sq = prepared(fx)
    assert sq.qualified_name == "main.Sq"
    up = related(fx, sq.node_id, supertypes=True)
    assert up.symbol == sq and up.supertypes
    assert spans(up) == fx.ranges
    assert names(up) == [("base.Base", "inherits"), ("base.Mixin", "inherits")]
    assert all((r.confidence, r.resolution) == (1.0, "exact") for r in up.related)
    base = up.related[0].symbol
    assert names(related(fx, base.node_id, supertypes=False)) == [("main.Sq", "inherits")]


def test_java_extends_and_implements(tmp_path: Path) -> None:
    fx = build(
        tmp_path,
        {
            "A.java": """
                interface [[Shape]] { double area(); }
                class [[Base]] {}
                class S$0q extends Base implements Shape { public double area() { return 1; } }
            """,
        },
    )
    sq = prepared(fx)
    up = related(fx, sq.node_id, supertypes=True)
    assert spans(up) == fx.ranges
    assert sorted(names(up)) == [("Base", "inherits"), ("Shape", "implements")]
    shape = next(r.symbol for r in up.related if r.symbol.name == "Shape")
    assert names(related(fx, shape.node_id, supertypes=False)) == [("Sq", "implements")]


def test_typescript_extends_and_implements(tmp_path: Path) -> None:
    fx = build(
        tmp_path,
        {
            "a.ts": """
                interface [[Shape]] { area(): number }
                class [[Base]] {}
                class S$0q extends Base implements Shape { area() { return 1 } }
            """,
        },
    )
    up = related(fx, prepared(fx).node_id, supertypes=True)
    assert spans(up) == fx.ranges
    assert sorted(names(up)) == [("a.Base", "inherits"), ("a.Shape", "implements")]


def test_go_embedding_is_inheritance(tmp_path: Path) -> None:
    fx = build(
        tmp_path,
        {
            "go.mod": "module example.com/m\n",
            "a.go": """
                package main

                type [[Base]] struct{}
                type S$0q struct{ Base }
            """,
        },
    )
    up = related(fx, prepared(fx).node_id, supertypes=True)
    assert spans(up) == fx.ranges
    assert names(up) == [("example.com/m.Base", "inherits")]


def test_rust_impl_trait_for_struct_links_both_ways(tmp_path: Path) -> None:
    fx = build(
        tmp_path,
        {
            "src/lib.rs": """
                pub trait [[Shape]] { fn area(&self) -> f64; }
                pub trait [[Named]] { fn name(&self) -> String; }
                pub struct S$0q { s: f64 }
                impl Shape for Sq { fn area(&self) -> f64 { self.s } }
                impl Named for Sq { fn name(&self) -> String { String::new() } }
                impl Sq { fn new() -> Sq { Sq { s: 1.0 } } }
            """,
        },
    )
    sq = prepared(fx)
    assert sq.kind == "struct"
    up = related(fx, sq.node_id, supertypes=True)
    assert spans(up) == fx.ranges
    assert [(r.symbol.name, r.kind) for r in up.related] == [
        ("Shape", "implements"),
        ("Named", "implements"),
    ]
    assert all(r.via is not None and r.via.kind == "impl" for r in up.related)
    shape = up.related[0].symbol
    down = related(fx, shape.node_id, supertypes=False)
    assert [(r.symbol.name, r.symbol.kind, r.kind) for r in down.related] == [
        ("Sq", "struct", "implements")
    ]
    assert down.related[0].via is not None and down.related[0].via.line == 3


def test_unknown_node_has_no_relations(tmp_path: Path) -> None:
    fx = build(tmp_path, {"mod.py": "class A:\n    pass\n"})
    result = related(fx, 12345, supertypes=True)
    assert result.symbol is None and result.related == []
