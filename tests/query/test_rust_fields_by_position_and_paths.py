"""Rust receivers through a tuple struct's fields and through paths, over a small crate.

``self.0.start()`` in a newtype's impl calls the method of the type its
first field declares.  A path's head names a module or a type, never a
local of the same name: ``ast::Concat { span: … }`` in a function with a
local ``ast`` writes ``Concat``'s field ``span``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from querytest import build, guessing_callers, ranges_of

from codeidx.query.references import find_references
from codeidx.query.types import ReferencesQuery

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

FILES = {
    "Cargo.toml": '[package]\nname = "demo"\nversion = "0.1.0"\n',
    "src/ast.rs": """
        pub struct Concat { pub sp$0an: u32 }

        pub enum Ast { Concat(Concat) }

        impl Ast {
            pub fn span(&self) -> u32 { 0 }
        }
    """,
    "src/lib.rs": """
        pub mod ast;

        pub struct Engine;
        pub struct Other;

        impl Engine {
            pub fn start(&self) -> bool { true }
        }

        impl Other {
            pub fn start(&self) -> bool { false }
        }

        pub struct Pair(pub Engine, Other);

        impl Pair {
            pub fn both(&self) -> bool { self.0.start() && self.1.start() }
        }

        pub fn outside(p: &Pair) -> bool { p.0.start() }

        pub fn parse(ast: ast::Ast) -> ast::Concat {
            ast::Concat { [[span]]: ast.span() }
        }
    """,
}


def callers(tmp_path: Path, name: str) -> dict[str, tuple[str, int]]:
    return guessing_callers(tmp_path, FILES, name)


def test_a_tuple_structs_fields_type_the_receiver_by_position(tmp_path: Path) -> None:
    assert callers(tmp_path, "demo::Engine::start") == {
        "demo::Pair::both": ("exact", 1),
        "demo::outside": ("exact", 1),
    }
    assert callers(tmp_path, "demo::Other::start") == {"demo::Pair::both": ("exact", 1)}


def test_a_paths_head_is_never_a_local(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        found = find_references(conn, fx.root, ReferencesQuery(fx.at(), include_declaration=False))
    assert ranges_of(found.references) == fx.ranges
    # ``ast.span()`` on the local is still the enum's method.
    assert callers(tmp_path, "demo::ast::Ast::span") == {"demo::parse": ("exact", 1)}


def test_a_glob_import_of_an_enum_brings_its_variants(tmp_path: Path) -> None:
    # ``use crate::prog::Inst::*`` brings ``Inst``'s variants, not the
    # names of module ``prog``: ``Char(c)`` is the variant, never the
    # struct ``prog::Char``.
    files = {
        "Cargo.toml": '[package]\nname = "globs"\nversion = "0.1.0"\n',
        "src/prog.rs": """
            pub struct Char(pub u8);

            pub enum Inst { Ch$0ar(u8), Match }
        """,
        "src/lib.rs": """
            pub mod prog;

            pub fn step(i: prog::Inst) -> u8 {
                use crate::prog::Inst::*;
                match i {
                    [[Char]](c) => c,
                    Match => 0,
                }
            }
        """,
    }
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        found = find_references(conn, fx.root, ReferencesQuery(fx.at(), include_declaration=False))
    assert ranges_of(found.references) == fx.ranges
