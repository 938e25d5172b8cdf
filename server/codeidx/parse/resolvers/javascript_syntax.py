"""The syntax around JavaScript definitions: what the hooks read off the tree.

For a definition: the ``variable_declarator`` of a binding (above a
destructuring pattern), the statement standing for it (for docs and
visibility) and whether ``export`` or ``declare`` wraps it; the value it
binds, and the function or class node that value is; where its own text
starts, its decorators and its JSDoc.  For a member assigned from outside
its body (``Foo.prototype.bar = …``): the owner it names, and the functions
and classes a block declares beside it.  For a file: its leading doc, the
names it exports (ES modules and CommonJS) and whether it is a module at all.

Pure functions of tree-sitter nodes and source bytes; ``javascript.py``'s
hooks apply the rules in its module docstring to what they find.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from codeidx.parse.hooks import clean_comment, squash, text

if TYPE_CHECKING:
    from tree_sitter import Node

FUNCTION_VALUES = frozenset(
    {"arrow_function", "function_expression", "generator_function", "function"}
)
CLASS_NODES = frozenset({"class", "class_declaration", "abstract_class_declaration"})
# Nodes that wrap a declaration without changing what it declares.
WRAPPERS = frozenset({"export_statement", "ambient_declaration", "expression_statement"})
NAMESPACE_NODES = frozenset({"internal_module", "module"})
# Statements declaring a named function or class.
_DECLARATIONS = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "abstract_class_declaration",
    }
)
# What lies between a destructured name and its ``variable_declarator``.
_BINDING_NODES = frozenset(
    {
        "identifier",
        "shorthand_property_identifier_pattern",
        "object_pattern",
        "array_pattern",
        "pair_pattern",
        "object_assignment_pattern",
        "assignment_pattern",
        "rest_pattern",
    }
)
_MODULE_DOC_TAGS = ("@file", "@fileoverview", "@overview", "@module")


@dataclass(slots=True)
class FileFacts:
    """Top-level facts about one file that decide statement visibility."""

    exported: set[str] = field(default_factory=set)
    is_module: bool = False


def declarator_of(node: Node) -> Node | None:
    """The ``variable_declarator`` a binding belongs to (itself, or above a pattern)."""
    current: Node | None = node
    while current is not None and current.type in _BINDING_NODES:
        current = current.parent
    return current if current is not None and current.type == "variable_declarator" else None


def statement_of(node: Node) -> tuple[Node, bool]:
    """The outermost node standing for a definition's statement (for docs and
    visibility), and whether an ``export`` or ``declare`` wraps the definition."""
    top = node
    declarator = declarator_of(node)
    if declarator is not None and declarator.parent is not None:
        top = declarator.parent
    wrapped = False
    while top.parent is not None and top.parent.type in WRAPPERS:
        top = top.parent
        wrapped = wrapped or top.type in {"export_statement", "ambient_declaration"}
    return top, wrapped


def in_ambient_block(top: Node) -> bool:
    """Inside a ``declare namespace``/``declare module``/``declare global`` body,
    where every declaration is implicitly exported."""
    current = top.parent
    while current is not None and current.type != "program":
        if current.type == "ambient_declaration":
            return True
        if current.type not in {"statement_block", *NAMESPACE_NODES, *WRAPPERS}:
            return False
        current = current.parent
    return False


def value_of(node: Node) -> Node | None:
    """The value a definition binds: a declarator's or field's, or an assignment's right side."""
    if node.type == "assignment_expression":
        return node.child_by_field_name("right")
    return node.child_by_field_name("value")


def callable_of(node: Node) -> Node | None:
    """The function-like node holding a definition's parameters, if any."""
    if node.child_by_field_name("parameters") is not None or node.type == "arrow_function":
        return node
    value = value_of(node)
    if value is not None and value.type in FUNCTION_VALUES:
        return value
    return None


def class_of(node: Node) -> Node | None:
    if node.type in CLASS_NODES:
        return node
    value = value_of(node)
    return value if value is not None and value.type == "class" else None


def member_assignment(node: Node) -> tuple[Node, Node] | None:
    """(assignment, owner) of a member assigned from outside its body.

    ``Foo.bar = …`` and ``Foo.prototype.bar = …`` (the definition is the
    assignment), or a method of ``Foo.prototype = {…}`` (the definition is in
    the object): the owner is the identifier ``Foo``.
    """
    if node.type == "assignment_expression":
        assignment = node
        target = node.child_by_field_name("left")
        owner = target.child_by_field_name("object") if target is not None else None
        if owner is not None and owner.type == "member_expression":
            owner = owner.child_by_field_name("object")
    elif node.type in {"method_definition", "pair"}:
        holder = node.parent
        parent = holder.parent if holder is not None and holder.type == "object" else None
        if parent is None or parent.type != "assignment_expression":
            return None
        assignment = parent
        target = parent.child_by_field_name("left")
        owner = target.child_by_field_name("object") if target is not None else None
    else:
        return None
    if owner is None or owner.type != "identifier":
        return None
    return assignment, owner


