"""Find references: every occurrence that resolves to the definition at a position.

This module owns the references search.  Candidates are the stored
occurrences of the definition's name across the workspace (one row per
file that mentions the name); each is resolved with the same
``index.resolve.Resolver`` as go-to-definition and kept when it resolves to
one of the target definitions.  So a same-named method of an unrelated class
is not a reference, and an import alias under another name is not found (the
index stores occurrences by the name written).  A call on a receiver of
unknown type counts only when the name has a single candidate in the
workspace; guesses among several are left out unless the query asks for them
(``ReferencesQuery.include_guesses``).  A local variable's
references are its occurrences in the function that binds it.

Most candidates need no resolution at query time: linking resolved them
with the same resolver and stored an edge per target with every
occurrence's position as a site, so ``_StoredEdges`` reads the answer of
each occurrence the edges settle exactly and only the rest are resolved
here (see its doc for when an edge settles an occurrence).  Document
highlights search the cursor's file only (``ReferencesQuery.in_file_only``).

Reads only; any thread may call ``find_references`` with a read connection
it owns.  Raises what ``definition.lookup`` raises.
"""

from __future__ import annotations

import sqlite3
from operator import attrgetter
from pathlib import Path

from codeidx.index.link import REFERENCE_KINDS, plain_receiver
from codeidx.index.resolve import CALLABLE, CLASS_LIKE, LOCAL, Resolver, is_sure
from codeidx.index.targets import Target
from codeidx.parse.records import ROLE_CODES
from codeidx.query import keywords
from codeidx.query.definition import (
    Lookup,
    declaration,
    existing,
    local_occurrences,
    lookup,
    resolve_occurrence,
    utf16_len,
)
from codeidx.query.types import (
    Coverage,
    Location,
    ReferencesQuery,
    ReferencesResult,
    SourceLines,
    Symbol,
)
from codeidx.store import navigation, stats, symbols
from codeidx.store.edges import unpack_sites
from codeidx.store.nodes import NodeRow
from codeidx.store.occurrences import ROLE_MASK, StoredOccurrence, col_of, iter_raw, role_of
from codeidx.store.symbols import FileFacts


def find_references(
    conn: sqlite3.Connection,
    root: Path,
    query: ReferencesQuery,
    *,
    from_edges: bool = True,
    found: Lookup | None = None,
) -> ReferencesResult:
    """Answer find-references for the identifier at ``query.position`` (see module doc).

    ``from_edges=False`` resolves every candidate occurrence again instead of
    reading what linking stored; the answers are the same (tests compare them).
    ``found`` is the identifier at the position as a caller already looked it
    up in the same snapshot (``query.definition.lookup``), not looked up again.
    """
    with stats.read_snapshot(conn):
        coverage = Coverage.of(stats.coverage(conn))
        resolver = Resolver(conn)
        if found is None:
            found = lookup(conn, resolver, query.position)
        source = SourceLines(root, blank=not query.with_text)
        if found.name is None:
            return ReferencesResult(None, False, [], [], 0, coverage)
        parameter = found if found.parameters else None
        if found.scope is not None:
            parameter = keywords.as_parameter(resolver, found, lambda t: existing(conn, t))
        if parameter is not None:
            arguments = keywords.keyword_arguments(
                conn, found.name, found.facts, query.in_file_only
            )
            return keywords.parameter_references(
                conn, resolver, parameter, arguments, source, query, coverage
            )
        if found.scope is not None and found.facts is not None:
            return local_references(found, found.name, found.scope, source, query, coverage)
        wanted = {t.node_id for t in found.targets}
        rows = [found.rows[t.node_id] for t in found.targets]
        names = sorted({row.name for row in rows})
        out: list[Location] = []
        if query.include_declaration:
            out.extend(
                declaration(row, source)
                for row in rows
                if not query.in_file_only or row.path == query.position.path
            )
        # A keyword argument refers to a member it sets (a dataclass's field),
        # never to a callable, class or module: for those its occurrences of
        # the name are no candidates, and need no resolution.
        members = any(
            row.kind not in CALLABLE and row.kind not in CLASS_LIKE and row.kind != "module"
            for row in rows
        )
        files = 0
        if query.in_file_only:
            facts = found.facts
            if facts is not None and any(name in facts.blobs for name in names):
                files = 1
                for name in names:
                    blob = facts.blobs.get(name)
                    if blob is not None:
                        here = _FileOccurrences(facts.path, name, blob, facts.receivers)
                        known = {} if members else here.arguments_unwanted()
                        out.extend(here.references(resolver, facts, wanted, known, query, source))
        else:
            stored = None
            if from_edges and len(wanted) == 1:
                stored = _StoredEdges(conn, rows[0], query)
            for name in names:
                for file_id, path, blob, receivers in symbols.occurrence_rows(conn, name):
                    here = _FileOccurrences(path, name, blob, receivers)
                    known = stored.known(file_id, here) if stored is not None else {}
                    if not members:
                        known.update(here.arguments_unwanted())
                    if not here.settled_by(known) and resolver.facts(file_id) is None:
                        continue  # Deleted between reads; the snapshot prevents it.
                    files += 1
                    out.extend(here.references(resolver, file_id, wanted, known, query, source))
        out.sort(key=attrgetter("path", "line", "col"))
        return ReferencesResult(
            found.name, False, [Symbol.of(r) for r in rows], out, files, coverage
        )


