"""Java: modifiers, Javadoc, parameters, supertypes, imports and class-file resolution.

A Java file's module is its ``package``: every file of a package shares one
module name, so ``com.example.util.Outer.Inner.method`` is the qualified name
of a method wherever the file lives.  Without a package declaration the name
is derived from the path below the source root (``src/main/java/``).

Imports name classes, not files, so resolution maps ``a.b.C`` to
``<root>/a/b/C.java`` for whichever source root holds such a file, found by
file name through an index cached in ``Workspace.extra``.  This module reads
nothing from disk and never raises on broken code.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codeidx.parse.hooks import (
    Details,
    LanguageHooks,
    Workspace,
    clean_comment,
    declared_value,
    split_assignment,
    split_top,
    squash,
    text,
)
from codeidx.parse.records import ImportedName, ImportRecord, Param, TypeParam

if TYPE_CHECKING:
    from tree_sitter import Node

_VISIBILITY_KEYWORDS = frozenset({"public", "private", "protected"})
_ANNOTATIONS = frozenset({"marker_annotation", "annotation"})
_BODIES = frozenset(
    {"class_body", "interface_body", "enum_body", "enum_body_declarations", "annotation_type_body"}
)
# Members of these containers are public without a modifier.
_PUBLIC_CONTAINERS = frozenset({"interface_declaration", "annotation_type_declaration"})
_TYPE_DECLARATIONS = frozenset(
    {
        "class_declaration",
        "record_declaration",
        "interface_declaration",
        "annotation_type_declaration",
        "enum_declaration",
    }
)
_PRIMITIVES = frozenset(
    {"boolean", "byte", "char", "short", "int", "long", "float", "double", "var"}
)
_DECLARATION_MODIFIERS = frozenset({"final"})
_METHOD_MODIFIERS = frozenset(
    {"public", "protected", "private", "static", "final", "abstract", "synchronized"}
    | {"native", "default", "strictfp", "void"}
)
# A value that says nothing of the type of what holds it.
_PLACEHOLDERS = frozenset({"null"})
_FIELD_MODIFIERS = frozenset(
    {"public", "protected", "private", "static", "final", "transient", "volatile"}
)
# Folders that commonly sit right above the package tree's ``java/`` folder.
_ROOT_PARENTS = frozenset({"main", "test", "src"})
_INDEX_KEY = "java_index"


class JavaHooks(LanguageHooks):
    """Java's details; a file's module name is the package it declares."""

    # Fields and methods are in scope unqualified inside a class's methods.
    members_in_scope = True
    type_before_name = True
    #: ``x = <chain>`` and ``x = new <Class>(...)`` (``var x = new Foo()``).
    value_offsets = (3, 7)

    def annotation_names(self, annotation: str) -> list[str]:
        """The class a declared type stands for: ``Foo``, ``java.util.List<T>``, ``final Foo``.

        Arrays and primitives give nothing; a generic type is its class.
        """
        text_ = " ".join(w for w in annotation.split() if w not in _DECLARATION_MODIFIERS)
        text_ = text_.lstrip("@").strip() if text_.startswith("@") else text_
        if text_.endswith(("]", "...")) or text_ in _PRIMITIVES:
            return []
        base = text_.split("<", 1)[0].strip()
        parts = base.split(".")
        return [base] if all(part.isidentifier() for part in parts) else []

    def assigned(self, statement: str) -> tuple[str | None, str | None]:
        """``private final Map<K, V> m = new HashMap<>()`` → (``Map<K, V>``, ``HashMap()``).

        A field's statement as its signature holds it: modifiers and
        annotations, the declared type, the name, then the value.  Several
        declarators in one statement (``int a, b``) say nothing.
        """
        target, value = split_assignment(statement)
        words = [
            w
            for w in split_top(target.strip(), " ")
            if w and not w.startswith("@") and w not in _FIELD_MODIFIERS
        ]
        if len(words) < 2 or not words[-1].isidentifier() or len(split_top(target, ",")) > 1:
            return None, None
        return " ".join(words[:-1]), declared_value(value, _PLACEHOLDERS)

    def return_annotation(self, signature: str) -> str | None:
        """The result type of a method header: ``List<T>`` of ``public <T> List<T> of(T t)``."""
        end = signature.find("(")
        words = [w for w in split_top(signature[:end].strip(), " ") if w] if end > 0 else []
        if len(words) < 2:
            return None
        result = words[-2]
        if result in _PRIMITIVES or result in _METHOD_MODIFIERS or result.startswith("<"):
            return None  # a constructor (a modifier before its name), void, a primitive
        return result

    def tree_module_name(self, root: Node, src: bytes, default: str) -> str:
        for child in root.children:
            if child.type == "package_declaration":
                for part in child.named_children:
                    if part.type in {"scoped_identifier", "identifier"}:
                        return "".join(text(part, src).split())
            elif child.type in _TYPE_DECLARATIONS or child.type == "import_declaration":
                break
        return default

    def refine_kind(self, node: Node, kind: str, parent_kind: str | None) -> str | None:
        """A ``static final`` field is a constant; captured kinds are otherwise exact."""
        if kind == "field" and node.type == "variable_declarator":
            decl = node.parent
            mods = _modifiers(decl) if decl is not None else None
            if mods is not None:
                words = {c.type for c in mods.children}
                if "static" in words and "final" in words:
                    return "constant"
        return kind

    def describe(self, node: Node, kind: str, name: str, src: bytes) -> Details:
        if kind == "module":
            return Details()
        # Fields are captured per declarator; modifiers live on the declaration.
        decl = node.parent if node.type == "variable_declarator" and node.parent else node
        mods = _modifiers(decl)
        details = Details(
            signature=_signature(node, decl, mods, src),
            doc=_javadoc(decl, mods, src),
            decorators=_annotations(mods, src),
            visibility=_visibility(decl, node, mods),
        )
        params = node.child_by_field_name("parameters")
        if node.type == "compact_constructor_declaration":
            # A compact constructor takes the record's components implicitly.
            record = node.parent.parent if node.parent is not None else None
            if record is not None and record.type == "record_declaration":
                params = record.child_by_field_name("parameters")
        if params is not None:
            details.params = _params(params, src)
        tps = node.child_by_field_name("type_parameters")
        if tps is not None:
            details.type_params = _type_params(tps, src)
        if node.type in _TYPE_DECLARATIONS:
            details.bases = _bases(node, src)
        return details

    def extract_imports(self, root: Node, src: bytes) -> list[ImportRecord]:
        out: list[ImportRecord] = []
        for child in root.children:
            if child.type != "import_declaration":
                continue
            target = None
            static = wildcard = False
            for part in child.children:
                if part.type in {"scoped_identifier", "identifier"}:
                    target = part
                elif part.type == "static":
                    static = True
                elif part.type == "asterisk":
                    wildcard = True
            if target is None:
                continue
            dotted = "".join(text(target, src).split())
            if wildcard:
                module, names = dotted, [ImportedName("*")]
            elif static:
                module, _, member = dotted.rpartition(".")
                names = [ImportedName(member)]
            else:
                module, names = dotted, [ImportedName(dotted.rpartition(".")[2])]
            out.append(
                ImportRecord(
                    squash(text(child, src), 300), module, child.start_point[0], names=names
                )
            )
        return out

    def module_name(self, path: str, workspace: Workspace) -> str:
        """The package a file's folder stands for below its source root.

        The source root ends at a ``java/`` folder: the one right under
        ``main``, ``test`` or ``src`` (Maven and Gradle layouts) if there is
        one, else the last.  Without a ``java/`` folder the whole folder path
        is the package.  Files at the root belong to the default package "".
        """
        parts = posixpath.dirname(path).split("/") if "/" in path else []
        cut = -1
        for i, part in enumerate(parts):
            if part == "java":
                if i > 0 and parts[i - 1] in _ROOT_PARENTS:
                    cut = i
                    break
                cut = i
        return ".".join(parts[cut + 1 :])

    def resolve_import(self, imp: ImportRecord, path: str, workspace: Workspace) -> str | None:
        """The file declaring an imported class, or the first file of a ``*`` package.

        Nested classes (``a.b.C.Inner``) and static members resolve to the
        outer class's file by dropping trailing parts until a file matches.
        """
        parts = [p for p in imp.module.split(".") if p]
        if not parts:
            return None
        index = _index(workspace)
        for n in range(len(parts), 1, -1):
            rel = "/".join(parts[:n]) + ".java"
            found = _suffix_matches(index.by_name.get(parts[n - 1] + ".java", []), rel)
            if found:
                return _nearest(found, path)
        if any(name.name == "*" for name in imp.names):
            folder = "/".join(parts)
            leaf = parts[-1]
            dirs = [
                d
                for d in index.by_dir
                if posixpath.basename(d) == leaf and (d == folder or d.endswith("/" + folder))
            ]
            if dirs:
                return index.by_dir[_nearest(dirs, path)][0]
        return None


@dataclass(slots=True)
class _Index:
    """Java files by file name and by folder (each list sorted)."""

    by_name: dict[str, list[str]]
    by_dir: dict[str, list[str]]


def _index(workspace: Workspace) -> _Index:
    """The workspace's Java file index, built once and cached in ``extra``."""
    cached = workspace.extra.get(_INDEX_KEY)
    if isinstance(cached, _Index):
        return cached
    index = _Index({}, {})
    for f in sorted(workspace.files):
        if f.endswith(".java"):
            folder, _, base = f.rpartition("/")
            index.by_name.setdefault(base, []).append(f)
            index.by_dir.setdefault(folder, []).append(f)
    workspace.extra[_INDEX_KEY] = index
    return index


