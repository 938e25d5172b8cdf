"""Turn one file's bytes into plain records with tree-sitter.

The extraction is driven by each language's query files:

* ``tags.scm`` captures definitions as ``@definition.<kind>`` with an inner
  ``@name`` (the tags convention of tree-sitter's code navigation);
* ``refs.scm`` captures references as ``@reference.<role>`` with an inner
  ``@name`` and, where there is one, the ``@receiver`` qualifying it;
* ``embedded.scm``, where a language has one, captures ``@items``: spans of
  the file that its grammar leaves opaque but that hold items of the same
  language (Rust's ``ast_struct! { pub struct Path { .. } }``).  Each is
  parsed again on its own, in place, and its trees are walked with the
  file's, so their definitions and references are the file's own.

Every other identifier leaf (per ``LanguageSpec.identifier_types``) is an
occurrence with role ``read``.  Language details come from the hooks module.

A file is walked twice (each embedded tree too): once by one query holding
the patterns of both query files (a walk of the tree costs as much as most
matching does), once by the identifier query.  Occurrences are built as
columns (``OccurrenceTable``) because a workspace holds millions of them.

This module never raises on broken code: syntax errors are counted and what
tree-sitter recovered is indexed; invalid UTF-8 is decoded with replacement
and reported as a problem.  It knows no SQL, no LSP and no threads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from tree_sitter import Parser, Query, QueryCursor, Range

from codeidx.parse import registry
from codeidx.parse.hooks import LanguageHooks, body_hash
from codeidx.parse.records import (
    ROLE_CODES,
    WRITE_CODES,
    NodeRecord,
    OccurrenceTable,
    ParseResult,
    Problem,
    Span,
)

if TYPE_CHECKING:
    import numpy.typing as npt
    from tree_sitter import Node

# When one identifier is captured by several reference patterns, the most
# specific role wins.  ``read`` is the fallback for every identifier.
# ``@reference.none`` marks an identifier that is no occurrence at all (a
# class statement's keyword, ``metaclass=M``, an object literal's key); it
# wins over every role but ``field`` and ``option``, which the queries give
# only the keys of object literals whose type the code states or which are
# passed to a call.
_ROLE_PRIORITY = {
    "field": 0,
    "option": 1,
    "none": 2,
    "argument": 3,
    "key": 4,
    "import": 5,
    "decorator": 6,
    "inherit": 7,
    "instantiate": 8,
    "call": 9,
    "type": 10,
    "unpack": 11,
    "loop": 12,
    "write": 13,
    "read": 14,
}
_RANK_ROLES = sorted(_ROLE_PRIORITY, key=_ROLE_PRIORITY.__getitem__)
# Role code (index into ``ROLES``) of each rank; "none" is never stored.
_RANK_CODES = np.array([ROLE_CODES.get(role, -1) for role in _RANK_ROLES], dtype=np.int64)
_READ_RANK = _ROLE_PRIORITY["read"]
_NONE_RANK = _ROLE_PRIORITY["none"]
# A reference's merged state is one int: rank in the low bits, receiver id above.
_RANK_BITS = 4
_RANK_MASK = (1 << _RANK_BITS) - 1
# Variables are defined where first assigned; later assignments in the same
# scope are writes, not new definitions.
_FIRST_ASSIGNMENT_KINDS = frozenset({"variable", "constant"})
_NEWLINE = re.compile(b"\n")
_MEMBER_OWNERS = frozenset({"class", "struct", "enum", "interface"})
_CALLABLE_KINDS = frozenset({"function", "method", "constructor"})
_MAX_RECEIVER = 120
# A pattern whose definition kind or reference role is known only per match.
_DYNAMIC = -1
# A reference pattern that captures no ``@reference.<role>``: it is ignored.
_NO_ROLE = -2
_CAPTURE = re.compile(r"@([\w.-]+)")
# Embedded spans inside embedded spans are read this deep (``cfg_rt! {
# cfg_net! { .. } }``); deeper ones stay opaque.
_EMBEDDED_DEPTH = 3
# Embedded spans sit among items: a pattern of ``embedded.scm`` starts at
# most this deep (two nested modules), which spares a walk of every body.
_EMBEDDED_START_DEPTH = 4


@dataclass(slots=True)
class _Compiled:
    """One language's queries and what each pattern holds, compiled once per process."""

    #: The tags patterns followed by the refs patterns, so one walk finds both.
    query: Query
    #: Index of the first refs pattern in ``query``.
    refs_start: int
    #: Per tags pattern: its ``@definition.<kind>`` kind, or None when a
    #: pattern's matches may differ (read from each match).
    kinds: list[str | None]
    #: ``definition.<kind>`` per tags pattern ("" when the kind is dynamic).
    kind_keys: list[str]
    #: Per pattern (a tags pattern's entry is ``(_NO_ROLE, False, False)``,
    #: since its kind comes from ``kinds``): the rank of its role
    #: (or ``_DYNAMIC``, ``_NO_ROLE``), and whether it captures ``@outer``
    #: and ``@receiver``, so a match looks up only what its pattern holds.
    plans: list[tuple[int, bool, bool]]
    identifiers: Query
    errors: Query
    hooks: LanguageHooks
    #: The ``embedded.scm`` query (None: the language has none).
    embedded: Query | None


