"""Workspace symbol search: fuzzy matching over the names of every definition.

This module owns the search: it gathers the distinct candidate names of the
store (filtered by kind and language in SQL), ranks them with
``codeidx.query.fuzzy`` and expands the best names into their definitions.
A query containing ``.`` or ``::`` is matched against qualified names
(``Engine.run``), any other against simple names.  Ranking is not done
here; a test passes its own ``rank`` to check the plumbing.

Matches come by match quality (the fuzzy score) and then by proximity to
what the user is working on: among definitions of equal score, those in
the files the caller names as ``near`` (the editor's open documents) come
first, then those in the folders of those files, then the rest.  A name
that ties with the last name the ranker kept but was cut off by ``limit``
is still found when an open document defines it: the names of the near
files are ranked on their own and merged in.  Proximity never lifts a
weaker match above a better one.

Reading and ranking 50k names from scratch takes hundreds of milliseconds,
too slow for a request that fires on every keystroke, so the names of an
index are kept between searches in a ``NameCache``, per index and filter.
The cache notices what changed since it last looked through the session id
each file row carries (``stats.file_sessions``: a file's definitions are
only written with its row) and reads the names of those files alone.  From
the second search on, a ``fuzzy.NameIndex`` is built over the names on a
background thread and swapped in whole; until then, and for names added
since it was built, the one-off ``fuzzy.rank`` answers, so every answer
covers the names of the snapshot it read, built index or not.  A caller
with time to spare (the language server, once a first run has ended)
builds it ahead with ``warm_names``.

Reads only; any thread may call ``search_symbols`` with a read connection it
owns (the cache is shared by the threads of a process and guarded by a
lock).  Raises UsageError for an empty query, an unknown kind or language,
or a limit below one.  The query text is never logged.
"""

from __future__ import annotations

import posixpath
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from codeidx.errors import UsageError
from codeidx.parse.records import NODE_KINDS
from codeidx.parse.registry import LANGUAGES
from codeidx.query import fuzzy
from codeidx.query.types import Coverage, Symbol, SymbolMatch, SymbolQuery, SymbolsResult
from codeidx.store import files, nodes, stats
from codeidx.store.nodes import NodeRow

RankFn = Callable[[str, Sequence[str], int], list[tuple[int, float]]]


def validate(query: SymbolQuery) -> None:
    """Raise UsageError, with the accepted values, for a malformed query."""
    if not query.text.strip():
        raise UsageError("the symbol query is empty", hint="pass part of a name, e.g. `eng`")
    if query.kind is not None and query.kind not in NODE_KINDS:
        raise UsageError(
            f"unknown symbol kind {query.kind!r}", hint=f"use one of: {', '.join(NODE_KINDS)}"
        )
    if query.language is not None and query.language not in LANGUAGES:
        raise UsageError(
            f"unknown language {query.language!r}",
            hint=f"use one of: {', '.join(sorted(LANGUAGES))}",
        )
    if query.limit < 1:
        raise UsageError(f"the limit must be at least 1, not {query.limit}")


def search_symbols(
    conn: sqlite3.Connection,
    query: SymbolQuery,
    rank: RankFn | None = None,
    near: Sequence[str] = (),
) -> SymbolsResult:
    """The definitions whose names best match ``query.text``, best first.

    Without ``rank``, names come from the process's ``NameCache`` and are
    ranked by ``fuzzy``; with it, they are read afresh and ranked by it.
    ``near`` are workspace-relative paths of the files the user works in
    (open documents); among equal scores their definitions come first, then
    those in their folders (see ``Proximity``).
    """
    validate(query)
    text = query.text.strip()
    qualified = is_qualified(text)
    kinds = [query.kind] if query.kind is not None else None
    with stats.read_snapshot(conn):
        coverage = Coverage.of(stats.coverage(conn))
        cache = None
        if rank is None:
            cache = name_cache(conn, kinds, query.language, qualified)
            best, candidates = cache.search(conn, text, query.limit)
        else:
            names = nodes.symbol_names(conn, kinds, query.language, qualified)
            # Every name has at least one definition, so ``limit`` names suffice.
            best = [(names[i], score) for i, score in rank(text, names, query.limit)]
            candidates = len(names)
        order = {name: (position, score) for position, (name, score) in enumerate(best)}
        rows = definitions(conn, list(order), kinds, query.language, qualified, query.limit)
        # Fewer names than asked for means every match is in; else a name the open
        # documents define may tie with the last one kept and have been cut off.
        if near and len(best) >= query.limit:
            ids = [
                i for i in (files.file_id_of(conn, p) for p in dict.fromkeys(near)) if i is not None
            ]
            kept = sorted((order[key(r, qualified)][1] for r in rows), reverse=True)
            cutoff = kept[query.limit - 1] if len(kept) >= query.limit else 0.0
            if cache is not None:
                local = cache.search_files(ids, text, query.limit, cutoff)
            else:
                names = near_names(conn, ids, kinds, query.language, qualified)
                local = [
                    (names[i], score) for i, score in (rank or fuzzy.rank)(text, names, query.limit)
                ]
            more = [(n, score) for n, score in local if n not in order and score >= cutoff]
            for name, score in more:
                order[name] = (len(order), score)
            if more:
                names = [n for n, _ in more]
                rows.extend(nodes.nodes_with_names(conn, names, kinds, query.language, qualified))

    places = Proximity(near)

    def sort_key(row: NodeRow) -> tuple[float, int, int, str, int, int]:
        position, score = order[key(row, qualified)]
        return (-score, places.of(row.path), position, row.path, row.name_line, row.name_col)

    rows.sort(key=sort_key)
    matches = [SymbolMatch(Symbol.of(r), order[key(r, qualified)][1]) for r in rows[: query.limit]]
    return SymbolsResult(matches, candidates, coverage)