def _suffix_matches(candidates: list[str], rel: str) -> list[str]:
    tail = "/" + rel
    return [c for c in candidates if c == rel or c.endswith(tail)]


def _nearest(candidates: list[str], path: str) -> str:
    """The candidate sharing the longest folder prefix with the importer."""

    def shared(c: str) -> int:
        n = 0
        for a, b in zip(c.split("/"), path.split("/"), strict=False):
            if a != b:
                break
            n += 1
        return n

    return min(candidates, key=lambda c: (-shared(c), len(c), c))


def _modifiers(decl: Node) -> Node | None:
    first = decl.named_child(0) if decl.named_child_count else None
    return first if first is not None and first.type == "modifiers" else None


def _annotations(mods: Node | None, src: bytes) -> list[str]:
    if mods is None:
        return []
    return [squash(text(c, src)[1:], 200) for c in mods.named_children if c.type in _ANNOTATIONS]


def _keywords(mods: Node | None, src: bytes) -> str:
    """The modifier keywords without annotations (those go to decorators)."""
    if mods is None:
        return ""
    return " ".join(
        text(c, src) for c in mods.children if c.type not in _ANNOTATIONS and not c.is_named
    )


def _signature(node: Node, decl: Node, mods: Node | None, src: bytes) -> str:
    keywords = _keywords(mods, src)
    if node.type == "variable_declarator":
        head = text(decl.child_by_field_name("type"), src)
        first_line = text(node, src).split("\n", 1)[0]
        return squash(" ".join(p for p in (keywords, head, first_line) if p), 200)
    if node.type == "formal_parameter":
        return squash(text(node, src), 200)
    start = mods.end_byte if mods is not None else decl.start_byte
    body = decl.child_by_field_name("body")
    end = body.start_byte if body is not None else decl.end_byte
    rest = src[start:end].decode("utf-8", "replace")
    return tidy(squash(f"{keywords} {rest}" if keywords else rest)).rstrip(" {;")


