"""C++: classes, access, templates, out-of-line members and ``using`` on top of C.

Everything C does holds here (declarators, comments, ``#include``
resolution); this module adds what C++ changes.  Members take the access of
the nearest ``public:``/``protected:``/``private:`` above them (a ``class``
starts private, a ``struct`` or ``union`` public).  An out-of-line definition
(``void Shape::area() {}``) is qualified by the scope written before its
name, so it shares its qualified name with the declaration in the class.
``using namespace`` and ``using a::b`` are imports that name namespaces, not
files, so they never resolve to a path.  Hooks never raise on broken code.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from codeidx.parse.hooks import Details, squash, text
from codeidx.parse.records import ImportedName, ImportRecord, TypeParam
from codeidx.parse.resolvers.c import (
    CALLABLE_KINDS,
    SPECIFIERS,
    CHooks,
    declarator_name,
    function_declarator,
    has_storage,
    statement,
    tidy,
)

if TYPE_CHECKING:
    from tree_sitter import Node

_CLASS_KINDS = frozenset({"class", "struct", "union"})
_ACCESS = frozenset({"public", "private", "protected"})
_TEMPLATE_ARGS = re.compile(r"<[^<>]*(?:<[^<>]*>[^<>]*)*>")


class CppHooks(CHooks):
    """C++'s details: the C hooks plus classes, templates, access and ``using``."""

    grammar_name = "cpp"
    self_names = ("this",)
    # Members are in scope unqualified inside a class's member functions.
    members_in_scope = True
    const_words = frozenset({"const", "constexpr"})
    import_query = "[(preproc_include) (using_declaration) (namespace_alias_definition)] @import"

    def refine_kind(self, node: Node, kind: str, parent_kind: str | None) -> str | None:
        if kind not in CALLABLE_KINDS:
            return super().refine_kind(node, kind, parent_kind)
        fdecl = function_declarator(node)
        target = fdecl.child_by_field_name("declarator") if fdecl is not None else None
        if target is None:
            return kind
        if target.type == "qualified_identifier":
            scopes, leaf = _split_qualified(target)
            if leaf.type == "destructor_name" or (scopes and leaf.text == scopes[-1].encode()):
                return "constructor"
            return "method"
        if parent_kind in _CLASS_KINDS:
            if target.type == "destructor_name":
                return "constructor"
            owner = _enclosing_class_name(node)
            if owner is not None and target.text == owner:
                return "constructor"
            return "method"
        return kind

    def extra_qualifier(self, node: Node, kind: str, src: bytes) -> str | None:
        """The class (or namespace) an out-of-line definition names: ``a::Shape``."""
        if kind not in CALLABLE_KINDS:
            return None
        fdecl = function_declarator(node)
        target = fdecl.child_by_field_name("declarator") if fdecl is not None else None
        if target is None or target.type != "qualified_identifier":
            return None
        scopes, _ = _split_qualified(target)
        return "::".join(scopes) or None

    def describe(self, node: Node, kind: str, name: str, src: bytes) -> Details:
        details = super().describe(node, kind, name, src)
        if kind == "module":
            return details
        stmt = statement(node)
        details.decorators = _attributes(node, src) + (
            _attributes(stmt, src) if stmt is not node else []
        )
        if kind == "namespace":
            body = node.child_by_field_name("body")
            end = body.start_byte if body is not None else node.end_byte
            details.signature = squash(src[node.start_byte : end].decode("utf-8", "replace"))
        if node.type in SPECIFIERS:
            details.bases = _bases(node, src)
        template = _template_of(self.anchor(stmt))
        if template is not None:
            details.type_params = template_params(template, src)
            details.signature = squash(f"{_template_head(template, src)} {details.signature}")
        return details

    def anchor(self, stmt: Node) -> Node:
        anchor = super().anchor(stmt)
        while anchor.parent is not None and anchor.parent.type == "template_declaration":
            anchor = anchor.parent
        return anchor

    def visibility_of(self, node: Node, stmt: Node, anchor: Node, src: bytes) -> str:
        """Members by access specifier; ``static`` and anonymous-namespace entities are private."""
        parent = anchor.parent
        if parent is not None and parent.type == "field_declaration_list":
            prev = anchor.prev_sibling
            while prev is not None:
                if prev.type == "access_specifier" and prev.child_count:
                    word = prev.children[0].type
                    if word in _ACCESS:
                        return word
                prev = prev.prev_sibling
            owner = parent.parent
            return "private" if owner is not None and owner.type == "class_specifier" else "public"
        if has_storage(stmt, "static"):
            return "private"
        scope = anchor.parent
        while scope is not None:
            if scope.type == "namespace_definition" and scope.child_by_field_name("name") is None:
                return "private"
            scope = scope.parent
        return "public"

    def function_signature(self, node: Node, src: bytes) -> str:
        """The head of a definition, without leading attributes or a constructor's initializers."""
        if node.type != "function_definition":
            return tidy(squash(text(node, src)))
        start = node.start_byte
        for child in node.children:
            if child.type != "attribute_declaration":
                start = child.start_byte
                break
        end = node.end_byte
        for child in node.children:
            if child.type in {"compound_statement", "field_initializer_list", "try_statement"}:
                end = child.start_byte
                break
        return tidy(squash(src[start:end].decode("utf-8", "replace"))).rstrip(" {")

    def import_record(self, node: Node, src: bytes) -> ImportRecord | None:
        if node.type == "preproc_include":
            return super().import_record(node, src)
        raw = squash(text(node, src), 300)
        line = node.start_point[0]
        if node.type == "namespace_alias_definition":
            alias = node.child_by_field_name("name")
            target = node.named_children[-1] if node.named_child_count > 1 else None
            if alias is None or target is None:
                return None
            return ImportRecord(raw, _scoped(target, src), line, bind=text(alias, src), kind="use")
        target = next((c for c in node.named_children if c.type != "comment"), None)
        if target is None:
            return None
        path = _scoped(target, src)
        if any(c.type == "namespace" for c in node.children):
            return ImportRecord(raw, path, line, names=[ImportedName("*")], kind="use")
        module, _, member = path.rpartition("::")
        return ImportRecord(raw, module, line, names=[ImportedName(member)], kind="use")


