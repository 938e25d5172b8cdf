"""TypeScript and TSX: what types and modifiers add to the JavaScript hooks.

Both grammars share this module (see ``registry.LANGUAGES``): the TSX grammar
is the TypeScript one plus JSX, so every rule here holds for both.  The
JavaScript hooks already handle statements, exports, JSDoc, imports and module
resolution (``tsconfig.json`` ``baseUrl``/``paths`` included); this module adds
typed and optional parameters, generic constraints, ``private``/``protected``
members and ``implements`` clauses.  Like every hooks module it reads nodes
and text only.

An optional parameter keeps its ``?`` on the name (``scale?``), as written,
because :class:`~codeidx.parse.records.Param` has no optional flag and the
parameter has no default in the source.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from codeidx.parse.hooks import Wrappers, angle_end, group_end, split_top, squash, text
from codeidx.parse.records import Param, TypeParam
from codeidx.parse.resolvers.javascript import BUILTIN_MEMBERS, JavaScriptHooks

if TYPE_CHECKING:
    from tree_sitter import Node

_ACCESS = frozenset({"private", "protected", "public"})
#: A non-null assertion after a name, a call or an index (``m.get(k)!``).
_NON_NULL = re.compile(r"(?<=[\w)\]])!(?!=)")


class TypeScriptHooks(JavaScriptHooks):
    """TypeScript's details on top of the ECMAScript ones."""

    grammars = ("typescript", "tsx")
    #: ``new Client({ timeoutMS: 10 })`` passes its options to the constructor.
    constructor_names = ("constructor",)
    # Arrays and sets: ``for (const x of xs)`` binds an element; ``pop``,
    # ``find`` and ``at`` give one, ``filter`` and ``slice`` an array of them.
    wrappers = Wrappers(
        opening=frozenset({"pop", "shift", "at", "find", "findLast", "get"}),
        keeping=frozenset(
            {"filter", "slice", "concat", "reverse", "sort", "toSorted", "toReversed", "splice"}
        ),
        members=BUILTIN_MEMBERS,
        iterated=True,
        values=frozenset({"values"}),
        passing=frozenset(
            {"map", "forEach", "filter", "find", "findLast", "findIndex", "some", "every"}
            | {"flatMap"}
        ),
        passing_offsets=(1, 2),
    )

    #: ``operation: T`` in ``function run<T extends Operation>`` has ``Operation``'s members.
    bounded_type_parameters = True

    def type_bounds(self, signature: str) -> dict[str, list[str]]:
        """A declaration's type parameters with their ``extends`` bounds.

        ``function f<T extends Base & Named, U = T>(…)`` gives ``{"T":
        ["Base", "Named"], "U": []}``: a default is no bound.  The generics
        are those right after the declared name (``class Foo<T> extends
        Bar<T>``), not a base's or a parameter's type arguments.
        """
        inner = _own_generics(signature)
        if inner is None:
            return {}
        out: dict[str, list[str]] = {}
        for param in split_top(inner, ","):
            param = param.strip()
            for modifier in ("const ", "in ", "out "):
                param = param.removeprefix(modifier).lstrip()
            name, extends, bound = split_top(param, " = ")[0].partition(" extends ")
            name = name.strip()
            if name.isidentifier():
                parts = split_top(bound, "&") if extends else []
                out[name] = [b.strip() for b in parts if b.strip()]
        return out

    def wrapped(self, annotation: str) -> str | None:
        """The element type of an array or set type: ``Foo`` of ``readonly Foo[] | undefined``.

        ``Array``, ``ReadonlyArray``, ``Set``, ``ReadonlySet`` and the
        iterables; a ``Map``'s loop gives pairs, so maps are left out.
        """
        return _element_type(annotation.strip(), 0, _ITERABLES, 0, arrays=True)

    def keyed(self, annotation: str) -> str | None:
        """The value type of a map type: ``Foo`` of ``Map<string, Foo>``, ``Record<K, Foo>``."""
        return _element_type(annotation.strip(), 0, _MAPS, 1, arrays=False)

    def promised(self, annotation: str) -> str | None:
        """The result type of a promise: ``Foo`` of ``Promise<Foo>`` or ``PromiseLike<Foo>``."""
        return _element_type(annotation.strip(), 0, _PROMISES, 0, arrays=False)

    def receiver_chain(self, receiver: str) -> str:
        """Non-null assertions say nothing of a type: ``m.get(k)!`` reads as ``m.get(k)``."""
        if "!" in receiver:
            receiver = _NON_NULL.sub("", receiver)
        return super().receiver_chain(receiver)

    def annotation_names(self, annotation: str) -> list[str]:
        """The classes a type stands for: ``Foo``, ``ns.Foo<T>``, ``Foo | null``.

        Arrays, tuples, function and object types give nothing.
        """
        return _type_names(annotation.strip(), 0)

    def return_annotation(self, signature: str) -> str | None:
        """The type after the parameters' ``):`` of a function or method header."""
        opened = signature.find("(")
        if opened < 0:
            return None
        rest = signature[opened + group_end(signature[opened:]) :].strip()
        if not rest.startswith(":"):
            return None
        return split_top(rest[1:], "=>")[0].split("{", 1)[0].strip() or None

    def member_visibility(self, node: Node, name: str) -> str:
        """``private``/``protected``/``public`` as written, else the ``#name`` rule."""
        for child in node.children:
            if child.type == "accessibility_modifier":
                keyword = _modifier(child)
                return keyword if keyword in _ACCESS else "public"
        return super().member_visibility(node, name)

    def param(self, p: Node, src: bytes) -> Param | None:
        if p.type not in {"required_parameter", "optional_parameter"}:
            return super().param(p, src)
        pattern = p.child_by_field_name("pattern")
        if pattern is None or pattern.type == "this":
            # `this: Window` types the receiver; callers never pass it.
            return None
        annotation = p.child_by_field_name("type")
        ptype = squash(text(annotation, src).lstrip(":").strip()) if annotation else None
        value = p.child_by_field_name("value")
        default = squash(text(value, src)) if value is not None else None
        if pattern.type == "rest_pattern":
            inner = pattern.named_children[0] if pattern.named_children else None
            return Param(squash(text(inner, src)), ptype or None, default, "...")
        name = squash(text(pattern, src))
        if p.type == "optional_parameter":
            name += "?"
        return Param(name, ptype or None, default)

    def type_params(self, node: Node, src: bytes) -> list[TypeParam]:
        tps = node.child_by_field_name("type_parameters")
        if tps is None:
            return []
        out: list[TypeParam] = []
        for tp in tps.named_children:
            if tp.type != "type_parameter":
                continue
            constraint = tp.child_by_field_name("constraint")
            bound = None
            if constraint is not None:
                bound = squash(text(constraint, src).removeprefix("extends").strip()) or None
            out.append(TypeParam(text(tp.child_by_field_name("name"), src), bound))
        return out

    def bases_of(self, cls: Node, src: bytes) -> list[tuple[str, str]]:
        """``extends`` as inherit, ``implements`` as implement; type arguments dropped."""
        out: list[tuple[str, str]] = []
        for child in cls.children:
            if child.type == "extends_type_clause":
                out.extend(
                    ("inherit", _type_name(t, src)) for t in child.children_by_field_name("type")
                )
            if child.type != "class_heritage":
                continue
            for clause in child.named_children:
                if clause.type == "extends_clause":
                    out.extend(
                        ("inherit", squash(text(v, src)))
                        for v in clause.children_by_field_name("value")
                    )
                elif clause.type == "implements_clause":
                    out.extend(("implement", _type_name(t, src)) for t in clause.named_children)
        return out