def _pattern_captures(source: bytes, query: Query, index: int) -> set[str]:
    """The capture names written in one pattern of a query, comments left out."""
    text = source[query.start_byte_for_pattern(index) : query.end_byte_for_pattern(index)]
    found: set[str] = set()
    for line in text.decode("utf-8").splitlines():
        found.update(_CAPTURE.findall(_strip_comment(line)))
    return found


def _strip_comment(line: str) -> str:
    """A query line without its ``;`` comment (a ``;`` inside a string stays)."""
    quoted = False
    escaped = False
    for i, ch in enumerate(line):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            return line[:i]
    return line


@cache
def _compiled(language: str) -> _Compiled:
    lang = registry.grammar(language)
    spec = registry.LANGUAGES[language]
    tags_src = registry.query_source(language, "tags")
    refs_src = registry.query_source(language, "refs")
    refs_start = Query(lang, tags_src).pattern_count if tags_src.strip() else 0
    source = f"{tags_src}\n{refs_src}" if refs_src.strip() else tags_src
    query = Query(lang, source)
    raw = source.encode("utf-8")
    kinds: list[str | None] = []
    plans: list[tuple[int, bool, bool]] = []
    for i in range(refs_start):
        found = {c[11:] for c in _pattern_captures(raw, query, i) if c.startswith("definition.")}
        kinds.append(found.pop() if len(found) == 1 else None)
        plans.append((_NO_ROLE, False, False))
    ranks: list[int] = []
    for i in range(refs_start, query.pattern_count):
        captures = _pattern_captures(raw, query, i)
        roles = {c[10:] for c in captures if c.startswith("reference.")}
        if not roles:
            rank = _NO_ROLE
        elif len(roles) == 1:
            rank = _ROLE_PRIORITY[roles.pop()]
        else:
            rank = _DYNAMIC
        ranks.append(rank)
        plans.append((rank, "outer" in captures, "receiver" in captures))
    if _DYNAMIC not in ranks:
        # The role comes with the pattern: the enclosing nodes are not needed,
        # and not building them saves an object per match.
        for i in range(query.capture_count):
            name = query.capture_name(i)
            if name.startswith("reference."):
                query.disable_capture(name)
    ident = " ".join(f"({t})" for t in spec.identifier_types)
    embedded_src = registry.query_source(language, "embedded")
    return _Compiled(
        query=query,
        refs_start=refs_start,
        kinds=kinds,
        kind_keys=[f"definition.{kind}" if kind else "" for kind in kinds],
        plans=plans,
        identifiers=Query(lang, f"[{ident}] @id"),
        errors=Query(lang, "[(ERROR) (MISSING)] @error"),
        hooks=registry.hooks(language).HOOKS,
        embedded=Query(lang, embedded_src) if embedded_src.strip() else None,
    )


def sanitize_utf8(src: bytes) -> bytes:
    """Replace each byte of every invalid UTF-8 sequence by ``?`` (same length)."""
    out = bytearray(src)
    pos = 0
    while True:
        try:
            out[pos:].decode("utf-8")
            return bytes(out)
        except UnicodeDecodeError as exc:
            start, end = pos + exc.start, pos + exc.end
            out[start:end] = b"?" * (end - start)
            pos = end


