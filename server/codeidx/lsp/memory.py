"""How the language server keeps the C allocator from hoarding memory.

The server is long-lived and has many threads: the event loop, the query
pool, one index writer per folder, the search threads, and the threads
Tantivy starts for each full-text sync and stops after it.  glibc's malloc
gives every new thread an arena of its own (up to eight per core), keeps
each arena's high-water mark, and returns freed memory to the operating
system only from the top of a heap.  With threads coming and going on
every save, memory that SQLite page caches, Tantivy and the parser freed
stayed resident: the server's RSS grew by about 100 MB over twenty saves
although less than half of the allocator's heap was in use.

Two measures, both no-ops where the C library is not glibc:

- ``limit_malloc_arenas`` caps the arenas at ``MALLOC_ARENAS`` (the effect of
  ``MALLOC_ARENA_MAX``); it must run before the server starts its threads.
- ``release_free_memory`` (``malloc_trim``) hands free pages back; the
  writer calls it after a run, off the path of any answer.

This module knows nothing of LSP, SQL or the index; it may be called from
any thread.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

#: Arenas for the whole process.  Python threads take turns on the
#: interpreter lock, so more arenas buy little concurrency and cost memory.
MALLOC_ARENAS = 2
#: glibc's ``mallopt`` parameter number for the arena limit (``M_ARENA_MAX``).
_M_ARENA_MAX = -8


def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has ``malloc_trim``), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        # The process's own symbols, libc's among them: no library search
        # (``ctypes.util.find_library`` runs ``ldconfig``, 16 ms at start-up).
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    if not hasattr(libc, "malloc_trim") or not hasattr(libc, "mallopt"):
        return None  # musl and other C libraries: nothing to tune.
    return libc


_LIBC = _glibc()


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas; True when the limit was set.

    Call it before the server starts threads: arenas that already exist stay.
    """
    if _LIBC is None:
        return False
    done = bool(_LIBC.mallopt(_M_ARENA_MAX, arenas))
    if not done:
        log.debug("could not limit the allocator's arenas")
    return done


def release_free_memory() -> bool:
    """Return the allocator's free pages to the operating system; True if any were.

    It takes a few milliseconds (ctypes releases the interpreter lock meanwhile).
    """
    if _LIBC is None:
        return False
    return bool(_LIBC.malloc_trim(0))
