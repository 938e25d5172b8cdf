"""Rust method calls resolved through the receiver's type, over a small indexed crate.

A struct's field types, ``Self`` in an impl (a trait impl too), the bounds
of a type parameter, type aliases, constructors returning ``Self`` and the
variant a pattern takes apart type the receiver, so the call goes to the
method exactly, and so does a closure's parameter over a slice's iterator.
Where the type is not known (an unbounded type parameter, a name bound to
values of different types) the call
stays a guess, and a receiver whose type comes from outside the workspace
(``fmt::Formatter``) gets no edge at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from querytest import guessing_callers

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

FILES = {
    "Cargo.toml": '[package]\nname = "demo"\nversion = "0.1.0"\n',
    "src/visit.rs": """
        pub trait Visit {
            fn visit_inner(&mut self, i: &crate::Inner) -> u32 { i.step() }
            fn create() -> Self where Self: Sized;
        }
    """,
    "src/lib.rs": """
        pub mod visit;

        use crate::visit::Visit;
        use std::fmt;

        pub struct Inner { n: u32, len: usize }

        impl Inner {
            pub fn new() -> Self { Inner { n: 0, len: 0 } }
            pub fn step(&self) -> u32 { self.n }
            pub fn len(&self) -> usize { self.len }
            pub fn write_str(&mut self, _s: &str) {}
        }

        pub struct Outer { inner: Inner, boxed: Box<Inner> }

        impl Outer {
            pub fn make() -> Self { Self { inner: Inner::new(), boxed: Box::new(Inner::new()) } }
            pub fn through_field(&self) -> u32 { self.inner.step() }
            pub fn through_box(&self) -> u32 { self.boxed.step() }
            pub fn through_same_name(&self) -> usize { self.inner.len() }
        }

        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
                self.inner.step();
                f.write_str("outer")
            }
        }

        pub fn through_constructor() -> u32 {
            let o = Outer::make();
            o.inner.step()
        }

        pub type Handle<'a> = &'a Inner;

        pub fn through_alias(h: Handle) -> u32 { h.step() }

        pub fn through_bound<V: Visit + ?Sized>(v: &mut V, i: &Inner) -> u32 { v.visit_inner(i) }

        pub fn through_where<V>(v: &mut V, i: &Inner) -> u32 where V: Visit { v.visit_inner(i) }

        pub fn through_path<V: Visit>() -> V { V::create() }

        pub struct Other;

        impl Other {
            pub fn step(&self) -> u32 { 1 }
        }

        pub enum Either { Left(Inner), Right(Other) }

        impl Either {
            pub fn step(&self) -> u32 { 2 }
        }

        pub fn by_pattern(e: Either) -> u32 {
            match e {
                Either::Left(x) => x.step(),
                Either::Right(y) => y.step(),
            }
        }

        pub fn by_variant() -> u32 {
            let made = Either::Left(Inner::new());
            made.step()
        }

        pub fn by_if_let(e: Either) -> u32 {
            if let Either::Left(x) = e { x.step() } else { 0 }
        }

        pub fn one_name_two_types(e: Either) -> u32 {
            match e {
                Either::Left(t) => t.step(),
                Either::Right(t) => t.step(),
            }
        }

        pub fn shadowed(x: Inner) -> u32 {
            let x = Other;
            x.step()
        }

        pub fn closure(items: &[Inner]) -> u32 { items.iter().map(|i| i.step()).sum() }

        pub fn unbounded<T>(t: T) -> u32 { t.step() }

        #[derive(Default, Clone)]
        pub struct Flags { start: bool }

        impl Flags {
            pub fn bump(&self) -> u32 { 3 }
        }

        pub struct Holder { inner: Option<Inner> }

        impl Holder {
            pub fn inner(&self) -> u32 { 0 }
            pub fn through_field_named_as_a_method(&self) -> u32 {
                self.inner.as_ref().unwrap().step()
            }
        }

        pub fn derived(f: &Flags) -> u32 {
            let mut fresh = Flags::default();
            fresh.start = true;
            let copy = f.clone();
            fresh.bump() + copy.bump()
        }
    """,
}


def callers(tmp_path: Path, name: str) -> dict[str, tuple[str, int]]:
    return guessing_callers(tmp_path, FILES, name)


def test_fields_self_constructors_aliases_and_patterns_type_the_receiver(tmp_path: Path) -> None:
    found = callers(tmp_path, "demo::Inner::step")
    exact = {name for name, (resolution, _count) in found.items() if resolution == "exact"}
    assert exact == {
        "demo::visit::Visit::visit_inner",
        "demo::Outer::through_field",
        "demo::Outer::through_box",
        "demo::Outer::fmt",
        "demo::through_constructor",
        "demo::through_alias",
        "demo::by_pattern",
        "demo::by_if_let",
        # ``items.iter().map(|i| …)`` over ``&[Inner]``: an element.
        "demo::closure",
        # ``self.inner`` is the field, though the impl has ``inner()``.
        "demo::Holder::through_field_named_as_a_method",
    }
    # Unknown types stay guesses, never exact edges: a name bound to an
    # Inner and to an Other, an unbounded type parameter, a parameter
    # shadowed by a value of another type.
    for guessed in ("one_name_two_types", "unbounded", "shadowed"):
        assert found[f"demo::{guessed}"][0] == "by_name", guessed


def test_a_pattern_binding_is_the_variants_field_not_the_enum(tmp_path: Path) -> None:
    found = callers(tmp_path, "demo::Either::step")
    # ``Either::Left(Inner::new())`` makes an Either; a pattern's binding is no Either.
    assert found.pop("demo::by_variant") == ("exact", 1)
    assert all(resolution == "by_name" for resolution, _count in found.values()), found
    assert callers(tmp_path, "demo::Other::step")["demo::by_pattern"] == ("exact", 1)


def test_type_parameters_have_the_methods_of_their_bounds(tmp_path: Path) -> None:
    assert callers(tmp_path, "demo::visit::Visit::visit_inner") == {
        "demo::through_bound": ("exact", 1),
        "demo::through_where": ("exact", 1),
    }
    assert callers(tmp_path, "demo::visit::Visit::create") == {
        "demo::through_path": ("exact", 1),
    }


def test_derived_default_and_clone_give_the_type_itself(tmp_path: Path) -> None:
    # ``#[derive(Default, Clone)]`` writes no ``default`` or ``clone`` the
    # index sees, yet ``Flags::default()`` and ``f.clone()`` are Flags.
    assert callers(tmp_path, "demo::Flags::bump") == {"demo::derived": ("exact", 2)}


def test_a_call_means_the_method_when_a_field_has_its_name(tmp_path: Path) -> None:
    assert callers(tmp_path, "demo::Inner::len") == {"demo::Outer::through_same_name": ("exact", 1)}


def test_a_receiver_of_an_imported_outside_type_gets_no_guess(tmp_path: Path) -> None:
    # ``f: &mut fmt::Formatter`` in a method named ``fmt``: ``fmt::`` is the
    # imported module, not the method, so ``f`` is known to come from outside
    # and ``f.write_str`` is no guess at the crate's own ``write_str``.
    assert callers(tmp_path, "demo::Inner::write_str") == {}


STRUCT_PATTERNS = {
    "Cargo.toml": '[package]\nname = "demo"\nversion = "0.1.0"\n',
    "src/lib.rs": """
        pub struct Engine;
        impl Engine { pub fn start(&self) {} }
        pub struct Wheel;
        impl Wheel { pub fn start(&self) {} }
        pub struct Car { pub engine: Engine, pub wheel: Wheel }

        impl Car {
            pub fn by_self(&self) {
                let Self { engine, wheel } = self;
                engine.start();
            }
        }

        pub fn by_name(car: Car) {
            let Car { engine, .. } = car;
            engine.start();
        }

        pub fn by_if_let(car: Car) {
            if let Car { wheel, .. } = car {
                wheel.start();
            }
        }

        pub fn by_match(car: Car) {
            match car {
                Car { engine, .. } => engine.start(),
            }
        }

        pub enum Part {
            Whole { engine: Engine, wheel: Wheel },
            Nothing,
        }

        pub fn by_variant(part: Part) {
            match part {
                Part::Whole { wheel, .. } => wheel.start(),
                Part::Nothing => {}
            }
        }

        pub fn over_lines(cars: Vec<Car>) {
            for Car {
                wheel,
                ..
            } in cars
            {
                wheel.start();
            }
        }
    """,
}


def test_a_struct_patterns_parts_have_its_fields_types(tmp_path: Path) -> None:
    # ``let Car { engine, .. } = car`` binds ``engine`` to ``Car.engine``,
    # through ``Self`` too and in ``if let``; both fields' types have a
    # ``start``, so only the field's type makes the call exact.  A match
    # arm's and a loop's pattern name their type alike, over lines too, and
    # a variant's (``Part::Whole { wheel, .. }``) its own fields.
    engine = guessing_callers(tmp_path, STRUCT_PATTERNS, "demo::Engine::start")
    assert {n for n, (resolution, _) in engine.items() if resolution == "exact"} == {
        "demo::Car::by_self",
        "demo::by_name",
        "demo::by_match",
    }
    (tmp_path / "w").mkdir()
    wheel = guessing_callers(tmp_path / "w", STRUCT_PATTERNS, "demo::Wheel::start")
    assert {n for n, (resolution, _) in wheel.items() if resolution == "exact"} == {
        "demo::by_if_let",
        "demo::over_lines",
        "demo::by_variant",
    }