class _Columns:
    """Byte column → UTF-16 column, cheap for the common all-ASCII file."""

    __slots__ = ("_line_starts", "_src", "ascii")

    def __init__(self, src: bytes) -> None:
        self._src = src
        self.ascii = src.isascii()
        self._line_starts: list[int] | None = None

    def line_starts(self) -> list[int]:
        """Byte offset of the start of every line."""
        if self._line_starts is None:
            self._line_starts = [0, *(m.end() for m in _NEWLINE.finditer(self._src))]
        return self._line_starts

    def col(self, row: int, byte_col: int) -> int:
        if self.ascii or byte_col == 0:
            return byte_col
        starts = self.line_starts()
        start = starts[row] if row < len(starts) else 0
        prefix = self._src[start : start + byte_col]
        if prefix.isascii():
            return byte_col
        return len(prefix.decode("utf-8", "replace").encode("utf-16-le")) // 2

    def span(self, node: Node) -> Span:
        (sr, sc), (er, ec) = node.start_point, node.end_point
        if self.ascii:
            return Span(node.start_byte, node.end_byte, sr, sc, er, ec)
        return Span(node.start_byte, node.end_byte, sr, self.col(sr, sc), er, self.col(er, ec))


class Extractor:
    """Parses files of any registered language; one instance per thread or process.

    Parsers keep state, so an extractor must not be shared between threads.
    """

    def __init__(self) -> None:
        self._parsers: dict[str, Parser] = {}

    def parse(self, language: str, data: bytes, module_name: str) -> ParseResult:
        """Extract nodes, occurrences and imports from one file's bytes."""
        parser = self._parsers.get(language)
        if parser is None:
            parser = self._parsers[language] = registry.new_parser(language)
        problem = None
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problem = Problem("invalid_utf8", f"byte {exc.start}", data.count(b"\n", 0, exc.start))
            # Query predicates decode captured text and would raise on bad
            # bytes; a same-length ASCII stand-in keeps every offset valid.
            data = sanitize_utf8(data)
        tree = parser.parse(data)
        result = extract_tree(language, tree.root_node, data, module_name)
        if problem is not None:
            result.problems.insert(0, problem)
        return result


# What the one walk of the tags patterns found: (node, kind, name node) keyed
# by (start byte, -end byte, name start byte), so keys sort outermost first.
_Found = dict[tuple[int, int, int], tuple["Node", str, "Node"]]


class _References:
    """The roles and receivers the refs patterns give identifiers, by start byte.

    ``state`` maps a name's start byte to its best rank, with the id of its
    receiver text above ``_RANK_BITS`` (0: none); ``receivers`` lists the
    receiver texts by id - 1, in the order they were first met.
    """

    __slots__ = ("outer", "receivers", "state")

    def __init__(self) -> None:
        self.state: dict[int, int] = {}
        self.receivers: list[str] = []
        #: Start bytes of names an ``@outer`` capture declares as bound
        #: outside the function (``global``/``nonlocal``).
        self.outer: set[int] = set()


