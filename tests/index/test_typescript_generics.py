"""A TypeScript value of a bounded type parameter has its bound's members.

``function retry<T extends Operation>(operation: T)`` makes
``operation.run()`` a call of ``Operation.run``, through ``&`` too, and a
class's own ``T`` types its fields.  An unbounded parameter says nothing.
A type parameter is a type only: ``Rpc.Any`` in ``type F<Rpc extends
Rpc.Any>`` names the imported namespace, not the parameter.  Two classes
define ``run``, so only the bound makes a call exact.
"""

from __future__ import annotations

import pytest

from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

RPC = """\
export interface Any {
  readonly tag: string;
}
"""

SOURCE = """\
import * as Rpc from "./rpc";

export class Operation {
  run(): void {}
}
export class Other {
  run(): void {}
  label(): string { return ""; }
}
export interface Named {
  label(): string;
}

export function retry<T extends Operation>(operation: T): T {
  operation.run();
  return operation;
}

export function both<T extends Operation & Named>(operation: T): string {
  operation.run();
  return operation.label();
}

export class Runner<Op extends Operation = Operation> {
  constructor(private readonly op: Op) {}

  go(): void {
    this.op.run();
  }
}

export function free<T>(value: T): void {
  value.run();
}

export type Handlers<Rpc extends Rpc.Any> = { readonly [K in Rpc["tag"]]: () => void };
"""


def _calls(ws: Workspace, src: str) -> set[tuple[str, str]]:
    return {(e.dst, e.resolution) for e in ws.edges("calls") if e.src == src}


def test_a_bounded_type_parameter_has_its_bounds_members(ws: Workspace) -> None:
    ws.write("src/rpc.ts", RPC)
    ws.write("src/ops.ts", SOURCE)
    ws.index()
    assert _calls(ws, "src/ops.retry") == {("src/ops.Operation.run", "exact")}
    assert _calls(ws, "src/ops.both") == {
        ("src/ops.Operation.run", "exact"),
        ("src/ops.Named.label", "exact"),
    }
    assert _calls(ws, "src/ops.Runner.go") == {("src/ops.Operation.run", "exact")}
    assert {res for _dst, res in _calls(ws, "src/ops.free")} == {"by_name"}
    assert ("src/ops.Handlers", "src/rpc.Any") in ws.pairs("uses_type")
