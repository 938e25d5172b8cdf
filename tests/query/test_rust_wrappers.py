"""Rust method calls through ``Option`` and ``Result``, over a small indexed crate.

The wrappers come from outside the workspace, yet what they hold is a
workspace type: ``find(k).unwrap().start()``, ``load()?.start()``,
``let e = load()?; e.start()`` and ``if let Some(e) = find(k)`` call
``Engine::start`` exactly.  A wrapper's own method (``opt.map(f)``) is no
call of a workspace method of that name, nor is a call of a standard
method name on a value of unknown type shown by default; a value the index
cannot see (a match arm's scrutinee) stays a guess.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from querytest import build, guessing_callers

from codeidx.query.calls import find_calls
from codeidx.query.types import CallsQuery

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

FILES = {
    "Cargo.toml": '[package]\nname = "demo"\nversion = "0.1.0"\n',
    "src/lib.rs": """
        pub struct Engine { pub name: String }

        impl Engine {
            pub fn start(&self) -> bool { true }
            pub fn map(&self) -> u8 { 1 }
        }

        pub struct Other;

        impl Other {
            pub fn start(&self) -> bool { false }
        }

        pub type Result<T> = std::result::Result<T, String>;

        pub struct Garage {
            engine: Option<Engine>,
            spare: Option<Box<Engine>>,
        }

        impl Garage {
            pub fn find(&self, _k: &str) -> Option<&Engine> { self.engine.as_ref() }
            pub fn load(&self) -> Result<Engine> { Err(String::new()) }

            pub fn by_unwrap(&self) -> bool { self.find("a").unwrap().start() }
            pub fn by_expect(&self) -> bool { self.find("a").expect("engine").start() }
            pub fn by_try(&self) -> Result<bool> { Ok(self.load()?.start()) }
            pub fn by_field(&self) -> bool { self.engine.as_ref().unwrap().start() }
            pub fn by_boxed_field(&self) -> bool { self.spare.as_ref().unwrap().start() }

            pub fn by_try_binding(&self) -> Result<bool> {
                let e = self.load()?;
                Ok(e.start())
            }

            pub fn by_if_let(&self) -> bool {
                if let Some(e) = self.find("b") { e.start() } else { false }
            }

            pub fn by_match_arm(&self) -> bool {
                match self.find("c") {
                    Some(e) => e.start(),
                    None => false,
                }
            }

            pub fn own_map(&self) -> Option<u8> { self.find("d").map(|_e| 1) }

            pub fn by_closure(&self) -> Option<bool> {
                self.load().ok().filter(|e| e.start()).map(|e| e.start())
            }
        }

        pub fn std_map<T>(xs: T) -> Vec<u8> { xs.iter().map(|x| x + 1).collect() }

        pub fn slice_map(xs: &[u8]) -> Vec<u8> { xs.iter().map(|x| x + 1).collect() }

        pub fn by_rebinding(g: &Garage, p: Option<&Engine>) -> Result<bool> {
            if let Some(p) = p {
                p.start();
            }
            let e = g.load();
            let e = e?;
            let h = g.find("z");
            let h = h.unwrap();
            Ok(e.start() && h.start())
        }
    """,
}


def callers(tmp_path: Path, name: str) -> dict[str, tuple[str, int]]:
    return guessing_callers(tmp_path, FILES, name)


def test_opened_wrappers_type_the_receiver(tmp_path: Path) -> None:
    found = callers(tmp_path, "demo::Engine::start")
    exact = {name: count for name, (resolution, count) in found.items() if resolution == "exact"}
    assert exact == {
        "demo::Garage::by_unwrap": 1,
        "demo::Garage::by_expect": 1,
        "demo::Garage::by_try": 1,
        "demo::Garage::by_field": 1,
        "demo::Garage::by_boxed_field": 1,
        "demo::Garage::by_try_binding": 1,
        "demo::Garage::by_if_let": 1,
        # ``match self.find(k) { Some(e) => e.start() }``: the matched value's content.
        "demo::Garage::by_match_arm": 1,
        # ``filter(|e| …)`` and ``map(|e| …)`` pass the content to ``e``.
        "demo::Garage::by_closure": 2,
        # ``if let Some(p) = p``, ``let e = e?;`` and ``let h = h.unwrap();``.
        "demo::by_rebinding": 3,
    }
    assert "demo::Garage::by_unwrap" not in callers(tmp_path, "demo::Other::start")


def test_a_wrappers_own_method_is_no_workspace_call(tmp_path: Path) -> None:
    # ``find(k).map(f)`` is ``Option::map``, not ``Engine::map``; a ``map``
    # on a receiver of unknown type is most likely the standard library's,
    # so its guess is kept out unless guesses are asked for.  On a slice's
    # iterator it is the standard one for certain: no guess at all.
    assert callers(tmp_path, "demo::Engine::map") == {"demo::std_map": ("by_name", 1)}
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        shown = find_calls(conn, fx.root, CallsQuery("demo::Engine::map", incoming=True))
    assert [call for group in shown.groups for call in group.calls] == []


def test_a_wrapper_the_crate_defines_is_its_own_type(tmp_path: Path) -> None:
    # A crate's own ``Result`` has the members its impl gives, not
    # ``std::result::Result``'s: ``r.unwrap()`` is the crate's method.
    files = {
        "Cargo.toml": '[package]\nname = "own"\nversion = "0.1.0"\n',
        "src/lib.rs": """
            pub struct Engine;

            pub struct Result<T> { value: T }

            impl<T> Result<T> {
                pub fn unwrap(&self) -> &T { &self.value }
            }

            pub fn check(r: Result<Engine>) { r.unwrap(); }
        """,
    }
    assert guessing_callers(tmp_path, files, "own::Result::unwrap") == {"own::check": ("exact", 1)}