#: The roles linking makes "references" edges for (``index.link.REFERENCE_KINDS``).
_ACCESS_ROLES = ("read", "write")
#: A destructuring pattern's names and keys (``a`` and ``c`` of ``{ a, b: c }``).
_PATTERN_PARTS = (ROLE_CODES["unpack"], ROLE_CODES["key"])
#: The key kind of a destructuring pattern's part: one key per occurrence.
_UNPACKED = "unpack"

#: What resolving an occurrence depends on besides its file and name:
#: (receiver index, enclosing ordinal or import line, "call" | "import" |
#: "argument" | "option" | "").  Imports resolve by their statement, calls
#: may guess, a keyword argument and an options object's key resolve through
#: their callee, and every other role resolves by scope alone; linking
#: memoizes resolution on the same fields.
Key = tuple[int, int, str]
#: A reference's (confidence, resolution), or None when it is not one.
Hit = tuple[float, str] | None
#: An occurrence as stored: (start byte, line, col << ROLE_BITS | role, enclosing, receiver + 1).
Raw = tuple[int, int, int, int, int]


#: The roles whose receiver is resolved their own way (see ``Key``).
OWN_KEY_ROLES = frozenset({"call", "argument", "option"})


def is_pattern_part(col_role: int) -> bool:
    """Whether a stored occurrence is a destructuring pattern's name or key.

    Such a part reads the member of its own value (``Resolver.unpacked``):
    it resolves by its position, alone.
    """
    return col_role & ROLE_MASK in _PATTERN_PARTS


def shown_role(role: str, pattern_part: bool) -> str:
    """The role a reference is listed with: a pattern part reads its member, an option sets it."""
    if pattern_part:
        return "read"
    return "write" if role == "option" else role


def _key(line: int, role: str, enclosing: int, recv: int) -> Key:
    if role in OWN_KEY_ROLES:
        return (recv, enclosing, role)
    if role == "import":
        return (recv, line, "import")
    return (recv, enclosing, "")