def warm_names(conn: sqlite3.Connection) -> int:
    """Prepare the names a workspace-symbol search of any simple name ranks (``NameCache.warm``).

    Building them takes about a second on 50k names; the first search would
    otherwise wait for their reading and rank them one by one (0.3-0.9 s on
    the standard library).  The number of names it indexed (0: nothing to do).
    """
    with stats.read_snapshot(conn):
        return name_cache(conn, None, None, False).warm(conn)


def is_qualified(text: str) -> bool:
    """Whether a query names qualified names (``Engine.run``) rather than simple ones."""
    return "." in text or "::" in text


def rank_rows(rows: Sequence[NodeRow], text: str, limit: int) -> list[SymbolMatch]:
    """Definitions held in memory ranked as ``search_symbols`` ranks stored ones.

    For the definitions of edited, unsaved buffers, which the index does not
    hold yet: the same fuzzy scores (so they merge with the index's answer),
    the same qualified-name rule, modules left out; best first, then by path
    and position.
    """
    text = text.strip()
    if not text or limit <= 0:
        return []
    qualified = is_qualified(text)
    candidates = [r for r in rows if r.kind != "module"]
    names = sorted({key(r, qualified) for r in candidates})
    scores = {names[i]: score for i, score in fuzzy.rank(text, names, limit)}
    found = [r for r in candidates if key(r, qualified) in scores]
    found.sort(key=lambda r: (-scores[key(r, qualified)], r.path, r.name_line, r.name_col))
    return [SymbolMatch(Symbol.of(r), scores[key(r, qualified)]) for r in found[:limit]]


def key(row: NodeRow, qualified: bool) -> str:
    """The name a row is ranked by: qualified for a qualified query, else simple."""
    return row.qualified_name if qualified else row.name


class Proximity:
    """How close a path is to the files the user works in: 0 one of them, 1 in the folder
    of one, 2 elsewhere.  Folders compare whole, so ``a/b.py`` is not near ``a/bc/d.py``."""

    def __init__(self, near: Sequence[str]) -> None:
        self._files = frozenset(near)
        self._folders = frozenset(posixpath.dirname(path) for path in near)

    def of(self, path: str) -> int:
        if path in self._files:
            return 0
        if self._folders and posixpath.dirname(path) in self._folders:
            return 1
        return 2


def near_names(
    conn: sqlite3.Connection,
    file_ids: Sequence[int],
    kinds: Sequence[str] | None,
    language: str | None,
    qualified: bool,
) -> list[str]:
    """The distinct names the files ``file_ids`` define, filtered, sorted."""
    found = nodes.names_by_file(conn, file_ids, kinds, language, qualified) if file_ids else {}
    return sorted({name for names in found.values() for name in names})


def definitions(
    conn: sqlite3.Connection,
    ranked: list[str],
    kinds: Sequence[str] | None,
    language: str | None,
    qualified: bool,
    limit: int,
) -> list[NodeRow]:
    """The definitions of the best names, enough to fill ``limit`` matches.

    Names are read best first in growing batches, stopping once ``limit``
    rows are in: the answer lists the best names' definitions first, and a
    common name (``open``, ``run``) alone may have dozens.
    """
    rows: list[NodeRow] = []
    start, batch = 0, 8
    while start < len(ranked) and len(rows) < limit:
        chunk = ranked[start : start + batch]
        rows.extend(nodes.nodes_with_names(conn, chunk, kinds, language, qualified))
        start, batch = start + batch, batch * 4
    return rows


