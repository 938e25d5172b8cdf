"""C: declarators, specifiers, comments, parameters, includes and header resolution.

C has one global namespace, so qualified names carry no module prefix
(``main``, ``Point::x``); a file's module name is its path.  Prototypes are
recorded as functions (headers are where callers find them) and marked by a
signature ending in ``;``, which no definition's signature has.

Include resolution is shared with C++ (``resolvers/cpp.py`` subclasses these
hooks): ``#include "x.h"`` is tried next to the including file, then under
every folder that holds a file with that relative path (``include/`` roots);
``#include <x.h>`` only by the latter, and is external when nothing matches.
Hooks never read files and never raise on broken code.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tree_sitter import Query, QueryCursor

from codeidx.parse import registry
from codeidx.parse.hooks import Details, LanguageHooks, Workspace, clean_comment, squash, text
from codeidx.parse.records import ImportRecord, Param

if TYPE_CHECKING:
    from tree_sitter import Node

CALLABLE_KINDS = frozenset({"function", "method", "constructor"})
TYPE_KINDS = frozenset({"class", "struct", "union", "enum"})
SPECIFIERS = frozenset({"struct_specifier", "union_specifier", "enum_specifier", "class_specifier"})
NAME_LEAVES = frozenset(
    {"identifier", "field_identifier", "type_identifier", "destructor_name", "operator_name"}
)
# Statements whose specifiers (storage class, type) a captured declarator shares.
_STATEMENTS = frozenset({"declaration", "field_declaration", "type_definition"})
# Kinds that may be documented by a comment at the end of their own line.
_TRAILING_DOC_KINDS = frozenset({"field", "enum_member", "variable", "constant"})
_INDEX_KEY = "c_include_index"
# A block or line comment ending a (squashed, one-line) macro definition.
_TRAILING_COMMENT = re.compile(r"\s*(/\*(?:(?!\*/).)*\*/|//.*)$")


class CHooks(LanguageHooks):
    """C's details; C++ extends them with classes, templates and access."""

    module_prefix = False
    type_before_name = True
    #: C has no receiver that means "the enclosing type".
    self_names: tuple[str, ...] = ()

    #: The grammar whose ``#include`` query this class compiles.
    grammar_name = "c"
    #: Qualifiers that make a declaration a constant.
    const_words: frozenset[str] = frozenset({"const"})
    #: What ``extract_imports`` looks for; C++ adds ``using`` declarations.
    import_query = "(preproc_include) @import"

    def module_name(self, path: str, workspace: Workspace) -> str:
        """The path itself: ``x.c`` and ``x.h`` are different modules."""
        return path

    def refine_kind(self, node: Node, kind: str, parent_kind: str | None) -> str | None:
        if kind == "variable" and _is_const(node, self.const_words):
            return "constant"
        return super().refine_kind(node, kind, parent_kind)

    def describe(self, node: Node, kind: str, name: str, src: bytes) -> Details:
        if kind == "module":
            return Details()
        stmt = statement(node)
        anchor = self.anchor(stmt)
        details = Details(
            doc=leading_comment(anchor, src)
            or (trailing_comment(anchor, src) if kind in _TRAILING_DOC_KINDS else None),
            visibility=self.visibility_of(node, stmt, anchor, src),
        )
        if kind in CALLABLE_KINDS:
            fdecl = function_declarator(node)
            details.signature = self.function_signature(node, src)
            if fdecl is not None:
                details.params = params(fdecl.child_by_field_name("parameters"), src)
        elif kind == "macro":
            signature, comment = macro_text(node, src)
            details.signature = signature
            details.doc = details.doc or comment
            details.params = macro_params(node.child_by_field_name("parameters"), src)
        elif kind in TYPE_KINDS:
            details.signature = type_signature(node, name, src)
        elif kind == "type_alias":
            details.signature = alias_signature(node, stmt, src)
        elif kind == "enum_member":
            details.signature = squash(text(node, src), 200)
        else:
            details.signature = declarator_signature(node, stmt, src)
        return details

    def anchor(self, stmt: Node) -> Node:
        """The outermost node a definition's leading comment sits above."""
        parent = stmt.parent
        if parent is not None and parent.type == "linkage_specification":
            return parent
        return stmt

    def visibility_of(self, node: Node, stmt: Node, anchor: Node, src: bytes) -> str:
        """``static`` at file level means internal linkage: private to the file."""
        return "private" if has_storage(stmt, "static") else "public"

    def function_signature(self, node: Node, src: bytes) -> str:
        """A definition's head up to its body; a prototype's whole text with its ``;``."""
        if node.type != "function_definition":
            return tidy(squash(text(node, src)))
        body = node.child_by_field_name("body")
        end = body.start_byte if body is not None else node.end_byte
        return tidy(squash(src[node.start_byte : end].decode("utf-8", "replace"))).rstrip(" {")

    def extract_imports(self, root: Node, src: bytes) -> list[ImportRecord]:
        query = _import_query(self.grammar_name, self.import_query)
        out: list[ImportRecord] = []
        for node in QueryCursor(query).captures(root).get("import", []):
            record = self.import_record(node, src)
            if record is not None:
                out.append(record)
        out.sort(key=lambda r: r.line)
        return out

    def import_record(self, node: Node, src: bytes) -> ImportRecord | None:
        """An ``#include``: quoted paths are relative, ``<...>`` ones are system headers."""
        path = node.child_by_field_name("path")
        if node.type != "preproc_include" or path is None:
            return None
        raw = text(path, src)
        if path.type == "string_literal":
            module, relative = raw.strip('"'), True
        elif path.type == "system_lib_string":
            module, relative = raw.strip("<>"), False
        else:
            return None  # `#include MACRO`: unknowable without preprocessing
        return ImportRecord(
            squash(text(node, src), 300),
            module,
            node.start_point[0],
            relative=relative,
            kind="include",
        )

    def resolve_import(self, imp: ImportRecord, path: str, workspace: Workspace) -> str | None:
        if imp.kind != "include" or not imp.module:
            return None
        if imp.relative:
            here = posixpath.normpath(posixpath.join(posixpath.dirname(path), imp.module))
            if here in workspace.files:
                return here
        rel = posixpath.normpath(imp.module)
        while rel.startswith("../"):
            rel = rel[3:]
        if rel in {".", ".."} or rel.startswith("/"):
            return None
        tail = "/" + rel
        found = [
            f
            for f in _index(workspace).by_name.get(posixpath.basename(rel), [])
            if f == rel or f.endswith(tail)
        ]
        return nearest(found, path) if found else None


