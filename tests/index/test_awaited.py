"""An awaited value has the type its awaitable resolves to.

``const repo = await load()`` with ``load(): Promise<Repo>`` makes
``repo.find()`` a call of ``Repo.find``; so do Python's ``async def load()
-> Repo`` (its call is a coroutine of a ``Repo``), ``Awaitable[Repo]``,
``Coroutine[Any, Any, Repo]`` and a task's ``result()``, and Rust's
``load().await?``.  A promise's ``then`` passes its result to a callback.
Two classes define each method, so only a known result makes a call exact;
the awaitable itself, not awaited, has no ``find`` of the workspace's.
"""

from __future__ import annotations

import pytest

from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

TYPESCRIPT = """\
export class Repo {
  find(id: string): Item { return new Item(); }
}
export class Item {
  save(): void {}
}
export class Other {
  find(id: string): Other { return this; }
  save(): void {}
}

export async function load(): Promise<Repo> { return new Repo(); }
export function later(): PromiseLike<Item[]> { return Promise.resolve([]); }

export class Service {
  private pending: Promise<Repo> = load();

  async awaited(): Promise<void> {
    const repo = await load();
    repo.find("a").save();
    const items = await later();
    for (const it of items) {
      it.save();
    }
    (await load()).find("b");
    const again = await this.pending;
    again.find("c");
  }

  thens(): void {
    load().then((r) => r.find("d"));
    load().catch(() => null).then(r => r.find("e"));
  }

  notAwaited(): void {
    const p = load();
    p.find("x");
  }
}
"""

PYTHON = """\
import asyncio
from typing import Any, AsyncIterator, Awaitable, Coroutine


class Repo:
    def find(self, key: str) -> "Item":
        return Item()


class Item:
    def save(self) -> None:
        pass


class Other:
    def find(self, key: str) -> "Other":
        return self

    def save(self) -> None:
        pass


async def load() -> Repo:
    return Repo()


def scheduled() -> "asyncio.Task[Repo]":
    return asyncio.ensure_future(load())


def raw() -> Coroutine[Any, Any, Item]:
    return load_item()


def wrapped() -> Awaitable[Repo]:
    return load()


async def stream() -> AsyncIterator[Item]:
    yield Item()


async def awaited() -> None:
    repo = await load()
    repo.find("a").save()
    item = await raw()
    item.save()
    r = await wrapped()
    r.find("b")
    scheduled().result().find("c")
    async for it in stream():
        it.save()


def not_awaited() -> None:
    pending = load()
    pending.find("x")
"""

RUST = """\
use std::future::Future;
use std::pin::Pin;

pub struct Repo;
pub struct Item;
pub struct Other;

impl Repo {
    pub fn find(&self) -> Item { Item }
}
impl Item {
    pub fn save(&self) {}
}
impl Other {
    pub fn find(&self) -> Other { Other }
    pub fn save(&self) {}
}

pub async fn load() -> Result<Repo, ()> { Ok(Repo) }

pub fn boxed() -> Pin<Box<dyn Future<Output = Item> + Send>> {
    Box::pin(async { Item })
}

pub async fn run() -> Result<(), ()> {
    let repo = load().await?;
    repo.find().save();
    load().await.unwrap().find();
    boxed().await.save();
    Ok(())
}
"""


def _calls(ws: Workspace, src: str) -> set[tuple[str, str, int]]:
    return {(e.dst, e.resolution, e.count) for e in ws.edges("calls") if e.src == src}


def test_typescript_await_and_then_give_the_promised_type(ws: Workspace) -> None:
    ws.write("src/repo.ts", TYPESCRIPT)
    ws.index()
    assert _calls(ws, "src/repo.Service.awaited") == {
        ("src/repo.load", "exact", 2),
        ("src/repo.later", "exact", 1),
        ("src/repo.Repo.find", "exact", 3),
        ("src/repo.Item.save", "exact", 2),
    }
    assert _calls(ws, "src/repo.Service.thens") == {
        ("src/repo.load", "exact", 2),
        ("src/repo.Repo.find", "exact", 2),
    }
    # A promise has no ``find``: which one is meant is a guess.
    not_awaited = _calls(ws, "src/repo.Service.notAwaited")
    assert ("src/repo.load", "exact", 1) in not_awaited
    assert {res for dst, res, _n in not_awaited if dst.endswith(".find")} == {"by_name"}


def test_python_await_gives_the_result_of_a_coroutine(ws: Workspace) -> None:
    ws.write("repo.py", PYTHON)
    ws.index()
    awaited = {(dst, res, n) for dst, res, n in _calls(ws, "repo.awaited")}
    assert {(dst, n) for dst, res, n in awaited if res == "exact"} >= {
        ("repo.Repo.find", 3),
        ("repo.Item.save", 3),
    }
    assert not {dst for dst, res, _n in awaited if res != "exact"}
    assert {(e.dst, e.resolution) for e in ws.edges("calls") if e.src == "repo.not_awaited"} >= {
        ("repo.load", "exact")
    }
    # ``load()`` not awaited is a coroutine, whose ``find`` is nobody's.
    assert ("repo.Repo.find", "exact") not in {
        (e.dst, e.resolution) for e in ws.edges("calls") if e.src == "repo.not_awaited"
    }


def test_rust_await_opens_a_future(ws: Workspace) -> None:
    ws.write("Cargo.toml", '[package]\nname = "store"\nversion = "0.1.0"\n')
    ws.write("src/lib.rs", RUST)
    ws.index()
    calls = _calls(ws, "store::run")
    assert {(dst, n) for dst, res, n in calls if res == "exact" and "Other" not in dst} == {
        ("store::load", 2),
        ("store::boxed", 1),
        ("store::Repo::find", 2),
        ("store::Item::save", 2),
    }
    assert not {dst for dst, _res, _n in calls if "Other" in dst}
