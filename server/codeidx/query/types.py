"""Request and result types of the query layer: plain dataclasses, no protocol types.

Every position here is a workspace-relative POSIX ``path``, a 0-based
``line`` and a 0-based ``col`` in UTF-16 code units (what the index stores
and what LSP speaks), so the language server converts nothing and the CLI
converts only to the 1-based character columns people type.  Never import
pygls or lsprotocol here.  Results carry ``Coverage`` so that an answer from
a partial index says so.

``SourceLines`` is the one helper: it reads the line texts that results show,
from the files on disk (the index stores no source text).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, overload

import numpy as np
import numpy.typing as npt

from codeidx.store.edges import unpack_site_columns, unpack_sites
from codeidx.store.nodes import NodeRow
from codeidx.store.stats import CoverageRow, SessionRow


@dataclass(frozen=True, slots=True)
class Position:
    """A cursor position in a workspace file."""

    path: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Coverage:
    """How complete the index behind an answer is.

    ``partial`` is true when the last run did not complete or when files still
    wait for their edges; ``reason`` then says why in one sentence.
    """

    partial: bool
    files: int
    unlinked_files: int
    last_status: str | None
    reason: str | None = None

    @classmethod
    def of(cls, row: CoverageRow) -> Coverage:
        reason = None
        if row.last_status is None:
            reason = "no index run has finished yet"
        elif row.last_status != "complete":
            reason = f"the last index run is {row.last_status}"
        elif row.unlinked_files:
            reason = f"{row.unlinked_files} files are not linked yet"
        return cls(reason is not None, row.files, row.unlinked_files, row.last_status, reason)


@dataclass(frozen=True, slots=True)
class Symbol:
    """A definition, located by its name."""

    node_id: int
    name: str
    qualified_name: str
    kind: str
    language: str
    path: str
    line: int
    col: int
    end_col: int
    signature: str = ""

    @classmethod
    def of(cls, row: NodeRow) -> Symbol:
        return cls(
            row.node_id,
            row.name,
            row.qualified_name,
            row.kind,
            row.language,
            row.path,
            row.name_line,
            row.name_col,
            row.name_end_col,
            row.signature,
        )


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file with the text of its line.

    ``role`` is ``definition`` for a declaration, otherwise the occurrence's
    role (``call``, ``read``, ``write``, ``import``, ``type``, ...).
    """

    path: str
    line: int
    col: int
    end_col: int
    role: str
    text: str
    confidence: float = 1.0
    resolution: str = "exact"  # exact | by_name | local


# Definition and references ------------------------------------------------


@dataclass(frozen=True, slots=True)
class DefinitionQuery:
    """Go to the definition of the identifier at ``position``."""

    position: Position


@dataclass(frozen=True, slots=True)
class Definition:
    """One place the identifier may be defined; ``symbol`` is None for a local.

    A keyword argument's parameter has no symbol either; ``parameter_of`` is
    the callable that binds it.
    """

    location: Location
    symbol: Symbol | None
    parameter_of: Symbol | None = None


@dataclass(frozen=True, slots=True)
class DefinitionResult:
    """The identifier found at the position (None: nothing there) and its definitions."""

    name: str | None
    local: bool
    definitions: list[Definition]
    coverage: Coverage


@dataclass(frozen=True, slots=True)
class ReferencesQuery:
    """Find every reference to the identifier at ``position``."""

    position: Position
    include_declaration: bool = True
    #: Also list by-name guesses that share the name with other definitions
    #: (see ``index.resolve.MIN_CONFIDENCE``); they are left out by default.
    include_guesses: bool = False
    #: Only the references in the file of ``position`` (document highlights):
    #: the rest of the workspace is not searched.
    in_file_only: bool = False
    #: Read the text of each reference's line (``Location.text``); protocol
    #: answers show no text, and reading tens of thousands of lines is slow.
    with_text: bool = True


@dataclass(frozen=True, slots=True)
class ReferencesResult:
    """The references of the definitions the identifier resolves to.

    ``symbols`` are those definitions (empty for a local variable; for a
    parameter, ``local`` is set and ``symbols`` holds its callables); the
    references are sorted by path, line and column.
    """

    name: str | None
    local: bool
    symbols: list[Symbol]
    references: list[Location]
    files_searched: int
    coverage: Coverage


