"""Rust method calls on the elements of ``Vec``s, slices and sets.

A sequence comes from outside the workspace, yet its elements are a
workspace type: ``for e in &self.engines``, ``for e in engines`` (by
value, over ``iter()`` or ``iter().enumerate()``), ``engines[0]``,
``engines.first().unwrap()``, ``engines.iter().find(|e| …)`` and a closure
of ``any``/``map`` over ``engines.iter()`` give an ``Engine``, so its
methods are called exactly.  The sequence's own methods (``len``,
``push``) are no calls of a workspace method of that name, and a
reference to the whole sequence (``let all = &self.engines;``) is no
element.  A map's values come from ``get``, an index, ``values()`` and a
loop over its pairs (``for (name, e) in map.iter()``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from querytest import guessing_callers

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

FILES = {
    "Cargo.toml": '[package]\nname = "demo"\nversion = "0.1.0"\n',
    "src/lib.rs": """
        use std::collections::HashSet;

        pub struct Engine { pub size: u32 }

        impl Engine {
            pub fn start(&self) -> bool { true }
            pub fn len(&self) -> usize { 1 }
            pub fn tune(&mut self) {}
        }

        pub struct Garage {
            engines: Vec<Engine>,
            spare: [Engine; 2],
            seen: HashSet<Engine>,
        }

        impl Garage {
            pub fn by_loop(&self) -> bool {
                for e in &self.engines {
                    e.start();
                }
                true
            }

            pub fn by_mut_loop(&mut self) {
                for e in &mut self.engines {
                    e.tune();
                }
            }

            pub fn by_iter_loop(&self) -> bool {
                for e in self.engines.iter() {
                    e.start();
                }
                true
            }

            pub fn by_enumerate(&self) -> bool {
                for (i, e) in self.engines.iter().enumerate() {
                    e.start();
                }
                true
            }

            pub fn by_bound_patterns(&self) -> bool {
                for mut e in self.engines.iter() {
                    e.start();
                }
                for &f in &self.spare {
                    f.start();
                }
                true
            }

            pub fn by_owned_loop(engines: Vec<Engine>) -> bool {
                for e in engines {
                    e.start();
                }
                true
            }

            pub fn by_index(&self) -> bool { self.engines[0].start() && self.spare[1].start() }

            pub fn by_first(&self) -> bool { self.engines.first().unwrap().start() }

            pub fn by_try(&self) -> Option<bool> { Some(self.engines.last()?.start()) }

            pub fn by_closure(&self) -> bool { self.engines.iter().any(|e| e.start()) }

            pub fn by_find(&self) -> bool {
                self.seen.iter().find(|e| e.size > 1).map_or(false, |e| e.start())
            }

            pub fn by_slice(engines: &[Engine]) -> bool { engines.iter().all(|e| e.start()) }

            pub fn own_methods(&mut self) -> usize {
                self.engines.push(Engine { size: 1 });
                self.engines.len()
            }

            pub fn whole(&self) -> usize {
                let all = &self.engines;
                all.len()
            }
        }
    """,
}


def callers(tmp_path: Path, name: str) -> dict[str, tuple[str, int]]:
    return guessing_callers(tmp_path, FILES, name)


def test_elements_of_sequences_type_the_receiver(tmp_path: Path) -> None:
    found = callers(tmp_path, "demo::Engine::start")
    exact = {name for name, (resolution, _count) in found.items() if resolution == "exact"}
    assert exact == {
        "demo::Garage::by_loop",
        "demo::Garage::by_iter_loop",
        "demo::Garage::by_owned_loop",
        "demo::Garage::by_enumerate",
        "demo::Garage::by_bound_patterns",
        "demo::Garage::by_index",
        "demo::Garage::by_first",
        "demo::Garage::by_try",
        "demo::Garage::by_closure",
        "demo::Garage::by_slice",
    }
    # ``map_or(false, |e| …)`` passes its closure second: not read.
    assert found["demo::Garage::by_find"][0] == "by_name"
    assert callers(tmp_path, "demo::Engine::tune") == {"demo::Garage::by_mut_loop": ("exact", 1)}


def test_a_sequences_own_methods_are_no_workspace_calls(tmp_path: Path) -> None:
    # ``self.engines.len()`` is ``Vec::len``; ``let all = &self.engines``
    # binds the whole vector (it lies as ``for e in xs`` does, and only the
    # loop is marked as one), never an element, so ``all.len()`` is no
    # call of ``Engine::len``.
    found = callers(tmp_path, "demo::Engine::len")
    assert "demo::Garage::own_methods" not in found
    assert found.get("demo::Garage::whole", ("by_name", 0))[0] == "by_name"


MAP_FILES = {
    "Cargo.toml": '[package]\nname = "demo"\nversion = "0.1.0"\n',
    "src/lib.rs": """
        use std::collections::HashMap;

        pub struct Engine { pub size: u32 }

        impl Engine {
            pub fn start(&self) -> bool { true }
            pub fn len(&self) -> usize { 1 }
        }

        pub struct Garage { engines: HashMap<String, Engine> }

        impl Garage {
            pub fn by_get(&self, k: &str) -> bool { self.engines.get(k).unwrap().start() }

            pub fn by_if_let(&self, k: &str) -> bool {
                if let Some(e) = self.engines.get(k) { e.start() } else { false }
            }

            pub fn by_index(&self, k: &str) -> bool { self.engines[k].start() }

            pub fn by_values(&self) -> bool { self.engines.values().any(|e| e.start()) }

            pub fn by_pairs(&self) -> bool {
                for (name, e) in self.engines.iter() {
                    e.start();
                }
                true
            }

            pub fn own_methods(&self) -> usize { self.engines.len() }
        }
    """,
}


def test_values_of_maps_type_the_receiver(tmp_path: Path) -> None:
    found = guessing_callers(tmp_path, MAP_FILES, "demo::Engine::start")
    assert found == {
        "demo::Garage::by_get": ("exact", 1),
        "demo::Garage::by_if_let": ("exact", 1),
        "demo::Garage::by_index": ("exact", 1),
        "demo::Garage::by_values": ("exact", 1),
        "demo::Garage::by_pairs": ("exact", 1),
    }
    # ``HashMap::len`` is the map's own: no call of ``Engine::len``.
    assert "demo::Garage::own_methods" not in guessing_callers(
        tmp_path, MAP_FILES, "demo::Engine::len"
    )
