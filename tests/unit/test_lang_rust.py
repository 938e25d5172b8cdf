"""Rust extraction: tags/refs queries and the hooks in ``parse/resolvers/rust.py``."""

from __future__ import annotations

import pytest
from langtest import kinds, node, occurrences, parse, roles

from codeidx.parse.hooks import Workspace
from codeidx.parse.records import (
    ImportedName,
    ImportRecord,
    NodeRecord,
    Param,
    ParseResult,
    TypeParam,
)
from codeidx.parse.resolvers.rust import HOOKS

ITEMS = """\
//! Geometry helpers.
//! Second line.

/// A point in space.
#[derive(Debug, Clone)]
pub struct Point<T: Copy + Default> where T: PartialEq {
    /// The x coordinate.
    pub x: T,
    y: i32,
}

struct Pair(i32, pub String);

pub(crate) enum Shape {
    Circle { radius: f64 },
    Square(f64),
    Empty = 3,
}

union Bits { int: u32, float: f32 }

/** Things that draw. */
pub trait Draw: Debug + fmt::Display {
    /// Draw once.
    fn draw(&self, times: i32) -> i32;
    fn reset(&mut self) { self.draw(0); }
    type Output;
    const SIDES: usize;
}

impl<T: Copy> fmt::Display for Point<T> {
    fn fmt(&self, f: &mut Formatter<'_>) -> Result { write!(f, "p") }
}

impl Point<i32> {
    pub fn new(x: i32, (a, b): (i32, i32), mut label: &str) -> Self { todo!() }
    fn private_helper(self) {}
}

pub const MAX: usize = 10;
static GREETING: &str = "hi";
static mut COUNTER: u32 = 0;
pub type Grid<T> = Vec<Vec<T>>;

#[macro_export]
macro_rules! square { ($x:expr) => { $x * $x }; }
macro_rules! local_only { () => {} }

pub(crate) mod inner {
    //! Inner docs.
    pub(super) fn helper() {}
    pub(self) fn hidden() {}
    pub(in crate::geo) fn scoped() {}
}

#[test]
#[ignore]
fn check_it() {}

extern "C" {
    fn printf(format: *const u8, ...) -> i32;
}

async unsafe fn generic<'a, const N: usize, U>(items: &'a [U; N]) -> U where U: Clone + 'a {
    todo!()
}
"""


@pytest.fixture(scope="module")
def items():
    return parse("rust", ITEMS, "geo")


def item(result: ParseResult, qualified_name: str) -> NodeRecord:
    """Like ``node``, ignoring impl blocks, which share their type's qualified name."""
    found = [n for n in result.nodes if n.qualified_name == qualified_name and n.kind != "impl"]
    assert len(found) == 1, qualified_name
    return found[0]


def test_every_kind_with_qualified_names(items):
    got = [(n.qualified_name, n.kind) for n in items.nodes[1:] if n.kind != "impl"]
    assert dict(got) == {
        "geo::Point": "struct",
        "geo::Point::x": "field",
        "geo::Point::y": "field",
        "geo::Pair": "struct",
        "geo::Shape": "enum",
        "geo::Shape::Circle": "enum_member",
        "geo::Shape::Circle::radius": "field",
        "geo::Shape::Square": "enum_member",
        "geo::Shape::Empty": "enum_member",
        "geo::Bits": "union",
        "geo::Bits::int": "field",
        "geo::Bits::float": "field",
        "geo::Draw": "trait",
        "geo::Draw::draw": "method",
        "geo::Draw::reset": "method",
        "geo::Draw::Output": "type_alias",
        "geo::Draw::SIDES": "constant",
        "geo::Point::fmt": "method",
        "geo::Point::new": "method",
        "geo::Point::private_helper": "method",
        "geo::MAX": "constant",
        "geo::GREETING": "constant",
        "geo::COUNTER": "variable",
        "geo::Grid": "type_alias",
        "geo::square": "macro",
        "geo::local_only": "macro",
        "geo::inner": "namespace",
        "geo::inner::helper": "function",
        "geo::inner::hidden": "function",
        "geo::inner::scoped": "function",
        "geo::check_it": "function",
        "geo::printf": "function",
        "geo::generic": "function",
    }
    assert len(got) == len(dict(got))
    impls = [n for n in items.nodes if n.kind == "impl"]
    assert [(n.qualified_name, n.disambiguator) for n in impls] == [
        ("geo::Point", 0),
        ("geo::Point", 1),
    ]