def _modifier(node: Node) -> str:
    """The keyword of an ``accessibility_modifier`` node."""
    return node.children[0].type if node.children else "public"


def _type_name(node: Node, src: bytes) -> str:
    """A supertype without its type arguments: ``Base<T>`` → ``Base``."""
    if node.type == "generic_type":
        name = node.child_by_field_name("name")
        if name is not None:
            return text(name, src)
    return squash(text(node, src))


#: Types that say nothing of a value's members.
_NO_CLASS = frozenset(
    {"null", "undefined", "void", "any", "unknown", "never", "object"}
    | {"string", "number", "boolean", "bigint", "symbol"}
)


#: Generic types a loop over gives the first type argument of.
_ITERABLES = frozenset(
    {
        *("Array", "ReadonlyArray", "Set", "ReadonlySet", "Iterable", "Iterator"),
        *("IterableIterator", "AsyncIterable", "AsyncIterableIterator", "Generator"),
        "AsyncGenerator",
    }
)


#: Text before a ``<`` that makes it no declaration's own generics: a
#: parameter's or a base's type arguments, an arrow function's value.
_NOT_OWN_GENERICS = ("(", "=", ":", " extends ", " implements ")


def _own_generics(signature: str) -> str | None:
    """The text inside the ``<…>`` right after a declaration's name, None if it has none."""
    opened = signature.find("<")
    head = signature[:opened].rstrip() if opened > 0 else ""
    if not head or not (head[-1].isalnum() or head[-1] in "_$"):
        return None
    if any(mark in head for mark in _NOT_OWN_GENERICS):
        return None
    rest = signature[opened:]
    end = angle_end(rest)
    return rest[1 : end - 1] if rest[end - 1 : end] == ">" else None


#: Awaitables, whose type argument is their result's.
_PROMISES = frozenset({"Promise", "PromiseLike"})


#: Maps, whose second type argument is their values'.
_MAPS = frozenset({"Map", "ReadonlyMap", "WeakMap", "Record"})


def _element_type(
    text_: str, depth: int, generics: frozenset[str], arg: int, arrays: bool
) -> str | None:
    """Type argument ``arg`` of one of ``generics`` through ``| null``.

    With ``arrays``, ``Foo[]`` and ``readonly Foo[]`` give ``Foo`` too.
    """
    if depth > 4:
        return None
    parts = [p.strip() for p in split_top(text_, "|") if p.strip() not in ("null", "undefined")]
    if len(parts) != 1:
        return None
    type_ = parts[0].removeprefix("readonly ").strip()
    if len(split_top(type_, "=>")) > 1:
        return None
    if type_.startswith("(") and type_.endswith(")"):
        return _element_type(type_[1:-1].strip(), depth + 1, generics, arg, arrays)
    if type_.endswith("[]"):
        return type_[:-2].strip() or None if arrays else None
    base, bracket, rest = type_.partition("<")
    if not bracket or base.strip() not in generics:
        return None
    args = split_top(rest.rsplit(">", 1)[0], ",")
    return args[arg].strip() or None if len(args) > arg else None


def _type_names(text_: str, depth: int) -> list[str]:
    if depth > 4 or not text_ or text_ in _NO_CLASS:
        return []
    parts = [p.strip() for p in split_top(text_, "|")]
    if len(parts) > 1:
        return [n for p in parts for n in _type_names(p, depth + 1)]
    if text_.startswith("(") and text_.endswith(")") and len(split_top(text_[1:-1], "=>")) == 1:
        return _type_names(text_[1:-1].strip(), depth + 1)
    if text_.endswith("]"):
        return []
    base = text_.split("<", 1)[0].strip()
    parts = base.split(".")
    return [base] if all(part.isidentifier() for part in parts) else []


HOOKS = TypeScriptHooks()