def tidy(signature: str) -> str:
    """Drop the spaces a wrapped parameter list leaves inside its parentheses."""
    return signature.replace("( ", "(").replace(" )", ")")


def _visibility(decl: Node, node: Node, mods: Node | None) -> str:
    if mods is not None:
        for c in mods.children:
            if c.type in _VISIBILITY_KEYWORDS:
                return c.type
    if decl.type == "enum_constant":
        return "public"
    if node.type == "formal_parameter":
        return "private"  # a record component's field; its accessor is public
    owner = _owner(decl)
    if owner is not None:
        if owner.type in _PUBLIC_CONTAINERS:
            return "public"
        if owner.type == "enum_declaration" and decl.type == "constructor_declaration":
            return "private"
    return "internal"


def _owner(decl: Node) -> Node | None:
    """The type declaration whose body holds a member, if any."""
    body = decl.parent
    if body is not None and body.type == "enum_body_declarations":
        body = body.parent
    if body is None or body.type not in _BODIES:
        return None
    return body.parent


def _javadoc(decl: Node, mods: Node | None, src: bytes) -> str | None:
    """The Javadoc above a declaration, else a run of ``//`` lines right above it.

    Annotations normally sit inside the declaration's modifiers, so the comment
    is its previous sibling; a Javadoc placed between the annotations and the
    declaration sits inside the modifiers and is found there.
    """
    prev = decl.prev_sibling
    while prev is not None and prev.type in _ANNOTATIONS:
        prev = prev.prev_sibling
    if prev is not None and prev.type == "block_comment":
        raw = text(prev, src)
        if raw.startswith("/**") and not _trails_code(prev):
            return clean_comment(raw) or None
        return None
    lines: list[str] = []
    anchor = decl
    while (
        prev is not None
        and prev.type == "line_comment"
        and anchor.start_point[0] - prev.end_point[0] <= 1
        and not _trails_code(prev)
    ):
        lines.append(text(prev, src))
        anchor = prev
        prev = prev.prev_sibling
    if lines:
        return clean_comment("\n".join(reversed(lines))) or None
    if mods is not None:
        for c in mods.children:
            if c.type == "block_comment" and text(c, src).startswith("/**"):
                return clean_comment(text(c, src)) or None
    return None