def test_parents_follow_nesting(items):
    by_ordinal = {n.ordinal: n for n in items.nodes}

    def parent_of(qualified_name: str, kind: str | None = None) -> str:
        found = [
            n
            for n in items.nodes
            if n.qualified_name == qualified_name and (kind is None or n.kind == kind)
        ]
        assert len(found) == 1
        parent = by_ordinal[found[0].parent]
        return f"{parent.kind} {parent.qualified_name}"

    assert parent_of("geo::Point::x") == "struct geo::Point"
    assert parent_of("geo::Shape::Circle::radius") == "enum_member geo::Shape::Circle"
    assert parent_of("geo::Draw::draw") == "trait geo::Draw"
    assert parent_of("geo::Point::fmt") == "impl geo::Point"
    assert parent_of("geo::inner::helper") == "namespace geo::inner"
    assert parent_of("geo::Point", "struct") == "module geo"


def test_name_ranges(items):
    point = item(items, "geo::Point::x")
    assert (point.name_span.start_line, point.name_span.start_col) == (7, 8)
    assert (point.name_span.end_line, point.name_span.end_col) == (7, 9)
    new = item(items, "geo::Point::new")
    assert (new.name_span.start_line, new.name_span.start_col) == (35, 11)
    impl = next(n for n in items.nodes if n.kind == "impl")
    # An impl is named by its type: `Point` in `... for Point<T>`.
    assert (impl.name_span.start_line, impl.name_span.start_col) == (30, 31)
    assert impl.span.start_line == 30 and impl.span.end_line == 32


def test_module_and_item_docs(items):
    assert items.nodes[0].doc == "Geometry helpers.\nSecond line."
    assert item(items, "geo::Point").doc == "A point in space."
    assert item(items, "geo::Point::x").doc == "The x coordinate."
    assert item(items, "geo::Draw").doc == "Things that draw."
    assert item(items, "geo::Draw::draw").doc == "Draw once."
    assert item(items, "geo::inner").doc == "Inner docs."
    assert item(items, "geo::Point::y").doc is None


def test_signatures(items):
    assert item(items, "geo::Point").signature == (
        "pub struct Point<T: Copy + Default> where T: PartialEq"
    )
    assert item(items, "geo::Pair").signature == "struct Pair(i32, pub String)"
    assert item(items, "geo::Draw::draw").signature == "fn draw(&self, times: i32) -> i32"
    assert item(items, "geo::Draw").signature == "pub trait Draw: Debug + fmt::Display"
    assert [n.signature for n in items.nodes if n.kind == "impl"] == [
        "impl<T: Copy> fmt::Display for Point<T>",
        "impl Point<i32>",
    ]
    assert item(items, "geo::Shape::Circle").signature == "Circle { radius: f64 }"
    assert item(items, "geo::MAX").signature == "pub const MAX: usize = 10"
    assert item(items, "geo::square").signature == "macro_rules! square"
    assert item(items, "geo::inner").signature == "pub(crate) mod inner"
    head = "async unsafe fn generic<'a, const N: usize, U>(items: &'a [U; N]) -> U"
    assert item(items, "geo::generic").signature == f"{head} where U: Clone + 'a"


def test_params_with_self_patterns_and_variadics(items):
    assert item(items, "geo::Draw::draw").params == [Param("self", "&Self"), Param("times", "i32")]
    assert item(items, "geo::Draw::reset").params == [Param("self", "&mut Self")]
    assert item(items, "geo::Point::private_helper").params == [Param("self", "Self")]
    assert item(items, "geo::Point::new").params == [
        Param("x", "i32"),
        Param("(a, b)", "(i32, i32)"),
        Param("label", "&str"),
    ]
    assert item(items, "geo::printf").params == [
        Param("format", "*const u8"),
        Param("_", None, None, "..."),
    ]


def test_type_params_with_bounds_and_where_clauses(items):
    assert item(items, "geo::Point").type_params == [TypeParam("T", "Copy + Default + PartialEq")]
    assert item(items, "geo::generic").type_params == [
        TypeParam("'a"),
        TypeParam("N", "usize"),
        TypeParam("U", "Clone + 'a"),
    ]
    assert item(items, "geo::Grid").type_params == [TypeParam("T")]


