"""Receiver texts read as chains of names, calls and indexes (``index.chains``)."""

from __future__ import annotations

import pytest

from codeidx.index.chains import ELEMENT, chain_of


@pytest.mark.parametrize(
    ("text", "sep", "chain"),
    [
        ("a.b(x, f(y)).c", ".", (("a", False), ("b", True), ("c", False))),
        (
            "self.items[i][j].run(z)",
            ".",
            (("self", False), ("items", False), (ELEMENT, False), (ELEMENT, False), ("run", True)),
        ),
        ("f()[0]", ".", (("f", True), (ELEMENT, False))),
        ("x.y [ 1 ] .z", ".", (("x", False), ("y", False), (ELEMENT, False), ("z", False))),
        ("self.0.inner", "::", (("self", False), ("0", False), ("inner", False))),
        ("ast::Concat", "::", (("ast", False), ("Concat", False))),
        ("self.parse(\n    a,", ".", (("self", False), ("parse", True))),
        ("0.x", ".", None),
        ("a + b", ".", None),
        ("(a).b", ".", None),
    ],
)
def test_chain_of_reads_names_calls_and_indexes(text, sep, chain):
    assert chain_of(text, sep) == chain