def _walk(compiled: _Compiled, roots: list[Node], src: bytes) -> tuple[_Found, _References]:
    """Run the tags and refs patterns once over the file's trees."""
    found: _Found = {}
    define = found.setdefault
    refs = _References()
    state = refs.state
    get_state = state.get
    receivers = refs.receivers
    # Receiver texts repeat (``self``, ``os.path``): each distinct raw
    # qualifier is cleaned once and given an id.
    receiver_ids: dict[bytes, int] = {}
    text_ids: dict[str, int] = {}
    refs_start = compiled.refs_start
    kinds = compiled.kinds
    kind_keys = compiled.kind_keys
    plans = compiled.plans
    matches = QueryCursor(compiled.query).matches(roots[0])
    for extra in roots[1:]:
        matches += QueryCursor(compiled.query).matches(extra)
    for index, caps in matches:
        if index < refs_start:
            # Keyed by range and name, so one statement may define several
            # names (``a, b = 1, 2``; ``var x, y int``) while a node captured
            # by two patterns is kept once (the first pattern wins).
            name_nodes = caps.get("name")
            if not name_nodes:
                continue
            kind = kinds[index]
            if kind is None:
                for key, value in caps.items():
                    if key.startswith("definition."):
                        kind = key[11:]
                        node = value[0]
                        break
                else:
                    continue
            else:
                defined = caps.get(kind_keys[index])
                if not defined:
                    continue
                node = defined[0]
            name_node = name_nodes[0]
            define((node.start_byte, -node.end_byte, name_node.start_byte), (node, kind, name_node))
            continue
        names = caps.get("name")
        if not names:
            continue
        rank, has_outer, has_receiver = plans[index]
        if has_outer:
            outer = caps.get("outer")
            if outer:
                refs.outer.update(node.start_byte for node in outer)
        if rank < 0:
            if rank == _NO_ROLE:
                continue
            role = next((k[10:] for k in caps if k.startswith("reference.")), "")
            if not role:
                continue
            rank = _ROLE_PRIORITY[role]
        recv = caps.get("receiver") if has_receiver else None
        for name_node in names:
            sb = name_node.start_byte
            prev = get_state(sb)
            if not recv:
                if prev is None:
                    state[sb] = rank
                elif rank < prev & _RANK_MASK:
                    state[sb] = rank | (prev & ~_RANK_MASK)
                continue
            if prev is not None and rank >= prev & _RANK_MASK and prev >> _RANK_BITS:
                # A role as good with a receiver is known: this match adds nothing.
                continue
            receiver = recv[0]
            recv_start = receiver.start_byte
            recv_end = receiver.end_byte
            end = sb if recv_start <= sb < recv_end else recv_end
            if end - recv_start > _MAX_RECEIVER:
                end = recv_start + _MAX_RECEIVER
            raw = src[recv_start:end]
            rid = receiver_ids.get(raw)
            if rid is None:
                text = _clean_receiver(raw) if raw else ""
                rid = text_ids.get(text, 0) if text else 0
                if text and not rid:
                    receivers.append(text)
                    rid = text_ids[text] = len(receivers)
                receiver_ids[raw] = rid
            if prev is None:
                state[sb] = rank | rid << _RANK_BITS
            elif rank < prev & _RANK_MASK:
                state[sb] = rank | (rid or prev >> _RANK_BITS) << _RANK_BITS
            elif rid:
                state[sb] = (prev & _RANK_MASK) | rid << _RANK_BITS
    return found, refs


def extract_tree(language: str, root: Node, src: bytes, module_name: str) -> ParseResult:
    """Extract records from an already parsed tree of valid UTF-8 (live buffers too)."""
    compiled = _compiled(language)
    spec = registry.LANGUAGES[language]
    problems: list[Problem] = []
    error_count = 0
    if root.has_error:
        errors = QueryCursor(compiled.errors).captures(root).get("error", [])
        error_count = max(1, len(errors))
        # The binding does not return the captures of alternatives in
        # document order (nor in the same order on every run).
        first = min(errors, key=lambda n: n.start_byte).start_point[0] if errors else None
        problems.append(Problem("syntax_error", f"{error_count} error node(s)", first))
    columns = _Columns(src)
    module_name = compiled.hooks.tree_module_name(root, src, module_name)
    roots = [root]
    if compiled.embedded is not None:
        roots += _embedded_roots(compiled.embedded, language, root, src)
    found, refs = _walk(compiled, roots, src)
    nodes = _definitions(compiled, spec.separator, root, src, module_name, columns, found)
    # The name of an ``impl`` block names another definition (the type), so it
    # stays an occurrence; every other definition name is not a reference,
    # except a member defined by a plain binding (TypeScript's parameter
    # property ``constructor(private x: T)``), which is that binding too:
    # ``self.x = ...`` names its member through a receiver, a parameter not.
    state = refs.state
    def_names = [
        n.name_span.start_byte
        for n in nodes[1:]
        if n.kind not in compiled.hooks.reference_names
        and not (n.detached and not state.get(n.name_span.start_byte, 0) >> _RANK_BITS)
    ]
    table, locals_ = _occurrences(compiled, roots, src, nodes, def_names, columns, refs)
    imports = compiled.hooks.extract_imports(root, src)
    if len(roots) > 1:
        for extra in roots[1:]:
            imports += compiled.hooks.extract_imports(extra, src)
        imports.sort(key=lambda record: record.line)
    return ParseResult(
        language=language,
        nodes=nodes,
        occurrence_table=table,
        imports=imports,
        problems=problems,
        locals=locals_,
        line_count=src.count(b"\n") + (1 if src and not src.endswith(b"\n") else 0),
        error_count=error_count,
    )