def test_attributes_are_decorators(items):
    assert item(items, "geo::Point").decorators == ["derive(Debug, Clone)"]
    assert item(items, "geo::check_it").decorators == ["test", "ignore"]
    assert item(items, "geo::square").decorators == ["macro_export"]


@pytest.mark.parametrize(
    ("qualified_name", "visibility"),
    [
        ("geo::Point", "public"),
        ("geo::Point::x", "public"),
        ("geo::Point::y", "private"),
        ("geo::Shape", "internal"),
        ("geo::Shape::Square", "public"),
        ("geo::Shape::Circle::radius", "public"),
        ("geo::Draw::draw", "public"),
        ("geo::Point::fmt", "public"),
        ("geo::Point::new", "public"),
        ("geo::Point::private_helper", "private"),
        ("geo::inner::helper", "internal"),
        ("geo::inner::hidden", "private"),
        ("geo::inner::scoped", "internal"),
        ("geo::square", "public"),
        ("geo::local_only", "private"),
        ("geo::GREETING", "private"),
    ],
)
def test_visibility(items, qualified_name, visibility):
    assert item(items, qualified_name).visibility == visibility


def test_bases(items):
    assert item(items, "geo::Draw").bases == [("inherit", "Debug"), ("inherit", "fmt::Display")]
    impls = [n for n in items.nodes if n.kind == "impl"]
    assert impls[0].bases == [("implement", "fmt::Display")]
    assert impls[1].bases == []


def test_impl_of_reference_and_primitive_types():
    result = parse(
        "rust",
        "impl<T> From<u8> for &mut Wrapper<T> {}\nimpl Marker for i32 {}\nimpl<T> M for [T] {}\n",
    )
    impls = [(n.name, n.bases) for n in result.nodes[1:]]
    assert impls == [
        ("Wrapper", [("implement", "From")]),
        ("i32", [("implement", "Marker")]),
        ("[T]", [("implement", "M")]),
    ]


REFS = """\
use std::collections::{HashMap, HashSet as Set};

#[derive(Serialize)]
struct Config { name: String }

impl Default for Config {
    fn default() -> Self { Config { name: String::new() } }
}

fn run(input: &str, count: u32) -> Result<(), Error> {
    let cfg = Config::default();
    let (left, mut right) = split(input);
    cfg.validate();
    let n = cfg.name;
    std::fs::write("out", n);
    println!("{}", left);
    let built = a::Builder { depth: 1 };
    right = 2;
    if let Some(found) = lookup() {}
    match shape { Shape::Circle { r } => r, other => 0 }
    for item in items.iter() {}
    let add = |p, q: i32| p + q;
}
"""


@pytest.fixture(scope="module")
def refs():
    return parse("rust", REFS, "app")


def test_calls_with_receivers(refs):
    assert roles(refs, "default") == [("call", "Config")]
    assert roles(refs, "split") == [("call", "")]
    assert roles(refs, "validate") == [("call", "cfg")]
    assert roles(refs, "write") == [("call", "std::fs")]
    assert roles(refs, "fs") == [("read", "std")]
    assert roles(refs, "println") == [("call", "")]
    assert roles(refs, "new") == [("call", "String")]
    assert roles(refs, "iter") == [("call", "items")]


def test_types_instantiations_and_inheritance(refs):
    # `Config` in `impl Default for Config` names the type: a type reference.
    assert roles(refs, "Config") == [("type", ""), ("instantiate", ""), ("read", "")]
    assert roles(refs, "Default") == [("inherit", "")]
    assert roles(refs, "Self") == [("type", "")]
    assert roles(refs, "Error") == [("type", "")]
    assert roles(refs, "Builder") == [("instantiate", "a")]
    assert roles(refs, "String")[0] == ("type", "")