@dataclass(slots=True)
class _Index:
    """Workspace files by file name (each list sorted), for suffix lookups."""

    by_name: dict[str, list[str]]


def _index(workspace: Workspace) -> _Index:
    """The include index, built once per workspace and shared by C and C++."""
    cached = workspace.extra.get(_INDEX_KEY)
    if isinstance(cached, _Index):
        return cached
    index = _Index({})
    for f in sorted(workspace.files):
        index.by_name.setdefault(posixpath.basename(f), []).append(f)
    workspace.extra[_INDEX_KEY] = index
    return index


def nearest(candidates: list[str], path: str) -> str:
    """The candidate sharing the longest folder prefix with ``path``, then the shortest."""
    here = path.split("/")

    def shared(c: str) -> int:
        n = 0
        for a, b in zip(c.split("/"), here, strict=False):
            if a != b:
                break
            n += 1
        return n

    return min(candidates, key=lambda c: (-shared(c), len(c), c))


_IMPORT_QUERIES: dict[tuple[str, str], Query] = {}


def _import_query(grammar: str, source: str) -> Query:
    """One compiled import query per grammar, reused for every file."""
    query = _IMPORT_QUERIES.get((grammar, source))
    if query is None:
        query = _IMPORT_QUERIES[grammar, source] = Query(registry.grammar(grammar), source)
    return query