def functions_and_classes(block: Node) -> frozenset[bytes | None]:
    """Names of the functions and classes a block declares (``function f``, ``const C = class``)."""
    names: set[bytes | None] = set()
    for stmt in block.named_children:
        if stmt.type == "export_statement":
            stmt = stmt.child_by_field_name("declaration") or stmt
        if stmt.type in _DECLARATIONS:
            name = stmt.child_by_field_name("name")
            if name is not None:
                names.add(name.text)
        elif stmt.type in {"lexical_declaration", "variable_declaration"}:
            for declarator in stmt.named_children:
                name = declarator.child_by_field_name("name")
                value = declarator.child_by_field_name("value")
                if (
                    name is not None
                    and name.type == "identifier"
                    and value is not None
                    and (value.type in FUNCTION_VALUES or value.type == "class")
                ):
                    names.add(name.text)
    return frozenset(names)


def content_start(node: Node) -> int:
    """Where a definition's own text starts, after decorators and comments."""
    for child in node.children:
        if child.type not in {"decorator", "comment"}:
            return child.start_byte
    return node.start_byte


def decorators_of(node: Node, top: Node, src: bytes) -> list[str]:
    found = [c for c in node.children if c.type == "decorator"]
    if node.parent is not None and node.parent.type == "class_body":
        # TypeScript puts method decorators before the method, as siblings.
        prev = node.prev_named_sibling
        while prev is not None and prev.type == "decorator":
            found.insert(0, prev)
            prev = prev.prev_named_sibling
    if top is not node and top.type == "export_statement":
        found[:0] = [c for c in top.children if c.type == "decorator"]
    return [squash(text(d, src)[1:], 200) for d in found]


def jsdoc(top: Node, src: bytes) -> str | None:
    anchor = top
    prev = anchor.prev_sibling
    while prev is not None and prev.type == "decorator":
        anchor, prev = prev, prev.prev_sibling
    if prev is None or prev.type != "comment" or not src[prev.start_byte :].startswith(b"/**"):
        return None
    if anchor.start_point[0] - prev.end_point[0] > 1:
        return None
    return clean_comment(text(prev, src)) or None


def module_doc(root: Node, src: bytes) -> str | None:
    """A leading JSDoc block with a file tag, or set apart by a blank line."""
    first = root.children[0] if root.child_count else None
    if first is None or first.type != "comment" or not src[first.start_byte :].startswith(b"/**"):
        return None
    raw = text(first, src)
    following = first.next_sibling
    detached = following is None or following.start_point[0] - first.end_point[0] > 1
    lowered = raw.lower()
    tagged = any(tag in raw for tag in _MODULE_DOC_TAGS)
    if tagged or (detached and "copyright" not in lowered and "@license" not in lowered):
        return clean_comment(raw) or None
    return None


def scan_file(program: Node, src: bytes) -> FileFacts:
    """Collect exported local names and whether the file is a module at all."""
    facts = FileFacts()
    for stmt in program.named_children:
        kind = stmt.type
        if kind == "import_statement":
            facts.is_module = True
        elif kind == "export_statement":
            facts.is_module = True
            for part in stmt.named_children:
                if part.type == "export_clause" and stmt.child_by_field_name("source") is None:
                    for spec in part.named_children:
                        facts.exported.add(text(spec.child_by_field_name("name"), src))
                elif part.type == "identifier":
                    facts.exported.add(text(part, src))
        elif kind in {"lexical_declaration", "variable_declaration"}:
            # A top-level `const x = require(...)` makes a CommonJS module.
            values = (d.child_by_field_name("value") for d in stmt.named_children)
            if any(v is not None and src.startswith(b"require(", v.start_byte) for v in values):
                facts.is_module = True
        elif kind == "expression_statement" and stmt.named_child_count == 1:
            _scan_commonjs(stmt.named_children[0], src, facts)
    return facts


def _scan_commonjs(expr: Node, src: bytes, facts: FileFacts) -> None:
    """``module.exports = …`` and ``exports.x = …`` export their right-hand names."""
    if expr.type != "assignment_expression":
        return
    target, right = text(expr.child_by_field_name("left"), src), expr.child_by_field_name("right")
    if right is None or not target.startswith(("module.exports", "exports.")):
        return
    facts.is_module = True
    if right.type == "identifier":
        facts.exported.add(text(right, src))
    elif right.type == "object":
        for part in right.named_children:
            if part.type == "shorthand_property_identifier":
                facts.exported.add(text(part, src))
            elif part.type == "pair":
                value = part.child_by_field_name("value")
                if value is not None and value.type == "identifier":
                    facts.exported.add(text(value, src))
