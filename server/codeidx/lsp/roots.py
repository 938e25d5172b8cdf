"""Workspace roots: one ``RootState`` per folder, and routing a document to its root.

A client may open several workspace folders and add or remove them later
(``workspace/didChangeWorkspaceFolders``).  Each root is indexed on its own:
its own index folder, its own writer thread (``lsp.indexing.IndexWriter``)
and its own query pool (``lsp.runner.Runner``), bundled in a ``RootState``
that other per-root services attach to (``attach``: a service stopped and
closed with its root).  ``Roots`` holds them in the order they were added
and routes a file to the innermost root that contains it, so a folder
nested in another folder answers for its own files.

Index folders: without an explicit index folder (``indexDir``,
``--index-dir`` or ``CODEIDX_INDEX_DIR``) each root gets the per-root
default of ``support.paths.index_dir_for``.  With one, the first root of the
session (the one ``initialize`` names) uses that folder itself, as the CLI
does, and every other root a sub-folder ``roots/<name>-<hash>`` of it, so
two roots never share an index.

Event loop only, except ``RootState.stop``, which blocks (call it off the
loop).  No SQL, no parsing here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from codeidx.lsp import convert, extensions
from codeidx.lsp.answers import AnswerCache
from codeidx.lsp.indexing import IndexWriter
from codeidx.lsp.runner import Runner
from codeidx.parse.registry import language_for_path
from codeidx.query.buffers import LiveCache
from codeidx.support.paths import index_dir_for, root_label

log = logging.getLogger(__name__)

#: The sub-folder of an explicit index folder that holds the other roots' indexes.
ROOTS_FOLDER = "roots"


def index_dir_of(root: Path, first: bool, override: str | None) -> Path:
    """The index folder of a root (see module doc)."""
    if override is None:
        return index_dir_for(root)
    chosen = index_dir_for(root, override)
    return chosen if first else chosen / ROOTS_FOLDER / root_label(root)


@dataclass(eq=False)
class RootState:
    """Everything codeidx keeps for one workspace root."""

    root: Path
    index_dir: Path
    writer: IndexWriter
    runner: Runner
    last_run: extensions.RunSummary | None = None
    #: Open buffers as built for earlier requests (``query.overlay.LiveCache``).
    live_cache: LiveCache = field(default_factory=LiveCache)
    #: Changes whenever a run ends (this server's or another process's): what
    #: was built from the index before may be stale.
    generation: int = 0
    #: Expensive answers kept while the index and the edited buffers stay the same.
    answers: AnswerCache = field(default_factory=AnswerCache.from_env)
    #: Whether the names workspace symbols rank were prepared after a first run.
    names_warmed: bool = False
    #: Other per-root services by name, each with the function that closes it.
    services: dict[str, tuple[object, Callable[[], None]]] = field(default_factory=dict)

    def attach(self, name: str, service: object, close: Callable[[], None]) -> None:
        """Keep a per-root service; ``close`` runs (off the loop) when the root stops."""
        self.services[name] = (service, close)

    def service(self, name: str) -> object | None:
        found = self.services.get(name)
        return found[0] if found is not None else None

    def settled_generation(self) -> int | None:
        """The generation, or None while this root's writer is running (answers keep changing)."""
        return self.generation if self.writer.running is None else None

    def path_of(self, uri: str) -> str | None:
        """The root-relative path of a URI inside this root, else None."""
        return convert.uri_to_path(uri, self.root)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the writer, the query pool and every attached service (blocking)."""
        if not self.writer.stop(timeout):
            log.warning("the index writer of %s did not stop within %.0f s", self.root, timeout)
        self.runner.close()
        for name, (_service, close) in list(self.services.items()):
            try:
                close()
            except Exception as exc:
                log.error("closing %s of %s failed", name, self.root, exc_info=exc)
        self.services.clear()


class Roots:
    """The workspace roots of one server, in the order they were added."""

    def __init__(self) -> None:
        self._states: dict[Path, RootState] = {}

    def add(self, state: RootState) -> None:
        self._states[state.root] = state

    def remove(self, root: Path) -> RootState | None:
        return self._states.pop(root, None)

    def get(self, root: Path) -> RootState | None:
        return self._states.get(root)

    def __contains__(self, root: Path) -> bool:
        return root in self._states

    def __iter__(self) -> Iterator[RootState]:
        return iter(list(self._states.values()))

    def __len__(self) -> int:
        return len(self._states)

    @property
    def first(self) -> RootState | None:
        return next(iter(self._states.values()), None)

    def route(self, uri: str) -> tuple[RootState, str] | None:
        """The innermost root containing a URI, with the path inside it; None outside all."""
        best: tuple[RootState, str] | None = None
        for state in self._states.values():
            path = state.path_of(uri)
            if path is None:
                continue
            # The innermost root leaves the shortest path inside it.
            if best is None or path.count("/") < best[1].count("/"):
                best = (state, path)
        return best

    def source(self, uri: str) -> tuple[RootState, str] | None:
        """Like ``route``, but only for files of a language codeidx indexes."""
        found = self.route(uri)
        if found is None or language_for_path(found[1]) is None:
            return None
        return found