def statement(node: Node) -> Node:
    """The declaration holding a captured declarator or tagged type, else the node."""
    parent = node.parent
    if parent is None:
        return node
    if node.type in SPECIFIERS:
        return parent if parent.type in _STATEMENTS else node
    if node.type in NAME_LEAVES or node.type.endswith("declarator"):
        while parent is not None and parent.type.endswith("declarator"):
            parent = parent.parent
        return parent if parent is not None else node
    return node


def has_storage(stmt: Node, word: str) -> bool:
    for child in stmt.children:
        if (
            child.type == "storage_class_specifier"
            and child.child_count
            and child.children[0].type == word
        ):
            return True
    return False


def _is_const(node: Node, words: frozenset[str]) -> bool:
    """Whether a variable declarator names a constant object (not a pointer to one)."""
    stmt = statement(node)
    decl = node.child_by_field_name("declarator") if node.type == "init_declarator" else node
    if decl is not None and decl.type == "pointer_declarator":
        return any(_qualifies(c, words) for c in decl.children)
    return any(_qualifies(c, words) for c in stmt.children)


def _qualifies(node: Node, words: frozenset[str]) -> bool:
    return node.type == "type_qualifier" and node.child_count > 0 and node.children[0].type in words


def function_declarator(node: Node) -> Node | None:
    """The function_declarator under a definition or prototype's declarator chain."""
    d = node.child_by_field_name("declarator")
    while d is not None and d.type != "function_declarator":
        nxt = d.child_by_field_name("declarator")
        if nxt is None:
            nxt = next((c for c in d.named_children if c.type.endswith("declarator")), None)
        d = nxt
    return d


def declarator_name(node: Node | None) -> Node | None:
    """The innermost name of a declarator chain (``**argv`` → ``argv``)."""
    while node is not None and node.type not in NAME_LEAVES:
        nxt = node.child_by_field_name("declarator")
        if nxt is None:
            nxt = next(
                (
                    c
                    for c in node.named_children
                    if c.type in NAME_LEAVES or c.type.endswith("declarator")
                ),
                None,
            )
        node = nxt
    return node


def params(plist: Node | None, src: bytes) -> list[Param]:
    """Parameters with their types as written minus the name (``char **argv`` → ``char **``)."""
    if plist is None:
        return []
    out: list[Param] = []
    for p in plist.named_children:
        if p.type == "variadic_parameter":
            out.append(Param("...", None, None, "..."))
            continue
        if not p.type.endswith("parameter_declaration"):
            continue
        decl = p.child_by_field_name("declarator")
        default = p.child_by_field_name("default_value")
        name = declarator_name(decl)
        variadic = "..." if p.type.startswith("variadic") else None
        if name is None:
            # Unnamed (`int`, `char *`): the whole parameter is its type.
            end = p.end_byte
            if decl is not None:
                end = decl.end_byte
            elif default is not None:
                end = default.start_byte
            ptype = squash(src[p.start_byte : end].decode("utf-8", "replace").rstrip(" ="))
            if ptype == "void" and plist.named_child_count == 1:
                return []
            out.append(Param("", ptype or None, text(default, src) or None, variadic))
            continue
        end = decl.end_byte if decl is not None else name.end_byte
        before = src[p.start_byte : name.start_byte].decode("utf-8", "replace")
        after = src[name.end_byte : end].decode("utf-8", "replace")
        if variadic:
            before = before.replace("...", " ")
        out.append(
            Param(
                text(name, src),
                squash(before + after) or None,
                text(default, src) or None,
                variadic,
            )
        )
    return out


def macro_text(node: Node, src: bytes) -> tuple[str, str | None]:
    """A macro's one-line signature and the comment ending its line, if any.

    The grammar keeps ``#define X 3 /* why */`` comments inside the macro's
    value, so the comment is split off here and serves as its doc.
    """
    raw = squash(text(node, src).replace("\\\n", " "), 1000)
    match = _TRAILING_COMMENT.search(raw)
    if match is None or raw.count('"', 0, match.start()) % 2:
        return squash(raw, 200), None  # no comment, or `//` inside a string
    return squash(raw[: match.start()], 200), _clean(match.group(1))


