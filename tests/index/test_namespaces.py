"""A namespace holds its items as a module does: ``ns::f()`` and ``ns.T`` reach them.

Rust's inline ``mod parsing { .. }`` (syn calls ``attr::parsing::parse_inner``),
TypeScript's ``namespace Queue { export interface State }`` (effect writes
``Queue.State<A>``) and C++'s ``namespace geo { .. }`` are definitions of
kind ``namespace``; a path through one looks its name up among the
namespace's children.
"""

from __future__ import annotations

import pytest

from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def _exact(ws: Workspace, kind: str) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in ws.edges(kind) if e.resolution == "exact"}


def test_rust_paths_through_inline_modules(ws: Workspace) -> None:
    ws.write("Cargo.toml", '[package]\nname = "syntax"\nversion = "0.1.0"\n')
    ws.write("src/lib.rs", "mod attr;\nmod item;\n")
    ws.write(
        "src/attr.rs",
        """\
        pub mod parsing {
            pub fn parse_inner(text: &str) -> usize { text.len() }

            pub mod nested {
                pub struct Cursor;
                impl Cursor {
                    pub fn eof(&self) -> bool { true }
                }
            }
        }
        """,
    )
    ws.write(
        "src/item.rs",
        """\
        use crate::attr;

        pub fn parse(text: &str) -> bool {
            attr::parsing::parse_inner(text);
            let cursor = attr::parsing::nested::Cursor;
            cursor.eof()
        }
        """,
    )
    ws.index()
    calls = _exact(ws, "calls")
    assert ("syntax::item::parse", "syntax::attr::parsing::parse_inner") in calls
    assert ("syntax::item::parse", "syntax::attr::parsing::nested::Cursor::eof") in calls


def test_typescript_namespace_members_and_types(ws: Workspace) -> None:
    ws.write(
        "src/queue.ts",
        """\
        export namespace Queue {
          export interface State {
            size(): number
          }
          export function make(): State {
            return { size: () => 0 }
          }
        }
        """,
    )
    ws.write(
        "src/use.ts",
        """\
        import { Queue } from "./queue"

        export function total(state: Queue.State): number {
          const fresh = Queue.make()
          return state.size() + fresh.size()
        }
        """,
    )
    ws.index()
    assert ("src/use.total", "src/queue.Queue.make") in _exact(ws, "calls")
    assert ("src/use.total", "src/queue.Queue.State.size") in _exact(ws, "calls")
    assert ("src/use.total", "src/queue.Queue.State") in _exact(ws, "uses_type")


def test_code_inside_a_namespace_sees_its_names(ws: Workspace) -> None:
    """Inside ``mod m { .. }`` or ``namespace N { .. }``, the namespace's items are in scope."""
    ws.write("Cargo.toml", '[package]\nname = "net"\nversion = "0.1.0"\n')
    ws.write(
        "src/lib.rs",
        """\
        mod stream {
            pub struct Cursor;

            impl Cursor {
                pub fn eof(&self) -> bool { true }
            }

            pub struct Reader {
                cursor: Cursor,
            }

            impl Reader {
                pub fn done(&self) -> bool {
                    self.cursor.eof()
                }
            }
        }
        """,
    )
    ws.write(
        "src/geo.cpp",
        """\
        namespace geo {
        struct Point { int x; };

        int norm(Point p) { return p.x; }
        }
        """,
    )
    ws.write(
        "src/queue.ts",
        """\
        export namespace Queue {
          export interface State {
            size(): number
          }
          export function empty(state: State): boolean {
            return state.size() === 0
          }
        }
        """,
    )
    ws.index()
    types = _exact(ws, "uses_type")
    assert ("net::stream::Reader", "net::stream::Reader") in types  # the impl's own struct
    assert ("net::stream::Reader::cursor", "net::stream::Cursor") in types
    assert ("geo::norm", "geo::Point") in types
    assert ("src/queue.Queue.empty", "src/queue.Queue.State") in types
    calls = _exact(ws, "calls")
    assert ("net::stream::Reader::done", "net::stream::Cursor::eof") in calls
    assert ("src/queue.Queue.empty", "src/queue.Queue.State.size") in calls