def _trails_code(comment: Node) -> bool:
    """Whether a comment ends a line of code (then it documents that line)."""
    prev = comment.prev_sibling
    return prev is not None and prev.end_point[0] == comment.start_point[0]


def _params(params: Node, src: bytes) -> list[Param]:
    out: list[Param] = []
    for p in params.named_children:
        if p.type == "formal_parameter":
            ptype = text(p.child_by_field_name("type"), src)
            dims = p.child_by_field_name("dimensions")
            if dims is not None:
                ptype += text(dims, src)
            out.append(Param(text(p.child_by_field_name("name"), src), squash(ptype) or None))
        elif p.type == "spread_parameter":
            name = ""
            ptype = ""
            for c in p.named_children:
                if c.type == "variable_declarator":
                    name = text(c.child_by_field_name("name"), src)
                elif c.type != "modifiers" and not ptype:
                    ptype = text(c, src)
            out.append(Param(name, squash(ptype) or None, None, "..."))
    return out


def _type_params(tps: Node, src: bytes) -> list[TypeParam]:
    out: list[TypeParam] = []
    for tp in tps.named_children:
        if tp.type != "type_parameter":
            continue
        name = ""
        bound: str | None = None
        for c in tp.named_children:
            if c.type in {"type_identifier", "identifier"} and not name:
                name = text(c, src)
            elif c.type == "type_bound":
                raw = text(c, src).strip()
                bound = squash(raw[len("extends") :] if raw.startswith("extends") else raw) or None
        out.append(TypeParam(name, bound))
    return out


def _bases(node: Node, src: bytes) -> list[tuple[str, str]]:
    """Declared supertypes: ``extends`` inherits, ``implements`` implements."""
    out: list[tuple[str, str]] = []
    for c in node.named_children:
        if c.type == "superclass":
            for t in c.named_children:
                out.append(("inherit", squash(text(t, src))))
        elif c.type in {"super_interfaces", "extends_interfaces"}:
            role = "implement" if c.type == "super_interfaces" else "inherit"
            for lst in c.named_children:
                if lst.type == "type_list":
                    out.extend((role, squash(text(t, src))) for t in lst.named_children)
    return out


HOOKS = JavaHooks()