# The name cache ---------------------------------------------------------------------

#: Names added or removed since the index was built beyond which it is built again.
REBUILD_AFTER = 2000
#: Caches kept per process (one per index and filter; the oldest goes first).
MAX_CACHES = 8


@dataclass(frozen=True, slots=True)
class _Ranking:
    """What one search ranks: an immutable view, swapped whole when names change.

    ``names`` are the distinct names now (sorted).  ``index`` was built over
    ``indexed`` (None before it is built); ``added`` are names present now
    but not in ``indexed`` (sorted) and ``removed`` names of ``indexed`` no
    longer present.
    """

    names: list[str]
    index: fuzzy.NameIndex | None
    indexed: Sequence[str]
    added: list[str]
    removed: frozenset[str]

    def search(self, text: str, limit: int) -> list[tuple[str, float]]:
        """(name, score) of the best ``limit`` names, best first."""
        if self.index is None:
            return [(self.names[i], score) for i, score in fuzzy.rank(text, self.names, limit)]
        hits = [
            (score, n, self.indexed[i])
            for n, (i, score) in enumerate(self.index.search(text, limit + len(self.removed)))
            if self.indexed[i] not in self.removed
        ]
        if self.added:
            more = fuzzy.rank(text, self.added, limit)
            hits.extend((score, len(hits) + n, self.added[i]) for n, (i, score) in enumerate(more))
        # Best score first; equal scores keep the index's order, then the added names'.
        hits.sort(key=lambda hit: (-hit[0], hit[1]))
        return [(name, score) for score, _, name in hits[:limit]]


