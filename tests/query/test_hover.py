"""Hover over small indexed workspaces: `$0` is the cursor, `[[...]]` the definition's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from querytest import build

from codeidx.query.hover import describe
from codeidx.query.types import DefinitionQuery, HoverResult, Param

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def hover(tmp_path: Path, files: dict[str, str]) -> tuple[HoverResult, list]:
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        return describe(conn, fx.root, DefinitionQuery(fx.at())), fx.ranges


def test_python_function_shows_docstring_params_and_decorators(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/core.py": '''
            import functools


            @functools.cache
            def [[scale]](x: float, factor: float = 2.0, *rest) -> float:
                """Multiply ``x`` by ``factor``.

                Extra arguments are ignored.
                """
                return x * factor
        ''',
        "main.py": """
            from pkg.core import scale

            print(sc$0ale(3))
        """,
    }
    result, expected = hover(tmp_path, files)
    assert result.name == "scale" and not result.local
    (target,) = result.targets
    symbol = target.symbol
    assert [(symbol.path, symbol.line, symbol.col, symbol.end_col)] == expected
    assert (symbol.kind, symbol.qualified_name) == ("function", "pkg.core.scale")
    assert symbol.signature.startswith("def scale(x: float")
    assert target.doc is not None
    assert "Multiply ``x`` by ``factor``." in target.doc
    assert "Extra arguments are ignored." in target.doc
    assert target.params[:2] == [
        Param("x", "float", "", False),
        Param("factor", "float", "2.0", False),
    ]
    assert target.params[2].name == "rest" and target.params[2].variadic
    assert target.decorators == ["functools.cache"]
    assert (target.confidence, target.resolution) == (1.0, "exact")
    assert target.visibility


def test_definition_name_describes_itself_and_private_visibility(tmp_path: Path) -> None:
    files = {
        "mod.py": '''
            class Engine:
                def [[_st$0art]](self):
                    """Start the engine."""
        ''',
    }
    result, expected = hover(tmp_path, files)
    (target,) = result.targets
    assert [(target.symbol.path, target.symbol.line, target.symbol.col, target.symbol.end_col)] == (
        expected
    )
    assert target.symbol.kind == "method"
    assert target.doc is not None and "Start the engine." in target.doc
    assert target.visibility == "private"


def test_rust_doc_comment(tmp_path: Path) -> None:
    files = {
        "src/lib.rs": """
            /// Adds one to the number.
            pub fn [[add_one]](x: i32) -> i32 {
                x + 1
            }

            fn main() {
                add_$0one(2);
            }
        """,
    }
    result, expected = hover(tmp_path, files)
    (target,) = result.targets
    assert [(target.symbol.path, target.symbol.line, target.symbol.col, target.symbol.end_col)] == (
        expected
    )
    assert target.doc is not None and "Adds one to the number." in target.doc
    assert target.params and target.params[0].name == "x"
    assert target.visibility == "public"


def test_local_reports_its_binding(tmp_path: Path) -> None:
    files = {
        "mod.py": """
            def run():
                [[total]] = 1
                return tot$0al + 1
        """,
    }
    result, expected = hover(tmp_path, files)
    assert result.name == "total" and result.local and result.targets == []
    assert result.binding is not None
    b = result.binding
    assert [(b.path, b.line, b.col, b.end_col)] == expected


def test_no_identifier(tmp_path: Path) -> None:
    files = {"mod.py": "x = 1 +$0  2\n"}
    result, _ = hover(tmp_path, files)
    assert result.name is None and result.targets == [] and result.binding is None