# Call hierarchy -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallsQuery:
    """Callers (``incoming``) or callees of every symbol matching ``name``."""

    name: str
    incoming: bool
    #: Also list calls resolved only by an ambiguous name guess (see
    #: ``index.resolve.MIN_CONFIDENCE``); they are left out by default.
    include_guesses: bool = False


@dataclass(frozen=True, slots=True)
class CallSite:
    """Where one call is written."""

    path: str
    line: int
    col: int
    text: str


@dataclass(frozen=True, slots=True)
class Call:
    """Calls between the queried symbol and ``symbol`` (its caller or callee)."""

    symbol: Symbol
    kind: str  # calls | instantiates
    count: int
    confidence: float
    resolution: str
    sites: list[CallSite]


class CallRow(NamedTuple):
    """One caller or callee of a ``CallGroup`` as the index stores it, its sites still packed.

    The first six fields are the order calls are listed in: by where the
    other definition is, then by kind, then (for definitions named at the
    same place) by the file of its first edge and its id.  ``sites`` holds
    (path of the file stating the edge, packed sites) per stored edge; a
    caller with an exact call and a by-name guess of the same kind has two.
    ``confidence`` and ``resolution`` are its most confident edge's.
    """

    path: str
    line: int
    col: int
    kind: str  # calls | instantiates
    first_path: str
    node_id: int
    name: str
    qualified_name: str
    node_kind: str
    language: str
    end_col: int
    signature: str
    site_count: int
    confidence: float
    resolution: str
    sites: tuple[tuple[str, bytes | None], ...]

    def symbol(self) -> Symbol:
        """The other definition as a ``Symbol``."""
        return Symbol(
            self.node_id,
            self.name,
            self.qualified_name,
            self.node_kind,
            self.language,
            self.path,
            self.line,
            self.col,
            self.end_col,
            self.signature,
        )

    def site_lines(self) -> list[tuple[str, list[tuple[int, int]]]]:
        """(path, its (line, col) sites in order) per file, files in path order."""
        sites = self.sites
        if len(sites) == 1:
            path, blob = sites[0]
            pairs = unpack_sites(blob)
            pairs.sort()
            return [(path, pairs)]
        by_path: dict[str, list[tuple[int, int]]] = {}
        for path, blob in sites:
            by_path.setdefault(path, []).extend(unpack_sites(blob))
        return [(path, sorted(by_path[path])) for path in sorted(by_path)]


class SiteColumns(NamedTuple):
    """The sites of a ``CallList``'s rows as columns (``CallList.site_columns``).

    Row i's sites are the next ``counts[i]`` values of ``lines`` and
    ``cols``, in (line, col) order.  A row whose sites lie in several files
    has none here: ``CallRow.site_lines`` gives them.
    """

    counts: npt.NDArray[np.int64]
    lines: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]


class CallList(Sequence[Call]):
    """The calls of a ``CallGroup``: packed rows, made into ``Call`` records when read.

    A much called method has tens of thousands of callers and call sites.
    An answer encoded at once (the language server's) reads ``rows`` and
    makes no record per caller or per site; reading the list as a sequence
    makes every ``Call`` once, with ``CallSite.text`` from ``source`` (empty
    without one).  Belongs to the query that made it, like ``source``.
    """

    __slots__ = ("_calls", "_source", "rows")

    def __init__(self, rows: Sequence[CallRow], source: SourceLines | None = None) -> None:
        self.rows = rows
        self._source = source
        self._calls: list[Call] | None = None

    def records(self) -> list[Call]:
        """Every call as a record, made on first use."""
        if self._calls is None:
            text = self._source.line if self._source is not None else None
            self._calls = [
                Call(
                    row.symbol(),
                    row.kind,
                    row.site_count,
                    row.confidence,
                    row.resolution,
                    [
                        CallSite(path, line, col, text(path, line) if text else "")
                        for path, pairs in row.site_lines()
                        for line, col in pairs
                    ],
                )
                for row in self.rows
            ]
        return self._calls

    def site_columns(self) -> SiteColumns:
        """Every one-file row's sites, decoded at once (``SiteColumns``).

        For answers written all at once: a much called method has tens of
        thousands of callers, and decoding their sites one row at a time
        costs more than writing them.
        """
        blobs = [sites[0][1] if len(sites) == 1 else None for *_, sites in self.rows]
        counts, lines, cols = unpack_site_columns(blobs)
        if lines.size > 1:
            # Sites are packed in the order linking met them, which is the
            # order of the text for all but the calls of one definition by
            # two names: sort only when some row is out of order.
            row = np.repeat(np.arange(counts.size), counts)
            same = row[1:] == row[:-1]
            back = (lines[1:] < lines[:-1]) | ((lines[1:] == lines[:-1]) & (cols[1:] < cols[:-1]))
            if bool(np.any(same & back)):
                order = np.lexsort((cols, lines, row))
                lines, cols = lines[order], cols[order]
        return SiteColumns(counts, lines, cols)

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> Call: ...

    @overload
    def __getitem__(self, index: slice) -> list[Call]: ...

    def __getitem__(self, index: int | slice) -> Call | list[Call]:
        return self.records()[index]

    def __iter__(self) -> Iterator[Call]:
        return iter(self.records())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CallList):
            return self.records() == other.records()
        if isinstance(other, list):
            return self.records() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CallList({self.records()!r})"


