"""Name resolution: which definition an identifier occurrence refers to.

Resolution is scope- and import-aware: function locals and parameters
shadow everything; nested definitions, then module-level ones, then import
bindings (followed through re-exports and ``*`` imports: ``imports.py``),
then the rest of a multi-file module (Go and Java packages); only then a
workspace-wide match by name, whose confidence falls with the number of
candidates (``guesses.py``).  A name bound by an import, or a builtin, is
never guessed by name: it comes from outside the workspace.  ``self``-like
receivers resolve in the enclosing class and its bases (``members.py``);
other receivers get a light type inference (``receivers.py``: constructors,
annotations, fields, ``with`` targets, declared results, ``cls()`` and
``super()``) and resolve inside their types.  JavaScript's classes written
as functions (``function Foo`` with ``Foo.prototype.bar = function …``) are
types too (``constructors.py``): calling one makes an instance, and ``this``
in its prototype methods is one.  A keyword argument resolves to the
parameter or the field it names (``arguments.py``).

When a receiver's type is unknown, a call resolves by name to the methods of
that name, ranked low and never passed off as certain (``guesses.py``).  A
receiver known to come from outside the workspace (a builtin value, a C
module's function) gets no guess at all.

The linker uses this to build typed edges; the query layer uses it to answer
"go to definition".  It only reads (through ``store.symbols``), so any thread
may use a Resolver on a connection it owns; a Resolver caches what it reads
and must be dropped when the index changes.

The file tables and, on a read-only connection, the facts of the files
read last outlive a Resolver (``file_cache.py``).
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from codeidx.index.arguments import argument_targets, keyword_parameters, option_targets
from codeidx.index.constructors import Constructors
from codeidx.index.file_cache import WriterMemory, kept_facts, tables_and_kept_facts
from codeidx.index.guesses import Guesses
from codeidx.index.imports import Imports
from codeidx.index.members import Members, by_namespace, by_role
from codeidx.index.receivers import ReceiverTypes
from codeidx.index.targets import (
    CALLABLE,
    CLASS_LIKE,
    LOCAL,
    MAX_DEPTH,
    MIN_CONFIDENCE,
    UNNAMED,
    ArgumentTarget,
    Target,
    dedupe,
    enclosing_class,
    is_detached,
    is_sure,
)
from codeidx.parse import registry
from codeidx.parse.hooks import LanguageHooks
from codeidx.store import nodes as node_store
from codeidx.store import symbols
from codeidx.store.files import node_id
from codeidx.store.symbols import Def, FileFacts, ImportFact

# Names other modules import from here.
__all__ = [
    "CALLABLE",
    "CLASS_LIKE",
    "LOCAL",
    "MIN_CONFIDENCE",
    "ArgumentTarget",
    "Resolver",
    "Target",
    "is_sure",
]

# ``Resolver._low`` when no lookup was cut short.
_NO_CUT = 1 << 30
_K = TypeVar("_K")
_V = TypeVar("_V")
#: Files whose facts with occurrences a Resolver keeps (``facts_with_occurrences``).
_FULL_FACTS_KEPT = 32


#: Kinds besides class-like ones whose children are looked up as members.
_HOLDERS = frozenset({"namespace", "enum_member"})
#: Kinds besides callables whose children are names in scope inside them: a
#: file's module, and a namespace (Rust's inline ``mod``, C++ and
#: TypeScript namespaces) for the code written inside it.
_SCOPES = frozenset({"module", "namespace"})


class Resolver:
    """Resolves occurrences against the index (see module doc)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        preload: bool = False,
        defs: dict[str, list[Def]] | None = None,
        memory: WriterMemory | None = None,
    ) -> None:
        """``preload`` reads every definition up front (whole-workspace linking).

        ``defs`` is every definition read earlier, as ``symbols.all_defs``
        gives it (a linking process reads it once and its forked workers
        inherit it); it implies ``preload``.  ``memory`` is the writer's, for
        a save: this Resolver reads through it and adds what it reads.
        """
        self._conn = conn
        preload = preload or defs is not None
        self._memory: WriterMemory | None = None
        kept: OrderedDict[int, FileFacts] | None
        if memory is not None and not preload:
            self._memory = memory
            defs = memory.defs
            tables, kept = memory.tables_for(conn), memory.facts
        else:
            if defs is None:
                defs = symbols.all_defs(conn) if preload else {}
            tables, kept = tables_and_kept_facts(conn, keep=not preload)
        self._defs: dict[str, list[Def]] = defs
        self._complete = preload
        self._files = tables.files
        self._modules = tables.modules
        self._path_of = tables.path_of
        #: Facts kept beyond this Resolver (bounded, most recent last; ``file_cache.py``).
        self._kept = kept
        self._facts: dict[int, FileFacts] = {}
        self._module_cache: dict[tuple[str, str], list[Target]] = {}
        self._member_cache: dict[tuple[int, str], list[Target]] = {}
        self._defs_by_id: dict[int, Def] = (
            {d.node_id: d for defs in self._defs.values() for d in defs} if preload else {}
        )
        self._module_target_cache: dict[str, list[Target]] = {}
        self._outer_cache: dict[tuple[int, str], list[Target]] = {}
        self._receiver_cache: dict[tuple[int, str, int], list[Target] | None] = {}
        self._parameter_cache: dict[int, frozenset[str]] = {}
        self._option_cache: dict[tuple[int, str], list[Target]] = {}
        self._full_facts: dict[int, FileFacts] = {}
        # Lookups being worked out, by (cache, key), with their depth in that
        # stack; and the lowest depth a cut in the current lookup led back to
        # (see ``remembered``).
        self._pending: dict[tuple[int, object], int] = {}
        self._low = _NO_CUT
        self._module_ids: dict[int, str] = {}
        self.types = ReceiverTypes(self)
        self.constructors = Constructors(self)
        self.imports = Imports(self)
        self.class_members = Members(self, self._defs, preload)
        self.guesses = Guesses(self, self._defs, preload, self._path_of)

    # Remembered answers ------------------------------------------------

    def remembered(self, cache: dict[_K, _V], key: _K, work: Callable[[], _V], cycle: _V) -> _V:
        """``cache[key]``, worked out by ``work`` and kept when that is safe.

        Answers must not depend on the order files are linked in (two link
        workers share files out differently on every run).  A lookup asked
        again while it is being worked out (a class whose bases lead back to
        it, a binding that reads itself) answers ``cycle``.  The answer of
        the lookup such a cut led back to is still its true answer, but one
        worked out inside it that met the cut is partial, and so is one cut
        by the depth bound (``cut_by_depth``): only answers that met no cut
        leading outside them are kept.
        """
        if key in cache:
            return cache[key]
        tag = (id(cache), key)
        depth = self._pending.get(tag)
        if depth is not None:
            self._low = min(self._low, depth)
            return cycle
        depth = self._pending[tag] = len(self._pending)
        outer, self._low = self._low, _NO_CUT
        try:
            found = work()
        finally:
            del self._pending[tag]
            keep = self._low >= depth
            self._low = min(outer, self._low)
        if keep:
            cache[key] = found
        return found

    def cut_by_depth(self) -> None:
        """Note that the depth bound cut a lookup short: nothing around it is kept."""
        self._low = -1

    # Lookups -----------------------------------------------------------

    def defs(self, name: str) -> list[Def]:
        found = self._defs.get(name)
        if found is None:
            if self._complete:
                return []
            found = symbols.defs_named(self._conn, [name])[name]
            self._defs[name] = found
        return found

    def read_named(
        self, name: str, key: tuple[object, ...], read: Callable[[], list[Def]]
    ) -> list[Def]:
        """What ``read`` reads: definitions named ``name`` a narrow query finds.

        Through the writer's memory, when this Resolver has it: ``key`` tells
        the query and its arguments apart, and the answer is kept until a
        file defining ``name`` is written (every definition it returns is
        named ``name``).
        """
        if self._memory is None:
            return read()
        return self._memory.named_lookup(name, key, read)

    def prefetch(self, names: set[str]) -> None:
        """Load definitions for many names in a few statements."""
        if self._complete:
            return
        missing = [n for n in names if n not in self._defs]
        if missing:
            self._defs.update(symbols.defs_named(self._conn, missing))

    def def_by_id(self, node_id: int) -> Def | None:
        return self._defs_by_id.get(node_id)

    def facts(self, file_id: int) -> FileFacts | None:
        facts = self._facts.get(file_id)
        if facts is None:
            facts = kept_facts(self._conn, self._kept, file_id)
            if facts is None:
                return None
            if len(self._facts) > 4096:
                self._facts.clear()
            self._facts[file_id] = facts
        return facts

    def facts_with_occurrences(self, file_id: int) -> FileFacts | None:
        """A file's facts with its occurrences, which ``facts`` leaves out.

        For what reads another file's occurrences: receiver typing (the
        statement that binds a local) and the queries (where a callable
        binds a parameter).  The last few files are kept, not beyond this
        Resolver: they are large.
        """
        full = self._full_facts.get(file_id)
        if full is None:
            if len(self._full_facts) > _FULL_FACTS_KEPT:
                self._full_facts.clear()
            full = symbols.file_facts(self._conn, file_id)
            if full is None:
                return None
            self._full_facts[file_id] = full
        return full

    def module_of_path(self, path: str | None) -> str | None:
        if path is None:
            return None
        entry = self._files.get(path)
        return entry[1] if entry else None

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection this resolver reads through."""
        return self._conn

    def module_files(self, module: str) -> list[tuple[int, str]]:
        """(file id, path) of the files declaring a module."""
        return self._modules.get(module, [])

    def module_exists(self, module: str) -> bool:
        return module in self._modules

    def module_targets(self, module: str) -> list[Target]:
        """The module nodes of a module's files, one per ``module_files`` entry and in its order.

        Ids are derived, not looked up.
        """
        cached = self._module_target_cache.get(module)
        if cached is None:
            cached = []
            for _fid, path in self._modules.get(module, []):
                nid = node_id(path, module, "module", 0)
                self._module_ids[nid] = module
                cached.append(Target(nid, "module", 1.0, "exact"))
            self._module_target_cache[module] = cached
        return cached

    # Resolution --------------------------------------------------------

    def resolve(
        self, facts: FileFacts, name: str, receiver: str, enclosing: int, role: str
    ) -> list[Target] | str:
        """Targets of one occurrence, ``LOCAL`` for a local binding, [] when unknown.

        A keyword argument (role ``argument``, its callee as the receiver)
        resolves to the members it sets (a dataclass's field), never to the
        callable whose parameter it names: it is no reference of the callable
        (``argument`` tells both).
        """
        if role == "argument":
            return [
                a.target
                for a in argument_targets(self, facts, name, receiver, enclosing)
                if not a.parameter
            ]
        if role == "option":
            # ``connect(url, { timeoutMS: 10 })``: a member of a parameter's type.
            return option_targets(self, facts, name, receiver, enclosing)
        if role == "key":
            # ``a`` of ``{ a: b } = value`` is a member of the value, which
            # its position tells (``unpacked``), never a name in scope.
            return []
        hooks: LanguageHooks = registry.hooks(facts.language).HOOKS
        if not receiver:
            found = self.resolve_name(facts, name, enclosing, hooks)
            if (
                role == "call"
                and hooks.crate_wide_kinds
                and isinstance(found, list)
                and found
                and found[0].resolution == "by_name"
            ):
                # ``check!(…)``: a crate's macros reach all of it.
                return self.guesses.crate_wide(facts, name, found)
            if hooks.type_namespace and isinstance(found, list) and len(found) > 1:
                return by_namespace(found, role)
            return found
        if receiver in hooks.self_names:
            cls = self.self_type(facts, enclosing, hooks)
            if cls is not None:
                found = self.members(cls.node_id, name, facts)
                if found:
                    return by_role(found, role) if hooks.calls_name_methods else found
            # A mixin calls methods its subclasses define: guess by name.
            return self.guesses.member(facts, name, role)
        if len(self._receiver_cache) > 200_000:
            self._receiver_cache.clear()
        # Every member used on one receiver in one scope shares its type.
        owners = self.remembered(
            self._receiver_cache,
            (facts.file_id, receiver, enclosing),
            lambda: self.types.expr_types(facts, receiver, enclosing, hooks),
            None,
        )
        if owners is not None:
            # ``find(k)?.run()``: ``run`` is the member of what ``find`` wraps.
            owners = self.types.member_owners(owners, name, hooks)
        if owners is None:
            # The receiver's type is unknown: by-name guesses, ranked low.
            return self.guesses.member(facts, name, role)
        # A known type answers alone; one from outside the workspace (a
        # builtin, a C module) answers nothing rather than a wrong guess.
        out: list[Target] = []
        for owner in owners:
            out.extend(self.inside(owner, name, facts))
        if not out and any(owner.kind in CALLABLE for owner in owners):
            # A constructor function's prototype may gain members at run time
            # (``util.inherits``, ``Object.assign``): a miss says nothing.
            return self.guesses.member(facts, name, role)
        return by_role(dedupe(out), role) if hooks.calls_name_methods else dedupe(out)

    def unpacked(self, facts: FileFacts, name: str, at: int, enclosing: int) -> list[Target]:
        """The members ``const { name } = value`` takes out of its value (the ``unpack`` at ``at``).

        The binding is a local's, yet the pattern reads the value's member
        as ``value.name`` would: a member's references include it, and so
        do the keys of renamed parts (``name`` of ``{ name: b }``, a ``key``
        at ``at``).  [] when the value's type is unknown (a pattern is never
        a guess) and for a renamed part's binding (``b``).
        """
        hooks: LanguageHooks = registry.hooks(facts.language).HOOKS
        owners = self.types.unpacked_owners(facts, at, enclosing, hooks)
        if owners is not None:
            owners = self.types.member_owners(owners, name, hooks)
        if not owners:
            return []
        return dedupe([m for owner in owners for m in self.inside(owner, name, facts)])

    def self_type(self, facts: FileFacts, enclosing: int, hooks: LanguageHooks) -> Target | None:
        """The class ``self``/``this`` stands for in the node with ordinal ``enclosing``.

        The class around it, or where ``hooks.constructor_functions`` is set
        what ``constructors.Constructors.this_type`` says (a prototype
        method's owner, a constructor function).
        """
        if hooks.constructor_functions:
            return self.constructors.this_type(facts, enclosing)
        cls = enclosing_class(facts, enclosing)
        return Target(cls.node_id, cls.kind, 1.0, "exact") if cls is not None else None

    def argument(
        self, facts: FileFacts, name: str, callee: str, enclosing: int
    ) -> list[ArgumentTarget]:
        """What the keyword argument ``name`` of a call of ``callee`` names (``arguments.py``)."""
        return argument_targets(self, facts, name, callee, enclosing)

    def parameter_names(self, node_id: int) -> frozenset[str]:
        """The names a callable's parameters can be passed by (not ``*args``, ``**kw``)."""
        cached = self._parameter_cache.get(node_id)
        if cached is None:
            details = node_store.node_details(self._conn, [node_id]).get(node_id)
            found = [(p[0], p[3]) for p in details.params] if details is not None else []
            cached = self._parameter_cache[node_id] = keyword_parameters(found)
        return cached

    def parameter_members(self, node_id: int, name: str) -> list[Target]:
        """Members ``name`` of the classes a callable's parameters are annotated with.

        What an options object's key passed to the callable sets
        (``arguments.option_targets``); the annotations are read in the
        callable's own file and scope.
        """
        key = (node_id, name)
        cached = self._option_cache.get(key)
        if cached is not None:
            return cached
        if len(self._option_cache) > 100_000:
            self._option_cache.clear()
        out: list[Target] = []
        self._option_cache[key] = out  # A cycle through the annotations answers nothing.
        row = node_store.nodes_by_ids(self._conn, [node_id]).get(node_id)
        facts = self.facts(row.file_id) if row is not None else None
        if row is None or facts is None or row.ordinal >= len(facts.nodes):
            return out
        hooks: LanguageHooks = registry.hooks(facts.language).HOOKS
        scope = facts.nodes[row.ordinal].parent or 0
        for annotation in self.types.parameter_annotations(facts, node_id).values():
            if not annotation:
                continue
            owners = self.types.annotation_types(facts, annotation, scope, hooks, 0, row.ordinal)
            for owner in owners or ():
                if owner.kind in CLASS_LIKE:
                    out.extend(self.members(owner.node_id, name, facts))
        out[:] = dedupe(out)
        return out

    def resolve_import_name(self, facts: FileFacts, name: str, line: int) -> list[Target]:
        """What a name written inside an import statement refers to (``imports.py``)."""
        return self.imports.resolve_import_name(facts, name, line)

    def resolve_name(
        self, facts: FileFacts, name: str, enclosing: int, hooks: LanguageHooks
    ) -> list[Target] | str:
        nodes = facts.nodes
        scope: int | None = enclosing
        innermost = True
        # Parents always have smaller ordinals, so the walk ends; the bound
        # keeps a damaged index from looping.
        while scope is not None and scope < len(nodes) and nodes[scope].ordinal <= enclosing:
            node = nodes[scope]
            if (
                node.kind in CALLABLE
                or node.kind in _SCOPES
                or (
                    node.kind in CLASS_LIKE
                    and ((innermost and hooks.class_body_scope) or hooks.members_in_scope)
                )
            ):
                local = [
                    Target(n.node_id, n.kind, 1.0, "exact")
                    for n in facts.children(scope, name)
                    if n.kind not in UNNAMED and not is_detached(n.kind, node.kind)
                ]
                if local:
                    return local
                if node.kind in CALLABLE and name in facts.locals.get(scope, ()):
                    return LOCAL
                if node.kind in CLASS_LIKE and hooks.members_in_scope:
                    inherited = self.members(node.node_id, name, facts)
                    if inherited:
                        return inherited
            innermost = False
            if node.parent is not None and node.parent >= scope:
                break
            scope = node.parent
        if len(self._outer_cache) > 200_000:
            self._outer_cache.clear()
        return self.remembered(
            self._outer_cache,
            (facts.file_id, name),
            lambda: self._resolve_outer(facts, name, hooks),
            [],
        )

    def _resolve_outer(self, facts: FileFacts, name: str, hooks: LanguageHooks) -> list[Target]:
        """A name not bound in the file's scopes: imports, the module, then by name."""
        bound = self.imports.bound(facts, name)
        if bound or name in facts.import_bindings():
            # An imported name that does not resolve comes from outside the
            # workspace: a same-named definition elsewhere is not it.
            return bound
        same_module = [
            Target(d.node_id, d.kind, 1.0, "exact")
            for d in self.defs(name)
            if d.top
            and d.module_name == facts.module_name
            and d.file_id != facts.file_id
            and d.kind not in UNNAMED
        ]
        if same_module:
            return same_module
        if hooks.extern_modules:
            crate = self._extern_module(facts, name)
            if crate:
                return crate
        if name in hooks.builtins:
            return []
        return self.guesses.top_level(facts, name)

    def _extern_module(self, facts: FileFacts, name: str) -> list[Target]:
        """The top-level module ``name`` of files in the file's language (``extern_modules``).

        A module of another language of the same name (a Python package
        beside a Rust crate) is no crate of this one.
        """
        language = facts.language
        return [
            target
            for target, (_fid, path) in zip(
                self.module_targets(name), self.module_files(name), strict=True
            )
            if registry.language_for_path(path) == language
        ]

    def module_through_attributes(self, imp: ImportFact, facts: FileFacts) -> str | None:
        """The module a ``from a.b import x`` names when ``a.b`` is no file (``imports.py``)."""
        return self.imports.module_through_attributes(imp, facts)

    def in_module(self, module: str, name: str, depth: int) -> list[Target]:
        """Top-level definitions named ``name`` in a module, following re-exports."""
        # A cycle of re-exports answers nothing more.
        return self.remembered(
            self._module_cache, (module, name), lambda: self._in_module(module, name, depth), []
        )

    def _in_module(self, module: str, name: str, depth: int) -> list[Target]:
        found = [
            Target(d.node_id, d.kind, 1.0, "exact")
            for d in self.defs(name)
            if d.top and d.module_name == module and d.kind not in UNNAMED
        ]
        if not found and depth < MAX_DEPTH:
            found = self.imports.reexported(module, name)
        elif not found:
            self.cut_by_depth()  # re-exports not followed further
        return found

    def inside(self, owner: Target, name: str, facts: FileFacts) -> list[Target]:
        """``name`` looked up inside a module or a class-like target."""
        if owner.kind == "module":
            module = self.module_name_of_node(owner.node_id)
            return self.in_module(module, name, 0) if module is not None else []
        if (
            owner.kind in CLASS_LIKE
            or owner.kind in _HOLDERS
            or (
                owner.kind in CALLABLE
                and registry.hooks(facts.language).HOOKS.constructor_functions
            )
        ):
            # A namespace (Rust's inline ``mod parsing { .. }``) holds its
            # items as a class holds its members, and a variant with fields
            # (``Expr::Call { func, .. }``) its fields.
            return self.members(owner.node_id, name, facts)
        return []

    def module_name_of_node(self, nid: int) -> str | None:
        known = self._module_ids.get(nid)
        if known is not None:
            return known
        row = self._conn.execute(
            "SELECT f.module_name FROM nodes n JOIN files f ON f.file_id = n.file_id"
            " WHERE n.node_id = ?",
            (nid,),
        ).fetchone()
        return str(row[0]) if row else None

    def members(self, class_id: int, name: str, facts: FileFacts, depth: int = 0) -> list[Target]:
        """Members named ``name`` of a class, its impls and (recursively) its bases."""
        # A cycle of bases answers nothing more.
        return self.remembered(
            self._member_cache,
            (class_id, name),
            lambda: self.class_members.find(class_id, name, facts, depth),
            [],
        )

    def class_def(self, class_id: int) -> Def | None:
        known = self._defs_by_id.get(class_id)
        if known is not None or self._complete:
            return known
        row = self._conn.execute("SELECT name FROM nodes WHERE node_id = ?", (class_id,)).fetchone()
        if row is None:
            return None
        for d in self.defs(str(row[0])):
            self._defs_by_id[d.node_id] = d
        return self._defs_by_id.get(class_id)

    def resolve_expr(
        self, facts: FileFacts, expr: str, enclosing: int, hooks: LanguageHooks
    ) -> list[Target] | str:
        """Resolve a dotted or scoped expression (``a.b.C``, ``a::b``) to targets."""
        sep = registry.LANGUAGES[facts.language].separator
        parts = [p for p in expr.replace(sep, ".").split(".") if p]
        if not parts or not all(p.isidentifier() for p in parts):
            return []
        root_module = hooks.path_root(parts[0], facts.module_name)
        if root_module is not None:
            current: list[Target] = self.module_targets(root_module)
            if not current:
                return []
        elif parts[0] in hooks.self_names:
            cls = self.self_type(facts, enclosing, hooks)
            if cls is None:
                return []
            current = [cls]
        else:
            first = self.resolve_name(facts, parts[0], enclosing, hooks)
            if not isinstance(first, list):
                return first
            current = first
        for part in parts[1:]:
            nxt: list[Target] = []
            for owner in current:
                nxt.extend(self.inside(owner, part, facts))
            if not nxt:
                return []
            current = dedupe(nxt)
        return current
