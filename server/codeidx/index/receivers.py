"""Receiver types: the light inference that sends ``x.run()`` to ``Foo.run``.

Far from a type checker, it reads what the index already holds: a local
assigned from a constructor (``x = Foo()``), an annotation (``x: Foo``, a
parameter ``x: Optional[Foo]``), a ``with Foo() as x`` or ``except E as x``
target, a field's or variable's statement (``self.x = Foo()``), a function's
declared result (``-> Foo``), ``cls()`` and ``super()``.  Each answer is a
list of module and class-like targets (an instance is represented by its
class, or by its constructor function: ``constructors.py``), [] when the
value certainly comes from outside the workspace (a builtin, a C module),
or None when it is unknown.

This module types expressions (chains of names and calls), annotations,
and definitions' values: variables and fields, declared results, type
aliases, the fields of tuple-like definitions by position, the types an
impl block extends and the bounds of type parameters (``bounds.py``).  A wrapper from
outside the workspace (Rust's ``Option<Foo>``, ``hooks.Wrappers``) is
carried as its content wrapped (``wrappers.wrap``) and opened where its
methods, a pattern, a loop or an index say.  Statement texts of definitions
are read through the language hooks (``assigned``, ``return_annotation``,
``annotation_names``, ``aliased``, ``type_bounds``).  A local's type comes
from the occurrences around its bindings, which ``bindings.LocalTypes``
reads; it asks this module what the texts it finds there name.

Only ``index.resolve.Resolver`` creates one, for its own use; it reads
through the resolver and ``store``, caches per resolver, and never writes.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from codeidx.index.bindings import LocalTypes, binding_scope
from codeidx.index.bounds import TypeParameters
from codeidx.index.chains import ELEMENT, chain_of
from codeidx.index.members import by_role
from codeidx.index.targets import (
    CALLABLE,
    CLASS_LIKE,
    LOCAL,
    MAX_DEPTH,
    Target,
    dedupe,
    enclosing_class,
    merged,
)
from codeidx.index.wrappers import (
    AWAITED,
    ELEMENT_KINDS,
    KEYED,
    SEQUENCE,
    WRAPPED,
    WRAPPER_KINDS,
    open_wrappers,
    wrap,
)
from codeidx.parse import registry
from codeidx.parse.hooks import LanguageHooks
from codeidx.store import nodes as node_store
from codeidx.store.symbols import Def, FileFacts

if TYPE_CHECKING:
    from codeidx.index.resolve import Resolver

# Definitions whose value has a type of its own (read from their statement).
_VALUE_KINDS = frozenset({"variable", "constant", "field", "property"})


class ReceiverTypes:
    """Infers the types of receiver expressions for one Resolver (see module doc)."""

    def __init__(self, resolver: Resolver) -> None:
        # A proxy, not a reference: the Resolver holds this object, and a cycle
        # between them would keep every request's caches (thousands of
        # objects) alive until a full garbage collection, which then pauses
        # a request for 100 ms and more to free them all at once.
        self._r: Resolver = weakref.proxy(resolver)
        self._locals = LocalTypes(resolver, self)
        self._value_cache: dict[int, list[Target] | None] = {}
        self._property_cache: dict[int, bool] = {}
        self._params = TypeParameters(resolver, self)
        self._extended_cache: dict[int, list[Target]] = {}

    def expr_types(
        self, facts: FileFacts, expr: str, enclosing: int, hooks: LanguageHooks, depth: int = 0
    ) -> list[Target] | None:
        """The modules and classes the value of a receiver expression may be."""
        text = hooks.receiver_chain(expr)
        sep = registry.LANGUAGES[facts.language].separator
        chain = chain_of(text, sep)
        if chain is None:
            return None
        if depth > MAX_DEPTH:
            self._r.cut_by_depth()
            return None
        (head, called), rest = chain[0], chain[1:]
        # Rust's ``ast::Concat`` is a path: its head names a module or a
        # type, never a local value (``ast.kind`` would).
        path = sep != "." and bool(rest) and text.lstrip()[len(head) :].lstrip().startswith(sep)
        values = self._head_types(facts, head, called, enclosing, hooks, depth, path)
        for part, part_called in rest:
            if part == ELEMENT:
                # ``items[i]``: an element of a wrapper (a slice, a list);
                # an index into anything else gives what is not known.
                if not values or any(v.content is None or v.kind == AWAITED for v in values):
                    return None
                values = dedupe([v.content for v in values if v.content is not None])
                continue
            if not values:
                return values
            if part.isdigit():
                # ``self.0``: a tuple struct's field, by position.
                values = self._tuple_field_types(values, int(part), depth + 1)
                continue
            found = self._member_values(facts, values, part, part_called, hooks, depth)
            if found is None:
                return None
            values = found
        return values

    def unpacked_owners(
        self, facts: FileFacts, at: int, enclosing: int, hooks: LanguageHooks
    ) -> list[Target] | None:
        """What the destructuring pattern whose ``unpack`` starts at byte ``at`` takes apart."""
        return self._locals.unpacked_owners(facts, at, enclosing, hooks)

    def parameter_annotations(self, facts: FileFacts, function_id: int) -> dict[str, str]:
        """A function's parameters: name → annotation text (read once per file)."""
        return self._locals.params(facts, function_id)

    def part_types(
        self,
        facts: FileFacts,
        owners: list[Target],
        path: tuple[str, ...],
        hooks: LanguageHooks,
        depth: int,
    ) -> list[Target] | None:
        """What a destructured part is: member ``path[0]`` of ``owners``, then on.

        ``({ topology }: RetryOptions)`` binds ``topology`` to what
        ``RetryOptions``' member ``topology`` holds, as ``opts.topology``
        would read.
        """
        values: list[Target] | None = owners
        for part in path:
            if not values:
                return values
            values = self._member_values(facts, values, part, False, hooks, depth)
        return values

    def _member_values(
        self,
        facts: FileFacts,
        values: list[Target],
        part: str,
        part_called: bool,
        hooks: LanguageHooks,
        depth: int,
    ) -> list[Target] | None:
        """What member ``part`` of ``values`` gives (called: its result), None when unknown."""
        given: list[Target] = []
        if any(v.kind in WRAPPER_KINDS for v in values):
            opened = open_wrappers(values, part, hooks)
            if opened is None:
                return None
            values, given = opened
        members = dedupe([m for v in values for m in self._r.inside(v, part, facts)])
        if hooks.calls_name_methods and len(members) > 1:
            # ``self.byte.is_none()``: the field ``byte``, not ``byte()``.
            members = by_role(members, "call" if part_called else "read")
        found: list[Target] | None
        if members:
            found = self._values(members, part_called, depth)
        elif part_called and part in hooks.self_results:
            # ``EmptyFlags::default()`` of a ``#[derive(Default)]``.
            found = values
        elif all(self._imported_from_outside(v, part) for v in values):
            # ``csv.writer`` is ``_csv.writer``, a C function.
            found = []
        else:
            # Set at run time or inherited from outside: unknown.
            return None
        if found is None:
            return None
        return dedupe([*found, *given]) if given else found

    def member_owners(
        self, owners: list[Target], name: str, hooks: LanguageHooks
    ) -> list[Target] | None:
        """The values whose member ``name`` is, wrappers opened; None when unknown.

        A wrapper's own method (``opt.map(f)``) is outside the workspace;
        any other name is its content's member (see ``hooks.Wrappers``).
        """
        if not any(o.kind in WRAPPER_KINDS for o in owners):
            return owners
        opened = open_wrappers(owners, name, hooks)
        return opened[0] if opened is not None else None

    def content_types(
        self,
        facts: FileFacts,
        value: str,
        enclosing: int,
        hooks: LanguageHooks,
        depth: int,
        kinds: frozenset[str] = ELEMENT_KINDS,
    ) -> list[Target] | None:
        """What ``x`` of ``if let Some(x) = value`` or ``for x in value`` is: the wrapped content.

        A value not known to be a wrapper of one of ``kinds`` says nothing
        (``map.get(k)`` of a map from outside may hold a workspace type);
        ``x = await value`` asks for ``AWAITED`` alone.
        """
        found = self.expr_types(facts, value, enclosing, hooks, depth + 1)
        if not found or any(t.kind not in kinds or t.content is None for t in found):
            return None
        return dedupe([t.content for t in found if t.content is not None])

    def _imported_from_outside(self, owner: Target, name: str) -> bool:
        """Whether a module binds ``name`` by importing it from outside the workspace."""
        if owner.kind != "module":
            return False
        module = self._r.module_name_of_node(owner.node_id)
        for fid, _path in self._r.module_files(module or ""):
            owner_facts = self._r.facts(fid)
            bound = owner_facts.import_bindings().get(name) if owner_facts is not None else None
            if bound is not None and owner_facts is not None:
                imp = bound[0]
                source = self._r.module_of_path(imp.target_path)
                return (
                    source is None and self._r.module_through_attributes(imp, owner_facts) is None
                )
        return False

    def _head_types(
        self,
        facts: FileFacts,
        head: str,
        called: bool,
        enclosing: int,
        hooks: LanguageHooks,
        depth: int,
        path: bool = False,
    ) -> list[Target] | None:
        root_module = hooks.path_root(head, facts.module_name)
        if root_module is not None:
            return self._r.module_targets(root_module) or None
        if head in hooks.self_names:
            cls = self._r.self_type(facts, enclosing, hooks)
            return [cls] if cls is not None else None
        if called and head in hooks.super_names:
            return self._super_types(facts, enclosing, hooks)
        if hooks.type_parameter_heads:
            # ``T::default()`` in ``fn f<T: Default>``: the bounds, not a ``T`` elsewhere.
            declared = self._params.declared(facts, head, enclosing, hooks)
            if declared is not None:
                return None if called else self._params.bound_types(facts, *declared, hooks, depth)
        found = self._r.resolve_name(facts, head, enclosing, hooks)
        if found == LOCAL and path:
            # Past the function binding the local.
            scope = binding_scope(facts, head, enclosing)
            outer = facts.nodes[scope].parent if scope is not None else None
            if scope is not None and outer is not None and outer < scope:
                found = self._r.resolve_name(facts, head, outer, hooks)
        if found == LOCAL:
            if called or path:
                return None
            return self._locals.local_types(facts, head, enclosing, hooks, depth + 1)
        if not isinstance(found, list):
            return None
        if not found:
            # Bound nowhere in the workspace: a builtin or an external name.
            if head in hooks.builtins or head in facts.import_bindings():
                return []
            return None
        if any(t.resolution != "exact" for t in found):
            return None
        return self._values(found, called, depth)

    def _values(self, targets: list[Target], called: bool, depth: int) -> list[Target] | None:
        """What naming (or calling, when ``called``) these definitions gives."""
        return merged(self._value(t, called, depth) for t in targets)

    def _value(self, t: Target, called: bool, depth: int) -> list[Target] | None:
        """What naming (or calling) one definition gives, None when not known."""
        if t.kind in CLASS_LIKE:
            return [t]
        if t.kind == "enum_member":
            # A variant, or a tuple variant called (``Result::NoMatch(at)``):
            # a value of its enum.
            owner = self._r.def_by_id(t.node_id) or self._r.class_def(t.node_id)
            parent = owner.parent_id if owner is not None else None
            return [Target(parent, "enum", 1.0, "exact")] if parent is not None else None
        if called:
            return self._returns(t, depth) if t.kind in CALLABLE else None
        if t.kind in ("module", "namespace"):
            return [t]
        if t.kind in _VALUE_KINDS:
            return self._variable_types(t, depth)
        if t.kind == "type_alias":
            return self._alias_types(t, depth)
        if t.kind in CALLABLE and self._is_property(t):
            return self._returns(t, depth)
        if t.kind == "function" and self._r.constructors.constructs(t.node_id):
            # ``Foo.create()``: a constructor function's own members.
            return [t]
        return None

    def _node_context(self, nid: int) -> tuple[node_store.NodeRow, FileFacts, int] | None:
        """A definition's row, its file's facts and its ordinal there."""
        row = node_store.nodes_by_ids(self._r.conn, [nid]).get(nid)
        if row is None:
            return None
        owner_facts = self._r.facts(row.file_id)
        if owner_facts is None or row.ordinal >= len(owner_facts.nodes):
            return None
        return row, owner_facts, row.ordinal

    def _returns(self, t: Target, depth: int) -> list[Target] | None:
        """The classes a callable's declared result names, None when undeclared."""
        return self._r.remembered(
            self._value_cache, -t.node_id - 1, lambda: self._returns_of(t, depth), None
        )

    def _returns_of(self, t: Target, depth: int) -> list[Target] | None:
        found = self._signature_types(t.node_id, lambda h, sig: h.call_result(sig), depth)
        if found is None and self._r.constructors.constructs(t.node_id):
            # A constructor function makes an instance, represented by itself.
            return [t]
        return found

    def _signature_types(
        self, node_id: int, read: Callable[[LanguageHooks, str], str | None], depth: int
    ) -> list[Target] | None:
        """The classes a type text that ``read`` takes from a definition's signature names.

        The text (a declared result, an alias's type, an impl's type) is
        read where the definition stands, with its own type parameters in
        scope; None when the signature says nothing or the type is unknown.
        """
        context = self._node_context(node_id)
        if context is None:
            return None
        row, owner_facts, ordinal = context
        hooks = registry.hooks(owner_facts.language).HOOKS
        written = read(hooks, row.signature)
        if written is None:
            return None
        scope = owner_facts.nodes[ordinal].parent or 0
        return self.annotation_types(owner_facts, written, scope, hooks, depth, ordinal)

    def annotation_types(
        self,
        facts: FileFacts,
        annotation: str,
        scope: int,
        hooks: LanguageHooks,
        depth: int,
        generics: int | None = None,
    ) -> list[Target] | None:
        """The classes a type annotation written in ``scope`` names.

        ``generics`` is the definition whose type parameters the annotation
        may name (a function's own, for its parameters and result), when
        that is not ``scope`` itself.
        """
        if depth > MAX_DEPTH:
            self._r.cut_by_depth()
            return None
        names = hooks.annotation_names(annotation)
        content, kind = hooks.promised(annotation), AWAITED
        if content is None:
            content, kind = hooks.wrapped(annotation), WRAPPED
        if content is None:
            content, kind = hooks.sequence(annotation), SEQUENCE
        if content is None:
            content, kind = hooks.keyed(annotation), KEYED
        if content is not None and not self._defined_here(facts, names, scope, hooks, depth):
            # ``Option<Foo>``, ``dict[str, Foo]``: a wrapper from outside
            # holding a Foo.  (No deeper: the content is a shorter text,
            # and nested wrappers such as map[string][]*Item would spend
            # the depth bound.)
            held = self.annotation_types(facts, content, scope, hooks, depth, generics)
            return [wrap(t, kind) for t in held] if held is not None else [wrap(None, kind)]
        if not names:
            return None
        return merged(
            self._named_types(facts, name, scope, hooks, depth, generics) for name in names
        )

    def _named_types(
        self,
        facts: FileFacts,
        name: str,
        scope: int,
        hooks: LanguageHooks,
        depth: int,
        generics: int | None,
    ) -> list[Target] | None:
        """The classes one type name of an annotation stands for: a type parameter's bounds."""
        declared = (
            self._params.declared(facts, name, scope if generics is None else generics, hooks)
            if hooks.bounded_type_parameters
            else None
        )
        if declared is not None:
            found = self._params.bound_types(facts, *declared, hooks, depth)
        else:
            found = self.expr_types(facts, name, scope, hooks, depth + 1)
        return None if found is None else [t for t in found if t.kind in CLASS_LIKE]

    def _defined_here(
        self, facts: FileFacts, names: list[str], scope: int, hooks: LanguageHooks, depth: int
    ) -> bool:
        """Whether a wrapper-like type is the workspace's own (a crate's ``struct Result``).

        Such a type has the members its definition gives, not a wrapper's.
        """
        for name in names:
            found = self.expr_types(facts, name, scope, hooks, depth + 1)
            if found and any(t.kind in CLASS_LIKE for t in found):
                return True
        return False

    def _is_property(self, t: Target) -> bool:
        known = self._property_cache.get(t.node_id)
        if known is None:
            if len(self._property_cache) > 100_000:
                self._property_cache.clear()
            details = node_store.node_details(self._r.conn, [t.node_id]).get(t.node_id)
            known = self._property_cache[t.node_id] = details is not None and any(
                d.lstrip("@").split("(")[0].endswith("property") for d in details.decorators
            )
        return known

    def _variable_types(self, t: Target, depth: int) -> list[Target] | None:
        """A variable's or field's type, from its annotation or assigned value."""
        return self._r.remembered(
            self._value_cache, t.node_id, lambda: self._variable_types_of(t, depth), None
        )

    def _variable_types_of(self, t: Target, depth: int) -> list[Target] | None:
        context = self._node_context(t.node_id)
        if context is None:
            return None
        row, owner_facts, ordinal = context
        hooks = registry.hooks(owner_facts.language).HOOKS
        annotation, value = hooks.assigned(row.signature)
        node = owner_facts.nodes[ordinal]
        # A field assigned in a method reads its value in that method.
        scope = _innermost_callable(owner_facts, node.start_byte) or node.parent or 0
        found = None
        if annotation is not None:
            found = self.annotation_types(owner_facts, annotation, scope, hooks, depth)
        if found is None and value is not None:
            found = self.expr_types(owner_facts, value, scope, hooks, depth + 1)
        return found

    def _alias_types(self, t: Target, depth: int) -> list[Target] | None:
        """What a type alias stands for (``hooks.aliased``), None when not said."""
        return self._r.remembered(
            self._value_cache, t.node_id, lambda: self._alias_types_of(t, depth), None
        )

    def _alias_types_of(self, t: Target, depth: int) -> list[Target] | None:
        return self._signature_types(t.node_id, lambda h, sig: h.aliased(sig), depth)

    def extended_types(self, block: Def, depth: int) -> list[Target]:
        """The types an impl block adds members to (``hooks.extended_type``), [] if unknown.

        ``impl<T: Visit> Fold for T`` extends what ``T``'s bounds name.
        """
        return self._r.remembered(
            self._extended_cache,
            block.node_id,
            lambda: self._extended_types(block, depth),
            [],
        )

    def _extended_types(self, block: Def, depth: int) -> list[Target]:
        found = self._signature_types(block.node_id, lambda h, sig: h.extended_type(sig), depth)
        return [
            t for t in found or [] if t.node_id != block.node_id and t.kind not in WRAPPER_KINDS
        ]

    def _super_types(
        self, facts: FileFacts, enclosing: int, hooks: LanguageHooks
    ) -> list[Target] | None:
        """``super()``: the bases of the enclosing class."""
        cls = enclosing_class(facts, enclosing)
        if cls is None:
            return None
        out: list[Target] = []
        for _role, base_text in cls.bases:
            bases = self._r.resolve_expr(facts, base_text, cls.parent or 0, hooks)
            if isinstance(bases, list):
                out.extend(b for b in bases if b.kind in CLASS_LIKE and b.node_id != cls.node_id)
        if out:
            return dedupe(out)
        return [] if not cls.bases else None

    def first_field_types(
        self, facts: FileFacts, pattern: str, enclosing: int, hooks: LanguageHooks, depth: int
    ) -> list[Target] | None:
        """The type of the first field of the tuple-like definitions ``pattern`` names.

        A pattern of a definition outside the workspace (``Some(x)``) or of
        a field whose type is not declared says nothing.
        """
        named = self._r.resolve_expr(facts, pattern, enclosing, hooks)
        if not isinstance(named, list) or not named:
            return None
        return self._tuple_field_types(named, 0, depth)

    def _tuple_field_types(
        self, owners: list[Target], index: int, depth: int
    ) -> list[Target] | None:
        """The type of field ``index`` of tuple-like definitions (``self.0``), None if unknown."""
        out: list[Target] = []
        for t in owners:
            if t.kind == "impl" and depth <= MAX_DEPTH:
                # ``self.0`` in ``impl Handle``: the field of the type it extends.
                block = self._r.class_def(t.node_id)
                extended = self.extended_types(block, depth) if block is not None else []
                found = self._tuple_field_types(extended, index, depth + 1) if extended else None
                if found is None:
                    return None
                out.extend(found)
                continue
            context = self._node_context(t.node_id) if t.resolution == "exact" else None
            if context is None:
                return None
            row, owner_facts, ordinal = context
            hooks = registry.hooks(owner_facts.language).HOOKS
            fields = hooks.tuple_fields(row.signature)
            if len(fields) <= index:
                return None
            # A variant's fields are written in its enum, and may name the
            # enum's type parameters.
            scope = owner_facts.nodes[ordinal].parent or 0
            generics = scope if t.kind == "enum_member" else ordinal
            found = self.annotation_types(owner_facts, fields[index], scope, hooks, depth, generics)
            if found is None:
                return None
            out.extend(found)
        return dedupe(out)


def _innermost_callable(facts: FileFacts, offset: int) -> int | None:
    """The ordinal of the innermost function or method whose text holds ``offset``."""
    best = None
    for n in facts.nodes:
        if n.kind in CALLABLE and n.start_byte <= offset < n.end_byte:
            best = n.ordinal
    return best
