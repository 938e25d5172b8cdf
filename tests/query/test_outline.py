"""Document outline over small indexed workspaces: full extents with columns, names, nesting."""

from __future__ import annotations

from pathlib import Path

import pytest
from querytest import build

from codeidx.query.outline import file_outline
from codeidx.query.types import OutlineNode, OutlineResult

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def outline(tmp_path: Path, files: dict[str, str], path: str) -> tuple[OutlineResult | None, list]:
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        return file_outline(conn, path), fx.ranges


def shape(nodes: list[OutlineNode]) -> list[tuple]:
    return [
        (
            n.symbol.name,
            n.symbol.kind,
            (n.start_line, n.start_col, n.end_line, n.end_col),
            n.detail,
            shape(n.children),
        )
        for n in nodes
    ]


def test_python_outline_nests_members_with_full_ranges(tmp_path: Path) -> None:
    files = {
        "mod.py": '''
            class [[Engine]]:
                """Runs things."""

                def [[start]](self, x: int) -> int:
                    return x


            def [[helper]]():
                pass
        ''',
    }
    result, names = outline(tmp_path, files, "mod.py")
    assert result is not None and result.path == "mod.py"
    assert shape(result.nodes) == [
        (
            "Engine",
            "class",
            (0, 0, 4, 16),
            "class Engine",
            [("start", "method", (3, 4, 4, 16), "def start(self, x: int) -> int", [])],
        ),
        ("helper", "function", (7, 0, 8, 8), "def helper()", []),
    ]
    # Selection ranges are the names.
    flat = [result.nodes[0], result.nodes[0].children[0], result.nodes[1]]
    got = sorted((n.symbol.path, n.symbol.line, n.symbol.col, n.symbol.end_col) for n in flat)
    assert got == names


def test_rust_outline_has_impl_members_and_columns(tmp_path: Path) -> None:
    files = {
        "src/lib.rs": """
            pub struct [[Sq]] { s: f64 }
            impl [[Sq]] {
                pub fn [[area]](&self) -> f64 { self.s }
            }
        """,
    }
    result, _ = outline(tmp_path, files, "src/lib.rs")
    assert result is not None
    top = [(n.symbol.name, n.symbol.kind) for n in result.nodes]
    assert top == [("Sq", "struct"), ("Sq", "impl")]
    struct, impl = result.nodes
    assert (struct.start_line, struct.start_col, struct.end_line, struct.end_col) == (0, 0, 0, 24)
    (area,) = impl.children
    assert (area.symbol.kind, area.start_line, area.start_col) == ("method", 2, 4)
    assert (area.end_line, area.end_col) == (2, 40)


def test_unknown_file_has_no_outline(tmp_path: Path) -> None:
    result, _ = outline(tmp_path, {"mod.py": "x = 1\n"}, "other.py")
    assert result is None


def test_javascript_assigned_members_and_exports_are_outlined(tmp_path: Path) -> None:
    files = {
        "queue.js": """
            function Queue() {}
            Queue.prototype.push = function (item) {};
            exports.make = () => new Queue();
        """,
    }
    result, _ = outline(tmp_path, files, "queue.js")
    assert result is not None
    # Members written outside their owner sit at the top, as Go methods do;
    # the symbol's qualified name says whose they are.
    assert shape(result.nodes) == [
        ("Queue", "function", (0, 0, 0, 19), "function Queue()", []),
        ("push", "method", (1, 0, 1, 41), "Queue.prototype.push = function (item)", []),
        ("make", "function", (2, 0, 2, 32), "exports.make = () =>", []),
    ]
    assert [n.symbol.qualified_name for n in result.nodes] == [
        "queue.Queue",
        "queue.Queue.push",
        "queue.make",
    ]
