"""Open buffers overlaid on the index: answers about the text the user sees.

The index describes every file as it was last saved and indexed.  An open
buffer may differ: a function typed but not saved, a renamed local, lines
moved down by an insertion.  This module answers definition, references,
hover, type-hierarchy preparation and the outline with every open buffer
taking the place of its indexed file:

- Each buffer (``query.buffers.Buffer``) becomes a live file
  (``query.buffers.build_live_file``): its records, extracted with the
  indexer's own queries, in the shapes of the index, with the stable ids
  the indexer would give them.  Live files are reused across requests
  through a ``LiveCache`` while neither buffer nor index changed.
- Resolution is ``index.resolve.Resolver`` with three lookups redirected:
  a live file's facts are the live ones, and the definitions of a name
  leave out the indexed definitions of live files and add their live ones.
  So a name defined in the buffer resolves to its live definition, a name
  defined elsewhere resolves through the index, and a saved definition
  keeps its id (edges from other files still find it).
- Results in a live file are reported at live positions; indexed results
  in a live file whose definition is gone from the buffer are dropped;
  references stored for a live file's old text are replaced by the live
  occurrences that resolve to the same definitions.

With no buffers, every answer is the plain query function's
(``query.definition``, ``query.references``, ``query.hover``,
``query.outline``, ``query.hierarchy``).  For a cursor in a file that is
not open, definition and hover start from the plain answer too, moved into
the buffers, and resolve anew only when the plain answer is empty or lands
on a definition a buffer dropped.  With buffers, references resolve every
candidate occurrence (a buffer may change what a stored edge says), and
document highlights (``ReferencesQuery.in_file_only``) look at the cursor's
file only.

Reads only; knows no LSP.  Build one ``Overlay`` per request, on the thread
that owns the read connection; it caches what it reads and must not be
shared between threads (the ``LiveCache`` it is given may be).  Raises
what ``query.definition.lookup`` raises for a cursor in a file that is
neither open nor indexed.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path

from codeidx.errors import UsageError
from codeidx.index.arguments import keyword_parameters
from codeidx.index.bindings import binding_scope
from codeidx.index.resolve import LOCAL, Resolver, Target
from codeidx.parse.hooks import Workspace
from codeidx.parse.records import NodeRecord
from codeidx.query import definition as definitions
from codeidx.query import hierarchy, hover, keywords, outline, references
from codeidx.query import symbols as symbols_query
from codeidx.query.buffers import (
    Buffer,
    LiveCache,
    LiveFile,
    LiveSource,
    build_live_file,
    split_lines,
    stand_in_id,
)
from codeidx.query.definition import (
    Lookup,
    declaration,
    identifier_at,
    local_binding,
    utf16_len,
)
from codeidx.query.references import local_references
from codeidx.query.types import (
    Coverage,
    Definition,
    DefinitionQuery,
    DefinitionResult,
    HoverResult,
    HoverTarget,
    Location,
    OutlineResult,
    Param,
    Position,
    PreparedTypes,
    ReferencesQuery,
    ReferencesResult,
    SourceLines,
    Symbol,
    SymbolMatch,
)
from codeidx.store import nodes, stats, symbols
from codeidx.store.nodes import NodeRow, NodeSpan
from codeidx.store.occurrences import StoredOccurrence, col_of, iter_raw, role_of
from codeidx.store.symbols import Def, FileFacts


def _first_wanted(targets: list[Target], wanted: set[int]) -> tuple[float, str] | None:
    """(confidence, resolution) of the first of ``targets`` that is wanted."""
    for t in targets:
        if t.node_id in wanted:
            return (t.confidence, t.resolution)
    return None


class _OverlayResolver(Resolver):
    """The index's resolver with live files standing in for their indexed versions."""

    def __init__(self, conn: sqlite3.Connection, overlay: Overlay) -> None:
        super().__init__(conn)
        # A proxy: the overlay holds this resolver, and a cycle would keep both
        # (and every cache of the request) alive until a full garbage collection.
        self._overlay: Overlay = weakref.proxy(overlay)
        self._merged: dict[str, list[Def]] = {}
        self._live_names = {name for live in overlay.live_files() for name in live.defs}

    def resolve(
        self, facts: FileFacts, name: str, receiver: str, enclosing: int, role: str
    ) -> list[Target] | str:
        # A name a buffer defines is merged first: the base class asks the
        # database directly about names it has not cached (by-name guesses
        # for members), which would miss definitions not yet saved.
        if name in self._live_names:
            self.defs(name)
        return super().resolve(facts, name, receiver, enclosing, role)

    def facts(self, file_id: int) -> FileFacts | None:
        live = self._overlay.live_by_file_id(file_id)
        return live.facts if live is not None else super().facts(file_id)

    def defs(self, name: str) -> list[Def]:
        merged = self._merged.get(name)
        if merged is None:
            stale = self._overlay.live_file_ids()
            merged = [d for d in super().defs(name) if d.file_id not in stale]
            for live in self._overlay.live_files():
                merged.extend(live.defs.get(name, ()))
            self._merged[name] = merged
            # The base class reads its cache directly (members, by-name
            # guesses): it must hold the merged list too.
            self._defs[name] = merged
            for d in merged:
                self._defs_by_id.setdefault(d.node_id, d)
        return merged

    def prefetch(self, names: set[str]) -> None:
        for name in names:
            self.defs(name)

    def facts_with_occurrences(self, file_id: int) -> FileFacts | None:
        live = self._overlay.live_by_file_id(file_id)
        return live.facts if live is not None else super().facts_with_occurrences(file_id)

    def parameter_names(self, node_id: int) -> frozenset[str]:
        record = self._overlay.record(node_id)
        if record is None:
            return super().parameter_names(node_id)
        return keyword_parameters([(p.name, bool(p.variadic)) for p in record.params])

    def members(self, class_id: int, name: str, facts: FileFacts, depth: int = 0) -> list[Target]:
        # Merging first makes a live class's live members (and its live
        # supertypes) visible to the base class's member search.
        self.defs(name)
        owner = self._overlay.live_def(class_id)
        if owner is not None:
            self.defs(owner.name)
        return super().members(class_id, name, facts, depth)


