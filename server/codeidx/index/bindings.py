"""Local bindings: where a function binds a name, and the types those bindings give it.

The index keeps identifiers, not expressions, so a local's assignment is
recognised from the offsets of the occurrences around it (see
``LocalTypes._binding_types``).  This module holds that machinery: a file's
occurrences as columns sorted by start byte (``_Positions``), the function
that binds a name (``binding_scope``, which the query layer uses too), a
name's writes grouped by that function, its parameters' annotations, and
``LocalTypes``, which reads a local's type from them.

What an expression, an annotation or a definition's value names is
``receivers.ReceiverTypes``' job: ``LocalTypes`` finds the text a binding
takes its value from and asks it.  Only ``ReceiverTypes`` creates one, for
its own use; it reads through the resolver and ``store``, caches per
resolver, and never writes.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left
from typing import TYPE_CHECKING

import numpy as np

from codeidx.index.targets import CALLABLE, CLASS_LIKE, Target, dedupe
from codeidx.index.wrappers import AWAITED, ELEMENT_KINDS, KEYED, opened_ids, opens_itself
from codeidx.parse.hooks import LanguageHooks, Wrappers
from codeidx.parse.records import ROLE_CODES, WRITE_CODES
from codeidx.store import symbols
from codeidx.store.occurrences import ROLE_BITS, ROLE_MASK, iter_raw, values_matrix
from codeidx.store.symbols import FileFacts

if TYPE_CHECKING:
    import numpy.typing as npt

    from codeidx.index.receivers import ReceiverTypes
    from codeidx.index.resolve import Resolver

# How far after a local's assignment the right-hand side's chain is looked for.
_CHAIN_SCAN = 400
# Role codes as packed in occurrence blobs (the low bits of the third value).
_WRITE = ROLE_CODES["write"]
_UNPACK = ROLE_CODES["unpack"]
_KEY = ROLE_CODES["key"]
_LOOP = ROLE_CODES["loop"]
_TYPE = ROLE_CODES["type"]
_CALL = ROLE_CODES["call"]
_ARGUMENT = ROLE_CODES["argument"]


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


class LocalTypes:
    """The types of a function's locals, for one ReceiverTypes (see module doc)."""

    def __init__(self, resolver: Resolver, types: ReceiverTypes) -> None:
        # Proxies, not references: ``types`` holds this object, and a cycle
        # would keep every request's caches alive until a full garbage
        # collection (see ``ReceiverTypes.__init__``).
        self._r: Resolver = weakref.proxy(resolver)
        self._types: ReceiverTypes = weakref.proxy(types)
        self._local_cache: dict[tuple[int, int, str], list[Target] | None] = {}
        self._positions: dict[int, _Positions] = {}
        self._params_cache: dict[int, dict[str, str]] = {}
        self._parts_cache: dict[int, dict[str, tuple[str, tuple[str, ...]]]] = {}
        self._params_file = -1
        self._params_texts: dict[int, str] = {}
        self._writes_of: dict[str, bytes] | None = None
        self._writes_cache: dict[str, dict[int | None, list[tuple[int, int, int]]]] = {}

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
        params = self.params(facts, function.node_id)
        results: list[list[Target] | None] = []
        if name in params:
            # The parameter is the function's first binding of the name.
            writes = writes[1:]
            annotation = params[name]
            results.append(
                self._types.annotation_types(
                    facts, annotation, function.parent or 0, hooks, depth, scope
                )
                if annotation
                else None
            )
        elif (part := self._pattern_parts(function.node_id, params, hooks).get(name)) is not None:
            # ``({ topology }: RetryOptions)``: a part of the parameter.  An
            # unannotated one is read like any binding (``{ f = new F() }``).
            writes = writes[1:]
            annotation, path = part
            owners = self._types.annotation_types(
                facts, annotation, function.parent or 0, hooks, depth, scope
            )
            results.append(
                self._types.part_types(facts, owners, path, hooks, depth)
                if owners is not None
                else None
            )
            params = {**params, name: annotation}
        # A name bound once, and not as a parameter, cannot be the target of
        # ``x += y``: ``for x in y`` binds it to an element (``sole``).
        sole = len(writes) == 1 and name not in params
        for start, line, inside in writes:
            results.append(
                self._binding_types(facts, start, line, inside, name, hooks, depth, sole)
            )
        if hooks.shadowing and results:
            # ``Left(t) => …`` and ``Right(t) => …``: t may be two values, and
            # a binding of unknown type may be another than the others'.  A
            # wrapper and its content agree: ``if let Some(p) = p`` rebinds
            # ``p`` to what it held, and its members are the content's.
            opened = [found for found in results if found is not _ITSELF]
            if not opened:
                return None
            first = opened[0]
            if first is None or any(
                found is None or opened_ids(found) != opened_ids(first) for found in opened[1:]
            ):
                return None
            if len(opened) < len(results):
                results = [*opened, [t.content for t in first if t.content is not None]]
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
            code = col_role & ROLE_MASK
            if code not in _BINDS or recv:
                continue
            if inside in scopes:
                scope = scopes[inside]
            else:
                scope = scopes[inside] = binding_scope(facts, name, inside)
            groups.setdefault(scope, []).append((start, line, inside))
        self._writes_cache[name] = groups
        return groups

    def params(self, facts: FileFacts, function_id: int) -> dict[str, str]:
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

    def _pattern_parts(
        self, function_id: int, params: dict[str, str], hooks: LanguageHooks
    ) -> dict[str, tuple[str, tuple[str, ...]]]:
        """name → (annotation, member path) of the names a function's annotated patterns bind.

        Read once per function, like its parameters: every local name asked
        about would otherwise parse the patterns again.
        """
        parts = self._parts_cache.get(function_id)
        if parts is None:
            if len(self._parts_cache) > 100_000:
                self._parts_cache.clear()
            parts = self._parts_cache[function_id] = {}
            for pattern, annotation in params.items():
                for name, path in hooks.pattern_keys(pattern).items() if annotation else ():
                    parts.setdefault(name, (annotation, path))
        return parts

    def _binding_types(
        self,
        facts: FileFacts,
        at: int,
        line: int,
        enclosing: int,
        name: str,
        hooks: LanguageHooks,
        depth: int,
        sole: bool = False,
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
        (where ``hooks.tuple_patterns`` says so; ``if let Some(x) = <chain>``
        binds the chain's wrapped content), ``for x in <chain>`` binds an
        element of a wrapper (where ``hooks.wrappers.iterated`` says so), and
        a closure's first parameter right after a method of
        ``hooks.wrappers.passing`` (``opt.map(|x|``) the content of the
        method's receiver.
        Anything else is unknown.
        """
        pos = self._positions_of(facts)
        starts, lines, exprs, role = pos.starts, pos.lines, pos.exprs, pos.role
        count = len(starts)
        i = bisect_left(starts, at)
        if i >= count or starts[i] != at:
            return None
        end = at + len(name.encode())
        if role(i) == _UNPACK:
            return self._unpacked_types(facts, pos, i, name, enclosing, hooks, depth)
        # Where the queries mark a loop's binding (``hooks.marked_loops``),
        # only the mark makes one: Rust's ``let x = &xs`` is as far from its
        # value as ``for x in xs``.
        looped = role(i) == _LOOP or not hooks.marked_loops
        if i > 0 and lines[i - 1] == line and role(i - 1) in _BINDS:
            # ``a, x``: the second of exactly two names.
            pair = pos.gap(i - 1, i) == 2 and (
                i < 2 or lines[i - 2] != line or role(i - 2) not in _BINDS
            )
            gap = exprs[i + 1] - end if i + 1 < count and lines[i + 1] == line else None
            if pair and hooks.element_offsets and gap in hooks.element_offsets:
                # ``for i, x := range xs``: an element of xs.
                value = pos.chain_text(pos.outermost(i + 1))
                return self._types.content_types(facts, value, enclosing, hooks, depth)
            if pair and looped and sole and gap in hooks.loop_offsets:
                # ``for i, x in enumerate(xs)``, ``for k, v in d.items()``.
                return self._paired_types(facts, pos, i + 1, enclosing, hooks, depth)
            # ``a, x = ...``: which part of the value is x's is not known.
            return None
        if (
            i > 0
            and lines[i - 1] == line
            and role(i - 1) == _CALL
            and pos.recvs[i - 1]
            and (kinds := _passed_kinds(hooks, pos.names[i - 1], at - starts[i - 1]))
            and not (
                # ``(x: Foo) => …``: the parameter's own annotation says more.
                i + 1 < count
                and lines[i + 1] == line
                and role(i + 1) == _TYPE
                and exprs[i + 1] == end + 2
            )
        ):
            # ``opt.map(|x| …)``: the closure's first parameter is the
            # content of the wrapper the method is called on (a receiver
            # not known to be one, ``Effect.map``, leaves the other rules).
            receiver = pos.table[pos.recvs[i - 1] - 1]
            passed = self._types.content_types(facts, receiver, enclosing, hooks, depth, kinds)
            if passed is not None:
                return passed
        # ``T x`` (Java's and C's declarations, ``instanceof T x``, ``catch
        # (E e)``): a type written one byte before the name declares it.
        declared = (
            i - 1
            if hooks.type_before_name
            and i > 0
            and lines[i - 1] == line
            and role(i - 1) == _TYPE
            and pos.gap(i - 1, i) == 1
            else None
        )
        if hooks.tuple_patterns and i > 0 and lines[i - 1] == line and pos.gap(i - 1, i) == 1:
            # ``Either::Left(x)``: a pattern names a variant one byte before
            # its first field's binding.
            if pos.names[i - 1] in hooks.wrappers.patterns:
                if pos.recvs[i - 1]:
                    # ``match <value> { Some(x) => … }``: the queries give a
                    # variant named bare in an arm the matched value as its
                    # receiver (``Option::Some(x)`` has its path instead,
                    # which is no value and types nothing).
                    value = pos.table[pos.recvs[i - 1] - 1]
                elif i + 1 < count and lines[i + 1] == line and exprs[i + 1] == end + 4:
                    # ``if let Some(x) = <chain>``.
                    value = pos.chain_text(pos.outermost(i + 1))
                else:
                    return None
                # The content of the value's wrapper.
                if value == name:
                    return _ITSELF
                return self._types.content_types(facts, value, enclosing, hooks, depth)
            return self._types.first_field_types(
                facts, pos.chain_text(i - 1), enclosing, hooks, depth
            )
        if i + 1 < count and lines[i + 1] == line:
            start = exprs[i + 1]
            if role(i + 1) == _TYPE and start == end + 2:
                j = i + 1
                while j < count and role(j) == _TYPE:
                    found = self._types.expr_types(
                        facts, pos.chain_text(j), enclosing, hooks, depth + 1
                    )
                    if found:
                        return [t for t in found if t.kind in CLASS_LIKE] or None
                    j += 1
                return None
            if start - end in hooks.value_offsets and role(i) != _LOOP:
                value = pos.chain_text(pos.outermost(i + 1))
                if hooks.shadowing and opens_itself(value, name, hooks.wrappers):
                    return _ITSELF
                found = self._types.expr_types(facts, value, enclosing, hooks, depth + 1)
                if found or declared is None:
                    return found
            elif start - end in hooks.await_offsets:
                # ``x = await load()``: what an awaitable resolves to.
                value = pos.chain_text(pos.outermost(i + 1))
                return self._types.content_types(facts, value, enclosing, hooks, depth, _AWAITED)
            elif start - end in hooks.loop_offsets and declared is None and looped:
                # ``for x in ...``: an element, not the value.  Where a loop
                # over a wrapper binds its content (``hooks.wrappers``) and
                # the name has no other binding, that is the element's type.
                if sole and (hooks.wrappers.iterated or hooks.sequences.iterated):
                    value = pos.chain_text(pos.outermost(i + 1))
                    return self._types.content_types(facts, value, enclosing, hooks, depth)
                return None
        if declared is not None:
            found = self._types.expr_types(
                facts, pos.chain_text(declared), enclosing, hooks, depth + 1
            )
            return [t for t in found if t.kind in CLASS_LIKE] or None if found else None
        if i == 0 or lines[i - 1] != line or not hooks.value_before_binding:
            return None
        # The occurrences before the name on its line, back to a write: the
        # outermost chain is the one starting first, its last element the
        # one starting last.
        j = i - 1
        head = exprs[j]
        outer = j
        while j >= 0 and lines[j] == line and role(j) not in _BINDS:
            if exprs[j] < head:
                head, outer = exprs[j], j
            elif exprs[j] == head and starts[j] > starts[outer]:
                outer = j
            j -= 1
        return self._types.expr_types(facts, pos.chain_text(outer), enclosing, hooks, depth + 1)

    def _paired_types(
        self,
        facts: FileFacts,
        pos: _Positions,
        j: int,
        enclosing: int,
        hooks: LanguageHooks,
        depth: int,
    ) -> list[Target] | None:
        """What ``x`` of a loop over pairs ``for i, x in <value>`` is; ``j`` starts the value.

        ``enumerate(xs)`` and ``xs.iter().enumerate()`` (``hooks.indexed_pairs``)
        pair an element of ``xs`` with its index; ``d.items()``
        (``hooks.keyed_pairs``) a value of the mapping ``d`` with its key.
        Any other value's pairs are not known.
        """
        last = pos.outermost(j)
        if pos.role(last) != _CALL:
            return None
        method = pos.names[last]
        receiver = pos.table[pos.recvs[last] - 1] if pos.recvs[last] else None
        if method in hooks.indexed_pairs:
            if receiver is None:
                # ``enumerate(xs)``: its first argument starts after the parenthesis.
                opening = pos.starts[last] + len(method.encode()) + 1
                k = bisect_left(pos.starts, opening, last + 1)
                if k >= len(pos.starts) or pos.exprs[k] != opening:
                    return None
                receiver = pos.chain_text(pos.outermost(k))
            return self._types.content_types(facts, receiver, enclosing, hooks, depth)
        if method in hooks.keyed_pairs and receiver is not None:
            return self._types.content_types(facts, receiver, enclosing, hooks, depth, _KEYED)
        return None

    def unpacked_owners(
        self, facts: FileFacts, at: int, enclosing: int, hooks: LanguageHooks
    ) -> list[Target] | None:
        """What ``const { a } = value`` takes ``a`` out of, for the ``unpack`` at byte ``at``.

        The references of a member include the patterns that take it out
        (``query.references``); a name read from its own default has no
        owner here.
        """
        pos = self._positions_of(facts)
        i = bisect_left(pos.starts, at)
        if i >= len(pos.starts) or pos.starts[i] != at or pos.role(i) not in _PARTS:
            return None
        if _key_of(pos, i) is not None:
            # ``const { a: b } = value``: ``b`` takes out ``a``, which its key names.
            return None
        found = _pattern_of(pos, i, hooks)
        if found is None or found[0] == "default":
            return None
        return self._unpacked_owners(facts, pos, *found[:2], enclosing, hooks, 0)

    def _unpacked_types(
        self,
        facts: FileFacts,
        pos: _Positions,
        i: int,
        name: str,
        enclosing: int,
        hooks: LanguageHooks,
        depth: int,
    ) -> list[Target] | None:
        """What ``a`` of ``const { a, b } = value`` is: the value's member ``a``.

        A renamed part (``{ a: c }``) is the member its key names.  A default
        right after the name (``{ a = fallback }``) is read as ``a =
        fallback`` would be (see ``_unpacked_value``).
        """
        found = _pattern_of(pos, i, hooks)
        if found is None:
            return None
        shape, j, last = found
        if shape == "default":
            # ``const { a = fallback } = value``: read as ``a = fallback``,
            # as a plain write would be, only for the name the default is of.
            if last != i:
                return None
            value = pos.chain_text(pos.outermost(j))
            return self._types.expr_types(facts, value, enclosing, hooks, depth + 1)
        owners = self._unpacked_owners(facts, pos, shape, j, enclosing, hooks, depth)
        if not owners:
            return None
        key = _key_of(pos, i)
        part = pos.names[key] if key is not None else name
        return self._types.part_types(facts, owners, (part,), hooks, depth)

    def _unpacked_owners(
        self,
        facts: FileFacts,
        pos: _Positions,
        shape: str,
        j: int,
        enclosing: int,
        hooks: LanguageHooks,
        depth: int,
    ) -> list[Target] | None:
        """The types of a pattern's value (or annotation) starting at occurrence ``j``.

        The type a pattern names (shape ``pattern``) may be a variant with
        fields of its own (Rust's ``Expr::Call { func, .. }``), which the
        name says where the value ``Expr::Call`` would be an ``Expr``.
        """
        if shape == "pattern":
            receiver = pos.table[pos.recvs[j] - 1] if pos.recvs[j] else ""
            named = self._r.resolve(facts, pos.names[j], receiver, enclosing, "type")
            types = (
                [t for t in named if t.kind in _PATTERN_TYPES] if isinstance(named, list) else []
            )
            if types:
                return types
            # ``Self { a, b }``: the type ``Self`` stands for.
            shape = "type"
        value = pos.chain_text(pos.outermost(j))
        if shape == "type":
            found = self._types.expr_types(facts, value, enclosing, hooks, depth + 1)
            return ([t for t in found if t.kind in CLASS_LIKE] or None) if found else None
        if shape == "await":
            return self._types.content_types(facts, value, enclosing, hooks, depth, _AWAITED)
        return self._types.expr_types(facts, value, enclosing, hooks, depth + 1) or None

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


# What ``_binding_types`` answers for a binding to the name's own value,
# opened (``let x = x?;``, ``if let Some(x) = x``): see ``_local_types``.
_ITSELF: list[Target] = []
# The roles that bind a name.
_BINDS = WRITE_CODES
# The roles of a destructuring pattern's parts: its names and its keys.
_PARTS = (_UNPACK, _KEY)
# What a pattern that names its type may name: a class-like definition, or a
# variant with fields of its own.
_PATTERN_TYPES = CLASS_LIKE | {"enum_member"}
# What starts how far after the last name of ``const { a, b } = value`` on its
# line: `` } = value``, `` } = new C()``, `` } = await value``, `` }: T``, and
# `` = fallback`` and `` = new C()``, a default of that name.
_UNPACKED_VALUE = {5: "value", 9: "value", 11: "await", 4: "type", 3: "default", 7: "default"}
# The same where the pattern spans lines and closes on the next, by column
# from the last name's: ``} = value`` indented two or four less than it.
_UNPACKED_NEXT_LINE = {
    **dict.fromkeys((2, 0), "value"),
    **dict.fromkeys((8, 6), "await"),
    **dict.fromkeys((1, -1), "type"),
}
# The wrappers whose pairs' second halves are values of a mapping.
_KEYED = frozenset({KEYED})
# The wrappers ``await`` opens.
_AWAITED = frozenset({AWAITED})


def _passed_kinds(hooks: LanguageHooks, method: str, distance: int) -> frozenset[str]:
    """The wrappers whose content a call of ``method`` passes to a closure ``distance`` bytes on.

    ``distance`` runs from the method name's first byte to the closure's
    parameter: ``opt.map(|x| …)`` (``hooks.wrappers``) and
    ``items.iter().any(|x| …)`` (``hooks.sequences``) pass an element,
    ``load().then((r) => …)`` (``hooks.promises``) a result.  Empty: none.
    """
    after = distance - len(method.encode())

    def passes(w: Wrappers) -> bool:
        return method in w.passing and after in w.passing_offsets

    kinds = ELEMENT_KINDS if passes(hooks.wrappers) or passes(hooks.sequences) else frozenset()
    return (kinds | _AWAITED) if passes(hooks.promises) else kinds


def _pattern_of(pos: _Positions, i: int, hooks: LanguageHooks) -> tuple[str, int, int] | None:
    """(shape, occurrence it starts at, last name) of what pattern part ``i`` is taken out of.

    The type a pattern names where the language writes one
    (``hooks.typed_patterns``), else the value after it.
    """
    return _pattern_type(pos, i) if hooks.typed_patterns else _unpacked_value(pos, i)


def _unpacked_value(pos: _Positions, i: int) -> tuple[str, int, int] | None:
    """(shape, first occurrence, last name) of the pattern whose ``unpack`` is occurrence ``i``.

    The pattern's names are the ``unpack`` writes from ``i`` on; the first
    occurrence after the last of them starts the value, the annotation or
    a default, told apart by its distance from that name
    (``_UNPACKED_VALUE``): on its line ``b } = value``, or, where the
    pattern spans lines, ``} = value`` on the next, a column from the name's
    as formatters indent it.  Any other shape: None.
    """
    starts, lines, exprs, role = pos.starts, pos.lines, pos.exprs, pos.role
    count = len(starts)
    last = i
    j = i + 1
    # The pattern goes on while the next name follows ``, `` (or a key's
    # ``: ``) on the line or ``,`` and a line break: ``const { a } = this;``
    # followed by ``const { b } = obj;`` is two patterns.
    while j < count and role(j) in _PARTS:
        if not _follows(pos, last, j):
            break
        last = j
        j += 1
    if j < count and role(j) in _BINDS and role(j) != _UNPACK and _follows(pos, last, j, rest=3):
        # ``{ a, ...rest }``: the rest of the value closes the pattern.
        last = j
        j += 1
    if j >= count or role(j) in _BINDS:
        return None
    if lines[j] == lines[last]:
        shape = _UNPACKED_VALUE.get(pos.gap(last, j) - (starts[j] - exprs[j]))
    elif lines[j] == lines[last] + 1:
        # Indented from where the last part starts: its key, if renamed.
        key = _key_of(pos, last)
        first = key if key is not None else last
        column = pos.col(j) - pos.col(first)
        shape = _UNPACKED_NEXT_LINE.get(column)
    else:
        return None
    if shape is None or (shape == "type") != (role(j) == _TYPE):
        return None
    return shape, j, last


def _follows(pos: _Positions, last: int, j: int, rest: int = 0) -> bool:
    """Whether occurrence ``j`` is the next part of the pattern whose part ``last`` is.

    On the same line it follows ``, `` or a key's ``: ``; on the next line
    ``,`` and a line break, indented like it (``rest`` more bytes for a
    rest's ``...``, which the column counts on the next line).
    """
    gap = pos.gap(last, j)
    if pos.lines[j] == pos.lines[last]:
        return gap == 2 + rest
    return pos.lines[j] == pos.lines[last] + 1 and gap - pos.col(j) in (2, 3)


def _pattern_type(pos: _Positions, i: int) -> tuple[str, int, int] | None:
    """("pattern", type occurrence, i) of the pattern ``P { a, b }`` whose part ``i`` is.

    Where ``hooks.typed_patterns`` is set, a pattern's type is the
    occurrence right before its first part, as ``P { a`` writes it on one
    line, or ``P {`` and the parts indented on the next.  Its value is
    never needed (a match arm's or a loop's is not next to it).
    """
    first = i
    while first > 0 and pos.role(first - 1) in _PARTS and _follows(pos, first - 1, first):
        first -= 1
    t = first - 1
    if t < 0 or pos.role(t) != _TYPE:
        return None
    gap = pos.gap(t, first)
    if pos.lines[first] == pos.lines[t]:
        return ("pattern", t, i) if gap == 3 else None
    next_line = pos.lines[first] == pos.lines[t] + 1
    if next_line and gap - pos.col(first) in (3, 4):
        return "pattern", t, i
    return None


def _key_of(pos: _Positions, i: int) -> int | None:
    """The key occurrence that renames pattern name ``i`` (``a`` of ``{ a: i }``), if any."""
    if (
        i > 0
        and pos.role(i) == _UNPACK
        and pos.role(i - 1) == _KEY
        and pos.lines[i - 1] == pos.lines[i]
        and pos.gap(i - 1, i) == 2
    ):
        return i - 1
    return None


def _expression_starts(
    starts: npt.NDArray[np.int64], recvs: npt.NDArray[np.int64], table: list[str]
) -> npt.NDArray[np.int64]:
    """Where each occurrence's expression starts, its receiver's text included.

    A receiver ``a.b`` before ``.name`` starts its length plus one before
    the name; before a separator of two bytes (Rust's ``attr::parsing``,
    ``a?.b``, ``p->x``) one byte earlier still, which is told by an
    occurrence starting right there (the receiver's head), as no
    identifier can start one byte before another's first byte.
    """
    lengths = np.array([0, *(len(r.encode()) for r in table)], dtype=np.int64)
    has = recvs > 0
    exprs = starts - lengths[recvs] - has
    if has.any():
        wide = exprs - 1
        at = np.minimum(np.searchsorted(starts, wide), len(starts) - 1)
        hit = has & (starts[at] == wide)
        exprs[hit] = wide[hit]
    return exprs


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
        exprs: list[int],
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
        #: Where each occurrence's expression starts (``build``).
        self.exprs = exprs

    @classmethod
    def build(cls, blobs: dict[str, bytes], table: list[str]) -> _Positions:
        if not blobs:
            return cls(blobs, table, [], [], [], [], [], [])
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
        starts = values[:, 0]
        recvs = values[:, 4]
        return cls(
            blobs,
            table,
            starts.tolist(),
            values[:, 1].tolist(),
            values[:, 2].tolist(),
            recvs.tolist(),
            np.array(names, dtype=object)[which].tolist(),
            _expression_starts(starts, recvs, table).tolist(),
        )

    def role(self, j: int) -> int:
        """The role code of occurrence ``j``."""
        return self.col_roles[j] & ROLE_MASK

    def col(self, j: int) -> int:
        """The column of occurrence ``j``."""
        return self.col_roles[j] >> ROLE_BITS

    def gap(self, a: int, b: int) -> int:
        """Bytes from the end of occurrence ``a``'s name to the start of ``b``."""
        return int(self.starts[b] - self.starts[a]) - len(self.names[a].encode())

    def outermost(self, j: int) -> int:
        """The outermost chain starting where occurrence ``j``'s expression starts.

        A value ``a.b().c()`` holds an occurrence per name, each ending its
        own chain: the whole is the last one nearby starting at ``a``.
        """
        start = self.exprs[j]
        ahead = self.exprs[j + 1 : min(len(self.exprs), j - 1 + _CHAIN_SCAN)]
        if start not in ahead:
            return j
        ahead.reverse()
        return j + 1 + len(ahead) - 1 - ahead.index(start)

    def chain_text(self, j: int) -> str:
        """The expression occurrence ``j`` ends: its receiver, the name, ``()`` for a call."""
        called = "()" if self.role(j) == _CALL else ""
        recv = self.recvs[j]
        name = self.names[j]
        return f"{self.table[recv - 1]}.{name}{called}" if recv else f"{name}{called}"
