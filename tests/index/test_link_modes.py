"""Linking a whole workspace and linking a saved file give a file the same edges.

A bulk build links with every definition read up front (``Resolver(conn,
preload=True)``); a save links with the definitions of the names it asks
for, read as it goes, and narrow queries for the rest (``Resolver(conn)``).
Both must answer alike, or a file's edges would depend on how it was last
linked.  A TypeScript class merged with an interface of its name, and a
Rust impl's fields, were found by one and guessed by the other.
"""

from __future__ import annotations

from contextlib import closing

import pytest

from codeidx.index.link import link_file
from codeidx.index.resolve import Resolver
from codeidx.store import db, symbols
from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def _linked_alike(ws: Workspace) -> None:
    with closing(db.connect_reader(ws.db_path)) as conn:
        for path, (file_id, _module, _language) in symbols.file_index(conn).items():
            whole = link_file(Resolver(conn, preload=True), symbols.file_facts(conn, file_id))
            saved = link_file(Resolver(conn), symbols.file_facts(conn, file_id))
            assert sorted(whole) == sorted(saved), path


def test_a_class_merged_with_its_interface_has_the_interface_members(ws: Workspace) -> None:
    ws.write(
        "src/store.ts",
        """\
        export interface Store {
          size(): number
        }

        export class Store {
          count(): number {
            return this.size() + 1
          }
        }
        """,
    )
    ws.write("src/box.ts", "export class Box {\n  size(): number {\n    return 2\n  }\n}\n")
    ws.index()
    _linked_alike(ws)
    calls = {(e.src, e.dst, e.resolution) for e in ws.edges("calls")}
    assert calls == {("src/store.Store.count", "src/store.Store.size", "exact")}


def test_an_impl_reads_its_struct_fields_in_either_mode(ws: Workspace) -> None:
    ws.write("Cargo.toml", '[package]\nname = "net"\nversion = "0.1.0"\n')
    ws.write("src/lib.rs", "mod tcp;\nmod other;\n")
    ws.write(
        "src/tcp.rs",
        """\
        mod addr_stream {
            use std::net::TcpStream;

            pin_project_lite::pin_project! {
                pub struct AddrStream {
                    #[pin]
                    inner: TcpStream,
                }
            }

            impl AddrStream {
                pub fn into_std(self) -> TcpStream {
                    self.inner.into_std()
                }
            }
        }
        """,
    )
    ws.write(
        "src/other.rs",
        "pub struct W;\n\nimpl W {\n    pub fn into_std(self) -> u32 {\n        1\n    }\n}\n",
    )
    ws.index()
    _linked_alike(ws)
    # ``self.inner`` is a TcpStream from outside the workspace: no guess.
    assert not [e for e in ws.edges("calls") if e.src.endswith("AddrStream::into_std")]


def test_a_go_type_for_another_build_lends_no_fields(ws: Workspace) -> None:
    """``type mac struct{ macGeneric }`` here, ``type mac struct{ offset int }`` for s390x."""
    ws.write("go.mod", "module example.com/poly\n\ngo 1.20\n")
    ws.write("generic.go", "package poly\n\ntype macGeneric struct {\n\toffset int\n}\n")
    ws.write(
        "sum_amd64.go",
        """\
        package poly

        type mac struct{ macGeneric }

        func (h *mac) Write(p []byte) int {
        \th.offset += len(p)
        \treturn h.offset
        }
        """,
    )
    ws.write(
        "sum_s390x.go",
        """\
        package poly

        type mac struct {
        \toffset int
        }

        func (h *mac) Reset() {
        \th.offset = 0
        }
        """,
    )
    ws.index()
    _linked_alike(ws)
    refs = {(e.src, e.dst) for e in ws.edges("references") if e.resolution == "exact"}
    assert ("example.com/poly.mac.Write", "example.com/poly.macGeneric.offset") in refs
    assert ("example.com/poly.mac.Reset", "example.com/poly.mac.offset") in refs
    assert ("example.com/poly.mac.Write", "example.com/poly.mac.offset") not in refs
