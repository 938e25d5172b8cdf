"""The save path of the language server: batched saves, the notification first, the text thread.

A real ``IndexWriter`` and ``SearchService`` run against a small workspace
under ``tmp_path``; events are collected from their threads and waited for
with a bound, never a sleep.  Another process's full-text writer is stood
for by a writable ``TextIndex`` opened in the test.
"""

from __future__ import annotations

import dataclasses
import gc
import queue
import threading
import weakref
from pathlib import Path

import pytest

from codeidx.config import SearchSettings
from codeidx.index.pipeline import RunResult, run_index
from codeidx.index.search_sync import TEXT_DIR, TextSync
from codeidx.lsp.indexing import IndexWriter, RunEvent
from codeidx.lsp.searching import SearchService
from codeidx.store import db
from codeidx.store.text_index import TextIndex

TIMEOUT = 30.0


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "a.py").write_text("def alpha():\n    return 1\n")
    (root / "b.py").write_text("def beta():\n    return 2\n")
    (root / "c.py").write_text("def gamma():\n    return 3\n")
    return root, tmp_path / "index"


def test_saves_queued_together_run_as_one_save_run(workspace: tuple[Path, Path]) -> None:
    root, index_dir = workspace
    ends: queue.Queue[RunEvent] = queue.Queue()

    def emit(event: RunEvent) -> None:
        if event.kind == "end":
            ends.put(event)

    # A long quiet time, so the three saves are certainly queued together.
    writer = IndexWriter(root, index_dir, emit, debounce=0.5)
    writer.start()
    try:
        writer.request_full("initial")
        assert ends.get(timeout=TIMEOUT).reason == "initial"
        for name in ("a.py", "b.py", "c.py"):
            (root / name).write_text((root / name).read_text() + "\n\ndef more():\n    pass\n")
        writer.request_save("b.py")
        writer.request_save("a.py")
        writer.request_save("c.py")
        writer.request_save("a.py")  # Saved twice: indexed once.
        end = ends.get(timeout=TIMEOUT)
        assert end.reason == "save" and end.paths == ("a.py", "b.py", "c.py")
        assert end.result is not None and end.result.counts.files_parsed == 3
        assert writer.pending == (False, 0)
    finally:
        assert writer.stop()


def test_the_writer_settles_after_the_end_event_and_before_the_steps_after_it(
    workspace: tuple[Path, Path],
) -> None:
    root, index_dir = workspace
    order: queue.Queue[str] = queue.Queue()

    def emit(event: RunEvent) -> None:
        if event.kind == "end":
            order.put("end")

    def settle(timeout: float) -> None:
        assert timeout > 0
        order.put("settle")

    writer = IndexWriter(root, index_dir, emit, debounce=0.0, settle=settle)
    writer.add_after_run(lambda result: order.put("after"))
    writer.start()
    try:
        writer.request_full("initial")
        assert [order.get(timeout=TIMEOUT) for _ in range(3)] == ["end", "settle", "after"]
    finally:
        assert writer.stop()


def test_after_run_returns_before_the_text_thread_syncs(workspace: tuple[Path, Path]) -> None:
    root, index_dir = workspace
    run_index(root, index_dir)
    settings = dataclasses.replace(SearchSettings(), embed=False)
    service = SearchService(root, index_dir, settings)
    service.start()
    other = TextIndex.open(index_dir / TEXT_DIR, writable=True)  # Another process writes.
    try:
        # The store's writer is taken: the sync waits for it, the writer thread does not.
        service.after_run(["a.py"])
        assert not service.text_idle(timeout=0.2)
        service.after_run(["b.py"])
        other.close()
        assert service.text_idle(timeout=TIMEOUT)
        report = service.last_text
        assert report is not None and not report.stopped
        reader = TextIndex.open(index_dir / TEXT_DIR, writable=False)
        try:
            assert set(reader.manifest()) == {"a.py", "b.py"}
        finally:
            reader.close()
    finally:
        other.close()
        service.stop()


def test_a_text_sync_waits_for_another_writer_of_the_store(workspace: tuple[Path, Path]) -> None:
    root, index_dir = workspace
    run_index(root, index_dir)
    other = TextIndex.open(index_dir / TEXT_DIR, writable=True)
    results: queue.Queue[object] = queue.Queue()

    def sync() -> None:
        conn = db.connect_reader(index_dir / db.DB_NAME)
        try:
            results.put(TextSync(root, index_dir).sync(conn, ["c.py"], writer_lock=False))
        except Exception as exc:
            results.put(exc)
        finally:
            conn.close()

    thread = threading.Thread(target=sync)
    thread.start()
    try:
        with pytest.raises(queue.Empty):
            results.get(timeout=0.2)  # Still waiting for the writer.
    finally:
        other.close()
    thread.join(TIMEOUT)
    report = results.get(timeout=TIMEOUT)
    assert not isinstance(report, Exception), report
    assert getattr(report, "updated", None) == 1


def test_a_run_result_reaches_the_after_run_steps(workspace: tuple[Path, Path]) -> None:
    root, index_dir = workspace
    seen: queue.Queue[RunResult] = queue.Queue()
    writer = IndexWriter(root, index_dir, lambda event: None, debounce=0.0)
    writer.add_after_run(seen.put)
    writer.start()
    try:
        writer.request_full("initial")
        result = seen.get(timeout=TIMEOUT)
        assert result.counts.files_parsed == 3 and result.saw_everything
    finally:
        assert writer.stop()


class _Cycle:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_the_writer_collects_cyclic_garbage_after_a_run(workspace: tuple[Path, Path]) -> None:
    root, index_dir = workspace
    ends: queue.Queue[RunEvent] = queue.Queue()
    refs: list[weakref.ref[_Cycle]] = []

    def emit(event: RunEvent) -> None:
        if event.kind == "end":
            ends.put(event)

    def leave_garbage(result: RunResult) -> None:
        # A step after the run that leaves a cycle behind, as linking does.
        refs.append(weakref.ref(_Cycle()))

    writer = IndexWriter(root, index_dir, emit, debounce=0.0)
    writer.add_after_run(leave_garbage)
    enabled = gc.isenabled()
    gc.disable()  # Only the writer's own collection may free the cycle.
    writer.start()
    try:
        writer.request_full("initial")
        assert ends.get(timeout=TIMEOUT).reason == "initial"
        writer.request_full("reindex")  # Runs after the first run's steps are done.
        assert ends.get(timeout=TIMEOUT).reason == "reindex"
        assert refs and refs[0]() is None
    finally:
        if enabled:
            gc.enable()
        assert writer.stop()
