"""Pausing Python's cyclic garbage collector around bulk work.

Parsing and linking make hundreds of thousands of short-lived objects and
almost no reference cycles; those objects are freed by reference counting.
Collections in the middle of such work would scan them (and the caches that
grow meanwhile) for nothing, so the indexing code pauses the collector for
the work's duration.  It owns nothing else: freezing start-up heaps and the
server's collection thresholds stay with their processes' set-up code.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block, unless it already was.

    A collector someone else disabled stays disabled afterwards: nesting or a
    worker that runs without it keeps its own choice.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