def test_writes_reads_and_fields(refs):
    assert roles(refs, "input") == [("write", ""), ("read", "")]
    assert roles(refs, "cfg")[0] == ("write", "")
    assert roles(refs, "left") == [("write", ""), ("read", "")]
    assert roles(refs, "right") == [("write", ""), ("write", "")]
    assert roles(refs, "name") == [("write", "Config"), ("read", "cfg")]
    assert roles(refs, "depth") == [("write", "a::Builder")]
    assert roles(refs, "found") == [("write", "")]
    assert roles(refs, "other") == [("write", "")]
    # ``Shape::Circle { r }`` binds ``r``.
    assert roles(refs, "r") == [("write", ""), ("read", "")]
    assert roles(refs, "Some") == [("read", "")]
    assert roles(refs, "item") == [("write", "")]
    assert roles(refs, "p") == [("write", ""), ("read", "")]
    run = node(refs, "app::run")
    assert refs.locals[run.ordinal] == [
        "input",
        "count",
        "cfg",
        "left",
        "right",
        "n",
        "built",
        "found",
        "r",
        "other",
        "item",
        "add",
        "p",
        "q",
    ]


def test_struct_patterns_bind_shorthand_fields_and_read_named_ones() -> None:
    # A shorthand field binds a local (through ``ref`` and ``mut`` too); a
    # named field is the struct's, through the pattern's type; the name it
    # binds is a local.
    source = """\
fn f(p: P, e: Expr) {
    let P { x, y: yy, ref z, mut w, .. } = p;
    match e { Expr::Call { func, args: a } => {}, _ => {} }
}
"""
    result = parse("rust", source, "app")
    for name in ("x", "yy", "z", "w", "func", "a"):
        assert roles(result, name) == [("write", "")], name
    assert roles(result, "y") == [("read", "P")]
    assert roles(result, "args") == [("read", "Expr::Call")]
    f = node(result, "app::f")
    assert set(result.locals[f.ordinal]) >= {"x", "yy", "z", "w", "func", "a"}


def test_imports_and_decorators_as_occurrences(refs):
    assert roles(refs, "collections") == [("import", "std")]
    assert roles(refs, "HashMap") == [("import", "")]
    assert roles(refs, "HashSet") == [("import", "")]
    assert roles(refs, "Set") == [("import", "")]
    assert roles(refs, "derive") == [("decorator", "")]
    assert roles(refs, "Serialize") == [("decorator", "")]


def test_occurrence_positions_and_enclosing(refs):
    [validate] = occurrences(refs, "validate")
    assert (validate.line, validate.col) == (12, 8)
    assert validate.enclosing == node(refs, "app::run").ordinal


def test_utf16_columns_after_non_ascii():
    result = parse("rust", 'fn f() { let s = "héllo😀"; target(); }\n')
    [occ] = occurrences(result, "target")
    prefix = 'fn f() { let s = "héllo😀"; '
    assert occ.col == len(prefix.encode("utf-16-le")) // 2 == 28
    assert len(prefix.encode("utf-8")) == 31  # The byte column differs.


def test_syntax_error_keeps_recovered_definitions():
    source = "fn good() {}\nfn broken(x: i32 {\n    let y = ;\n}\nstruct After { x: i32 }\n"
    result = parse("rust", source)
    assert {"mod::good", "mod::After", "mod::After::x"} <= set(kinds(result))
    assert [p.reason for p in result.problems] == ["syntax_error"]
    assert result.error_count >= 1


IMPORTS = """\
use std::collections::{HashMap, HashSet as Set};
use super::sibling;
use crate::util::*;
pub use self::inner::Thing;
use a::b::{self, C as D, e::{F, G}};
use ::std::fmt;
use serde;
extern crate rand as random;
mod decl;
mod inline {
    mod nested;
    use super::super::top::Item;
}
"""


def summary(imp: ImportRecord) -> tuple[object, ...]:
    names = [(n.name, n.alias) for n in imp.names]
    return (imp.module, names, imp.relative, imp.level, imp.bind, imp.kind, imp.line)


