"""The language server's index writer: after-run callbacks, other processes' runs, the lock.

A real ``IndexWriter`` runs against a small workspace under ``tmp_path``;
events are collected from its thread and waited for with a bound, never a
sleep.  Another process is stood for by ``run_index`` (its own ``Indexer``
and connection, as the CLI would use) and by holding the ``WriterLock``.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import pytest

from codeidx.index.pipeline import Indexer, IndexOptions, RunResult, run_index
from codeidx.lsp import indexing
from codeidx.lsp.indexing import IndexWatch, IndexWriter, RunEvent
from codeidx.support.paths import WriterLock

TIMEOUT = 30.0


class Recorder:
    """The writer's events and callback calls, in the order they happened."""

    def __init__(self) -> None:
        self.events: queue.Queue[tuple[str, object]] = queue.Queue()

    def emit(self, event: RunEvent) -> None:
        self.events.put(("event", event))

    def next_end(self) -> RunEvent:
        while True:
            kind, item = self.events.get(timeout=TIMEOUT)
            if kind == "event" and isinstance(item, RunEvent) and item.kind == "end":
                return item

    def until(self, wanted: str) -> list[tuple[str, object]]:
        """Everything recorded up to and including the first item of kind ``wanted``."""
        seen = []
        while True:
            kind, item = self.events.get(timeout=TIMEOUT)
            seen.append((kind, item))
            if kind == wanted:
                return seen


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "a.py").write_text("def alpha():\n    return 1\n")
    return root, tmp_path / "index"


def test_after_run_callbacks_see_each_result_after_the_end_event(
    workspace: tuple[Path, Path],
) -> None:
    root, index_dir = workspace
    recorder = Recorder()
    writer = IndexWriter(root, index_dir, recorder.emit, debounce=0.0)
    writer.add_after_run(lambda result: recorder.events.put(("after", result)))
    writer.add_after_run(lambda result: 1 / 0)  # A failing callback is logged, not fatal.
    writer.start()
    try:
        writer.request_full("initial")
        # The client hears of the run first; the derived stores follow.
        end = recorder.next_end()
        seen = recorder.until("after")
        (_, result) = seen[-1]
        assert isinstance(result, RunResult) and result.counts.files_parsed == 1
        assert end.reason == "initial" and end.result is result
    finally:
        assert writer.stop()


def test_a_run_by_another_process_is_reported_as_external(workspace: tuple[Path, Path]) -> None:
    root, index_dir = workspace
    run_index(root, index_dir)
    recorder = Recorder()
    writer = IndexWriter(root, index_dir, recorder.emit, watch_interval=0.05)
    writer.add_on_external(lambda: recorder.events.put(("external", None)))
    writer.start()
    try:
        writer.request_full("initial")
        own = recorder.next_end()
        assert own.reason == "initial" and own.result is not None
        (root / "b.py").write_text("def beta():\n    return 2\n")
        other = run_index(root, index_dir)  # Another process: its own connection and session.
        seen = recorder.until("external")
        assert all(kind != "event" or item.reason != "external" for kind, item in seen)
        end = recorder.next_end()
        assert end.reason == "external" and end.session is not None
        assert end.session.session_id == other.session_id and end.session.files_parsed == 1
    finally:
        assert writer.stop()


def test_a_writer_waiting_for_the_lock_answers_and_stops_promptly(
    workspace: tuple[Path, Path],
) -> None:
    root, index_dir = workspace
    recorder = Recorder()
    writer = IndexWriter(root, index_dir, recorder.emit)
    lock = WriterLock(index_dir)
    lock.acquire()
    try:
        writer.start()
        writer.request_full("initial")
        begin = recorder.events.get(timeout=TIMEOUT)[1]
        assert isinstance(begin, RunEvent) and begin.kind == "begin"
        assert writer.running == "initial"
        # Stopping does not wait for the other process to finish writing.
        assert writer.stop(timeout=TIMEOUT)
        end = recorder.next_end()
        assert end.stopped and end.result is None and end.error is None
    finally:
        lock.release()


def test_the_watch_ignores_the_state_it_starts_from(workspace: tuple[Path, Path]) -> None:
    root, index_dir = workspace
    watch = IndexWatch(index_dir)
    try:
        assert watch.check() is None  # No index yet.
        run_index(root, index_dir)
        assert watch.check() is None  # The first look only learns where things stand.
        assert watch.check() is None
        second = run_index(
            root,
            index_dir,
        )
        found = watch.check()
        assert found is not None and found.session_id == second.session_id
        assert watch.check() is None
    finally:
        watch.close()


def test_a_writer_looking_at_the_disk_indexes_what_changed_once(
    workspace: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A client without a file watcher: the writer looks at the disk itself.
    # A file no run takes in (here one that is reported but not there) is
    # queued once, not on every look, until its stat changes.
    root, index_dir = workspace
    monkeypatch.setattr(indexing, "POLL_SECONDS", 0.01)
    looks = threading.Semaphore(0)
    real = Indexer.changed_on_disk

    def changed_on_disk(self: Indexer, options: IndexOptions) -> object:
        found = real(self, options)
        looks.release()
        return found if found is None else {**found, "ghost.py": (1, 1)}

    monkeypatch.setattr(Indexer, "changed_on_disk", changed_on_disk)
    recorder = Recorder()
    writer = IndexWriter(root, index_dir, recorder.emit, debounce=0.0, watch_debounce=0.0)
    writer.start()
    try:
        writer.request_full("initial")
        assert recorder.next_end().reason == "initial"
        writer.poll_disk()
        (root / "b.py").write_text("def beta():\n    return 2\n")
        end = recorder.next_end()
        # ``a.py`` too when it was written within the last two seconds: the
        # index then keeps no modification time for it (``index.worker``).
        assert end.reason == "watch" and set(end.paths) - {"a.py"} == {"b.py", "ghost.py"}
        for _ in range(5):  # Later looks find nothing new.
            assert looks.acquire(timeout=TIMEOUT)
        (root / "a.py").write_text("def alpha_again():\n    return 3\n")
        end = recorder.next_end()
        assert end.reason == "watch" and end.paths == ("a.py",)
        writer.poll_disk(False)
        assert not writer.polling
    finally:
        assert writer.stop()
