"""Receiver types: the light inference that sends ``x.run()`` to ``Foo.run``.

Far from a type checker, it reads what the index already holds: a local
assigned from a constructor (``x = Foo()``), an annotation (``x: Foo``, a
parameter ``x: Optional[Foo]``), a ``with Foo() as x`` or ``except E as x``
target, a field's or variable's statement (``self.x = Foo()``), a function's
declared result (``-> Foo``), ``cls()`` and ``super()``.  Each answer is a
list of module and class-like targets (an instance is represented by its
class), [] when the value certainly comes from outside the workspace (a
builtin, a C module), or None when it is unknown.

The index keeps identifiers, not expressions, so a local's assignment is
recognised from the offsets of the occurrences around it (see
``ReceiverTypes._binding_types``); statement texts of definitions are read
through the language hooks (``assigned``, ``return_annotation``,
``annotation_names``).

Only ``index.resolve.Resolver`` creates one, for its own use; it reads
through the resolver and ``store``, caches per resolver, and never writes.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left
from functools import lru_cache
from operator import sub
from typing import TYPE_CHECKING

import numpy as np

from codeidx.index.targets import (
    CALLABLE,
    CLASS_LIKE,
    LOCAL,
    MAX_DEPTH,
    Target,
    dedupe,
    enclosing_class,
)
from codeidx.parse import registry
from codeidx.parse.hooks import LanguageHooks
from codeidx.parse.records import ROLE_CODES
from codeidx.store import nodes as node_store
from codeidx.store import symbols
from codeidx.store.occurrences import ROLE_MASK, iter_raw, values_matrix
from codeidx.store.symbols import Def, FileFacts

if TYPE_CHECKING:
    from codeidx.index.resolve import Resolver

# Definitions whose value has a type of its own (read from their statement).
_VALUE_KINDS = frozenset({"variable", "constant", "field", "property"})
# How far after a local's assignment the right-hand side's chain is looked for.
_CHAIN_SCAN = 400
# What ``_bounds_of`` answers for a definition without type parameters.
_NO_BOUNDS: dict[str, list[str]] = {}
# Role codes as packed in occurrence blobs (the low bits of the third value).
_WRITE = ROLE_CODES["write"]
_TYPE = ROLE_CODES["type"]
_CALL = ROLE_CODES["call"]
_ARGUMENT = ROLE_CODES["argument"]


class ReceiverTypes:
    """Infers the types of receiver expressions for one Resolver (see module doc)."""

    def __init__(self, resolver: Resolver) -> None:
        # A proxy, not a reference: the Resolver holds this object, and a cycle
        # between them would keep every request's caches (thousands of
        # objects) alive until a full garbage collection, which then pauses
        # a request for 100 ms and more to free them all at once.
        self._r: Resolver = weakref.proxy(resolver)
        self._value_cache: dict[int, list[Target] | None] = {}
        self._local_cache: dict[tuple[int, int, str], list[Target] | None] = {}
        self._positions: dict[int, _Positions] = {}
        self._params_cache: dict[int, dict[str, str]] = {}
        self._params_file = -1
        self._params_texts: dict[int, str] = {}
        self._property_cache: dict[int, bool] = {}
        self._writes_of: dict[str, bytes] | None = None
        self._writes_cache: dict[str, dict[int | None, list[tuple[int, int, int]]]] = {}
        self._bounds_cache: dict[int, dict[str, list[str]]] = {}
        self._bounds_files: set[int] = set()
        self._extended_cache: dict[int, list[Target]] = {}

    def expr_types(
        self, facts: FileFacts, expr: str, enclosing: int, hooks: LanguageHooks, depth: int = 0
    ) -> list[Target] | None:
        """The modules and classes the value of a receiver expression may be."""
        chain = _chain(expr, registry.LANGUAGES[facts.language].separator)
        if chain is None:
            return None
        if depth > MAX_DEPTH:
            self._r.cut_by_depth()
            return None
        (head, called), rest = chain[0], chain[1:]
        values = self._head_types(facts, head, called, enclosing, hooks, depth)
        for part, part_called in rest:
            if not values:
                return values
            members = dedupe([m for v in values for m in self._r.inside(v, part, facts)])
            if not members:
                if all(self._imported_from_outside(v, part) for v in values):
                    # ``csv.writer`` is ``_csv.writer``, a C function.
                    return []
                # Set at run time or inherited from outside: unknown.
                return None
            values = self._values(members, part_called, depth)
        return values

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
    ) -> list[Target] | None:
        root_module = hooks.path_root(head, facts.module_name)
        if root_module is not None:
            return self._r.module_targets(root_module) or None
        if head in hooks.self_names:
            cls = enclosing_class(facts, enclosing)
            return [Target(cls.node_id, cls.kind, 1.0, "exact")] if cls is not None else None
        if called and head in hooks.super_names:
            return self._super_types(facts, enclosing, hooks)
        if hooks.bounded_type_parameters:
            # ``T::default()`` in ``fn f<T: Default>``: the bounds, not a ``T`` elsewhere.
            declared = self._type_parameter(facts, head, enclosing, hooks)
            if declared is not None:
                return None if called else self._bounds_types(facts, *declared, hooks, depth)
        found = self._r.resolve_name(facts, head, enclosing, hooks)
        if found == LOCAL:
            return None if called else self.local_types(facts, head, enclosing, hooks, depth + 1)
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
        out: list[Target] = []
        unknown = False
        for t in targets:
            found: list[Target] | None
            if t.kind in CLASS_LIKE:
                found = [t]
            elif called:
                found = self._returns(t, depth) if t.kind in CALLABLE else None
            elif t.kind == "module":
                found = [t]
            elif t.kind == "enum_member":
                owner = self._r.def_by_id(t.node_id) or self._r.class_def(t.node_id)
                parent = owner.parent_id if owner is not None else None
                found = [Target(parent, "enum", 1.0, "exact")] if parent is not None else None
            elif t.kind in _VALUE_KINDS:
                found = self._variable_types(t, depth)
            elif t.kind == "type_alias":
                found = self._alias_types(t, depth)
            elif t.kind in CALLABLE and self._is_property(t):
                found = self._returns(t, depth)
            else:
                found = None
            if found is None:
                unknown = True
            else:
                out.extend(found)
        if out:
            return dedupe(out)
        return None if unknown else []

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
        context = self._node_context(t.node_id)
        if context is None:
            return None
        row, owner_facts, ordinal = context
        hooks = registry.hooks(owner_facts.language).HOOKS
        annotation = hooks.return_annotation(row.signature)
        if annotation is None:
            return None
        scope = owner_facts.nodes[ordinal].parent or 0
        return self._annotation_types(owner_facts, annotation, scope, hooks, depth, ordinal)

    def _annotation_types(
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
        names = hooks.annotation_names(annotation)
        if not names:
            return None
        if depth > MAX_DEPTH:
            self._r.cut_by_depth()
            return None
        out: list[Target] = []
        unknown = False
        for name in names:
            declared = (
                self._type_parameter(facts, name, scope if generics is None else generics, hooks)
                if hooks.bounded_type_parameters
                else None
            )
            if declared is not None:
                found = self._bounds_types(facts, *declared, hooks, depth)
            else:
                found = self.expr_types(facts, name, scope, hooks, depth + 1)
            if found is None:
                unknown = True
            else:
                out.extend(t for t in found if t.kind in CLASS_LIKE)
        if out:
            return dedupe(out)
        return None if unknown else []

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
            found = self._annotation_types(owner_facts, annotation, scope, hooks, depth)
        if found is None and value is not None:
            found = self.expr_types(owner_facts, value, scope, hooks, depth + 1)
        return found

    def _alias_types(self, t: Target, depth: int) -> list[Target] | None:
        """What a type alias stands for (``hooks.aliased``), None when not said."""
        return self._r.remembered(
            self._value_cache, t.node_id, lambda: self._alias_types_of(t, depth), None
        )

    def _alias_types_of(self, t: Target, depth: int) -> list[Target] | None:
        context = self._node_context(t.node_id)
        if context is None:
            return None
        row, owner_facts, ordinal = context
        hooks = registry.hooks(owner_facts.language).HOOKS
        aliased = hooks.aliased(row.signature)
        if aliased is None:
            return None
        scope = owner_facts.nodes[ordinal].parent or 0
        return self._annotation_types(owner_facts, aliased, scope, hooks, depth, ordinal)

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
        context = self._node_context(block.node_id)
        if context is None:
            return []
        row, owner_facts, ordinal = context
        hooks = registry.hooks(owner_facts.language).HOOKS
        extended = hooks.extended_type(row.signature)
        if extended is None:
            return []
        scope = owner_facts.nodes[ordinal].parent or 0
        found = self._annotation_types(owner_facts, extended, scope, hooks, depth, ordinal)
        return [t for t in found or [] if t.node_id != block.node_id]

    def _type_parameter(
        self, facts: FileFacts, name: str, ordinal: int, hooks: LanguageHooks
    ) -> tuple[int, list[str]] | None:
        """The definition around ``ordinal`` declaring the type parameter ``name``, with its bounds.

        The innermost declaration wins: a function's ``T`` hides its impl's
        and any type named ``T`` outside.  None when no definition around
        declares ``name``.
        """
        scope: int | None = ordinal
        while scope is not None and 0 <= scope < len(facts.nodes):
            node = facts.nodes[scope]
            if node.kind in CALLABLE or node.kind in CLASS_LIKE or node.kind == "type_alias":
                bounds = self._bounds_of(facts, node.node_id, hooks)
                if name in bounds:
                    return scope, bounds[name]
            if node.parent is not None and node.parent >= scope:
                return None
            scope = node.parent
        return None

    def _bounds_of(
        self, facts: FileFacts, node_id: int, hooks: LanguageHooks
    ) -> dict[str, list[str]]:
        """A definition's type parameters and bounds (``hooks.type_bounds`` of its signature).

        A file's signatures are read in one statement, and all of them
        parsed, when the first of its definitions is asked about: a
        receiver's type is looked up in the file of its declaration, and
        linking goes back and forth between files.
        """
        if facts.file_id not in self._bounds_files:
            if len(self._bounds_files) > 4096:
                self._bounds_files.clear()
                self._bounds_cache.clear()
            self._bounds_files.add(facts.file_id)
            for row in node_store.nodes_in_file(self._r.conn, facts.file_id):
                bounds = hooks.type_bounds(row.signature) if row.signature else {}
                if bounds:
                    self._bounds_cache[row.node_id] = bounds
        return self._bounds_cache.get(node_id, _NO_BOUNDS)

    def _bounds_types(
        self,
        facts: FileFacts,
        declaring: int,
        bounds: list[str],
        hooks: LanguageHooks,
        depth: int,
    ) -> list[Target] | None:
        """What a value of a type parameter has the members of: the traits bounding it.

        A parameter without bounds is unknown (a workspace trait may be
        implemented for every type); bounds all from outside give [].
        """
        out: list[Target] = []
        unknown = not bounds
        scope = facts.nodes[declaring].parent or 0
        for bound in bounds:
            found = self._annotation_types(facts, bound, scope, hooks, depth + 1, declaring)
            if found is None:
                unknown = True
            else:
                out.extend(found)
        if out:
            return dedupe(out)
        return None if unknown else []

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

    def local_types(
        self, facts: FileFacts, name: str, enclosing: int, hooks: LanguageHooks, depth: int = 0
    ) -> list[Target] | None:
        """The types a function's local may have: the union over its bindings.

        A binding whose type is unknown makes the answer unknown only when
        no binding says anything.  Where a name may be rebound to a value of
        another type (``hooks.shadowing``), the answer is known only when
        every binding says the same.
        """
        scope = binding_scope(facts, name, enclosing)
        if scope is None:
            return None
        if len(self._local_cache) > 100_000:
            self._local_cache.clear()
        # ``x = x.next``: a binding that reads itself says nothing more.
        return self._r.remembered(
            self._local_cache,
            (facts.file_id, scope, name),
            lambda: self._local_types(facts, name, scope, hooks, depth),
            None,
        )

    def _local_types(
        self, facts: FileFacts, name: str, scope: int, hooks: LanguageHooks, depth: int
    ) -> list[Target] | None:
        out: list[Target] = []
        unknown = False
        writes = self._writes(facts, name).get(scope, [])
        function = facts.nodes[scope]
        params = self._params(facts, function.node_id)
        results: list[list[Target] | None] = []
        if name in params:
            # The parameter is the function's first binding of the name.
            writes = writes[1:]
            annotation = params[name]
            results.append(
                self._annotation_types(facts, annotation, function.parent or 0, hooks, depth, scope)
                if annotation
                else None
            )
        for start, line, inside in writes:
            results.append(self._binding_types(facts, start, line, inside, name, hooks, depth))
        if hooks.shadowing and results:
            # ``Left(t) => …`` and ``Right(t) => …``: t may be two values, and
            # a binding of unknown type may be another than the others'.
            first = results[0]
            if first is None or any(
                found is None or {t.node_id for t in found} != {t.node_id for t in first}
                for found in results[1:]
            ):
                return None
        for found in results:
            if found is None:
                unknown = True
            else:
                out.extend(found)
        return dedupe(out) if out else (None if unknown or not results else [])

    def _writes(self, facts: FileFacts, name: str) -> dict[int | None, list[tuple[int, int, int]]]:
        """A name's writes without a receiver, by binding scope, in stored order.

        Each write is (start byte, line, enclosing ordinal).  Grouped once per
        file and name: a common local name (``result``, ``i``) is asked about
        in every function that binds it.
        """
        blobs = self._occurrence_blobs(facts)[0]
        blob = blobs.get(name)
        if blob is None:
            return {}
        # Only the latest file's groups are kept: its names are asked about
        # together, and keeping every file's would keep its blobs alive.
        if self._writes_of is not blobs:
            self._writes_of = blobs
            self._writes_cache = {}
        cached = self._writes_cache.get(name)
        if cached is not None:
            return cached
        groups: dict[int | None, list[tuple[int, int, int]]] = {}
        scopes: dict[int, int | None] = {}
        for start, line, col_role, inside, recv in iter_raw(blob):
            if col_role & ROLE_MASK != _WRITE or recv:
                continue
            if inside in scopes:
                scope = scopes[inside]
            else:
                scope = scopes[inside] = binding_scope(facts, name, inside)
            groups.setdefault(scope, []).append((start, line, inside))
        self._writes_cache[name] = groups
        return groups

    def _params(self, facts: FileFacts, function_id: int) -> dict[str, str]:
        """A function's parameters: name → annotation text (read once per function).

        The texts of a file's parameters are read in one statement when the
        first of its functions is asked about; only the latest file's are kept.
        """
        params = self._params_cache.get(function_id)
        if params is None:
            if len(self._params_cache) > 100_000:
                self._params_cache.clear()
            if self._params_file != facts.file_id:
                self._params_texts = symbols.params_texts(self._r.conn, facts.file_id)
                self._params_file = facts.file_id
            params = self._params_cache[function_id] = symbols.param_annotations(
                self._params_texts.get(function_id)
            )
        return params

    def _binding_types(
        self,
        facts: FileFacts,
        at: int,
        line: int,
        enclosing: int,
        name: str,
        hooks: LanguageHooks,
        depth: int,
    ) -> list[Target] | None:
        """The type one assignment of a local gives it, read from the occurrences around it.

        The write starts at byte ``at`` on ``line``.  The index keeps
        identifiers, not expressions, so the statement is recognised by
        offsets: ``x = <chain>`` has the chain start three bytes after the
        name (or another of the language's ``value_offsets``: Go's ``x :=
        <chain>``), ``x: T`` (Go's receiver ``c *T``) has the annotation two
        bytes after, ``with <chain>
        as x`` (or ``except E as x``) has the chain on the same line before
        the name (where ``hooks.value_before_binding`` says so), and a
        pattern ``Left(x)`` has the variant it takes apart one byte before
        (where ``hooks.tuple_patterns`` says so).  Anything else is unknown.
        """
        pos = self._positions_of(facts)
        starts, lines, exprs, role = pos.starts, pos.lines, pos.exprs, pos.role
        count = len(starts)
        i = bisect_left(starts, at)
        if i >= count or starts[i] != at:
            return None
        end = at + len(name.encode())
        if i > 0 and lines[i - 1] == line and role(i - 1) == _WRITE:
            # ``a, x = ...``: which part of the value is x's is not known.
            return None
        # ``T x`` (Java's and C's declarations, ``instanceof T x``, ``catch
        # (E e)``): a type written one byte before the name declares it.
        declared = (
            i - 1
            if hooks.type_before_name
            and i > 0
            and lines[i - 1] == line
            and role(i - 1) == _TYPE
            and starts[i - 1] + len(pos.names[i - 1].encode()) + 1 == at
            else None
        )
        if (
            hooks.tuple_patterns
            and i > 0
            and lines[i - 1] == line
            and starts[i - 1] + len(pos.names[i - 1].encode()) + 1 == at
        ):
            # ``Either::Left(x)``: a pattern names a variant one byte before
            # its first field's binding.
            return self._first_field_types(facts, pos.chain_text(i - 1), enclosing, hooks, depth)
        if i + 1 < count and lines[i + 1] == line:
            start = exprs[i + 1]
            if role(i + 1) == _TYPE and start == end + 2:
                j = i + 1
                while j < count and role(j) == _TYPE:
                    found = self.expr_types(facts, pos.chain_text(j), enclosing, hooks, depth + 1)
                    if found:
                        return [t for t in found if t.kind in CLASS_LIKE] or None
                    j += 1
                return None
            if start - end in hooks.value_offsets:
                # The right-hand side's outermost chain: the last occurrence
                # nearby whose expression starts where the value starts.
                outer = i + 1
                ahead = exprs[i + 2 : min(count, i + _CHAIN_SCAN)]
                if start in ahead:
                    ahead.reverse()
                    outer = i + 2 + len(ahead) - 1 - ahead.index(start)
                found = self.expr_types(facts, pos.chain_text(outer), enclosing, hooks, depth + 1)
                if found or declared is None:
                    return found
            elif start == end + 4 and declared is None:
                # ``for x in ...`` in a comprehension: an element, not the value.
                return None
        if declared is not None:
            found = self.expr_types(facts, pos.chain_text(declared), enclosing, hooks, depth + 1)
            return [t for t in found if t.kind in CLASS_LIKE] or None if found else None
        if i == 0 or lines[i - 1] != line or not hooks.value_before_binding:
            return None
        # The occurrences before the name on its line, back to a write: the
        # outermost chain is the one starting first, its last element the
        # one starting last.
        j = i - 1
        head = exprs[j]
        outer = j
        while j >= 0 and lines[j] == line and role(j) != _WRITE:
            if exprs[j] < head:
                head, outer = exprs[j], j
            elif exprs[j] == head and starts[j] > starts[outer]:
                outer = j
            j -= 1
        return self.expr_types(facts, pos.chain_text(outer), enclosing, hooks, depth + 1)

    def _first_field_types(
        self, facts: FileFacts, pattern: str, enclosing: int, hooks: LanguageHooks, depth: int
    ) -> list[Target] | None:
        """The type of the first field of the tuple-like definitions ``pattern`` names.

        A pattern of a definition outside the workspace (``Some(x)``) or of
        a field whose type is not declared says nothing.
        """
        named = self._r.resolve_expr(facts, pattern, enclosing, hooks)
        if not isinstance(named, list) or not named:
            return None
        out: list[Target] = []
        for t in named:
            context = self._node_context(t.node_id) if t.resolution == "exact" else None
            if context is None:
                return None
            row, owner_facts, ordinal = context
            fields = hooks.tuple_fields(row.signature)
            if not fields:
                return None
            # A variant's fields are written in its enum, and may name the
            # enum's type parameters.
            scope = owner_facts.nodes[ordinal].parent or 0
            generics = scope if t.kind == "enum_member" else ordinal
            found = self._annotation_types(owner_facts, fields[0], scope, hooks, depth, generics)
            if found is None:
                return None
            out.extend(found)
        return dedupe(out)

    def _occurrence_blobs(self, facts: FileFacts) -> tuple[dict[str, bytes], list[str]]:
        """The file's packed occurrences and receiver table (read once when left out).

        Linking reads a file with its occurrences, other lookups without;
        a local's type must not depend on which asked first.
        """
        if facts.blobs:
            return facts.blobs, facts.receivers
        full = self._r.facts_with_occurrences(facts.file_id) or facts
        return full.blobs, full.receivers

    def _positions_of(self, facts: FileFacts) -> _Positions:
        """A file's occurrences in source order (built once per file)."""
        blobs, receivers = self._occurrence_blobs(facts)
        found = self._positions.get(facts.file_id)
        if found is None or found.blobs is not blobs:
            if len(self._positions) > 64:
                self._positions.clear()
            found = _Positions.build(blobs, receivers)
            self._positions[facts.file_id] = found
        return found


class _Positions:
    """A file's occurrences sorted by start byte, one column per field.

    Columns of plain ints (not an object per occurrence) are what makes
    building this for every linked file cheap: the blobs are decoded and
    sorted as arrays, and what only a few occurrences are asked about
    (role, receiver text) is decoded on access.
    """

    __slots__ = ("blobs", "col_roles", "exprs", "lines", "names", "recvs", "starts", "table")

    def __init__(
        self,
        blobs: dict[str, bytes],
        table: list[str],
        starts: list[int],
        lines: list[int],
        col_roles: list[int],
        recvs: list[int],
        names: list[str],
    ) -> None:
        #: The blobs this was built from, to tell a stale entry from a fresh one.
        self.blobs = blobs
        #: The file's receiver texts; ``recvs`` holds an index + 1, 0 for none.
        self.table = table
        self.starts = starts
        self.lines = lines
        self.col_roles = col_roles
        self.recvs = recvs
        self.names = names
        # A receiver ``a.b`` before ``.name`` starts its length plus one
        # earlier: where each occurrence's expression starts.
        shift = [0, *(len(r.encode()) + 1 for r in table)]
        self.exprs = list(map(sub, starts, map(shift.__getitem__, recvs)))

    @classmethod
    def build(cls, blobs: dict[str, bytes], table: list[str]) -> _Positions:
        if not blobs:
            return cls(blobs, table, [], [], [], [], [])
        names = list(blobs)
        arrays = [values_matrix(blob) for blob in blobs.values()]
        values = np.concatenate(arrays).astype(np.int64)
        which = np.repeat(np.arange(len(arrays)), [len(a) for a in arrays])
        # A keyword argument's name is no part of an expression: its receiver
        # is the callee, written before the parenthesis, not before the name.
        chained = (values[:, 2] & ROLE_MASK) != _ARGUMENT
        if not chained.all():
            values, which = values[chained], which[chained]
        # A stable sort, like sorting the occurrences themselves.
        order = np.argsort(values[:, 0], kind="stable")
        values = values[order]
        which = which[order]
        return cls(
            blobs,
            table,
            values[:, 0].tolist(),
            values[:, 1].tolist(),
            values[:, 2].tolist(),
            values[:, 4].tolist(),
            np.array(names, dtype=object)[which].tolist(),
        )

    def role(self, j: int) -> int:
        """The role code of occurrence ``j``."""
        return self.col_roles[j] & ROLE_MASK

    def chain_text(self, j: int) -> str:
        """The expression occurrence ``j`` ends: its receiver, the name, ``()`` for a call."""
        called = "()" if self.role(j) == _CALL else ""
        recv = self.recvs[j]
        name = self.names[j]
        return f"{self.table[recv - 1]}.{name}{called}" if recv else f"{name}{called}"


@lru_cache(maxsize=65536)
def _chain(expr: str, sep: str) -> tuple[tuple[str, bool], ...] | None:
    """``a.b(x).c`` → [("a", False), ("b", True), ("c", False)]; None if not such a chain.

    Arguments are skipped; a call cut short by the end of the text (a
    statement's first line) still counts as a call.  Memoised: the same
    receiver texts (``self.conn``, ``os.path``) recur across a whole workspace.
    """
    text = expr.replace(sep, ".") if sep != "." else expr
    out: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        start = i
        while i < n and (text[i].isalnum() or text[i] == "_"):
            i += 1
        name = text[start:i]
        if not name.isidentifier():
            return None
        called = False
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] == "(":
            called = True
            depth = 0
            while i < n:
                if text[i] in "([{":
                    depth += 1
                elif text[i] in ")]}":
                    depth -= 1
                    if depth == 0:
                        i += 1
                        break
                i += 1
        out.append((name, called))
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return tuple(out)
        if text[i] != ".":
            return None
        i += 1


def binding_scope(facts: FileFacts, name: str, enclosing: int) -> int | None:
    """The ordinal of the innermost function around ``enclosing`` that binds ``name``."""
    scope: int | None = enclosing
    while scope is not None and 0 <= scope < len(facts.nodes):
        node = facts.nodes[scope]
        if node.kind in CALLABLE and name in facts.locals.get(scope, ()):
            return scope
        if node.parent is not None and node.parent >= scope:
            return None
        scope = node.parent
    return None


def _innermost_callable(facts: FileFacts, offset: int) -> int | None:
    """The ordinal of the innermost function or method whose text holds ``offset``."""
    best = None
    for n in facts.nodes:
        if n.kind in CALLABLE and n.start_byte <= offset < n.end_byte:
            best = n.ordinal
    return best
