"""Class members: what ``name`` finds inside a class-like definition.

A class's members are first its children.  A type's members written outside
its body are matched to it by name: the methods of a Rust impl naming the
type, Go methods and C++ methods defined out of line (their qualified name
names the type, ``pkg.Command.Execute``), and the methods written beside a
JavaScript constructor function (``constructors.py``).  An impl's ``self``
has the members of the types it extends.  When none is found, the declared
bases are followed (up to ``MAX_DEPTH``), and what they give is at most 0.9
sure.  A Rust struct's field and a method of its impls may share a name:
both are members, and the occurrence's role tells them apart (``by_role``).

Only ``index.resolve.Resolver`` creates one, for its own use: its
``members`` remembers each answer and cuts cycles of bases, and this module
works the answer out.  It reads through the resolver and ``store``, caches
per resolver, and never writes.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from codeidx.index.targets import (
    CALLABLE,
    CLASS_LIKE,
    MAX_DEPTH,
    UNNAMED,
    Target,
    dedupe,
    is_detached,
)
from codeidx.parse import registry
from codeidx.store import symbols
from codeidx.store.symbols import Def, FileFacts

if TYPE_CHECKING:
    from codeidx.index.resolve import Resolver


class Members:
    """Works out class members for one Resolver (see module doc)."""

    def __init__(self, resolver: Resolver, defs: dict[str, list[Def]], complete: bool) -> None:
        """``defs`` is the resolver's definitions by name as read so far (the same
        dict, which grows as it reads); ``complete`` says they are all read."""
        # A proxy, not a reference: the Resolver holds this object (see
        # ``ReceiverTypes.__init__`` for why a cycle would hurt).
        self._r: Resolver = weakref.proxy(resolver)
        self._defs = defs
        self._complete = complete
        self._groups: dict[str, tuple[list[Def], dict[int | None, list[Def]]]] = {}
        self._by_qualified: dict[str, tuple[list[Def], dict[str, list[Def]]]] = {}
        self._bases_cache: dict[int, tuple[tuple[str, str], ...]] = {}

    def find(self, class_id: int, name: str, facts: FileFacts, depth: int) -> list[Target]:
        """Members named ``name`` of a class, its impls and (recursively) its bases."""
        r = self._r
        owner = r.class_def(class_id)
        # A constructor function (``hooks.constructor_functions``): what it
        # declares inside is its own; its members are written outside it.
        outside_only = owner is not None and owner.kind in CALLABLE
        if self._complete or name in self._defs:
            defs = r.defs(name)
            children = [] if outside_only else self._grouped(name, defs).get(class_id, [])
        elif outside_only:
            defs, children = [], []
        else:
            # One class's members: a narrow query beats loading every
            # definition of a common name such as __init__ or get.
            defs = []
            children = r.read_named(
                name, ("members", class_id), lambda: symbols.member_defs(r.conn, class_id, name)
            )
        found = [Target(d.node_id, d.kind, 1.0, "exact") for d in children]
        # A Rust struct's field may share its name with a method of its impls
        # (``len`` and ``len()``): both are members, told apart by the call.
        fields_only = (
            bool(found)
            and owner is not None
            and not any(t.kind in CALLABLE for t in found)
            and registry.hooks(owner.language).HOOKS.calls_name_methods
        )
        if owner is not None and (not found or fields_only):
            # Rust impls attach methods to a type by name; Go methods (and C++
            # ones defined out of line) are written outside their type and
            # name it in their qualified name (``pkg.Command.Execute``).
            detached = f"{owner.qualified_name}{registry.LANGUAGES[owner.language].separator}{name}"
            if not defs and not self._complete:
                type_name = owner.name
                impls = named = r.read_named(
                    name,
                    ("impls", type_name, detached),
                    lambda: symbols.impl_member_defs(r.conn, type_name, name, detached),
                )
            elif defs:
                # As ``impl_member_defs`` reads them (below, which of them).
                impls = self._grouped(name, defs).get(None, [])
                named = self._named(name, defs).get(detached, [])
            else:
                impls = named = []
            found += [
                Target(d.node_id, d.kind, 0.9, "exact")
                for d in impls
                if d.parent_kind == "impl"
                and d.parent_name == owner.name
                and d.module_name == owner.module_name
            ] + [
                Target(d.node_id, d.kind, 1.0, "exact")
                for d in named
                if d.parent_kind != "impl"
                and d.qualified_name == detached
                # A method written outside its type, in any file of the
                # package; or a member of another type of the same name in
                # the same file (the struct an impl is for, the interface a
                # TypeScript class merges with).  Not one in another file:
                # that is a variant for another build (Go's ``mac`` of
                # ``sum_s390x.go`` beside ``sum_amd64.go``'s).
                and (
                    is_detached(d.kind, d.parent_kind)
                    # (Not a function declared inside a constructor function.)
                    if outside_only
                    else is_detached(d.kind, d.parent_kind) or d.file_id == owner.file_id
                )
            ]
        if (
            owner is not None
            and owner.kind in UNNAMED
            and depth < MAX_DEPTH
            and (not found or _methods_only(found, owner))
        ):
            # An impl's ``self`` has its type's members too: the fields, and
            # the methods of the type's other impls.  A method of the impl
            # may share its name with a field (``byte`` and ``byte()``),
            # which the role tells apart (``by_role``).
            for extended in r.types.extended_types(owner, depth):
                found.extend(r.members(extended.node_id, name, facts, depth + 1))
        if not found and owner is not None and depth < MAX_DEPTH:
            owner_facts = r.facts(owner.file_id)
            if owner_facts is not None:
                hooks = registry.hooks(owner_facts.language).HOOKS
                enclosing = owner_facts.ordinal_of(class_id)
                parent = owner_facts.nodes[enclosing].parent if enclosing is not None else 0
                for _role, base_text in self._bases(owner):
                    bases = r.resolve_expr(owner_facts, base_text, parent or 0, hooks)
                    if not isinstance(bases, list):
                        continue
                    for base in bases:
                        if base.kind in CLASS_LIKE and base.node_id != class_id:
                            inherited = r.members(base.node_id, name, owner_facts, depth + 1)
                            found.extend(
                                Target(t.node_id, t.kind, min(t.confidence, 0.9), t.resolution)
                                for t in inherited
                            )
                    if found:
                        break
        elif not found and owner is not None and self._bases(owner):
            r.cut_by_depth()  # bases not followed further
        return dedupe(found)

    def _grouped(self, name: str, defs: list[Def]) -> dict[int | None, list[Def]]:
        """The definitions named ``name`` by parent id; ``None`` holds detached ones.

        Detached: in impls (Rust), or methods whose parent is no class (Go
        methods, C++ methods defined out of line); ``find`` matches them
        to a type by name.

        Built once per name (a member lookup would otherwise scan every
        ``__init__`` of the workspace for one class's), and again only when
        the list of definitions was replaced.
        """
        cached = self._groups.get(name)
        if cached is not None and cached[0] is defs:
            return cached[1]
        groups: dict[int | None, list[Def]] = {}
        for d in defs:
            if d.parent_id is not None:
                groups.setdefault(d.parent_id, []).append(d)
            if d.parent_kind == "impl" or is_detached(d.kind, d.parent_kind):
                groups.setdefault(None, []).append(d)
        self._groups[name] = (defs, groups)
        return groups

    def _named(self, name: str, defs: list[Def]) -> dict[str, list[Def]]:
        """The definitions named ``name`` by qualified name, kept as ``_grouped``'s groups."""
        cached = self._by_qualified.get(name)
        if cached is not None and cached[0] is defs:
            return cached[1]
        by_qualified: dict[str, list[Def]] = {}
        for d in defs:
            by_qualified.setdefault(d.qualified_name, []).append(d)
        self._by_qualified[name] = (defs, by_qualified)
        return by_qualified

    def _bases(self, owner: Def) -> tuple[tuple[str, str], ...]:
        """A class's declared supertypes, parsed once per class."""
        found = self._bases_cache.get(owner.node_id)
        if found is None:
            found = self._bases_cache[owner.node_id] = owner.bases
        return found


def _methods_only(found: list[Target], owner: Def) -> bool:
    """Whether only methods were found where a field may share their name.

    Only where ``hooks.calls_name_methods`` tells a field from a method.
    """
    return all(t.kind in CALLABLE for t in found) and bool(
        registry.hooks(owner.language).HOOKS.calls_name_methods
    )


def by_role(found: list[Target], role: str) -> list[Target]:
    """A field and a method of one name (``len`` and ``len()``): a call means the method.

    A read or write means the field, unless nothing but methods is found
    (a method named without a call).  Only for ``hooks.calls_name_methods``.
    """
    callables = [t for t in found if t.kind in CALLABLE]
    if not callables or len(callables) == len(found):
        return found
    if role == "call":
        return callables
    return [t for t in found if t.kind not in CALLABLE]


#: Kinds a name stands for in a type's place (Rust's type namespace).
_TYPE_KINDS = CLASS_LIKE | {"type_alias", "module", "namespace"}
#: Roles of a name written where a type goes: ``ident: Ident``, ``Ident { .. }``.
_TYPE_ROLES = frozenset({"type", "instantiate", "inherit"})


def by_namespace(found: list[Target], role: str) -> list[Target]:
    """A type and a value of one name: the role says which.

    syn has a ``struct Ident`` and a ``fn Ident``.  A type's place or a
    struct literal means the type, a call the value.  A plain read may be
    either: ``Lit::Str(v)`` reads the type ``Lit`` as a path's head, which
    the occurrence does not tell.  Where only one of them is found, it is
    the answer.  Only for ``hooks.type_namespace``.
    """
    types = [t for t in found if t.kind in _TYPE_KINDS]
    if not types or len(types) == len(found):
        return found
    if role in _TYPE_ROLES:
        return types
    if role == "call":
        return [t for t in found if t.kind not in _TYPE_KINDS]
    return found
