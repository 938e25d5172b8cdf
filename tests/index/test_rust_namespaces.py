"""Rust types and values have names of their own: the role tells which one is meant.

syn defines ``pub struct Lifetime`` and, hidden, ``pub fn Lifetime(marker)
-> Lifetime`` (so ``input.peek(Lifetime)`` works).  A name in a type's
place or a struct literal is the struct; a called name is the function.
A plain read may be either (``Lit::Str(v)`` reads the type as a path's
head), so it keeps both.
"""

from __future__ import annotations

import pytest

from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

LIFETIME = """\
pub struct Lifetime {
    pub ident: u8,
}

#[doc(hidden)]
#[allow(non_snake_case)]
pub fn Lifetime(marker: u8) -> Lifetime {
    Lifetime { ident: marker }
}
"""

LIB = """\
mod lifetime;
pub use crate::lifetime::Lifetime;

pub struct Bound {
    pub lifetime: Lifetime,
}

pub fn make(marker: u8) -> Bound {
    let made: Lifetime = Lifetime(marker);
    Bound { lifetime: made }
}

pub fn peek(check: fn(u8) -> Lifetime) -> bool {
    let _ = check;
    let _ = Lifetime;
    true
}
"""


def _edges(ws: Workspace, src: str) -> set[tuple[str, str, str]]:
    """(edge kind, target, target's kind) of the edges from ``src``: two nodes share a name."""
    rows = ws.query(
        "SELECT e.kind, d.qualified_name, d.kind FROM edges e"
        " JOIN nodes s ON s.node_id = e.src_id JOIN nodes d ON d.node_id = e.dst_id"
        " WHERE s.qualified_name = ? AND e.kind != 'contains'",
        (src,),
    )
    return {(kind, dst, dst_kind) for kind, dst, dst_kind in rows}


def test_the_role_chooses_between_a_type_and_a_value_of_one_name(ws: Workspace) -> None:
    ws.write("Cargo.toml", '[package]\nname = "syntax"\nversion = "0.1.0"\n')
    ws.write("src/lifetime.rs", LIFETIME)
    ws.write("src/lib.rs", LIB)
    ws.index()
    name = "syntax::lifetime::Lifetime"
    # The struct literal in the function builds the struct, not the function.
    assert ("instantiates", name, "function") not in _edges(ws, name)
    assert ("instantiates", name, "struct") in _edges(ws, name)
    assert _edges(ws, "syntax::make") >= {
        ("uses_type", name, "struct"),
        ("calls", name, "function"),
    }
    assert ("instantiates", name, "struct") not in _edges(ws, "syntax::make")
    assert ("uses_type", name, "struct") in _edges(ws, "syntax::Bound::lifetime")
    # A read (``peek(Lifetime)`` in syn) may name either.
    assert {
        (kind, dst_kind) for kind, dst, dst_kind in _edges(ws, "syntax::peek") if dst == name
    } >= {("references", "function"), ("uses_type", "struct")}
