"""Rust items written inside a macro's tokens are items of the crate.

syn declares its syntax tree in ``ast_struct! { .. }`` and ``ast_enum! {
.. }``; tokio wraps modules and functions in ``cfg_rt! { .. }``.  The
grammar leaves a macro's tokens opaque, so the extractor parses those of a
macro invoked among items again as items (``queries/rust/embedded.scm``):
their types are definitions that paths, imports, fields and method calls
reach exactly, as if no macro stood around them.
"""

from __future__ import annotations

import pytest

from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def test_paths_imports_and_fields_reach_items_declared_in_macros(ws: Workspace) -> None:
    ws.write("Cargo.toml", '[package]\nname = "tree"\nversion = "0.1.0"\n')
    ws.write(
        "src/lib.rs",
        """\
        #[macro_use]
        mod macros;
        mod path;
        mod ty;
        pub use crate::path::{Path, Segment};
        """,
    )
    ws.write(
        "src/macros.rs",
        """\
        macro_rules! ast_struct {
            ($($t:tt)*) => { $($t)* };
        }
        """,
    )
    ws.write(
        "src/path.rs",
        """\
        ast_struct! {
            /// A path.
            pub struct Path #full {
                pub segments: Vec<Segment>,
                pub last: Segment,
            }
        }

        ast_struct! {
            pub struct Segment {
                pub ident: String,
            }
        }

        impl Path {
            pub fn parse_rest(text: &str) -> Path { todo!() }
        }

        impl Segment {
            pub fn is_empty(&self) -> bool { self.ident.is_empty() }
        }
        """,
    )
    ws.write(
        "src/ty.rs",
        """\
        use super::*;

        pub fn parse(text: &str) -> bool {
            let path = Path::parse_rest(text);
            path.last.is_empty()
        }
        """,
    )
    ws.index()
    calls = {(e.src, e.dst): e.resolution for e in ws.edges("calls")}
    assert calls[("tree::ty::parse", "tree::path::Path::parse_rest")] == "exact"
    assert calls[("tree::ty::parse", "tree::path::Segment::is_empty")] == "exact"
    refs = {(e.src, e.dst): e.resolution for e in ws.edges("references")}
    assert refs[("tree::ty::parse", "tree::path::Path::last")] == "exact"
    assert ("tree::path::Path::last", "tree::path::Segment") in ws.pairs("uses_type")
    # The macro is called where its items stand, and its items are its own.
    assert ("tree::path", "tree::macros::ast_struct") in ws.pairs("calls")
    kinds = ws.query("SELECT kind FROM nodes WHERE qualified_name = 'tree::path::Path'")
    assert sorted(kinds) == [("impl",), ("struct",)]