class NameCache:
    """The candidate names of one index under one filter, kept up to date between searches.

    ``search`` first brings the names to the caller's snapshot, reading only
    the files whose rows were written since the last look, then ranks them.
    Any thread; the state is guarded by a lock and each search ranks an
    immutable ``_Ranking`` outside it.
    """

    def __init__(self, kinds: Sequence[str] | None, language: str | None, qualified: bool) -> None:
        self._filter = (list(kinds) if kinds else None, language, qualified)
        self._lock = threading.Lock()
        self._fingerprint: tuple[int, int, int] | None = None
        self._sessions: dict[int, int] = {}
        self._by_file: dict[int, list[str]] = {}
        self._counts: dict[str, int] = {}
        self._ranking = _Ranking([], None, (), [], frozenset())
        self._searches = 0
        self._building = False
        self._built = threading.Event()
        # One small name index per open file (by file id and session), most recent last.
        self._near: OrderedDict[tuple[int, int], tuple[list[str], fuzzy.NameIndex]] = OrderedDict()

    def _refresh(self, conn: sqlite3.Connection) -> None:
        """Bring the names to the version of the index ``conn`` reads (lock held)."""
        fingerprint = stats.files_fingerprint(conn)
        if fingerprint == self._fingerprint:
            return
        self._fingerprint = fingerprint
        sessions = stats.file_sessions(conn)
        changed = [f for f, s in sessions.items() if self._sessions.get(f) != s]
        gone = [f for f in self._sessions if f not in sessions]
        kinds, language, qualified = self._filter
        # Reading every file at once is faster than asking for most of them by id.
        wanted = None if 2 * len(changed) > len(sessions) else changed
        fresh = nodes.names_by_file(conn, wanted, kinds, language, qualified)
        appeared = vanished = False
        for file_id in (*changed, *gone):
            for name in self._by_file.pop(file_id, ()):
                left = self._counts[name] - 1
                if left:
                    self._counts[name] = left
                else:
                    del self._counts[name]
                    vanished = True
        for file_id in changed:
            names = fresh.get(file_id)
            if not names:
                continue
            self._by_file[file_id] = names
            for name in names:
                count = self._counts.get(name, 0)
                appeared = appeared or count == 0
                self._counts[name] = count + 1
        self._sessions = sessions
        if appeared or vanished:
            self._ranking = self._rank_view(self._ranking.index, self._ranking.indexed)

    def _rank_view(self, index: fuzzy.NameIndex | None, indexed: Sequence[str]) -> _Ranking:
        """A ranking of the current names over ``index`` (lock held)."""
        names = sorted(self._counts)
        if index is None:
            return _Ranking(names, None, (), [], frozenset())
        known = set(indexed)
        added = [n for n in names if n not in known]
        removed = frozenset(n for n in indexed if n not in self._counts)
        return _Ranking(names, index, indexed, added, removed)

    def search(
        self, conn: sqlite3.Connection, text: str, limit: int
    ) -> tuple[list[tuple[str, float]], int]:
        """(best (name, score) pairs, how many names were candidates) in ``conn``'s snapshot."""
        with self._lock:
            self._refresh(conn)
            self._searches += 1
            ranking = self._ranking
            stale = ranking.index is None or (
                len(ranking.added) + len(ranking.removed) > REBUILD_AFTER
            )
            if stale and self._searches >= 2 and not self._building and ranking.names:
                self._building = True
                threading.Thread(
                    target=self._build, args=(ranking.names,), name="codeidx-names", daemon=True
                ).start()
        return ranking.search(text, limit), len(ranking.names)

    def search_files(
        self, file_ids: Sequence[int], text: str, limit: int, floor: float
    ) -> list[tuple[str, float]]:
        """(name, score) of the best ``limit`` names the files ``file_ids`` define that score
        ``floor`` or more, best first, as of the last ``search`` (call it first, in the
        same snapshot).

        Each open file gets its own small ``NameIndex``, kept while the file's
        session stays: opening one more document (an editor does it all the time)
        then builds the index of that one file only, not of the whole open set.
        """
        with self._lock:
            indexes = [self._file_index(f) for f in sorted(set(file_ids))]
        best: dict[str, float] = {}
        for names, index in indexes:
            for i, score in index.search(text, limit, floor):
                if score > best.get(names[i], -1.0):
                    best[names[i]] = score
        return sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]

    def _file_index(self, file_id: int) -> tuple[list[str], fuzzy.NameIndex]:
        """The name index of one file's names, built once per session of the file (lock held)."""
        key = (file_id, self._sessions.get(file_id, -1))
        found = self._near.get(key)
        if found is None:
            names = sorted(set(self._by_file.get(file_id, ())))
            found = self._near[key] = (names, fuzzy.NameIndex(names))
            while len(self._near) > _NEAR_FILES_KEPT:
                self._near.popitem(last=False)
        else:
            self._near.move_to_end(key)
        return found

    def _build(self, names: list[str]) -> None:
        """Build a ``NameIndex`` over ``names`` and swap it in (on its own thread)."""
        try:
            index = fuzzy.NameIndex(names)
            with self._lock:
                self._ranking = self._rank_view(index, names)
        finally:
            with self._lock:
                self._building = False
            self._built.set()

    def warm(self, conn: sqlite3.Connection) -> int:
        """Bring the names to ``conn``'s snapshot and build their ``NameIndex`` here and now.

        For a caller with time to spare (a server once its first run ends): the
        first searches otherwise rank every name one by one while the index is
        built.  The number of names indexed; 0 when there was nothing to do
        (built, being built, or no names).
        """
        with self._lock:
            self._refresh(conn)
            names = self._ranking.names
            if self._ranking.index is not None or self._building or not names:
                return 0
            self._building = True
        self._build(names)
        return len(names)

    def wait_built(self, timeout: float) -> bool:
        """Wait until a ``NameIndex`` build has ended; False after ``timeout`` seconds."""
        return self._built.wait(timeout)

    @property
    def indexed(self) -> bool:
        """Whether searches use a built ``NameIndex`` (else the one-off ranking)."""
        return self._ranking.index is not None


#: Per-file name indexes a cache keeps for the open documents (an editor keeps
#: a few dozen open at most; a file's index is a few kilobytes).
_NEAR_FILES_KEPT = 64

_caches: OrderedDict[tuple[object, ...], NameCache] = OrderedDict()
_caches_lock = threading.Lock()


def name_cache(
    conn: sqlite3.Connection, kinds: Sequence[str] | None, language: str | None, qualified: bool
) -> NameCache:
    """The process's ``NameCache`` for the index ``conn`` reads, under this filter.

    An index is told apart by its database file and its first run
    (``stats.index_identity``), so a rebuilt index gets a new cache; an index
    with no run yet gets a fresh one every time.
    """
    identity = stats.index_identity(conn)
    key = (identity, tuple(kinds or ()), language, qualified)
    with _caches_lock:
        cache = _caches.get(key) if identity is not None else None
        if cache is None:
            cache = NameCache(kinds, language, qualified)
            if identity is not None:
                _caches[key] = cache
                while len(_caches) > MAX_CACHES:
                    _caches.popitem(last=False)
        else:
            _caches.move_to_end(key)
    return cache
