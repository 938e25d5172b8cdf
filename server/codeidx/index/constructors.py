"""Constructor functions: classes written as functions, and what ``this`` is in them.

JavaScript writes a class as a function too: ``function Foo() {}`` with
``Foo.prototype.bar = function () {}`` (or ``Foo.bar = …``) beside it.
Those methods are indexed as Go's are (``parse/resolvers/javascript.py``):
their parent is the scope they are written in, and their qualified name
(``mod.Foo.bar``) names their owner.  Where ``hooks.constructor_functions``
is set, this module answers two questions for the resolver:

* whether a function is a constructor: it has methods written beside it,
  so calling it makes an instance whose members are those methods;
* what ``this`` stands for at a place: the innermost class around it, the
  owner of the prototype method around it, or the constructor around it.

A function without such methods stays a plain function: calling it gives a
value of unknown type, and ``this`` in it is unknown.

Only ``index.resolve.Resolver`` creates one, for its own use; it reads
through the resolver and ``store``, caches per resolver, and never writes.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from codeidx.index.targets import CLASS_LIKE, Target
from codeidx.parse import registry
from codeidx.store import symbols
from codeidx.store.symbols import FileFacts, FileNode

if TYPE_CHECKING:
    from codeidx.index.resolve import Resolver


class Constructors:
    """Constructor functions and ``this`` for one Resolver (see module doc)."""

    def __init__(self, resolver: Resolver) -> None:
        # A proxy, not a reference: the Resolver holds this object (see
        # ``ReceiverTypes.__init__`` for why a cycle would hurt).
        self._r: Resolver = weakref.proxy(resolver)
        self._constructs: dict[int, bool] = {}
        self._owners: dict[int, Target | None] = {}

    def constructs(self, function_id: int) -> bool:
        """Whether a function is a constructor: methods written beside it name it."""
        known = self._constructs.get(function_id)
        if known is None:
            d = self._r.class_def(function_id)
            known = (
                d is not None
                and d.kind == "function"
                and registry.hooks(d.language).HOOKS.constructor_functions
                and symbols.has_methods_beside(
                    self._r.conn,
                    d.file_id,
                    d.parent_id,
                    f"{d.qualified_name}{registry.LANGUAGES[d.language].separator}",
                )
            )
            if len(self._constructs) > 100_000:
                self._constructs.clear()
            self._constructs[function_id] = known
        return known

    def this_type(self, facts: FileFacts, enclosing: int) -> Target | None:
        """What ``this`` stands for in the node with ordinal ``enclosing``, if known.

        The innermost of: a class, a method written outside its owner (its
        owner), a constructor function (itself).  As for a class, a plain
        function in between does not stop the walk.
        """
        nodes = facts.nodes
        scope: int | None = enclosing
        while scope is not None and scope < len(nodes):
            node = nodes[scope]
            if node.kind in CLASS_LIKE:
                return Target(node.node_id, node.kind, 1.0, "exact")
            if node.kind == "method" and node.parent is not None:
                if nodes[node.parent].kind not in CLASS_LIKE:
                    owner = self._owner(facts, node)
                    if owner is not None:
                        return owner
            elif node.kind == "function" and self.constructs(node.node_id):
                return Target(node.node_id, node.kind, 1.0, "exact")
            if node.parent is not None and node.parent >= scope:
                return None
            scope = node.parent
        return None

    def _owner(self, facts: FileFacts, method: FileNode) -> Target | None:
        """The function or class a method written outside it belongs to.

        Its qualified name names the owner (``mod.Foo.bar``), which the
        indexer required to be declared in the same block: a sibling.  A
        method of an object literal (``var o = { m() {} }``) has none.
        """
        if method.node_id in self._owners:
            return self._owners[method.node_id]
        found: Target | None = None
        d = self._r.class_def(method.node_id)
        if d is not None and method.parent is not None:
            sep = registry.LANGUAGES[facts.language].separator
            owner_name = d.qualified_name.rpartition(sep)[0].rpartition(sep)[2]
            for n in facts.children(method.parent, owner_name):
                if n.kind == "function" or n.kind in CLASS_LIKE:
                    found = Target(n.node_id, n.kind, 1.0, "exact")
                    break
        if len(self._owners) > 100_000:
            self._owners.clear()
        self._owners[method.node_id] = found
        return found
