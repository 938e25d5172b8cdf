"""A TypeScript ``for…of`` loop binds the element type an array or set type declares.

``for (const e of this.engines)`` with ``engines: Engine[]`` makes
``e.start()`` a call of ``Engine.start``; so do ``ReadonlyArray``, ``Set``
and ``readonly Foo[]`` through ``| undefined``, and ``find``/``pop`` give
an element.  Two classes define ``start``, so only a read element type
makes the call exact.  An array's own methods (``push``) are no guesses at
workspace methods of that name.
"""

from __future__ import annotations

import pytest

from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

SOURCE = """\
export class Engine {
  start(): boolean { return true; }
  push(): void {}
}

export class Other {
  start(): boolean { return false; }
}

export class Garage {
  private engines: Engine[] = [];
  private spares: ReadonlyArray<Engine> | undefined;

  constructor(private readonly parked: Set<Engine>) {}

  loops(extra: readonly Engine[]): void {
    for (const e of this.engines) {
      e.start();
    }
    for (const p of this.parked) {
      p.start();
    }
    for (const x of extra.filter((y) => y)) {
      x.start();
    }
  }

  elements(): void {
    this.engines.find((z) => z)?.start();
    const last = this.engines.pop();
    last?.start();
    this.engines.push(new Engine());
    this.engines[0].start();
  }

  maps(byName: Map<string, Engine>, table: Record<string, Engine>, key: string): void {
    byName.get(key)!.start();
    byName.get(key)?.start();
    table[key].start();
    for (const e of byName.values()) {
      e.start();
    }
  }

  callbacks(engines: Engine[]): void {
    engines.forEach((e) => e.start());
    engines.filter(f => f.start()).map((g, i) => g.start());
    engines.map((h: Other) => h.start());
  }

  untyped(items: any[]): void {
    for (const item of items) {
      item.start();
    }
  }
}
"""


def _calls_from(ws: Workspace, src: str) -> set[tuple[str, str]]:
    return {(e.dst, e.resolution) for e in ws.edges("calls") if e.src == src}


def test_a_for_of_loop_binds_the_declared_element_type(ws: Workspace) -> None:
    ws.write("src/garage.ts", SOURCE)
    ws.index()
    assert _calls_from(ws, "src/garage.Garage.loops") == {("src/garage.Engine.start", "exact")}
    assert _calls_from(ws, "src/garage.Garage.elements") == {("src/garage.Engine.start", "exact")}
    # A callback's first parameter is an element, unless annotated.
    callbacks = {
        (e.dst, e.resolution, e.count) for e in ws.edges("calls") if e.src.endswith(".callbacks")
    }
    assert callbacks == {
        ("src/garage.Engine.start", "exact", 3),
        ("src/garage.Other.start", "exact", 1),
    }
    maps = {(e.dst, e.resolution, e.count) for e in ws.edges("calls") if e.src.endswith(".maps")}
    assert maps == {("src/garage.Engine.start", "exact", 4)}
    # ``any[]`` says nothing of its elements.
    assert {res for _dst, res in _calls_from(ws, "src/garage.Garage.untyped")} == {"by_name"}