def _embedded_roots(embedded: Query, language: str, root: Node, src: bytes) -> list[Node]:
    """The trees of the spans ``embedded.scm`` captures, each parsed on its own.

    A span is parsed alone, between its delimiters, with the parser's
    included ranges, so positions are the file's and tokens that are no
    items cannot swallow the next span's.  Spans inside those spans are
    read too, up to ``_EMBEDDED_DEPTH``.
    """
    out: list[Node] = []
    parser: Parser | None = None
    pending = [root]
    cursor = QueryCursor(embedded)
    cursor.set_max_start_depth(_EMBEDDED_START_DEPTH)
    for _ in range(_EMBEDDED_DEPTH):
        spans = [
            node
            for tree in pending
            for node in cursor.captures(tree).get("items", [])
            if node.end_byte - node.start_byte > 2
        ]
        if not spans:
            break
        if parser is None:
            parser = Parser(registry.grammar(language))
        pending = []
        for node in sorted(spans, key=lambda n: n.start_byte):
            # Inside the delimiters: one byte each (``{``/``}``, ``(``/``)``).
            start_row, start_col = node.start_point
            end_row, end_col = node.end_point
            parser.included_ranges = [
                Range(
                    (start_row, start_col + 1),
                    (end_row, end_col - 1),
                    node.start_byte + 1,
                    node.end_byte - 1,
                )
            ]
            pending.append(parser.parse(src).root_node)
        out += pending
    return out


def _definitions(
    compiled: _Compiled,
    sep: str,
    root: Node,
    src: bytes,
    module_name: str,
    columns: _Columns,
    found: _Found,
) -> list[NodeRecord]:
    module_span = columns.span(root)
    module_leaf = module_name.rsplit("/", 1)[-1].rsplit(sep, 1)[-1] or module_name
    module_node = NodeRecord(
        ordinal=0,
        kind="module",
        name=module_leaf,
        qualified_name=module_name,
        parent=None,
        span=module_span,
        name_span=Span(0, 0, 0, 0, 0, 0),
        doc=compiled.hooks.describe(root, "module", module_leaf, src).doc,
    )
    out = [module_node]
    stack: list[NodeRecord] = [module_node]
    seen: dict[tuple[int, str, str], int] = {}
    hooks = compiled.hooks
    module_prefix = hooks.module_prefix
    # Keys sort as (start, -end, name start): outer definitions first.
    for (start, neg_end, _), (node, kind, name_node) in sorted(found.items()):
        end = -neg_end
        # Pop finished containers, and a sibling defined by the same statement.
        while len(stack) > 1 and (
            stack[-1].span.end_byte <= start
            or (stack[-1].span.start_byte == start and stack[-1].span.end_byte == end)
        ):
            stack.pop()
        parent = stack[-1]
        detached = kind == "member"
        if detached:
            # ``@definition.member``: an attribute assigned through ``self`` in
            # a method is a field of the method's class.
            if len(stack) < 3 or parent.kind not in _CALLABLE_KINDS:
                continue
            parent = stack[-2]
            if parent.kind not in _MEMBER_OWNERS:
                continue
            kind = "field"
        refined = hooks.refine_kind(node, kind, parent.kind)
        if refined is None:
            continue
        kind = refined
        name = src[name_node.start_byte : name_node.end_byte].decode("utf-8", "replace")
        sibling = (parent.ordinal, name, kind)
        count = seen.get(sibling, 0)
        if (kind in _FIRST_ASSIGNMENT_KINDS or detached) and (
            count or parent.kind in _CALLABLE_KINDS
        ):
            # A re-assignment, or a local variable: an occurrence, not a definition.
            continue
        extra = hooks.extra_qualifier(node, kind, src)
        prefix = parent.qualified_name
        if parent.ordinal == 0 and not module_prefix:
            prefix = ""
        if extra:
            prefix = f"{prefix}{sep}{extra}" if prefix else extra
        seen[sibling] = count + 1
        details = hooks.describe(node, kind, name, src)
        name_span = columns.span(name_node)
        record = NodeRecord(
            ordinal=len(out),
            kind=kind,
            name=name,
            qualified_name=f"{prefix}{sep}{name}" if prefix else name,
            parent=parent.ordinal,
            span=name_span if detached else columns.span(node),
            name_span=name_span,
            visibility=details.visibility,
            signature=details.signature,
            doc=details.doc,
            decorators=details.decorators,
            params=details.params,
            type_params=details.type_params,
            body_hash=body_hash(node, src),
            disambiguator=count,
            bases=details.bases,
            detached=detached,
        )
        out.append(record)
        if end > start and not detached:
            stack.append(record)
    return out


