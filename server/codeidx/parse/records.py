"""Plain records produced by parsing one file.

The parse layer returns these and nothing else: no SQL, no LSP types, no
tree-sitter nodes.  They must be cheap to pickle because workers in other
processes build them and send them to the single writer.

Positions: ``*_byte`` are UTF-8 byte offsets into the file; ``*_line`` is
0-based; ``*_col`` is the 0-based column in UTF-16 code units, because every
consumer that shows a column (LSP, editors) counts in UTF-16 and converting
later would need the file's text again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# Node kinds.  Query files use these names after ``@definition.``.
NODE_KINDS = (
    "module",
    "namespace",
    "class",
    "struct",
    "union",
    "enum",
    "enum_member",
    "interface",
    "trait",
    "impl",
    "function",
    "method",
    "constructor",
    "field",
    "property",
    "constant",
    "variable",
    "type_alias",
    "macro",
)

# Reference roles.  Query files use these names after ``@reference.``.
# ``argument`` is the name of a keyword argument (``f(key=1)``): it names a
# parameter of the callee, which its receiver holds (``f``), not whatever
# bears that name where the call is written.  Two writes keep codes of
# their own for the typing of locals, and read back as ``write`` to everyone
# else (their codes' entries here): ``unpack`` takes a part of a value apart
# by the part's own name (``const { a } = value``), ``loop`` binds an element
# of what a loop runs over (Rust's ``for x in xs``, which offsets alone
# cannot tell from ``let x = &xs``).  ``key`` is the part's name where a
# pattern renames it (``a`` of ``const { a: b } = value``): it names a
# member of the value, never a name in scope, so it reads back as itself
# and is resolved by its position (``Resolver.unpacked``), as ``unpack`` is.
# ``field`` is an object literal's key where the code states the literal's
# type (``const o: Opts = { retries: 3 }``): the type is its receiver, and
# it writes that type's member as ``o.retries = 3`` would.  It has a code
# of its own only to beat the ``none`` of every other key (``extract``).
# ``option`` is a key of an object literal passed to a call (``connect(url,
# { timeoutMS: 10 })``), with the callee as receiver: it names a member of
# a parameter's type, which ``arguments.option_targets`` finds through the
# callee.
#: Each role as the queries name it, in code order, with what it reads back as.
_ROLE_TABLE = (
    ("call", "call"),
    ("read", "read"),
    ("write", "write"),
    ("import", "import"),
    ("type", "type"),
    ("inherit", "inherit"),
    ("decorator", "decorator"),
    ("instantiate", "instantiate"),
    ("argument", "argument"),
    ("unpack", "write"),
    ("loop", "write"),
    ("key", "key"),
    ("field", "write"),
    ("option", "option"),
)
#: What each code reads back as (an index is a code).
ROLES = tuple(shown for _name, shown in _ROLE_TABLE)
ROLE_CODES = {name: code for code, (name, _shown) in enumerate(_ROLE_TABLE)}
#: The codes of the roles that bind a name (``write``, ``unpack``, ``loop``).
WRITE_CODES = tuple(code for code, shown in enumerate(ROLES) if shown == "write")

# Relationship kinds stored as typed edges between nodes.
EDGE_KINDS = (
    "contains",
    "calls",
    "inherits",
    "implements",
    "overrides",
    "imports",
    "uses_type",
    "instantiates",
    "decorates",
    "references",
)


@dataclass(slots=True)
class Param:
    """One formal parameter of a function, method or constructor."""

    name: str
    type: str | None = None
    default: str | None = None
    variadic: str | None = None  # "*", "**", "..." or None


@dataclass(slots=True)
class TypeParam:
    """One generic or template parameter with its bound, if any."""

    name: str
    constraint: str | None = None


@dataclass(slots=True)
class Span:
    """A source range: byte offsets plus 0-based line and UTF-16 column."""

    start_byte: int
    end_byte: int
    start_line: int
    start_col: int
    end_line: int
    end_col: int


@dataclass(slots=True)
class NodeRecord:
    """A definition found in a file.

    ``ordinal`` is the node's index in the file's node list (document order);
    ``parent`` is the ordinal of the enclosing definition or None for the
    module node itself.  ``disambiguator`` separates same-named siblings of
    the same kind (overloads, redefinitions) so stable ids stay unique.
    """

    ordinal: int
    kind: str
    name: str
    qualified_name: str
    parent: int | None
    span: Span
    name_span: Span
    visibility: str = "public"
    signature: str = ""
    doc: str | None = None
    decorators: list[str] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    type_params: list[TypeParam] = field(default_factory=list)
    body_hash: str = ""
    disambiguator: int = 0
    # Declared supertypes as written (`Base`, `pkg.Base`, `Trait for`), resolved later.
    bases: list[tuple[str, str]] = field(default_factory=list)  # (role, text)
    #: Defined outside its parent's range: an instance attribute assigned in a
    #: method (``self.x = 1``) belongs to the class.  Such a node encloses no
    #: occurrence.
    detached: bool = False


@dataclass(slots=True)
class Occurrence:
    """An identifier occurrence that is not the name of a definition.

    ``enclosing`` is the ordinal of the innermost definition containing it.
    ``receiver`` is the qualifier text before the name (``self``, ``pkg.mod``,
    ``obj``) or "" when the name stands alone.
    """

    name: str
    role: str
    start_byte: int
    line: int
    col: int
    enclosing: int
    receiver: str = ""


#: One occurrence as a tuple: (name, role, start_byte, line, col, enclosing
#: ordinal, receiver).  Tuples, because a workspace has millions.
OccurrenceRow = tuple[str, str, int, int, int, int, str]


@dataclass(slots=True)
class OccurrenceTable:
    """A file's occurrences as columns, one entry per occurrence in document order.

    Extraction builds columns rather than a tuple per occurrence: a workspace
    has millions of occurrences, and whole-column operations (finding the
    enclosing definition and the line, grouping by name for storage) cost a
    fraction of a Python loop over them.  ``names`` and ``receivers`` are in
    order of first appearance; ``name`` indexes ``names``, ``role`` indexes
    ``ROLES`` and ``receiver`` is an index into ``receivers`` plus one (0: no
    receiver).  Columns are 64-bit integer arrays of equal length.
    """

    names: list[str]
    receivers: list[str]
    name: npt.NDArray[np.int64]
    start: npt.NDArray[np.int64]
    line: npt.NDArray[np.int64]
    col: npt.NDArray[np.int64]
    role: npt.NDArray[np.int64]
    enclosing: npt.NDArray[np.int64]
    receiver: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.start)

    def rows(self) -> list[OccurrenceRow]:
        """The occurrences as tuples (built on demand, for callers that want them)."""
        names, receivers, roles = self.names, ["", *self.receivers], ROLES
        return [
            (names[n], roles[r], s, li, c, e, receivers[v])
            for n, r, s, li, c, e, v in zip(
                self.name.tolist(),
                self.role.tolist(),
                self.start.tolist(),
                self.line.tolist(),
                self.col.tolist(),
                self.enclosing.tolist(),
                self.receiver.tolist(),
                strict=True,
            )
        ]


@dataclass(slots=True)
class ImportedName:
    """One name brought in by an import statement."""

    name: str  # the name as exported by the source ("*" for a glob import)
    alias: str | None = None  # the local name when renamed


@dataclass(slots=True)
class ImportRecord:
    """An import, include, use or require statement.

    ``module`` is the imported module path as the language writes it
    (``os.path``, ``./util``, ``crate::a::b``, ``"foo.h"``); ``level`` counts
    leading dots of a Python relative import.  ``bind`` is the local name the
    module itself is bound to (``import numpy as np`` → ``np``), if any.
    """

    text: str
    module: str
    line: int
    names: list[ImportedName] = field(default_factory=list)
    relative: bool = False
    level: int = 0
    bind: str | None = None
    kind: str = "import"  # import, include, use, require, mod, export


@dataclass(slots=True)
class Problem:
    """Something wrong with the input that did not stop parsing."""

    reason: str  # e.g. "syntax_error", "invalid_utf8"
    detail: str = ""
    line: int | None = None


@dataclass(slots=True)
class ParseResult:
    """Everything extracted from one file."""

    language: str
    nodes: list[NodeRecord]
    occurrence_table: OccurrenceTable
    imports: list[ImportRecord]
    problems: list[Problem]
    # Local bindings per definition ordinal: names that are parameters or
    # assigned inside that function, so later resolution can let locals
    # shadow globals without storing a scope tree.
    locals: dict[int, list[str]] = field(default_factory=dict)
    line_count: int = 0
    error_count: int = 0

    @property
    def occurrence_rows(self) -> list[OccurrenceRow]:
        """The occurrences as tuples in document order (built on demand from the table)."""
        return self.occurrence_table.rows()

    @property
    def occurrences(self) -> list[Occurrence]:
        """The occurrences as records (built on demand from the table)."""
        return [Occurrence(*row) for row in self.occurrence_table.rows()]