class Overlay:
    """Query answers with open buffers over the index (see module doc)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        root: Path,
        buffers: Mapping[str, Buffer],
        cache: LiveCache | None = None,
        generation: object = None,
    ) -> None:
        self._conn = conn
        self._root = root
        self._buffers = dict(buffers)
        self._cache = cache
        self._generation = generation
        self._live: dict[str, LiveFile] | None = None
        self._by_file_id: dict[int, LiveFile] = {}
        self._resolver: _OverlayResolver | None = None
        self._workspace_paths: Workspace | None = None

    # Live files -------------------------------------------------------------

    def live_files(self) -> list[LiveFile]:
        """Every buffer as a live file (built on first use)."""
        if self._live is None:
            self._live = {}
            for path in sorted(self._buffers):
                buf = self._buffers[path]
                live = None
                if self._cache is not None and buf.key is not None:
                    live = self._cache.get(path, buf.key, self._generation)
                if live is None:
                    live = build_live_file(self._conn, buf, stand_in_id(path), self._workspace)
                    if self._cache is not None and buf.key is not None:
                        self._cache.put(path, buf.key, self._generation, live)
                self._live[path] = live
                self._by_file_id[live.file_id] = live
        return list(self._live.values())

    def live(self, path: str) -> LiveFile | None:
        """The live file of an open path, else None."""
        if path not in self._buffers:
            return None
        self.live_files()
        assert self._live is not None
        return self._live.get(path)

    def live_by_file_id(self, file_id: int) -> LiveFile | None:
        self.live_files()
        return self._by_file_id.get(file_id)

    def live_file_ids(self) -> set[int]:
        self.live_files()
        return set(self._by_file_id)

    def live_def(self, node_id: int) -> Def | None:
        for live in self.live_files():
            row = live.by_id.get(node_id)
            if row is not None:
                return next((d for d in live.defs.get(row.name, ()) if d.node_id == node_id), None)
        return None

    def lines(self, path: str) -> list[str]:
        """What the user sees of a file: the buffer, else the saved text."""
        live = self._buffers.get(path)
        if live is not None:
            return split_lines(live.text)
        return SourceLines(self._root).lines(path)

    def _workspace(self) -> Workspace:
        """The indexed paths plus the open ones, for naming modules and resolving imports."""
        if self._workspace_paths is None:
            paths = set(symbols.file_index(self._conn)) | set(self._buffers)
            self._workspace_paths = Workspace.of(paths)
        return self._workspace_paths

    # Resolution ---------------------------------------------------------------

    @property
    def resolver(self) -> Resolver:
        if self._resolver is None:
            self._resolver = _OverlayResolver(self._conn, self)
        return self._resolver

    def row(self, node_id: int) -> NodeRow | None:
        """A definition where the user sees it; None when a buffer no longer has it."""
        for live in self.live_files():
            found = live.by_id.get(node_id)
            if found is not None:
                return found
        return None

    def _rows(self, targets: list[Target]) -> tuple[list[Target], dict[int, NodeRow]]:
        """The targets that still exist, with their rows at live positions, best first."""
        rows: dict[int, NodeRow] = {}
        missing = []
        for t in targets:
            live = self.row(t.node_id)
            if live is not None:
                rows[t.node_id] = live
            else:
                missing.append(t.node_id)
        live_paths = set(self._buffers)
        for nid, found in nodes.nodes_by_ids(self._conn, missing).items():
            if found.path not in live_paths:
                rows[nid] = found
        kept = [t for t in targets if t.node_id in rows]
        kept.sort(key=lambda t: (-t.confidence, rows[t.node_id].path, rows[t.node_id].name_line))
        return kept, rows

    def lookup(self, position: Position) -> Lookup:
        """The identifier at a position of what the user sees, resolved (see ``Lookup``).

        Raises UsageError for a line past the end of an open buffer, and what
        ``query.definition.lookup`` raises for a file that is not open.
        """
        live = self.live(position.path)
        if live is None:
            found = definitions.lookup(self._conn, self.resolver, position)
            if found.scope is not None or found.name is None:
                return found
            found.targets, found.rows = self._rows(found.targets)
            return found
        if position.line >= len(live.lines):
            raise UsageError(
                f"line {position.line} (0-based) is past the end of {position.path},"
                f" which has {len(live.lines)} lines"
            )
        facts = live.facts
        hit = identifier_at(live.facts, live.rows, position)
        if hit is None:
            return Lookup(facts)
        if isinstance(hit, NodeRow):
            target = Target(hit.node_id, hit.kind, 1.0, "exact")
            return Lookup(facts, hit.name, None, [target], {hit.node_id: hit})
        name, occ = hit
        if occ.role == "argument":
            answers, parameters = definitions.resolve_argument(self.resolver, facts, name, occ)
            targets, rows = self._rows(answers)
            return Lookup(facts, name, None, targets, rows, parameters=parameters)
        # As a saved file's occurrence resolves (imports by their statement,
        # a pattern's key by its position).
        resolved = definitions.resolve_occurrence(self.resolver, facts, name, occ)
        if resolved == LOCAL:
            scope = binding_scope(facts, name, occ.enclosing)
            return Lookup(facts, name, scope, at=occ.start_byte, occurrence=occ)
        targets, rows = self._rows(resolved if isinstance(resolved, list) else [])
        return Lookup(facts, name, None, targets, rows)

    def _source(self, blank: bool = False) -> SourceLines:
        live = {p: live.lines for p, live in self._live_map().items()}
        return LiveSource(self._root, live, blank=blank)

    def _live_map(self) -> dict[str, LiveFile]:
        self.live_files()
        assert self._live is not None
        return self._live

    def _coverage(self) -> Coverage:
        return Coverage.of(stats.coverage(self._conn))

    # Answers --------------------------------------------------------------------

    def find_definition(self, query: DefinitionQuery) -> DefinitionResult:
        """Go to definition in what the user sees (``query.definition.find_definition``)."""
        if not self._buffers:
            return definitions.find_definition(self._conn, self._root, query)
        if query.position.path not in self._buffers:
            # A cursor in a saved file: the index's answer, moved into buffers.
            moved = self._moved(definitions.find_definition(self._conn, self._root, query))
            if moved is not None:
                return moved
        with stats.read_snapshot(self._conn):
            coverage = self._coverage()
            found = self.lookup(query.position)
            source = self._source()
            if found.name is None:
                return DefinitionResult(None, False, [], coverage)
            if found.scope is not None:
                taken = definitions.taken_out(found, self.resolver, self._rows, source)
                if taken is not None:
                    return DefinitionResult(found.name, False, taken, coverage)
                where = local_binding(found, query.position.path, source)
                local = [Definition(where, None)] if where is not None else []
                return DefinitionResult(found.name, True, local, coverage)
            out = definitions.definitions_of(found, self.resolver, source)
            return DefinitionResult(found.name, False, out, coverage)

    def describe(self, query: DefinitionQuery) -> HoverResult:
        """Hover in what the user sees (``query.hover.describe``)."""
        if not self._buffers:
            return hover.describe(self._conn, self._root, query)
        if query.position.path not in self._buffers:
            described = hover.describe(self._conn, self._root, query)
            if described.local or (
                described.targets
                and all(t.symbol.path not in self._buffers for t in described.targets)
            ):
                return described
        with stats.read_snapshot(self._conn):
            coverage = self._coverage()
            found = self.lookup(query.position)
            if found.name is None:
                return HoverResult(None, False, None, [], coverage)
            if found.scope is not None:
                binding = local_binding(found, query.position.path, self._source())
                return HoverResult(found.name, True, binding, [], coverage)
            indexed = [t.node_id for t in found.targets if self.row(t.node_id) is None]
            details = nodes.node_details(self._conn, indexed)
            targets = []
            for t in found.targets:
                record = self.record(t.node_id)
                symbol = Symbol.of(found.rows[t.node_id])
                if record is not None:
                    params = [
                        Param(p.name, p.type or "", p.default or "", bool(p.variadic))
                        for p in record.params
                    ]
                    targets.append(
                        HoverTarget(
                            symbol,
                            record.doc,
                            params,
                            list(record.decorators),
                            record.visibility,
                            t.confidence,
                            t.resolution,
                        )
                    )
                    continue
                detail = details.get(t.node_id)
                if detail is None:
                    continue
                targets.append(
                    HoverTarget(
                        symbol,
                        detail.doc,
                        [Param(*p) for p in detail.params],
                        detail.decorators,
                        detail.visibility,
                        t.confidence,
                        t.resolution,
                    )
                )
            return HoverResult(found.name, False, None, targets, coverage)

    def _moved(self, result: DefinitionResult) -> DefinitionResult | None:
        """The index's definitions where the user sees them; None to resolve anew.

        None when an answer lands in an open buffer that no longer has it,
        or when there is no answer at all: the buffers may define what the
        index does not know yet.
        """
        if result.name is None or result.local:
            return result
        if not result.definitions:
            return None
        source = self._source()
        out = []
        for found in result.definitions:
            where, symbol = found.location, found.symbol
            if where.path not in self._buffers:
                out.append(found)
                continue
            row = self.row(symbol.node_id) if symbol is not None else None
            if row is None:
                return None
            target = Target(row.node_id, row.kind, where.confidence, where.resolution)
            out.append(Definition(declaration(row, source, target), Symbol.of(row)))
        return DefinitionResult(result.name, False, out, result.coverage)

    def record(self, node_id: int) -> NodeRecord | None:
        """A definition's live record (parameters, doc); None when no buffer holds it."""
        for live in self.live_files():
            found = live.records.get(node_id)
            if found is not None:
                return found
        return None

    def snapshot(self) -> AbstractContextManager[sqlite3.Connection]:
        """One version of the index for several calls (a lookup, then a search from it)."""
        return stats.read_snapshot(self._conn)

    def find_references(
        self, query: ReferencesQuery, found: Lookup | None = None
    ) -> ReferencesResult:
        """Find references in what the user sees (``query.references.find_references``).

        ``found`` is this overlay's ``lookup`` of the position, made by the
        caller inside the same ``snapshot``.
        """
        if not self._buffers:
            return references.find_references(self._conn, self._root, query, found=found)
        with stats.read_snapshot(self._conn):
            coverage = self._coverage()
            if found is None:
                found = self.lookup(query.position)
            source = self._source(blank=not query.with_text)
            if found.name is None:
                return ReferencesResult(None, False, [], [], 0, coverage)
            parameter = found if found.parameters else None
            if found.scope is not None:
                parameter = keywords.as_parameter(self.resolver, found, self._rows)
            if parameter is not None:
                open_files = [each.facts for each in self._live_map().values()]
                arguments = keywords.keyword_arguments(
                    self._conn, found.name, found.facts, query.in_file_only, open_files
                )
                return keywords.parameter_references(
                    self._conn, self.resolver, parameter, arguments, source, query, coverage
                )
            if found.scope is not None and found.facts is not None:
                return local_references(found, found.name, found.scope, source, query, coverage)
            wanted = {t.node_id for t in found.targets}
            rows = [found.rows[t.node_id] for t in found.targets]
            out: list[Location] = []
            only = query.position.path if query.in_file_only else None
            if query.include_declaration:
                out.extend(
                    declaration(row, source) for row in rows if only is None or row.path == only
                )
            files = 0
            live = self._live_map()
            for name in sorted({row.name for row in rows}):
                width = utf16_len(name)
                # (facts, the name's packed occurrences, their receiver table)
                candidates: list[tuple[FileFacts, bytes, list[str]]] = []
                if only is not None and only not in live:
                    # Highlights in a saved file: its own occurrences only.
                    if found.facts is not None and found.facts.path == only:
                        mine = found.facts.blobs.get(name)
                        if mine:
                            candidates.append((found.facts, mine, found.facts.receivers))
                elif only is None:
                    for file_id, path, blob, receivers in symbols.occurrence_rows(self._conn, name):
                        facts = self.resolver.facts(file_id)
                        if path in live or facts is None:
                            continue  # A live file's stored occurrences are of its old text.
                        candidates.append((facts, blob, receivers))
                for each in live.values():
                    live_blob = each.facts.blobs.get(name)
                    if live_blob and (only is None or each.facts.path == only):
                        candidates.append((each.facts, live_blob, each.facts.receivers))
                for facts, blob, receivers in candidates:
                    files += 1
                    out.extend(self._hits(facts, name, width, blob, receivers, wanted, source))
            out.sort(key=lambda loc: (loc.path, loc.line, loc.col))
            return ReferencesResult(
                found.name, False, [Symbol.of(r) for r in rows], out, files, coverage
            )

    def _hits(
        self,
        facts: FileFacts,
        name: str,
        width: int,
        blob: bytes,
        receivers: list[str],
        wanted: set[int],
        source: SourceLines,
    ) -> list[Location]:
        """The occurrences of ``name`` in one file that resolve to a wanted definition."""
        # Resolution depends only on these fields: resolve each key once.
        memo: dict[tuple[str, int, str], tuple[float, str] | None] = {}
        out = []
        for start, line, cr, enclosing, recv in iter_raw(blob):
            occ = StoredOccurrence(
                start, line, col_of(cr), role_of(cr), enclosing, receivers[recv - 1] if recv else ""
            )
            part = references.is_pattern_part(cr)
            if part:
                # ``const { a, b: c } = value``: the pattern's own value
                # tells which member its part takes out.
                found = self.resolver.unpacked(facts, name, start, enclosing)
                hit = _first_wanted(found, wanted)
            else:
                # A call may guess, and a keyword argument resolves through its callee.
                own = occ.role in references.OWN_KEY_ROLES
                key = (occ.receiver, enclosing, occ.role if own else "")
                if key not in memo:
                    targets = self.resolver.resolve(facts, name, occ.receiver, enclosing, occ.role)
                    memo[key] = (
                        _first_wanted(targets, wanted)
                        if targets != LOCAL and isinstance(targets, list)
                        else None
                    )
                hit = memo[key]
            if hit is not None:
                out.append(
                    Location(
                        facts.path,
                        occ.line,
                        occ.col,
                        occ.col + width,
                        references.shown_role(occ.role, part),
                        source.line(facts.path, occ.line),
                        hit[0],
                        hit[1],
                    )
                )
        return out

    def prepare_types(self, query: DefinitionQuery) -> PreparedTypes:
        """The types at a position of what the user sees (``query.hierarchy.prepare_types``)."""
        if not self._buffers:
            return hierarchy.prepare_types(self._conn, self._root, query)
        with stats.read_snapshot(self._conn):
            coverage = self._coverage()
            found = self.lookup(query.position)
            found_types = [
                Symbol.of(found.rows[t.node_id])
                for t in found.targets
                if found.rows[t.node_id].kind in hierarchy.TYPE_KINDS
            ]
            return PreparedTypes(found.name, found_types, coverage)

    def file_outline(self, path: str) -> OutlineResult | None:
        """The outline of what the user sees of ``path`` (``query.outline.file_outline``)."""
        live = self.live(path)
        if live is None:
            return outline.file_outline(self._conn, path)
        spans = {
            nid: NodeSpan(r.span.start_line, r.span.start_col, r.span.end_line, r.span.end_col)
            for nid, r in live.records.items()
        }
        with stats.read_snapshot(self._conn):
            coverage = self._coverage()
        return OutlineResult(path, outline.build_tree(live.rows, spans), coverage)

    def buffer_symbols(self, text: str, limit: int) -> list[SymbolMatch]:
        """Workspace-symbol matches among the definitions of the edited buffers.

        The index knows a buffer's definitions only once it is saved; a name
        typed a moment ago is found here (``query.symbols.rank_rows``), at
        its live position.
        """
        rows = [row for live in self.live_files() for row in live.rows]
        return symbols_query.rank_rows(rows, text, limit)

    def live_symbol(self, symbol: Symbol) -> Symbol | None:
        """An indexed definition where the user sees it; None when its buffer dropped it."""
        if symbol.path not in self._buffers:
            return symbol
        found = self.row(symbol.node_id)
        return Symbol.of(found) if found is not None else None
