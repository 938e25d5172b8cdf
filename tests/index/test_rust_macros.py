"""A Rust macro called where nothing imports it is its crate's one macro of that name.

``macro_rules!`` macros reach the whole crate through ``#[macro_use]`` and
``#[macro_export]``, never through ``use``, so a call of ``check!`` in a
crate that defines one ``check`` macro calls it: an exact edge, not a guess.
The name read elsewhere (a token of another macro's input) is not the macro.
Two crates of a workspace each defining one are told apart by the crate;
two macros of one name in a crate stay guesses.
"""

from __future__ import annotations

import pytest

from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def _macro_calls(ws: Workspace) -> set[tuple[str, str, str]]:
    macros = {name for (name,) in ws.query("SELECT qualified_name FROM nodes WHERE kind = 'macro'")}
    return {(e.src, e.dst, e.resolution) for e in ws.edges("calls") if e.dst in macros}


def test_a_crates_one_macro_of_a_name_is_the_answer(ws: Workspace) -> None:
    ws.write("alpha/Cargo.toml", '[package]\nname = "alpha"\nversion = "0.1.0"\n')
    ws.write(
        "alpha/src/lib.rs",
        """\
        #[macro_use]
        mod macros;
        pub mod user;
        """,
    )
    ws.write(
        "alpha/src/macros.rs",
        """\
        macro_rules! check {
            ($e:expr) => { assert!($e) };
        }

        macro_rules! twice {
            ($e:expr) => { $e; $e };
        }
        """,
    )
    ws.write(
        "alpha/src/user.rs",
        """\
        pub fn run() {
            check!(true);
            twice!(check!(1 == 1));
        }

        pub fn tokens() {
            outer!(check);
        }
        """,
    )
    ws.write("beta/Cargo.toml", '[package]\nname = "beta"\nversion = "0.1.0"\n')
    ws.write(
        "beta/src/lib.rs",
        """\
        macro_rules! check {
            ($e:expr) => { $e };
        }

        mod one {
            macro_rules! twice {
                () => {};
            }
        }

        mod two {
            macro_rules! twice {
                () => {};
            }
        }

        pub fn go() {
            check!(false);
            twice!();
        }
        """,
    )
    ws.index()
    calls = _macro_calls(ws)
    assert {
        ("alpha::user::run", "alpha::macros::check", "exact"),
        ("alpha::user::run", "alpha::macros::twice", "exact"),
        ("beta::go", "beta::check", "exact"),
    } <= calls
    assert not any(dst.startswith("beta") for src, dst, _ in calls if src.startswith("alpha"))
    # A macro's name read inside another macro's tokens is no use of the macro.
    assert not {(e.src, e.dst) for e in ws.edges("references") if e.src == "alpha::user::tokens"}
    # Two ``twice`` macros in beta: guesses, never exact.
    assert {res for src, dst, res in calls if src == "beta::go" and "twice" in dst} == {"by_name"}