def test_import_records():
    got = [summary(i) for i in parse("rust", IMPORTS).imports]
    assert got == [
        ("std::collections", [("HashMap", None), ("HashSet", "Set")], False, 0, None, "use", 0),
        ("super", [("sibling", None)], True, 1, None, "use", 1),
        ("crate::util", [("*", None)], False, 0, None, "use", 2),
        ("self::inner", [("Thing", None)], True, 0, None, "use", 3),
        ("a::b", [("C", "D")], False, 0, "b", "use", 4),
        ("a::b::e", [("F", None), ("G", None)], False, 0, None, "use", 4),
        ("::std", [("fmt", None)], False, 0, None, "use", 5),
        ("serde", [], False, 0, "serde", "use", 6),
        ("rand", [], False, 0, "random", "use", 7),
        ("decl", [], True, 0, "decl", "mod", 8),
        ("inline::nested", [], True, 0, "nested", "mod", 10),
        ("super::super::top", [("Item", None)], True, 2, None, "use", 11),
    ]
    assert parse("rust", IMPORTS).imports[3].text == "pub use self::inner::Thing;"


WORKSPACE = Workspace.of(
    {
        "Cargo.toml",
        "build.rs",
        "src/lib.rs",
        "src/main.rs",
        "src/a.rs",
        "src/a/b.rs",
        "src/c/mod.rs",
        "src/c/d.rs",
        "src/bin/tool.rs",
        "src/bin/tool_helper.rs",
        "tests/it.rs",
        "crates/net-util/Cargo.toml",
        "crates/net-util/src/lib.rs",
        "crates/net-util/src/http/mod.rs",
        "vendored/src/lib.rs",
        "scripts/one.rs",
    },
    configs={
        "Cargo.toml": '[package]\nname = "my-app"\nversion = "0.1.0"\n',
        "crates/net-util/Cargo.toml": '[package]\nname = "net-util"\n\n[lib]\nname = "netu"\n',
    },
)


@pytest.mark.parametrize(
    ("path", "module"),
    [
        ("src/lib.rs", "my_app"),
        ("src/main.rs", "my_app"),
        ("src/a.rs", "my_app::a"),
        ("src/a/b.rs", "my_app::a::b"),
        ("src/c/mod.rs", "my_app::c"),
        ("src/bin/tool.rs", "my_app::bin::tool"),
        ("tests/it.rs", "my_app::tests::it"),
        ("build.rs", "my_app::build"),
        ("crates/net-util/src/lib.rs", "netu"),
        ("crates/net-util/src/http/mod.rs", "netu::http"),
        ("vendored/src/lib.rs", "vendored"),
    ],
)
def test_module_names(path, module):
    assert HOOKS.config_files == ("Cargo.toml",)
    assert HOOKS.module_name(path, WORKSPACE) == module


def test_module_name_outside_any_crate():
    assert HOOKS.module_name("tools/x/mod.rs", Workspace.of({"tools/x/mod.rs"})) == "tools::x"


def _use(module: str, *names: str, kind: str = "use") -> ImportRecord:
    return ImportRecord("", module, 0, names=[ImportedName(n) for n in names], kind=kind)


@pytest.mark.parametrize(
    ("imp", "path", "target"),
    [
        (_use("a", kind="mod"), "src/lib.rs", "src/a.rs"),
        (_use("b", kind="mod"), "src/a.rs", "src/a/b.rs"),
        (_use("c", kind="mod"), "src/lib.rs", "src/c/mod.rs"),
        (_use("d", kind="mod"), "src/c/mod.rs", "src/c/d.rs"),
        (_use("tool_helper", kind="mod"), "src/bin/tool.rs", "src/bin/tool_helper.rs"),
        (_use("missing", kind="mod"), "src/lib.rs", None),
        (_use("crate::a::b", "Item"), "src/c/d.rs", "src/a/b.rs"),
        (_use("crate::a", "b"), "src/c/d.rs", "src/a/b.rs"),
        (_use("crate::a", "Thing"), "src/c/d.rs", "src/a.rs"),
        (_use("crate::nowhere", "X"), "src/c/d.rs", "src/lib.rs"),
        (_use("super", "X"), "src/a/b.rs", "src/a.rs"),
        (_use("super::c", "d"), "src/a.rs", "src/c/d.rs"),
        (_use("super::super::c", "X"), "src/a/b.rs", "src/c/mod.rs"),
        (_use("self", "X"), "src/c/mod.rs", "src/c/mod.rs"),
        (_use("self::d", "X"), "src/c/mod.rs", "src/c/d.rs"),
        (_use("a", "b"), "src/lib.rs", "src/a/b.rs"),
        (_use("netu::http", "Client"), "src/lib.rs", "crates/net-util/src/http/mod.rs"),
        (_use("::netu", "Client"), "src/a.rs", "crates/net-util/src/lib.rs"),
        (_use("netu"), "src/main.rs", "crates/net-util/src/lib.rs"),
        (_use("my_app", "Thing"), "tests/it.rs", "src/lib.rs"),
        (_use("crate::http", "X"), "crates/net-util/src/lib.rs", "crates/net-util/src/http/mod.rs"),
        (_use("std::collections", "HashMap"), "src/lib.rs", None),
        (_use("serde"), "src/lib.rs", None),
    ],
)
def test_resolve_import(imp, path, target):
    assert HOOKS.resolve_import(imp, path, WORKSPACE) == target


