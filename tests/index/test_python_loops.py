"""A loop over a Python container binds the element type its annotation declares.

``for e in self.engines`` with ``engines: list[Engine]`` makes ``e.start()``
a call of ``Engine.start``; so do comprehensions, iterators, generators and
homogeneous tuples, through ``Optional`` and ``| None``, and an index
(``self.engines[0].start()``).  A mapping (``dict[str, Engine]``) gives its
values to an index, ``get`` and ``values()``, and its keys to a loop.  A loop
over pairs binds its second name to an element (``for i, e in
enumerate(self.engines)``) or a value (``for k, e in by_name.items()``);
a pair of anything else, or a third name, says nothing.  Two classes define
``start``, so only a read element type makes the call exact.  A container
whose element is not declared says nothing.
"""

from __future__ import annotations

import pytest

from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

SOURCE = """\
from typing import Iterator, Optional


class Engine:
    label: str

    def start(self) -> bool:
        return True


class Other:
    def start(self) -> bool:
        return False


class Garage:
    def __init__(self, engines: list[Engine]) -> None:
        self.engines: list[Engine] = engines
        self.spares: Optional[list[Engine]] = None

    def all(self) -> Iterator[Engine]:
        yield from self.engines

    def loops(self, extra: "tuple[Engine, ...]") -> None:
        for e in self.engines:
            e.start()
        for f in self.all():
            f.start()
        for g in extra:
            g.start()

    def spare_labels(self) -> list[str]:
        return [s.label for s in self.spares or []] + [t.label for t in self.spares]

    def comprehension(self) -> list[bool]:
        return [h.start() for h in self.engines]

    def popped(self) -> bool:
        last = self.engines.pop()
        self.engines.append(last)
        return last.start()

    def indexed(self) -> bool:
        return self.engines[0].start() and self.all_of()[-1].start()

    def all_of(self) -> list[Engine]:
        return self.engines

    def mapped(self, by_name: dict[str, Engine], key: str) -> None:
        by_name[key].start()
        found = by_name.get(key)
        if found:
            found.start()
        for engine in by_name.values():
            engine.start()
        for name in by_name:
            name.start()


    def paired(self, by_name: dict[str, Engine]) -> None:
        for i, e in enumerate(self.engines):
            e.start()
        for k, v in by_name.items():
            v.start()

    def unpaired(self, pairs: list[tuple[int, Engine]], by_name: dict[str, Engine]) -> None:
        for n, p in pairs:
            p.start()
        for j, (a, b) in enumerate(pairs):
            b.start()
        for k, v in sorted(by_name.items()):
            v.start()


def undeclared(xs: list) -> None:
    for y in xs:
        y.start()
"""


def _calls_from(ws: Workspace, src: str) -> set[tuple[str, str]]:
    return {(e.dst, e.resolution) for e in ws.edges("calls") if e.src == src}


def test_a_loop_binds_the_declared_element_type(ws: Workspace) -> None:
    ws.write("garage.py", SOURCE)
    ws.index()
    for method in ("loops", "comprehension", "popped", "indexed"):
        assert _calls_from(ws, f"garage.Garage.{method}") == {
            ("garage.Engine.start", "exact"),
            *({"loops": (("garage.Garage.all", "exact"),)}.get(method, ())),
            *({"indexed": (("garage.Garage.all_of", "exact"),)}.get(method, ())),
        }, method
    # ``append`` is the list's own method: no guess at a workspace one.
    assert ("garage.Garage.popped", "garage.Engine.label") not in {
        (e.src, e.dst) for e in ws.edges("references")
    }
    reads = {(e.src, e.dst, e.resolution) for e in ws.edges("references")}
    assert ("garage.Garage.spare_labels", "garage.Engine.label", "exact") in reads


def test_a_mappings_index_get_and_values_give_values_its_loop_keys(ws: Workspace) -> None:
    ws.write("garage.py", SOURCE)
    ws.index()
    calls = {
        (e.dst, e.resolution, e.count) for e in ws.edges("calls") if e.src == "garage.Garage.mapped"
    }
    # Three exact calls; ``name`` is a key, so its call is a guess.
    assert ("garage.Engine.start", "exact", 3) in calls
    assert ("garage.Other.start", "by_name", 1) in calls


def test_an_undeclared_element_stays_unknown(ws: Workspace) -> None:
    ws.write("garage.py", SOURCE)
    ws.index()
    assert {resolution for _dst, resolution in _calls_from(ws, "garage.undeclared")} == {"by_name"}


def test_a_loop_over_pairs_binds_an_element_or_a_value(ws: Workspace) -> None:
    ws.write("garage.py", SOURCE)
    ws.index()
    assert _calls_from(ws, "garage.Garage.paired") == {("garage.Engine.start", "exact")}
    assert {res for _dst, res in _calls_from(ws, "garage.Garage.unpaired")} == {"by_name"}