def macro_params(plist: Node | None, src: bytes) -> list[Param]:
    if plist is None:
        return []
    out: list[Param] = []
    for c in plist.children:
        if c.type == "identifier":
            out.append(Param(text(c, src)))
        elif c.type == "...":
            out.append(Param("...", None, None, "..."))
    return out


def type_text(t: Node | None, src: bytes) -> str:
    """A type as written, with a tagged type's body elided."""
    if t is None:
        return ""
    body = t.child_by_field_name("body")
    if body is None:
        return text(t, src)
    head = src[t.start_byte : body.start_byte].decode("utf-8", "replace").strip()
    return f"{head} {{…}}"


def type_signature(node: Node, name: str, src: bytes) -> str:
    """``struct Point``; a typedef'd anonymous type reads ``typedef struct Name``."""
    body = node.child_by_field_name("body")
    end = body.start_byte if body is not None else node.end_byte
    if node.child_by_field_name("name") is None:
        keyword = node.children[0].type if node.child_count else "struct"
        return f"typedef {keyword} {name}"
    return squash(src[node.start_byte : end].decode("utf-8", "replace"))


def alias_signature(node: Node, stmt: Node, src: bytes) -> str:
    if stmt.type == "type_definition":
        head = type_text(stmt.child_by_field_name("type"), src)
        return squash(f"typedef {head} {text(node, src)}", 200)
    return squash(text(node, src), 200).rstrip(";")


def declarator_signature(node: Node, stmt: Node, src: bytes) -> str:
    """Specifiers and type of the declaration, then this declarator's first line."""
    if stmt is node:
        return squash(text(node, src).split("\n", 1)[0], 200)
    first = stmt.child_by_field_name("declarator")
    t = stmt.child_by_field_name("type")
    specs_end = first.start_byte if first is not None else node.start_byte
    if t is not None and t.end_byte <= specs_end:
        specs = (
            src[stmt.start_byte : t.start_byte].decode("utf-8", "replace")
            + type_text(t, src)
            + src[t.end_byte : specs_end].decode("utf-8", "replace")
        )
    else:
        specs = src[stmt.start_byte : specs_end].decode("utf-8", "replace")
    return squash(f"{specs} {text(node, src).split(chr(10), 1)[0]}", 200)


def leading_comment(anchor: Node, src: bytes) -> str | None:
    """Comments directly above a definition, unless the nearest one ends a line of code."""
    prev = anchor.prev_sibling
    if prev is None or prev.type != "comment" or anchor.start_point[0] - prev.end_point[0] > 1:
        return None
    before = prev.prev_sibling
    if before is not None and before.end_point[0] == prev.start_point[0]:
        return None
    parts = [text(prev, src)]
    while (
        before is not None
        and before.type == "comment"
        and prev.start_point[0] - before.end_point[0] <= 1
    ):
        parts.append(text(before, src))
        prev, before = before, before.prev_sibling
    return _clean("\n".join(reversed(parts)))


def trailing_comment(anchor: Node, src: bytes) -> str | None:
    """A comment after a field, enumerator or variable on the same line (``int x; // x``)."""
    row = anchor.end_point[0]
    nxt = anchor.next_sibling
    while nxt is not None and nxt.type in {",", ";"} and nxt.start_point[0] == row:
        nxt = nxt.next_sibling
    if nxt is None or nxt.type != "comment" or nxt.start_point[0] != row:
        return None
    return _clean(text(nxt, src))


def tidy(signature: str) -> str:
    """Drop the spaces a wrapped parameter list leaves inside its parentheses."""
    return signature.replace("( ", "(").replace(" )", ")")


def _clean(raw: str) -> str | None:
    doc = clean_comment(raw)
    if doc.startswith(("<", "!<")):  # Doxygen's "documents the member before" marker
        doc = doc.lstrip("!<").lstrip()
    return doc or None


HOOKS = CHooks()
