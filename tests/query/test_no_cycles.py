"""Queries leave no reference cycles behind.

A long-lived server answers thousands of requests.  Garbage in a cycle is
freed only by the cyclic collector; a request's resolver and its caches
(thousands of objects) caught in one survive into the oldest generation and
are freed all at once by a full collection, which then pauses whatever
request is running for 100 ms and more.  Freed by reference counting, they
go as each request ends.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from querytest import build

from codeidx.query.buffers import buffer_of
from codeidx.query.calls import find_calls
from codeidx.query.definition import find_definition
from codeidx.query.hover import describe
from codeidx.query.implementation import ImplementationQuery, find_implementations
from codeidx.query.overlay import Overlay
from codeidx.query.references import find_references
from codeidx.query.status import open_index
from codeidx.query.types import CallsQuery, DefinitionQuery, Position, ReferencesQuery

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

FILES = {
    "shapes.py": (
        "class Shape:\n"
        "    def area(self):\n"
        "        return 0\n"
        "\n"
        "\n"
        "class Square(Shape):\n"
        "    def __init__(self, side):\n"
        "        self.side = side\n"
        "\n"
        "    def area(self):\n"
        "        return self.side * self.side\n"
    ),
    "app.py": (
        "from shapes import Square\n"
        "\n"
        "\n"
        "def total(items):\n"
        "    box = Square(2)\n"
        "    return box.area() + sum(s.area() for s in items)\n"
    ),
}

#: ``box.area`` in app.py: a call through a receiver whose type is inferred.
AREA = Position("app.py", 5, 15)


@pytest.fixture
def garbage_free() -> Iterator[Callable[[], int]]:
    """Collect now, then count what a later collection finds unreachable."""
    gc.collect()
    gc.disable()
    try:
        yield gc.collect
    finally:
        gc.enable()


def test_queries_leave_no_cycles(tmp_path: Path, garbage_free: Callable[[], int]) -> None:
    fx = build(tmp_path, FILES)
    conn = open_index(fx.index_dir)
    try:
        queries: list[Callable[[], object]] = [
            lambda: find_definition(conn, fx.root, DefinitionQuery(AREA)),
            lambda: find_references(conn, fx.root, ReferencesQuery(AREA)),
            lambda: describe(conn, fx.root, DefinitionQuery(AREA)),
            lambda: find_calls(conn, fx.root, CallsQuery("Square.area", incoming=True)),
            lambda: find_implementations(conn, fx.root, ImplementationQuery(AREA)),
        ]
        for query in queries:
            garbage_free()
            assert query() is not None
            assert garbage_free() == 0, query
    finally:
        conn.close()


def test_queries_over_an_edited_buffer_leave_no_cycles(
    tmp_path: Path, garbage_free: Callable[[], int]
) -> None:
    fx = build(tmp_path, FILES)
    edited = FILES["app.py"] + "\n\ndef more():\n    return Square(3).area()\n"
    buf = buffer_of("app.py", edited)
    assert buf is not None
    conn = open_index(fx.index_dir)
    try:
        garbage_free()
        overlay = Overlay(conn, fx.root, {"app.py": buf})
        found = overlay.find_references(ReferencesQuery(AREA))
        assert len(found.references) >= 3  # The definition, box.area() and the new call.
        del overlay
        assert garbage_free() == 0
    finally:
        conn.close()