@pytest.mark.parametrize(
    ("annotation", "names"),
    [
        ("&Foo", ["Foo"]),
        ("&mut Foo", ["Foo"]),
        ("&'a mut crate::x::Foo<T>", ["crate::x::Foo"]),
        ("Box<dyn Trait>", ["Trait"]),
        ("Arc<Foo>", ["Foo"]),
        ("Vec<Foo>", ["Vec"]),
        ("impl Iterator<Item = u8>", ["Iterator"]),
        ("&Self", ["Self"]),
        ("[u8]", []),
        ("(A, B)", []),
    ],
)
def test_annotation_names_are_the_type_looked_through(annotation, names):
    assert HOOKS.annotation_names(annotation) == names


@pytest.mark.parametrize(
    ("signature", "result"),
    [
        ("pub fn new(x: i32) -> Self", "Self"),
        ("fn f<T>(x: T) -> Result<Foo, E> where T: Clone", "Result<Foo, E>"),
        ("fn h() -> Box<dyn Fn() -> u8>", "Box<dyn Fn() -> u8>"),
        ("fn g(&self)", None),
    ],
)
def test_return_annotation_is_the_type_after_the_arrow(signature, result):
    assert HOOKS.return_annotation(signature) == result


@pytest.mark.parametrize(
    ("signature", "bounds"),
    [
        ("pub fn f<'a, V: Visit<'a> + ?Sized>(v: &mut V)", {"V": ["Visit<'a>"]}),
        ("fn g<V>(v: &mut V) where V: Visit + Clone, Vec<V>: Send", {"V": ["Visit", "Clone"]}),
        ("fn h<T = u8, const N: usize, F: Fn(u8) -> u8>(t: T)", {"T": [], "F": ["Fn(u8) -> u8"]}),
        ("fn k<F>(f: F) where for<'b> F: Parse<'b>", {"F": ["Parse<'b>"]}),
        ("impl<'r, I: Input> Fsm<'r, I>", {"I": ["Input"]}),
        ("pub struct Writer<W> where W: fmt::Write", {"W": ["fmt::Write"]}),
        ("pub trait Visit<'ast>", {}),
        ("fn plain(x: Box<Vec<u8>>) -> impl Iterator<Item = u8>", {}),
    ],
)
def test_type_bounds_from_generics_and_where_clauses(signature, bounds):
    assert HOOKS.type_bounds(signature) == bounds


@pytest.mark.parametrize(
    ("signature", "extended"),
    [
        ("impl<T: Copy> Point<T>", "Point<T>"),
        ("impl<'a, T> fmt::Display for &'a mut a::Point<T> where T: Copy", "&'a mut a::Point<T>"),
        ("unsafe impl<T: Send> Send for Wrapper<T>", "Wrapper<T>"),
        ("impl !Sync for Cell", "Cell"),
        ("pub fn implement()", None),
    ],
)
def test_extended_type_is_the_impls_self_type(signature, extended):
    assert HOOKS.extended_type(signature) == extended


@pytest.mark.parametrize(
    ("statement", "declared"),
    [
        ("pub(crate) inner: Inner", ("Inner", None)),
        ("boxed: Box<dyn Trait>", ("Box<dyn Trait>", None)),
        ("pub const MAX: Limits<u8, u16> = Limits::new()", ("Limits<u8, u16>", None)),
        ("static mut COUNT: usize = 0", ("usize", None)),
        ("pub r#type: Type", ("Type", None)),
        ("Tuple(Inner)", (None, None)),
    ],
)
def test_assigned_is_a_fields_or_constants_declared_type(statement, declared):
    assert HOOKS.assigned(statement) == declared


