"""A Go ``range`` loop's second name, and an index, give an element of the value.

``for _, it := range b.items`` with ``items []*Item`` makes ``it.Run()`` a
call of ``Item.Run``; a map gives its values (``map[string][]*Item`` gives
slices, whose elements a nested loop binds), and ``b.items[0].Run()``
indexes the slice.  Two types define ``Run``, so only a read element type
makes the call exact.  The first name of a range over a slice is an index,
and stays unknown.
"""

from __future__ import annotations

import pytest

from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

SOURCE = """\
package gow

type Item struct{ name string }

func (i *Item) Run() bool { return true }

type Other struct{}

func (o *Other) Run() bool { return false }

type Box struct {
\titems  []*Item
\tbyName map[string][]*Item
\tfixed  [4]Item
}

func (b *Box) Ranges() {
\tfor _, it := range b.items {
\t\tit.Run()
\t}
\tfor k, list := range b.byName {
\t\t_ = k
\t\tfor _, x := range list {
\t\t\tx.Run()
\t\t}
\t}
}

func (b *Box) Indexes() {
\tfor i := range b.fixed {
\t\tb.fixed[i].Run()
\t}
\tb.items[0].Run()
}

func (b *Box) Keys(m map[*Item]bool) {
\tfor key := range m {
\t\tkey.Run()
\t}
}
"""


def _calls_from(ws: Workspace, src: str) -> set[tuple[str, str]]:
    return {(e.dst, e.resolution) for e in ws.edges("calls") if e.src == src}


def test_ranges_and_indexes_give_elements(ws: Workspace) -> None:
    ws.write("go.mod", "module example.com/gow\n\ngo 1.21\n")
    ws.write("box.go", SOURCE)
    ws.index()
    run = ("example.com/gow.Item.Run", "exact")
    assert _calls_from(ws, "example.com/gow.Box.Ranges") == {run}
    assert _calls_from(ws, "example.com/gow.Box.Indexes") == {run}
    # A range's first name is a map's key or a slice's index: not read.
    assert {res for _dst, res in _calls_from(ws, "example.com/gow.Box.Keys")} == {"by_name"}