def _scoped(node: Node, src: bytes) -> str:
    return "".join(text(node, src).split())


def _split_qualified(node: Node) -> tuple[list[str], Node]:
    """``a::B<T>::f`` → (["a", "B"], the ``f`` node)."""
    scopes: list[str] = []
    while node.type == "qualified_identifier":
        scope = node.child_by_field_name("scope")
        if scope is not None:
            label = (scope.text or b"").decode("utf-8", "replace")
            scopes.append(_TEMPLATE_ARGS.sub("", "".join(label.split())))
        name = node.child_by_field_name("name")
        if name is None:
            break
        node = name
    if node.type == "template_function":
        node = node.child_by_field_name("name") or node
    return scopes, node


def _enclosing_class_name(node: Node) -> bytes | None:
    scope = node.parent
    while scope is not None and scope.type not in SPECIFIERS:
        scope = scope.parent
    if scope is None:
        return None
    name = scope.child_by_field_name("name")
    if name is not None and name.type == "template_type":
        name = name.child_by_field_name("name")
    return name.text if name is not None else None


def _attributes(node: Node, src: bytes) -> list[str]:
    """``[[nodiscard]]`` and ``__attribute__((x))`` as written inside the brackets."""
    out: list[str] = []
    for child in node.children:
        if child.type == "attribute_declaration":
            out.extend(squash(text(a, src), 200) for a in child.named_children)
        elif child.type == "attribute_specifier":
            inner = child.named_children[0] if child.named_child_count else None
            out.append(
                squash(text(inner, src), 200) if inner is not None else squash(text(child, src))
            )
    return out


def _bases(node: Node, src: bytes) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for child in node.children:
        if child.type == "base_class_clause":
            for base in child.named_children:
                if base.type not in {"access_specifier", "comment"}:
                    out.append(("inherit", squash(text(base, src))))
    return out


def _template_of(anchor: Node) -> Node | None:
    return anchor if anchor.type == "template_declaration" else None


def _template_head(template: Node, src: bytes) -> str:
    """``template <typename T> requires C<T>``: the text before the templated entity."""
    inner = template.named_children[-1] if template.named_child_count else None
    end = inner.start_byte if inner is not None else template.end_byte
    return squash(src[template.start_byte : end].decode("utf-8", "replace"))


def template_params(template: Node, src: bytes) -> list[TypeParam]:
    """Template parameters; a constrained one (``std::integral T``) keeps its concept.

    Clauses of a ``requires`` conjunction are attached to the parameters they
    mention, joined with ``&&`` to a concept written in the parameter list.
    """
    out: list[TypeParam] = []
    plist = template.child_by_field_name("parameters")
    for p in plist.named_children if plist is not None else []:
        kind = p.type
        if kind in {"type_parameter_declaration", "variadic_type_parameter_declaration"}:
            name = next(
                (c for c in reversed(p.named_children) if c.type == "type_identifier"), None
            )
            out.append(TypeParam(text(name, src)))
        elif kind in {
            "optional_type_parameter_declaration",
            "template_template_parameter_declaration",
        }:
            name = p.child_by_field_name("name") or next(
                (c for c in reversed(p.named_children) if c.type == "type_identifier"), None
            )
            out.append(TypeParam(text(name, src)))
        elif kind.endswith("parameter_declaration"):
            name = declarator_name(p.child_by_field_name("declarator"))
            ptype = p.child_by_field_name("type")
            out.append(TypeParam(text(name, src), squash(text(ptype, src)) or None))
    for child in template.named_children:
        if child.type == "requires_clause":
            for clause in _conjuncts(child.child_by_field_name("constraint")):
                label = squash(text(clause, src))
                for tp in out:
                    if tp.name and re.search(rf"\b{re.escape(tp.name)}\b", label):
                        tp.constraint = f"{tp.constraint} && {label}" if tp.constraint else label
    return out


def _conjuncts(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.type == "constraint_conjunction":
        return _conjuncts(node.child_by_field_name("left")) + _conjuncts(
            node.child_by_field_name("right")
        )
    return [node]


HOOKS = CppHooks()
