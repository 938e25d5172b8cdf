"""Type parameters: which definition declares a name, and what its bounds give.

A value of type ``V`` in Rust's ``fn f<V: Visit>(v: &mut V)`` has the
methods of the traits bounding ``V`` (``hooks.bounded_type_parameters``,
``hooks.type_bounds``).  Receiver typing asks here whether a name is a type
parameter of a definition around it, and what a value of it may be.

Only ``receivers.ReceiverTypes`` creates one, for its own use; it reads
through the resolver and ``store``, caches per resolver, and never writes.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from codeidx.index.targets import CALLABLE, CLASS_LIKE, Target, merged
from codeidx.parse.hooks import LanguageHooks
from codeidx.store import nodes as node_store
from codeidx.store.symbols import FileFacts

if TYPE_CHECKING:
    from codeidx.index.receivers import ReceiverTypes
    from codeidx.index.resolve import Resolver

# What ``_bounds_of`` answers for a definition without type parameters.
_NO_BOUNDS: dict[str, list[str]] = {}


class TypeParameters:
    """Type parameters and their bounds, for one ReceiverTypes (see module doc)."""

    def __init__(self, resolver: Resolver, types: ReceiverTypes) -> None:
        # Proxies, not references: ``types`` holds this object (see
        # ``ReceiverTypes.__init__`` for why a cycle would hurt).
        self._r: Resolver = weakref.proxy(resolver)
        self._types: ReceiverTypes = weakref.proxy(types)
        self._bounds_cache: dict[int, dict[str, list[str]]] = {}
        self._bounds_files: set[int] = set()

    def declared(
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

    def bound_types(
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
        scope = facts.nodes[declaring].parent or 0
        return merged(
            (
                self._types.annotation_types(facts, bound, scope, hooks, depth + 1, declaring)
                for bound in bounds
            ),
            unknown=not bounds,
        )