@pytest.mark.parametrize(
    ("signature", "aliased"),
    [
        ("pub type ParseStream<'a> = &'a ParseBuffer<'a>", "&'a ParseBuffer<'a>"),
        ("type Output = Foo<T>", "Foo<T>"),
        ("type Item", None),
        ("type Item: Clone", None),
    ],
)
def test_aliased_is_the_type_after_the_equals_sign(signature, aliased):
    assert HOOKS.aliased(signature) == aliased


@pytest.mark.parametrize(
    ("signature", "fields"),
    [
        ("Left(Inner)", ["Inner"]),
        ("Pair(crate::a::A<T>, u8)", ["crate::a::A<T>", "u8"]),
        ("pub struct Meters(pub f64)", ["f64"]),
        ("pub(crate) struct W<F: Fn(u8) -> u8>(pub(crate) F, Box<dyn Tr>)", ["F", "Box<dyn Tr>"]),
        ("Named { x: u8 }", []),
        ("Unit", []),
        ("pub struct S { a: u8 }", []),
    ],
)
def test_tuple_fields_of_variants_and_tuple_structs(signature, fields):
    assert HOOKS.tuple_fields(signature) == fields


def test_impls_of_references_to_primitive_unit_and_never_types_hold_their_items():
    result = parse(
        "rust",
        "impl<'a> From<u8> for &'a str { type Out = u8; }\n"
        "impl Marker for () {}\nimpl Marker for ! {}\nimpl<'a> M for &'a [u8] {}\n",
    )
    assert [(n.kind, n.qualified_name) for n in result.nodes[1:]] == [
        ("impl", "mod::str"),
        ("type_alias", "mod::str::Out"),
        ("impl", "mod::()"),
        ("impl", "mod::!"),
        ("impl", "mod::[u8]"),
    ]


@pytest.mark.parametrize(
    ("annotation", "element"),
    [
        ("Vec<Engine>", "Engine"),
        ("&mut std::vec::Vec<crate::a::Engine>", "crate::a::Engine"),
        ("&'a [Engine]", "Engine"),
        ("[Engine; 4]", "Engine"),
        ("Box<[Engine]>", "Engine"),
        ("HashSet<Engine>", "Engine"),
        ("Vec<Vec<Engine>>", "Vec<Engine>"),
        ("Option<Vec<Engine>>", None),
        ("(Engine, Other)", None),
        ("Engine", None),
        ("Vecs<Engine>", None),
    ],
)
def test_sequence_is_the_element_of_vecs_slices_arrays_and_sets(annotation, element):
    assert HOOKS.sequence(annotation) == element


@pytest.mark.parametrize(
    ("annotation", "content"),
    [
        ("Option<Engine>", "Engine"),
        ("&Option<&'a mut Engine>", "&'a mut Engine"),
        ("Result<Box<Engine>, io::Error>", "Box<Engine>"),
        ("syn::Result<Vec<Ident>>", "Vec<Ident>"),
        ("std::option::Option<Self>", "Self"),
        ("Options<Engine>", None),
        ("Option", None),
        ("Vec<Option<Engine>>", None),
    ],
)
def test_wrapped_is_the_content_of_option_and_result(annotation, content):
    assert HOOKS.wrapped(annotation) == content


@pytest.mark.parametrize(
    ("receiver", "chain"),
    [
        ("self.find(k)?", "self.find(k).unwrap()"),
        ("input.parse::<Visibility>()?", "input.parse().unwrap()"),
        ("a.collect::<Vec<Option<u8>>>().b", "a.collect().b"),
        ("map[&k]?", "map[&k].unwrap()"),
        ("self.inner", "self.inner"),
    ],
)
def test_receiver_chain_reads_try_as_unwrap_without_turbofish(receiver, chain):
    assert HOOKS.receiver_chain(receiver) == chain


def test_option_and_result_methods_are_told_apart():
    wrappers = HOOKS.wrappers
    assert {"unwrap", "expect"} <= wrappers.opening
    assert {"as_ref", "ok", "map_err"} <= wrappers.keeping
    assert wrappers.opening | wrappers.keeping <= wrappers.members
    assert "map" in wrappers.members and "map" not in wrappers.opening | wrappers.keeping
    assert wrappers.patterns == {"Some", "Ok"}