class _FileOccurrences:
    """The stored occurrences of one name in one file, decoded without an object each."""

    def __init__(self, path: str, name: str, blob: bytes, receivers: list[str]) -> None:
        self.path = path
        self.name = name
        self.receivers = receivers
        self.raw: list[Raw] = list(iter_raw(blob))
        self.keys: list[Key] = [
            (0, start, _UNPACKED)
            if is_pattern_part(cr)
            else _key(line, role_of(cr), enclosing, recv)
            for start, line, cr, enclosing, recv in self.raw
        ]

    def key_at(self) -> dict[tuple[int, int], Key]:
        """(line, col) → key of every occurrence: edge sites are such positions."""
        return {(raw[1], col_of(raw[2])): key for raw, key in zip(self.raw, self.keys, strict=True)}

    def access_keys(self, plain: bool, receivers: bool) -> set[Key]:
        """Keys that hold a read or a write: without a receiver, or through a name path.

        ``plain`` takes keys without a receiver, ``receivers`` those whose
        receiver is a name path (``self``, ``os.path``; see
        ``index.link.plain_receiver``).  Such a key may also hold
        annotations, bases or decorators in the same definition; they
        resolve alike (only a call may guess), so the read or write stands
        for them all.
        """
        out: set[Key] = set()
        if not plain and not receivers:
            return out
        # A file's receiver table holds every receiver of the file; only
        # this name's are looked at, each once.
        paths: dict[int, bool] = {}
        for raw, key in zip(self.raw, self.keys, strict=True):
            recv = key[0]
            if key[2] or key in out:
                continue
            if not recv:
                if not plain:
                    continue
            else:
                if not receivers:
                    continue
                path = paths.get(recv)
                if path is None:
                    path = paths[recv] = plain_receiver(self.receivers[recv - 1])
                if not path:
                    continue
            if role_of(raw[2]) in _ACCESS_ROLES:
                out.add(key)
        return out

    def arguments_unwanted(self) -> dict[Key, Hit]:
        """The keys of keyword arguments, as no reference (when no member is wanted)."""
        return {key: None for key in self.keys if key[2] == "argument"}

    def settled_by(self, known: dict[Key, Hit]) -> bool:
        return len(known) > 0 and all(k in known for k in self.keys)

    def references(
        self,
        resolver: Resolver,
        file: int | FileFacts,
        wanted: set[int],
        known: dict[Key, Hit],
        query: ReferencesQuery,
        source: SourceLines,
    ) -> list[Location]:
        """The occurrences that are references to ``wanted``.

        ``known`` holds the keys whose answer is already settled; the other
        keys are resolved here, each once, and added to it.  ``file`` is the
        file's facts or its id (the facts are read only when needed).
        """
        facts = file if isinstance(file, FileFacts) else None
        path, name = self.path, self.name
        width = utf16_len(name)
        # Answers without text (the language server's) look up no line: a much
        # used name has tens of thousands of references.
        text = None if source.blank else source.line
        out: list[Location] = []
        for (start, line, cr, enclosing, recv), key in zip(self.raw, self.keys, strict=True):
            if key in known:
                hit = known[key]
            else:
                if facts is None:
                    assert isinstance(file, int)
                    facts = resolver.facts(file)
                    assert facts is not None  # The caller checked that it exists.
                if key[2] == _UNPACKED:
                    found = resolver.unpacked(facts, name, start, enclosing)
                    hit = known[key] = _hit(found, wanted, query)
                else:
                    receiver = self.receivers[recv - 1] if recv else ""
                    occ = StoredOccurrence(
                        start, line, col_of(cr), role_of(cr), enclosing, receiver
                    )
                    hit = known[key] = _resolved_hit(resolver, facts, name, occ, wanted, query)
            if hit is not None:
                col = col_of(cr)
                shown = "" if text is None else text(path, line)
                role = shown_role(role_of(cr), key[2] == _UNPACKED)
                out.append(Location(path, line, col, col + width, role, shown, hit[0], hit[1]))
        return out


def _resolved_hit(
    resolver: Resolver,
    facts: FileFacts,
    name: str,
    occ: StoredOccurrence,
    wanted: set[int],
    query: ReferencesQuery,
) -> Hit:
    targets = resolve_occurrence(resolver, facts, name, occ)
    if targets == LOCAL or not isinstance(targets, list):
        return None
    return _hit(targets, wanted, query)


def _hit(targets: list[Target], wanted: set[int], query: ReferencesQuery) -> Hit:
    """The first of ``targets`` the query wants, as a hit."""
    for t in targets:
        if t.node_id in wanted and (query.include_guesses or is_sure(t.resolution, t.confidence)):
            return (t.confidence, t.resolution)
    return None


