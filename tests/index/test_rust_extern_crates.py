"""A Rust crate is in scope by its name without a ``use`` (the extern prelude).

A package's tests, benches and binaries call its library as
``mycrate::parse(..)``, and one crate of a workspace names another's items
as ``other::de::Error``.  Such a path's head is the crate's root module
unless the file binds the name itself.
"""

from __future__ import annotations

import pytest

from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def test_paths_headed_by_a_crate_name_reach_that_crate(ws: Workspace) -> None:
    ws.write("parser/Cargo.toml", '[package]\nname = "text-parser"\nversion = "0.1.0"\n')
    ws.write(
        "parser/src/lib.rs",
        """\
        pub mod de;

        pub fn parse(text: &str) -> usize { text.len() }
        """,
    )
    ws.write(
        "parser/src/de.rs",
        """\
        pub struct Error;

        impl Error {
            pub fn custom(message: &str) -> Error { Error }
        }
        """,
    )
    ws.write(
        "parser/tests/api.rs",
        """\
        #[test]
        fn parses() {
            let n = text_parser::parse("ab");
            let e = text_parser::de::Error::custom("bad");
        }
        """,
    )
    ws.write("app/Cargo.toml", '[package]\nname = "app"\nversion = "0.1.0"\n')
    ws.write(
        "app/src/main.rs",
        """\
        mod text_parser {
            pub fn parse(text: &str) -> usize { 0 }
        }

        fn main() {
            text_parser::parse("local");
        }
        """,
    )
    ws.index()
    calls = {(e.src, e.dst): e.resolution for e in ws.edges("calls")}
    assert calls[("text_parser::tests::api::parses", "text_parser::parse")] == "exact"
    assert calls[("text_parser::tests::api::parses", "text_parser::de::Error::custom")] == "exact"
    # A module the file declares wins over the crate of the same name.
    assert calls[("app::main", "app::text_parser::parse")] == "exact"
    assert ("app::main", "text_parser::parse") not in calls
