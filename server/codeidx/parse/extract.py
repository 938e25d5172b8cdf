"""Turn one file's bytes into plain records with tree-sitter.

The extraction is driven by each language's query files:

* ``tags.scm`` captures definitions as ``@definition.<kind>`` with an inner
  ``@name`` (the tags convention of tree-sitter's code navigation);
* ``refs.scm`` captures references as ``@reference.<role>`` with an inner
  ``@name`` and, where there is one, the ``@receiver`` qualifying it.

Every other identifier leaf (per ``LanguageSpec.identifier_types``) is an
occurrence with role ``read``.  Language details come from the hooks module.

This module never raises on broken code: syntax errors are counted and what
tree-sitter recovered is indexed; invalid UTF-8 is decoded with replacement
and reported as a problem.  It knows no SQL, no LSP and no threads.
"""

from __future__ import annotations

import bisect
import operator
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from tree_sitter import Query, QueryCursor

from codeidx.parse import registry
from codeidx.parse.hooks import LanguageHooks, body_hash
from codeidx.parse.records import (
    NodeRecord,
    OccurrenceRow,
    ParseResult,
    Problem,
    Span,
)

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

# When one identifier is captured by several reference patterns, the most
# specific role wins.  ``read`` is the fallback for every identifier.
_ROLE_PRIORITY = {
    "import": 0,
    "decorator": 1,
    "inherit": 2,
    "instantiate": 3,
    "call": 4,
    "type": 5,
    "write": 6,
    "read": 7,
}
# Variables are defined where first assigned; later assignments in the same
# scope are writes, not new definitions.
_FIRST_ASSIGNMENT_KINDS = frozenset({"variable", "constant"})
_NEWLINE = re.compile(b"\n")
_START = operator.itemgetter(2)
_MEMBER_OWNERS = frozenset({"class", "struct", "enum", "interface"})
_CALLABLE_KINDS = frozenset({"function", "method", "constructor"})
_MAX_RECEIVER = 120


@dataclass(slots=True)
class _Compiled:
    tags: Query
    refs: Query | None
    identifiers: Query
    errors: Query
    hooks: LanguageHooks