class _StoredEdges:
    """Answers for occurrence keys that the stored edges to one definition settle exactly.

    Linking resolves every occurrence with the same ``Resolver`` and adds
    each target an edge from the enclosing definition (from the module, for
    imports and reads of modules) with the occurrence's position as a site.
    Every occurrence of a key resolves alike, so a key with one occurrence
    among an edge's sites resolves to its target.  An edge keeps only the
    best confidence of its sites, and some occurrences make no edge
    (locals, attribute reads through ``self`` or an expression, reads
    resolved by a guess among several candidates), so the edges answer
    these keys only:

    - A key all of whose occurrences are the only sites of an edge to the
      wanted definition resolves to it with the edge's confidence.
    - A key among the sites of an edge to a module resolves to it exactly
      with confidence 1.0, however the edge is shared: the resolver names a
      module no other way (``Resolver.module_targets``).  This matters
      because a file's reads of a module share one edge, and an import's
      edge also has its statement's position as a site.
    - A call key that is not among the sites of any edge to it does not
      resolve to it: a call makes an edge to each of its targets, whatever
      their kind, with every occurrence of the key as a site.  The same
      holds for an import key in another file than the definition's (an
      import is never dropped as a reference of its enclosing definition).
    - So does a key without a receiver that holds a read or a write, in
      another file than the definition's, when the definition's kind is one
      linking makes "references" edges to (``index.link.REFERENCE_KINDS``).
      Linking skips such an access only when it names a local variable
      (which resolves to no definition), when it is inside the definition
      itself (which only its own file holds), or when a guess among several
      candidates resolves it, which is a reference only to a query that
      includes guesses: such a query keeps this rule for modules alone,
      which are never guessed.  Nor is the rule kept for a top-level
      definition alone with its name (``_sole_guess``): a file linked while
      it had a rival may lack the edge of a guess that is sure now.
    - And so does a key that reads or writes through a name path (``x.f``,
      ``self.f``) in another file, when the definition is also a module or
      no member of a class (defined in a module or in a function).  Through
      a receiver, a read reaches such a definition only by an exact lookup
      inside a module, for which linking makes an edge; a read through
      ``self``, which makes no edge, finds members of classes, never those.

    Every other key (one sharing an edge with other keys or with another
    name's occurrences, a read through an expression, a read through a name
    path when the definition is a member of a class, a plain key of
    annotations or decorators alone), and every key of a file whose edges
    are out of date (``linked = 0``), is resolved at query time.  Only a
    query about a single definition is answered this way: with several,
    which one a key names first decides its confidence, and edges do not
    keep that order.
    """

    def __init__(self, conn: sqlite3.Connection, row: NodeRow, query: ReferencesQuery) -> None:
        """Read the edges to the definition ``row``, the one the query is about."""
        self._by_file: dict[int, list[navigation.StoredEdge]] = {}
        for edge in navigation.edges_to(conn, [row.node_id]):
            self._by_file.setdefault(edge.file_id, []).append(edge)
        self._unlinked = navigation.unlinked_file_ids(conn)
        self._defining_file = row.file_id
        self._include_guesses = query.include_guesses
        self._module = row.kind == "module"
        edged = row.kind in REFERENCE_KINDS
        parent = navigation.parent_kind(conn, row.node_id) if edged else None
        self._plain_proves = edged and (
            self._module or (not query.include_guesses and not _sole_guess(conn, row, parent))
        )
        self._receivers_prove = edged and (
            parent is None or parent == "module" or parent in CALLABLE
        )

    def known(self, file_id: int, here: _FileOccurrences) -> dict[Key, Hit]:
        """The keys of this file's occurrences that the edges settle (see class doc)."""
        if file_id in self._unlinked:
            return {}
        edges = self._by_file.get(file_id, [])
        key_at = here.key_at() if edges else {}
        settled: dict[Key, navigation.StoredEdge] = {}
        mixed: set[Key] = set()
        for edge in edges:
            keys = {key_at.get(site) for site in unpack_sites(edge.sites)}
            found = [k for k in keys if k is not None]
            if len(keys) == 1 and found:
                settled.setdefault(found[0], edge)
            else:
                mixed.update(found)
        out: dict[Key, Hit] = {}
        for key, edge in settled.items():
            if key not in mixed:
                sure = self._include_guesses or is_sure(edge.resolution, edge.confidence)
                out[key] = (edge.confidence, edge.resolution) if sure else None
        if self._module:
            for key in mixed:
                out[key] = (1.0, "exact")
        absent_proves = file_id != self._defining_file
        accesses = here.access_keys(
            absent_proves and self._plain_proves, absent_proves and self._receivers_prove
        )
        for key in set(here.keys):
            if key in settled or key in mixed:
                continue
            if key[2] == "call" or (key[2] == "import" and absent_proves) or key in accesses:
                out[key] = None
        return out


def _sole_guess(conn: sqlite3.Connection, row: NodeRow, parent: str | None) -> bool:
    """Whether a plain read may name ``row`` by a sure guess that a linked file lacks.

    A top-level definition alone with its name is what a by-name guess with
    no rival finds.  A file linked while a rival of the same name existed
    made no edge for its guess, and removing the rival does not re-link it
    (only new names and vanished targets do), so its plain reads of the name
    are resolved again rather than settled by a missing edge.
    """
    if parent != "module":
        return False
    return navigation.top_level_named(conn, row.name, row.language) < 2


def local_references(
    found: Lookup,
    name: str,
    scope: int,
    source: SourceLines,
    query: ReferencesQuery,
    coverage: Coverage,
) -> ReferencesResult:
    facts = found.facts
    assert facts is not None
    occs = local_occurrences(facts, name, scope)
    out = keywords.local_locations(facts.path, name, occs, source, query)
    return ReferencesResult(name, True, [], out, 1, coverage)
