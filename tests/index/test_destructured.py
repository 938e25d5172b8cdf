"""A TypeScript value taken apart has its parts' types.

``function run({ topology }: RetryOptions)`` makes ``topology.select()`` a
call of what ``RetryOptions.topology`` holds, renamed (``{ session: s }``),
nested (``{ limits: { pool } }``) and with a default (``{ retries = 3 }``)
too; a method and an arrow function take their parameters apart alike.
An unannotated pattern and a rest element say nothing.

``const { topology, session } = value`` does the same for a local, on one
line or over several, from an awaited value and under an annotation.  A
pattern whose value has no occurrence (``= this``) does not borrow the next
statement's, and a part with a default is what the default is where the
value says nothing.  A renamed part (``{ topology: t }``) is the member its
key names, and a rest (``...others``) closes a pattern without ending it.
Two classes define ``select`` and ``end``, so only the part's type makes a
call exact.
"""

from __future__ import annotations

import pytest

from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

SOURCE = """\
export class Topology {
  select(): number { return 0; }
}
export class Session {
  end(): void {}
}
export class Pool {
  end(): void {}
  select(): number { return 1; }
}
export interface Limits {
  pool: Pool;
}
export interface RetryOptions {
  topology: Topology;
  session?: Session;
  limits: Limits;
  retries: number;
}

export function run({ topology, session: s, retries = 3 }: RetryOptions): void {
  topology.select();
  s?.end();
}

export function nested({ limits: { pool } }: RetryOptions): void {
  pool.end();
}

export class Executor {
  execute({ topology }: RetryOptions): number {
    return topology.select();
  }
}

export const arrow = ({ session }: RetryOptions): void => session?.end();

export function untyped({ topology }): void {
  topology.select();
}

export function rest({ ...others }: RetryOptions): void {
  others.topology.select();
}
"""


LOCALS = """\
import { Pool, RetryOptions, Session, Topology } from "./retry";

export class Holder {
  options: RetryOptions = load0();
}
function load0(): RetryOptions {
  throw new Error();
}
export async function load(): Promise<RetryOptions> {
  return load0();
}

export function oneLine(h: Holder): void {
  const { topology, session } = h.options;
  topology.select();
  session?.end();
}

export function severalLines(h: Holder): void {
  const {
    topology,
    session,
  } = h.options;
  topology.select();
  session?.end();
}

export async function awaited(): Promise<void> {
  const { topology } = await load();
  topology.select();
}

export function annotated(value: unknown): void {
  const { session }: RetryOptions = value as RetryOptions;
  session?.end();
}

export function defaulted(value: any): void {
  const { pool = new Pool() } = value;
  pool.end();
}

export function renamed(h: Holder): void {
  const { topology: t, session: s } = h.options;
  t.select();
  s?.end();
}

export function renamedOverLines(h: Holder): void {
  const {
    retries,
    topology: t,
  } = h.options;
  t.select();
}

export function withRest(h: Holder): void {
  const { topology, ...others } = h.options;
  topology.select();
}

export function renamedDefault(value: any): void {
  const { pool: p = new Pool() } = value;
  p.end();
}

export class Pooled {
  pool: Topology = new Topology();
  go(h: Holder): void {
    const { session } = this;
    const { topology } = h.options;
    session.end();
    topology.select();
  }
}
"""


def _calls(ws: Workspace, src: str) -> set[tuple[str, str]]:
    return {(e.dst, e.resolution) for e in ws.edges("calls") if e.src == src}


def test_a_destructured_parameter_has_its_parts_types(ws: Workspace) -> None:
    ws.write("src/retry.ts", SOURCE)
    ws.index()
    assert _calls(ws, "src/retry.run") == {
        ("src/retry.Topology.select", "exact"),
        ("src/retry.Session.end", "exact"),
    }
    assert _calls(ws, "src/retry.nested") == {("src/retry.Pool.end", "exact")}
    assert _calls(ws, "src/retry.Executor.execute") == {("src/retry.Topology.select", "exact")}
    assert _calls(ws, "src/retry.arrow") == {("src/retry.Session.end", "exact")}
    assert {res for _dst, res in _calls(ws, "src/retry.untyped")} == {"by_name"}
    assert {res for _dst, res in _calls(ws, "src/retry.rest")} == {"by_name"}


def test_a_destructured_local_has_its_parts_types(ws: Workspace) -> None:
    ws.write("src/retry.ts", SOURCE)
    ws.write("src/locals.ts", LOCALS)
    ws.index()
    for function in ("oneLine", "severalLines"):
        assert _calls(ws, f"src/locals.{function}") == {
            ("src/retry.Topology.select", "exact"),
            ("src/retry.Session.end", "exact"),
        }
    assert ("src/retry.Topology.select", "exact") in _calls(ws, "src/locals.awaited")
    assert _calls(ws, "src/locals.annotated") == {("src/retry.Session.end", "exact")}
    # A part with a default is read as a plain binding of that default.
    assert _calls(ws, "src/locals.defaulted") == {("src/retry.Pool.end", "exact")}
    # A renamed part is the member its key names; a rest closes the pattern.
    assert _calls(ws, "src/locals.renamed") == {
        ("src/retry.Topology.select", "exact"),
        ("src/retry.Session.end", "exact"),
    }
    assert _calls(ws, "src/locals.renamedOverLines") == {("src/retry.Topology.select", "exact")}
    assert _calls(ws, "src/locals.withRest") == {("src/retry.Topology.select", "exact")}
    assert _calls(ws, "src/locals.renamedDefault") == {("src/retry.Pool.end", "exact")}
    # ``Pooled`` has no ``session``: the pattern's value is ``this``, not
    # the next statement's ``h.options``.
    pooled = _calls(ws, "src/locals.Pooled.go")
    assert ("src/retry.Topology.select", "exact") in pooled
    assert {res for dst, res in pooled if dst.endswith(".end")} == {"by_name"}