@dataclass(frozen=True, slots=True)
class Recursion:
    """How a symbol recurses: ``direct`` (calls itself) or ``mutual``.

    ``cycle`` is one shortest cycle through the symbol, first and last element
    the symbol itself; ``members`` counts its strongly connected component.
    ``confidence`` is the lowest edge confidence on the cycle.
    """

    kind: str
    cycle: list[Symbol]
    members: int
    confidence: float


@dataclass(frozen=True, slots=True)
class CallGroup:
    """One symbol matching the query name, with its calls.

    ``calls`` are listed by where the caller or callee is (``CallRow``).
    ``recursion_complete`` is false when the call graph reachable from the
    symbol was larger than the bound and a cycle may have gone unseen.
    """

    symbol: Symbol
    calls: CallList
    recursion: Recursion | None
    recursion_complete: bool


@dataclass(frozen=True, slots=True)
class CallsResult:
    """Every matching symbol's group; empty when no callable matched the name."""

    name: str
    incoming: bool
    groups: list[CallGroup]
    coverage: Coverage


# Hover ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Param:
    """One declared parameter; ``type`` and ``default`` are empty when not written."""

    name: str
    type: str
    default: str
    variadic: bool


@dataclass(frozen=True, slots=True)
class HoverTarget:
    """One definition the identifier may refer to, with what a hover shows of it.

    ``symbol`` carries the kind, qualified name, signature and defining file
    and position; ``doc`` is the docstring or doc comment as written (None
    when there is none).  ``confidence`` and ``resolution`` say how the
    identifier was resolved to this definition.
    """

    symbol: Symbol
    doc: str | None
    params: list[Param]
    decorators: list[str]
    visibility: str
    confidence: float
    resolution: str


@dataclass(frozen=True, slots=True)
class HoverResult:
    """What the identifier at a position is.

    ``name`` is None when there is no identifier there.  For a local variable
    or parameter ``local`` is true and ``binding`` is where it is first bound
    (None when no binding was found); otherwise ``targets`` lists the
    definitions, best first.
    """

    name: str | None
    local: bool
    binding: Location | None
    targets: list[HoverTarget]
    coverage: Coverage


# Document outline -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutlineNode:
    """A definition in a file outline.

    ``symbol`` locates the name (the selection range) and carries the kind and
    signature (the detail); ``start_*``/``end_*`` are the whole extent, which
    always contains the name.  ``children`` are the members, in document order.
    """

    symbol: Symbol
    start_line: int
    start_col: int
    end_line: int
    end_col: int
    children: list[OutlineNode]

    @property
    def detail(self) -> str:
        return self.symbol.signature


@dataclass(frozen=True, slots=True)
class OutlineResult:
    """The definitions of one file as a tree (the module itself is left out)."""

    path: str
    nodes: list[OutlineNode]
    coverage: Coverage


# Type hierarchy -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreparedTypes:
    """The types the identifier at a position resolves to (empty when none)."""

    name: str | None
    types: list[Symbol]
    coverage: Coverage