@cache
def _compiled(language: str) -> _Compiled:
    lang = registry.grammar(language)
    spec = registry.LANGUAGES[language]
    refs_src = registry.query_source(language, "refs")
    ident = " ".join(f"({t})" for t in spec.identifier_types)
    return _Compiled(
        tags=Query(lang, registry.query_source(language, "tags")),
        refs=Query(lang, refs_src) if refs_src.strip() else None,
        identifiers=Query(lang, f"[{ident}] @id"),
        errors=Query(lang, "[(ERROR) (MISSING)] @error"),
        hooks=registry.hooks(language).HOOKS,
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


def extract_tree(language: str, root: Node, src: bytes, module_name: str) -> ParseResult:
    """Extract records from an already parsed tree of valid UTF-8 (live buffers too)."""
    compiled = _compiled(language)
    spec = registry.LANGUAGES[language]
    problems: list[Problem] = []
    error_count = 0
    if root.has_error:
        errors = QueryCursor(compiled.errors).captures(root).get("error", [])
        error_count = max(1, len(errors))
        first = errors[0].start_point[0] if errors else None
        problems.append(Problem("syntax_error", f"{error_count} error node(s)", first))
    columns = _Columns(src)
    module_name = compiled.hooks.tree_module_name(root, src, module_name)
    nodes = _definitions(compiled, spec.separator, root, src, module_name, columns)
    # The name of an ``impl`` block names another definition (the type), so it
    # stays an occurrence; every other definition name is not a reference.
    def_names = {
        n.name_span.start_byte for n in nodes[1:] if n.kind not in compiled.hooks.reference_names
    }
    outer: set[int] = set()
    rows = _occurrences(compiled, root, src, nodes, def_names, columns, outer)
    # ``global``/``nonlocal`` are rare: most files skip this pass.
    outer_names = {(r[5], r[0]) for r in rows if r[2] in outer} if outer else set()
    locals_: dict[int, list[str]] = {}
    for row in rows:
        if row[1] != "write" or row[6]:
            continue
        name, enclosing = row[0], row[5]
        if nodes[enclosing].kind in _CALLABLE_KINDS:
            if (enclosing, name) in outer_names:
                continue
            names = locals_.setdefault(enclosing, [])
            if name not in names:
                names.append(name)
    imports = compiled.hooks.extract_imports(root, src)
    return ParseResult(
        language=language,
        nodes=nodes,
        occurrence_rows=rows,
        imports=imports,
        problems=problems,
        locals=locals_,
        line_count=src.count(b"\n") + (1 if src and not src.endswith(b"\n") else 0),
        error_count=error_count,
    )


def _definitions(
    compiled: _Compiled,
    sep: str,
    root: Node,
    src: bytes,
    module_name: str,
    columns: _Columns,
) -> list[NodeRecord]:
    # Keyed by range and name, so one statement may define several names
    # (``a, b = 1, 2``; ``var x, y int``) while a node captured by two
    # patterns is kept once (the first pattern wins).
    found: dict[tuple[int, int, int], tuple[Node, str, Node]] = {}
    for _, caps in QueryCursor(compiled.tags).matches(root):
        name_nodes = caps.get("name")
        if not name_nodes:
            continue
        for key, value in caps.items():
            if key.startswith("definition."):
                node = value[0]
                found.setdefault(
                    (node.start_byte, node.end_byte, name_nodes[0].start_byte),
                    (node, key[11:], name_nodes[0]),
                )
                break
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
    ordered = sorted(found.items(), key=lambda kv: (kv[0][0], -kv[0][1], kv[0][2]))
    for (start, end, _), (node, kind, name_node) in ordered:
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
        extra = hooks.extra_qualifier(node, kind, src)
        prefix = parent.qualified_name
        if parent.ordinal == 0 and not hooks.module_prefix:
            prefix = ""
        if extra:
            prefix = f"{prefix}{sep}{extra}" if prefix else extra
        sibling = (parent.ordinal, name, kind)
        count = seen.get(sibling, 0)
        if (kind in _FIRST_ASSIGNMENT_KINDS or detached) and (
            count or parent.kind in _CALLABLE_KINDS
        ):
            # A re-assignment, or a local variable: an occurrence, not a definition.
            continue
        seen[sibling] = count + 1
        details = hooks.describe(node, kind, name, src)
        record = NodeRecord(
            ordinal=len(out),
            kind=kind,
            name=name,
            qualified_name=f"{prefix}{sep}{name}" if prefix else name,
            parent=parent.ordinal,
            span=columns.span(name_node if detached else node),
            name_span=columns.span(name_node),
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


def _occurrences(
    compiled: _Compiled,
    root: Node,
    src: bytes,
    nodes: list[NodeRecord],
    def_names: set[int],
    columns: _Columns,
    outer: set[int],
) -> list[OccurrenceRow]:
    """Occurrence rows in document order; ``outer`` collects the start bytes of
    names a ``@outer`` capture declares as bound outside the function."""
    roles: dict[int, tuple[str, str]] = {}
    if compiled.refs is not None:
        priority = _ROLE_PRIORITY
        # Receiver texts repeat (``self``, ``os.path``): each distinct raw
        # qualifier is cleaned once.
        receiver_texts: dict[bytes, str] = {}
        for _, caps in QueryCursor(compiled.refs).matches(root):
            names = caps.get("name")
            if not names:
                continue
            for node in caps.get("outer", ()):
                outer.add(node.start_byte)
            role = ""
            for key in caps:
                if key.startswith("reference."):
                    role = key[10:]
                    break
            if not role:
                continue
            recv = caps.get("receiver")
            recv_start = recv_end = 0
            if recv:
                recv_start, recv_end = recv[0].start_byte, recv[0].end_byte
            rank = priority[role]
            for name_node in names:
                sb = name_node.start_byte
                receiver = ""
                if recv:
                    end = sb if recv_start <= sb < recv_end else recv_end
                    raw = src[recv_start : min(end, recv_start + _MAX_RECEIVER)]
                    receiver = receiver_texts.get(raw) or ""
                    if not receiver and raw:
                        receiver = receiver_texts[raw] = _clean_receiver(raw)
                prev = roles.get(sb)
                if prev is None:
                    roles[sb] = (role, receiver)
                elif rank < priority[prev[0]]:
                    roles[sb] = (role, receiver or prev[1])
                elif receiver and not prev[1]:
                    roles[sb] = (prev[0], receiver)
    idents = QueryCursor(compiled.identifiers).captures(root).get("id", [])
    # Enclosing definitions are found by range among the nodes that nest by
    # range (detached ones sit inside a method but belong to its class).
    containers = [n for n in nodes if not n.detached]
    index_of = {n.ordinal: i for i, n in enumerate(containers)}
    ordinals = [n.ordinal for n in containers]
    starts = [n.span.start_byte for n in containers]
    ends = [n.span.end_byte for n in containers]
    parents = [index_of.get(n.parent, 0) if n.parent is not None else 0 for n in containers]
    line_starts = columns.line_starts()
    decoded: dict[bytes, str] = {}
    out: list[OccurrenceRow] = []
    append = out.append
    bisect_right = bisect.bisect_right
    ascii_src = columns.ascii
    col16 = columns.col
    get_role = roles.get
    read = ("read", "")
    for ident in idents:
        sb = ident.start_byte
        if sb in def_names:
            continue
        raw = src[sb : ident.end_byte]
        name = decoded.get(raw)
        if name is None:
            name = decoded[raw] = raw.decode("utf-8", "replace")
        # Innermost definition containing the occurrence: the last node that
        # starts at or before it, walked up until it also contains it.
        enc = bisect_right(starts, sb) - 1
        while enc > 0 and ends[enc] <= sb:
            enc = parents[enc]
        row = bisect_right(line_starts, sb) - 1
        bcol = sb - line_starts[row]
        role, receiver = get_role(sb, read)
        col = bcol if ascii_src else col16(row, bcol)
        append((name, role, sb, row, col, ordinals[max(enc, 0)], receiver))
    # Captures of alternatives are not always in document order.
    out.sort(key=_START)
    return out


def _clean_receiver(raw: bytes) -> str:
    """The qualifier text before a name, without its trailing separator."""
    text = raw.decode("utf-8", "replace").rstrip()
    for sep in ("::", "->", ".", "?."):
        if text.endswith(sep):
            text = text[: -len(sep)].rstrip()
            break
    return text
