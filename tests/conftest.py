"""Fixtures shared by the store and index tests.

``sqlite_leak_check`` fails a test that leaves a SQLite connection open: every
connection has an owner and a close path (STYLE.md section 7), and a
long-lived server that leaks one per request runs out of file handles.
"""

from __future__ import annotations

import sqlite3
import traceback
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.workspace import Workspace


class _TrackedConnection(sqlite3.Connection):
    """A connection that remembers where it was opened and whether it was closed.

    sqlite3.Connection itself takes no weak references; this subclass does,
    so tracking never keeps a connection alive.  A connection that is garbage
    collected without ``close()`` counts as leaked too: it relied on the
    collector instead of an owner.
    """

    leaked_unclosed: list[str]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.opened_at = "".join(traceback.format_stack(limit=8)[:-2])
        self.closed = False

    def close(self) -> None:
        self.closed = True
        super().close()

    def __del__(self) -> None:
        if not self.closed:
            _TrackedConnection.leaked_unclosed.append(self.opened_at)


@pytest.fixture
def sqlite_leak_check(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if a sqlite3 connection it opened is still open at its end."""
    live: weakref.WeakSet[_TrackedConnection] = weakref.WeakSet()
    _TrackedConnection.leaked_unclosed = []
    real_connect = sqlite3.connect

    def tracking_connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        kwargs.setdefault("factory", _TrackedConnection)
        conn = real_connect(*args, **kwargs)  # type: ignore[call-overload]
        if isinstance(conn, _TrackedConnection):
            live.add(conn)
        return conn

    monkeypatch.setattr(sqlite3, "connect", tracking_connect)
    yield
    monkeypatch.setattr(sqlite3, "connect", real_connect)
    still_open = [c for c in live if not c.closed]
    collected = list(_TrackedConnection.leaked_unclosed)
    for conn in still_open:
        conn.closed = True  # Do not report it again from __del__.
        conn.close()
    problems = [f"still open, opened at:\n{c.opened_at}" for c in still_open]
    problems += [f"collected without close(), opened at:\n{site}" for site in collected]
    if problems:
        pytest.fail(
            f"{len(problems)} sqlite3 connection(s) leaked:\n" + "\n".join(problems),
            pytrace=False,
        )


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """An empty workspace with its index folder beside it (not inside it)."""
    root = tmp_path / "ws"
    root.mkdir()
    return Workspace(root, tmp_path / "index")
