"""Encoded answers of expensive requests, kept while what they were built from stays the same.

The callers of a much called method, the references of a much used name or
the subtypes of a popular base class take hundreds of milliseconds to find
and encode (tens of thousands of locations, megabytes of JSON), and a
client asks for the same one again and again: a call hierarchy view
re-expands a node, a references view refreshes, a user peeks and then lists
the same references.  ``AnswerCache`` keeps such answers, already encoded
(``convert.JsonAnswer``), under a key the handler chooses (the method and
the definitions the answer is about, never the cursor) and returns one only
while it is still right:

- The answer was built from the index as of one ``RootState.generation``
  (which changes whenever a run ends, this server's or another process's)
  and from the open buffers that differ from the index, each standing for
  its text (``Buffer.key``).  ``Validity`` is both, taken before the work
  starts, so an answer whose work overlapped a run is filed under the old
  generation and never served after it.
- An answer is kept only when it was expensive (``min_seconds``) and
  small enough for the byte budget; the least recently used go first.
  Cheap answers are faster to rebuild than to keep.

``CODEIDX_ANSWER_CACHE_MIN_MS`` overrides the least cost of an answer kept
(the end-to-end tests set it to 0, so that every answer goes through the
cache and its invalidation is tested by every scenario).

Any thread: the worker threads read and fill it, under a lock.  Holds
bytes only, never a connection or a query object.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

from codeidx.lsp.convert import JsonAnswer
from codeidx.lsp.live import Views
from codeidx.query.buffers import Buffer

log = logging.getLogger(__name__)

#: The environment variable that overrides ``DEFAULT_MIN_SECONDS`` (in milliseconds).
MIN_MS_VARIABLE = "CODEIDX_ANSWER_CACHE_MIN_MS"
#: Bytes of encoded answers one root keeps: a few of the largest answers
#: (the callers of ``TestCase.assertEqual`` are 9 MB) and many smaller ones.
DEFAULT_BUDGET = 32 * 1024 * 1024
#: Answers found faster than this are not kept.
DEFAULT_MIN_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class Validity:
    """What an answer was built from: an index generation and the edited buffers' texts."""

    generation: int
    #: (path, Buffer.key) of every open buffer that differs from the index.
    buffers: tuple[tuple[str, object], ...]

    @classmethod
    def of(cls, generation: int, edited: Mapping[str, Buffer]) -> Validity | None:
        """The validity of an answer built now, or None when one cannot be told apart.

        A buffer without a key stands for no particular text, so an answer
        built with it cannot be recognised later.
        """
        if any(buf.key is None for buf in edited.values()):
            return None
        return cls(generation, tuple((path, edited[path].key) for path in sorted(edited)))

    def same_as(self, other: Validity) -> bool:
        # Buffer keys are compared by identity: equal keys mean equal texts.
        return (
            self.generation == other.generation
            and len(self.buffers) == len(other.buffers)
            and all(
                p == q and a is b
                for (p, a), (q, b) in zip(self.buffers, other.buffers, strict=True)
            )
        )


class AnswerCache:
    """Least recently used encoded answers within a byte budget (see module doc)."""

    def __init__(
        self, budget: int = DEFAULT_BUDGET, min_seconds: float = DEFAULT_MIN_SECONDS
    ) -> None:
        self._budget = budget
        self._min_seconds = min_seconds
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[Validity, JsonAnswer]] = OrderedDict()
        self._bytes = 0
        #: The newest generation seen: answers of older ones can never be served again.
        self._generation = 0
        self.hits = 0
        self.misses = 0

    @classmethod
    def from_env(cls) -> AnswerCache:
        """A cache with the least cost kept from ``CODEIDX_ANSWER_CACHE_MIN_MS`` if set."""
        text = os.environ.get(MIN_MS_VARIABLE, "").strip()
        try:
            min_seconds = float(text) / 1000 if text else DEFAULT_MIN_SECONDS
        except ValueError:
            log.warning("%s=%r is not a number of milliseconds; ignored", MIN_MS_VARIABLE, text)
            min_seconds = DEFAULT_MIN_SECONDS
        return cls(min_seconds=max(0.0, min_seconds))

    def get(self, key: Hashable, validity: Validity | None) -> JsonAnswer | None:
        """The answer kept under ``key`` if it was built from the same state, else None."""
        if validity is None:
            return None
        with self._lock:
            self._forget_older(validity.generation)
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            if not found[0].same_as(validity):
                self._drop(key)
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[1]

    def put(
        self, key: Hashable, validity: Validity | None, answer: JsonAnswer, seconds: float
    ) -> None:
        """Keep an answer that took ``seconds`` to build, if it is worth keeping."""
        size = len(answer.body)
        if validity is None or seconds < self._min_seconds or size > self._budget // 2:
            return
        with self._lock:
            self._forget_older(validity.generation)
            if validity.generation < self._generation:
                return  # Built from an index that has changed since.
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (validity, answer)
            self._bytes += size
            while self._bytes > self._budget:
                self._drop(next(iter(self._entries)))

    @property
    def size(self) -> int:
        """Bytes of answers kept."""
        return self._bytes

    def _forget_older(self, generation: int) -> None:
        """Drop every answer of a generation older than ``generation`` (lock held)."""
        if generation <= self._generation:
            return
        self._generation = generation
        for key in [k for k, (v, _a) in self._entries.items() if v.generation < generation]:
            self._drop(key)

    def _drop(self, key: Hashable) -> None:
        _validity, answer = self._entries.pop(key)
        self._bytes -= len(answer.body)


def remembered(
    cache: AnswerCache,
    key: Hashable,
    generation: int | None,
    views: Views,
    conn: sqlite3.Connection,
    build: Callable[[], JsonAnswer],
) -> JsonAnswer:
    """The answer kept under ``key``, or ``build()``'s, kept when it was expensive.

    ``generation`` is the root's generation when the request arrived, or
    None while a run is writing to the index (its answers change with every
    file it commits, so none is kept or served).  Runs on a query worker.
    """
    validity = None if generation is None else Validity.of(generation, views.edited(conn))
    found = cache.get(key, validity)
    if found is not None:
        return found
    started = time.perf_counter()
    answer = build()
    cache.put(key, validity, answer, time.perf_counter() - started)
    return answer