def _member(values: npt.NDArray[np.int64], keys: list[int]) -> npt.NDArray[np.bool_]:
    """Which values are among the keys (``np.isin`` costs more on small inputs)."""
    if not keys or not len(values):
        return np.zeros(len(values), dtype=np.bool_)
    table = np.array(sorted(keys), dtype=np.int64)
    pos = np.minimum(np.searchsorted(table, values), len(table) - 1)
    found: npt.NDArray[np.bool_] = table[pos] == values
    return found


def _first_seen(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The distinct values in order of first appearance."""
    distinct, first = np.unique(values, return_index=True)
    return distinct[np.argsort(first, kind="stable")]


def _occurrences(
    compiled: _Compiled,
    roots: list[Node],
    src: bytes,
    nodes: list[NodeRecord],
    def_names: list[int],
    columns: _Columns,
    refs: _References,
) -> tuple[OccurrenceTable, dict[int, list[str]]]:
    """The occurrence table in document order, and the locals of each function.

    Locals are the names a function binds (writes without a receiver), in
    order of first binding, except those a ``global``/``nonlocal`` statement
    declares outer.
    """
    idents = QueryCursor(compiled.identifiers).captures(roots[0]).get("id", [])
    for extra in roots[1:]:
        # An embedded span's identifiers are also the outer tree's tokens.
        idents += QueryCursor(compiled.identifiers).captures(extra).get("id", [])
    starts_list = [n.start_byte for n in idents]
    by_raw: dict[bytes, int] = {}
    intern = by_raw.setdefault
    gids_list = [
        intern(src[sb : n.end_byte], len(by_raw)) for sb, n in zip(starts_list, idents, strict=True)
    ]
    start = np.array(starts_list, dtype=np.int64)
    gid = np.array(gids_list, dtype=np.int64)
    if len(start) > 1 and bool((start[1:] < start[:-1]).any()):
        # Captures of alternatives are not always in document order.
        order = np.argsort(start, kind="stable")
        start, gid = start[order], gid[order]
    if len(roots) > 1 and len(start) > 1:
        first = np.concatenate(([True], start[1:] != start[:-1]))
        start, gid = start[first], gid[first]
    if def_names:
        keep = ~_member(start, def_names)
        start, gid = start[keep], gid[keep]
    # Enclosing definitions are found by range among the nodes that nest by
    # range (detached ones sit inside a method but belong to its class): the
    # last node that starts at or before the occurrence, walked up until it
    # also contains it.
    containers = [n for n in nodes if not n.detached]
    index_of = {n.ordinal: i for i, n in enumerate(containers)}
    c_start = np.array([n.span.start_byte for n in containers], dtype=np.int64)
    c_end = np.array([n.span.end_byte for n in containers], dtype=np.int64)
    c_parent = np.array(
        [index_of.get(n.parent, 0) if n.parent is not None else 0 for n in containers],
        dtype=np.int64,
    )
    c_ordinal = np.array([n.ordinal for n in containers], dtype=np.int64)
    enc = np.searchsorted(c_start, start, side="right") - 1
    climb = (enc > 0) & (c_end[np.maximum(enc, 0)] <= start)
    while climb.any():
        enc[climb] = c_parent[enc[climb]]
        climb &= enc > 0
        climb[climb] = c_end[enc[climb]] <= start[climb]
    enclosing = c_ordinal[np.maximum(enc, 0)]
    # Lines and columns.
    data = np.frombuffer(src, dtype=np.uint8)
    line_starts = np.concatenate(([0], np.flatnonzero(data == 10) + 1)).astype(np.int64)
    line = np.searchsorted(line_starts, start, side="right") - 1
    col = start - line_starts[line]
    if not columns.ascii:
        # Only lines holding a non-ASCII byte have UTF-16 columns that differ.
        wide = np.searchsorted(line_starts, np.flatnonzero(data >= 0x80), side="right") - 1
        fix = np.flatnonzero(_member(line, wide.tolist()))
        col16 = columns.col
        for i in fix.tolist():
            col[i] = col16(int(line[i]), int(col[i]))
    # Roles and receivers: the refs' merged state for the names they matched.
    rank = np.full(len(start), _READ_RANK, dtype=np.int64)
    rid = np.zeros(len(start), dtype=np.int64)
    if refs.state:
        keys = np.fromiter(refs.state.keys(), dtype=np.int64, count=len(refs.state))
        values = np.fromiter(refs.state.values(), dtype=np.int64, count=len(refs.state))
        order = np.argsort(keys)
        keys, values = keys[order], values[order]
        pos = np.minimum(np.searchsorted(keys, start), len(keys) - 1)
        hit = keys[pos] == start
        rank[hit] = values[pos[hit]] & _RANK_MASK
        rid[hit] = values[pos[hit]] >> _RANK_BITS
        named = rank != _NONE_RANK
        if not named.all():
            start, gid, line, col = start[named], gid[named], line[named], col[named]
            enclosing, rank, rid = enclosing[named], rank[named], rid[named]
    role = _RANK_CODES[rank]
    # Receiver texts are numbered by first appearance among the occurrences.
    receivers: list[str] = []
    if refs.receivers:
        used = _first_seen(rid[rid > 0])
        renumber = np.zeros(len(refs.receivers) + 1, dtype=np.int64)
        renumber[used] = np.arange(1, len(used) + 1, dtype=np.int64)
        rid = renumber[rid]
        receivers = [refs.receivers[i - 1] for i in used.tolist()]
    # Names are numbered by first appearance too.
    raws = list(by_raw)
    used_names = _first_seen(gid)
    rename = np.zeros(len(raws), dtype=np.int64)
    rename[used_names] = np.arange(len(used_names), dtype=np.int64)
    gid = rename[gid]
    names = [raws[i].decode("utf-8", "replace") for i in used_names.tolist()]
    table = OccurrenceTable(names, receivers, gid, start, line, col, role, enclosing, rid)
    return table, _locals(nodes, table, refs.outer)


def _locals(
    nodes: list[NodeRecord], table: OccurrenceTable, outer: set[int]
) -> dict[int, list[str]]:
    callable_ordinals = [n.ordinal for n in nodes if n.kind in _CALLABLE_KINDS]
    if not callable_ordinals:
        return {}
    binds = np.isin(table.role, WRITE_CODES) & (table.receiver == 0)
    binds &= _member(table.enclosing, callable_ordinals)
    if not binds.any():
        return {}
    names = table.names
    declared: set[tuple[int, int]] = set()
    if outer:
        # ``global``/``nonlocal`` are rare: most files skip this.
        marked = _member(table.start, list(outer))
        declared = set(
            zip(table.enclosing[marked].tolist(), table.name[marked].tolist(), strict=True)
        )
    found: dict[int, dict[int, None]] = {}
    for enclosing, name in zip(
        table.enclosing[binds].tolist(), table.name[binds].tolist(), strict=True
    ):
        if declared and (enclosing, name) in declared:
            continue
        found.setdefault(enclosing, {})[name] = None
    return {enclosing: [names[i] for i in seen] for enclosing, seen in found.items()}


def _clean_receiver(raw: bytes) -> str:
    """The qualifier text before a name, without its trailing separator."""
    text = raw.decode("utf-8", "replace").rstrip()
    for sep in ("::", "->", ".", "?."):
        if text.endswith(sep):
            text = text[: -len(sep)].rstrip()
            break
    return text