@dataclass(frozen=True, slots=True)
class TypeRelation:
    """A direct supertype or subtype.

    ``kind`` is the edge, ``inherits`` or ``implements``.  ``via`` is the Rust
    ``impl`` block that states the relation, when the relation goes through
    one; ``confidence`` is then the lower of the two edges' confidences.
    """

    symbol: Symbol
    kind: str
    confidence: float
    resolution: str
    via: Symbol | None = None


@dataclass(frozen=True, slots=True)
class TypeRelations:
    """The direct supertypes (or subtypes) of ``symbol``; None when the node is unknown."""

    symbol: Symbol | None
    supertypes: bool
    related: list[TypeRelation]
    coverage: Coverage


# File dependencies --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportEntry:
    """One import statement of a file; ``target`` is None outside the workspace."""

    line: int
    kind: str
    text: str
    module: str
    target: str | None


@dataclass(frozen=True, slots=True)
class Importer:
    """A file importing the queried one, at the line of its import statement."""

    path: str
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class DependencyCycle:
    """A strongly connected set of files with one cycle path through them."""

    members: list[str]
    path: list[str]


@dataclass(frozen=True, slots=True)
class FileDeps:
    """A file's imports, its importers, and the cycles it takes part in."""

    path: str
    imports: list[ImportEntry]
    importers: list[Importer]
    cycles: list[DependencyCycle]
    coverage: Coverage


@dataclass(frozen=True, slots=True)
class DepsSummary:
    """Workspace-wide dependency figures."""

    files: int
    importing_files: int
    internal: int
    external: int
    most_imported: list[tuple[str, int]]
    most_used_external: list[tuple[str, int]]
    cycles: list[DependencyCycle]
    coverage: Coverage


# Status -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StaleFile:
    """A file whose index entry does not match the disk: modified, deleted or new."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class StatusReport:
    """Everything ``codeidx status`` shows."""

    root: str
    index_dir: str
    database_bytes: int
    wal_bytes: int
    schema_version: int
    files: int
    lines: int
    files_by_language: dict[str, int]
    nodes_by_kind: dict[str, int]
    nodes_by_language: dict[str, int]
    edges_by_kind: dict[str, int]
    edges_by_language: dict[str, int]
    files_with_syntax_errors: int
    last_session: SessionRow | None
    last_complete_session: SessionRow | None
    stale: list[StaleFile]
    stale_counts: dict[str, int]
    new_files_scanned: bool
    unlinked_count: int
    unlinked: list[str]
    coverage: Coverage


# Workspace symbols ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SymbolQuery:
    """Fuzzy search over definition names, optionally filtered."""

    text: str
    kind: str | None = None
    language: str | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class SymbolMatch:
    """One definition and its fuzzy score (higher is better)."""

    symbol: Symbol
    score: float


@dataclass(frozen=True, slots=True)
class SymbolsResult:
    """The best matches, best first; ``candidates`` counts the names ranked."""

    matches: list[SymbolMatch]
    candidates: int
    coverage: Coverage


# Source text ----------------------------------------------------------------


@dataclass(slots=True)
class SourceLines:
    """Line texts of workspace files, read from disk once per file.

    The index keeps no source text, so results that show a line read it
    here.  A file that vanished or cannot be read shows empty lines rather
    than failing the query.  One instance per query; not shared across threads.
    With ``blank`` set, ``line`` answers an empty string without reading
    anything: for answers that carry no text (the language server's), whose
    columns the index already stores in UTF-16 code units.
    """

    root: Path
    _cache: dict[str, list[str]] = field(default_factory=dict)
    blank: bool = False

    def lines(self, path: str) -> list[str]:
        cached = self._cache.get(path)
        if cached is None:
            try:
                data = (self.root / path).read_bytes()
            except OSError:
                data = b""
            # Tree-sitter counts lines by "\n" only, so split the same way.
            cached = [ln.rstrip("\r") for ln in data.decode("utf-8", "replace").split("\n")]
            self._cache[path] = cached
        return cached

    def line(self, path: str, line: int) -> str:
        if self.blank:
            return ""
        found = self.lines(path)
        return found[line] if 0 <= line < len(found) else ""