MACRO_ITEMS = """\
use crate::punctuated::Punctuated;

ast_struct! {
    /// A path such as `std::fmt::Write`.
    pub struct Path #full {
        pub leading_colon: Option<Colon2>,
        pub segments: Punctuated<PathSegment, Colon2>,
    }
}

mod parsing {
    cfg_rt! {
        use crate::runtime::Handle;
        pub fn spawn(handle: &Handle) -> Path { handle.spawn() }
    }
}

impl Path {
    serde_if_integer128! {
        fn visit_i128(&self) {}
    }
}

forward_to_deserialize_any! {
    bool i8 i16 string bytes option unit struct enum
}

fn build() {
    quote! { struct Generated; }
}
"""


def test_items_inside_item_level_macros_are_definitions() -> None:
    result = parse("rust", MACRO_ITEMS, "crate::path")
    assert [(n.qualified_name, n.kind) for n in result.nodes[1:]] == [
        ("crate::path::Path", "struct"),
        ("crate::path::Path::leading_colon", "field"),
        ("crate::path::Path::segments", "field"),
        ("crate::path::parsing", "namespace"),
        ("crate::path::parsing::spawn", "function"),
        ("crate::path::Path", "impl"),
        ("crate::path::Path::visit_i128", "method"),
        ("crate::path::build", "function"),
    ]
    path = result.nodes[1]
    # The token trees are parsed in place: positions and docs are the file's.
    assert (path.name_span.start_line, path.name_span.start_col) == (4, 15)
    assert path.doc == "A path such as `std::fmt::Write`."
    assert node(result, "crate::path::Path::segments").signature.startswith("pub segments:")
    spawn = node(result, "crate::path::parsing::spawn")
    assert spawn.parent == node(result, "crate::path::parsing").ordinal
    assert [(p.name, p.type) for p in spawn.params] == [("handle", "&Handle")]
    # A method in a macro inside an impl belongs to the impl.
    assert node(result, "crate::path::Path::visit_i128").parent == result.nodes[6].ordinal


def test_references_and_imports_inside_item_level_macros() -> None:
    result = parse("rust", MACRO_ITEMS, "crate::path")
    # Read again as items, names in a macro's tokens have their roles.
    assert ("type", "") in roles(result, "Punctuated")
    assert roles(result, "spawn")[-1] == ("call", "handle")
    assert roles(result, "Handle") == [("import", "crate::runtime"), ("type", "")]
    assert [i.module for i in result.imports] == ["crate::punctuated", "crate::runtime"]
    # Each identifier is one occurrence, though two trees hold it.
    starts = [o.start_byte for o in result.occurrences]
    assert len(starts) == len(set(starts))


def test_macro_tokens_that_are_no_items_define_nothing() -> None:
    result = parse("rust", MACRO_ITEMS, "crate::path")
    names = {n.name for n in result.nodes}
    # ``quote!`` in a function body stays tokens; the forward list names no items.
    assert "Generated" not in names
    assert not names & {"bool", "string", "bytes", "option", "unit"}
    assert not result.problems


@pytest.mark.parametrize(
    ("annotation", "output"),
    [
        ("impl Future<Output = Engine>", "Engine"),
        ("impl Future<Output = Result<Engine, Error>> + Send + 'a", "Result<Engine, Error>"),
        ("Pin<Box<dyn Future<Output = Engine> + Send>>", "Engine"),
        ("BoxFuture<'a, Engine>", "Engine"),
        ("impl Future", None),
        ("impl Stream<Item = Engine>", None),
    ],
)
def test_promised_is_a_futures_output(annotation, output):
    assert HOOKS.promised(annotation) == output


@pytest.mark.parametrize(
    ("signature", "result"),
    [
        ("pub fn load(&self) -> Engine", "Engine"),
        ("pub async fn load(&self) -> Engine", "impl Future<Output = Engine>"),
        ("pub(crate) async unsafe fn load() -> Engine", "impl Future<Output = Engine>"),
        ("pub async fn run(&self)", None),
        ("fn async_load() -> Engine", "Engine"),
    ],
)
def test_calling_an_async_fn_gives_a_future(signature, result):
    assert HOOKS.call_result(signature) == result
