"""Name resolution: which definition an identifier occurrence refers to.

Resolution is scope- and import-aware: function locals and parameters
shadow everything; nested definitions, then module-level ones, then import
bindings (followed through re-exports and ``*`` imports), then the rest of a
multi-file module (Go and Java packages); only then a workspace-wide match by
name, whose confidence falls with the number of candidates.  A name bound
by an import, or a builtin, is never guessed by name: it comes from outside
the workspace.  ``self``-like receivers resolve in the enclosing class and
its bases; other receivers get a light type inference (``receivers.py``:
constructors, annotations, fields, ``with`` targets, declared results,
``cls()`` and ``super()``) and resolve inside their types.  JavaScript's
classes written as functions (``function Foo`` with ``Foo.prototype.bar =
function …``) are types too (``constructors.py``): calling one makes an
instance, and ``this`` in its prototype methods is one.

When a receiver's type is unknown, a call resolves by name to the methods of
that name (at most ``_MAX_BY_NAME_MEMBERS``), each with confidence
``0.4 / candidates``.  Such guesses are never passed off as certain: they
are ``by_name`` edges, go-to-definition ranks them after exact answers, and
references and callers leave out every guess below ``MIN_CONFIDENCE`` (all
but a name's single candidate) unless asked for them.  A receiver known to
come from outside the workspace (a builtin value, a C module's function)
gets no guess at all.

The linker uses this to build typed edges; the query layer uses it to answer
"go to definition".  It only reads (through ``store.symbols``), so any thread
may use a Resolver on a connection it owns; a Resolver caches what it reads
and must be dropped when the index changes.

The facts of files (``store.symbols.file_facts``) and the file tables
outlive a Resolver on a read-only connection: each thread keeps the tables
and the last ``FACTS_KEPT`` files it read on its connection, for as long as
nobody commits (``db.data_version`` stays the same).  A references search
reads the facts of a hundred files and more, the same popular files request
after request, and a language server's query worker keeps its connection
between requests.  The writer's and linking's resolvers keep their own.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple, TypeVar

from codeidx.index.constructors import Constructors
from codeidx.index.receivers import ReceiverTypes
from codeidx.index.targets import (
    CALLABLE,
    CLASS_LIKE,
    LOCAL,
    MAX_DEPTH,
    MIN_CONFIDENCE,
    ArgumentTarget,
    Target,
    dedupe,
    enclosing_class,
    is_detached,
    is_sure,
)
from codeidx.parse import registry
from codeidx.parse.hooks import LanguageHooks
from codeidx.store import db, stats, symbols
from codeidx.store import nodes as node_store
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

# Definitions whose name is not a name of their own (a Rust impl block is
# named after its type): members live in them, but names never resolve to them.
_UNNAMED = frozenset({"impl"})
# ``Resolver._low`` when no lookup was cut short.
_NO_CUT = 1 << 30
_K = TypeVar("_K")
_V = TypeVar("_V")
# A name matching more definitions than this is too ambiguous to guess at:
# such guesses would mostly be wrong edges.
_MAX_BY_NAME = 5
_MAX_BY_NAME_MEMBERS = 3
# The confidence cap of a guess for a built-in type's method name
# (``hooks.builtin_members``): below MIN_CONFIDENCE, so hidden by default.
_BUILTIN_GUESS = round(MIN_CONFIDENCE * 2 / 3, 3)
#: Files whose facts with occurrences a Resolver keeps (``facts_with_occurrences``).
_FULL_FACTS_KEPT = 32


class _FileTables(NamedTuple):
    """The indexed files as resolution looks them up; shared, never modified."""

    #: path → (file id, module name, language)
    files: dict[str, tuple[int, str, str]]
    #: module name → (file id, path) of the files that make it up
    modules: dict[str, list[tuple[int, str]]]
    path_of: dict[int, str]


#: Database file → (``stats.files_fingerprint``, its tables).  Every request
#: makes a Resolver, and reading the files table costs more than most
#: answers; the files change only when a run writes.
_TABLES: dict[str, tuple[tuple[int, ...], _FileTables]] = {}
_TABLES_LOCK = threading.Lock()


def _file_tables(conn: sqlite3.Connection) -> _FileTables:
    """The file tables as ``conn`` sees them, read again only after the files changed."""
    where = db.database_file(conn)
    fingerprint = stats.files_fingerprint(conn)
    if where:
        with _TABLES_LOCK:
            kept = _TABLES.get(where)
        if kept is not None and kept[0] == fingerprint:
            return kept[1]
    files = symbols.file_index(conn)
    modules: dict[str, list[tuple[int, str]]] = {}
    path_of: dict[int, str] = {}
    for path, (fid, module, _lang) in files.items():
        modules.setdefault(module, []).append((fid, path))
        path_of[fid] = path
    tables = _FileTables(files, modules, path_of)
    if where:
        with _TABLES_LOCK:
            _TABLES[where] = (fingerprint, tables)
    return tables


#: Files whose facts a thread keeps for its read-only connection (see module doc);
#: about 50 KB each on the standard library.
FACTS_KEPT = 256


class _Kept(threading.local):
    """What one thread keeps for its read-only connection while nobody commits.

    The file tables and the facts of the last ``FACTS_KEPT`` files; both are
    dropped when ``PRAGMA data_version`` moves, which costs a microsecond
    where checking the files table (``_file_tables``) costs a scan of it.
    """

    conn: sqlite3.Connection | None = None
    version = -1
    tables: _FileTables | None = None
    facts: OrderedDict[int, FileFacts]

    def __init__(self) -> None:
        self.facts = OrderedDict()

    def bound_to(self, conn: sqlite3.Connection) -> bool:
        """Make this thread's state that of ``conn`` as it reads now; False for a writer."""
        if conn is not self.conn:
            if not db.is_read_only(conn):
                return False
            self.conn, self.version = conn, -1
        version = db.data_version(conn)
        if version != self.version:
            self.facts = OrderedDict()
            self.tables = None
            self.version = version
        return True


_KEPT = _Kept()


class Resolver:
    """Resolves occurrences against the index (see module doc)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        preload: bool = False,
        defs: dict[str, list[Def]] | None = None,
    ) -> None:
        """``preload`` reads every definition up front (whole-workspace linking).

        ``defs`` is every definition read earlier, as ``symbols.all_defs``
        gives it (a linking process reads it once and its forked workers
        inherit it); it implies ``preload``.
        """
        self._conn = conn
        preload = preload or defs is not None
        if defs is None:
            defs = symbols.all_defs(conn) if preload else {}
        self._defs: dict[str, list[Def]] = defs
        self._complete = preload
        kept = not preload and _KEPT.bound_to(conn)
        tables = _KEPT.tables if kept else None
        if tables is None:
            tables = _file_tables(conn)
            if kept:
                _KEPT.tables = tables
        self._files = tables.files
        self._modules = tables.modules
        self._path_of = tables.path_of
        #: Facts kept beyond this Resolver (bounded, most recent last; see module doc).
        self._kept = _KEPT.facts if kept else None
        self._facts: dict[int, FileFacts] = {}
        self._module_cache: dict[tuple[str, str], list[Target]] = {}
        self._member_cache: dict[tuple[int, str], list[Target]] = {}
        self._defs_by_id: dict[int, Def] = (
            {d.node_id: d for defs in self._defs.values() for d in defs} if preload else {}
        )
        self._module_target_cache: dict[str, list[Target]] = {}
        self._outer_cache: dict[tuple[int, str], list[Target]] = {}
        self._by_name_cache: dict[str, list[Target]] = {}
        self._receiver_cache: dict[tuple[int, str, int], list[Target] | None] = {}
        self._parameter_cache: dict[int, frozenset[str]] = {}
        self._full_facts: dict[int, FileFacts] = {}
        # Lookups being worked out, by (cache, key), with their depth in that
        # stack; and the lowest depth a cut in the current lookup led back to
        # (see ``remembered``).
        self._pending: dict[tuple[int, object], int] = {}
        self._low = _NO_CUT
        self._groups: dict[str, tuple[list[Def], dict[int | None, list[Def]]]] = {}
        self._bases_cache: dict[int, tuple[tuple[str, str], ...]] = {}
        self._module_ids: dict[int, str] = {}
        self.types = ReceiverTypes(self)
        self.constructors = Constructors(self)

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
            kept = self._kept
            if kept is not None and (facts := kept.get(file_id)) is not None:
                kept.move_to_end(file_id)
            else:
                facts = symbols.file_facts(self._conn, file_id, with_occurrences=False)
                if facts is None:
                    return None
                if kept is not None:
                    kept[file_id] = facts
                    while len(kept) > FACTS_KEPT:
                        kept.popitem(last=False)
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
        """The module nodes of a module's files (ids are derived, not looked up)."""
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
                a.target for a in self.argument(facts, name, receiver, enclosing) if not a.parameter
            ]
        hooks: LanguageHooks = registry.hooks(facts.language).HOOKS
        if not receiver:
            return self.resolve_name(facts, name, enclosing, hooks)
        if receiver in hooks.self_names:
            cls = self.self_type(facts, enclosing, hooks)
            if cls is not None:
                found = self.members(cls.node_id, name, facts)
                if found:
                    return found
            # A mixin calls methods its subclasses define: guess by name.
            return self._guess_member(facts, name, role)
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
            return self._guess_member(facts, name, role)
        # A known type answers alone; one from outside the workspace (a
        # builtin, a C module) answers nothing rather than a wrong guess.
        out: list[Target] = []
        for owner in owners:
            out.extend(self.inside(owner, name, facts))
        if not out and any(owner.kind in CALLABLE for owner in owners):
            # A constructor function's prototype may gain members at run time
            # (``util.inherits``, ``Object.assign``): a miss says nothing.
            return self._guess_member(facts, name, role)
        return _by_role(dedupe(out), role) if hooks.calls_name_methods else dedupe(out)

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

    def _guess_member(self, facts: FileFacts, name: str, role: str) -> list[Target]:
        """Methods named ``name`` of any class, for a call on an unknown receiver.

        A built-in type's method name (``str.split()`` in JavaScript) is most
        likely the built-in: its guesses stay, ranked below ``MIN_CONFIDENCE``.
        """
        if role != "call":
            return []
        guesses = self._by_name_members(name)
        if guesses and name in registry.hooks(facts.language).HOOKS.builtin_members:
            guesses = [replace(t, confidence=min(t.confidence, _BUILTIN_GUESS)) for t in guesses]
        return self._nearest_first(guesses, facts)

    def argument(
        self, facts: FileFacts, name: str, callee: str, enclosing: int
    ) -> list[ArgumentTarget]:
        """What the keyword argument ``name`` of a call of ``callee`` names.

        The callee is resolved as the call it is: ``self.run`` in the
        enclosing class, ``mod.f`` in its module, a method of an unknown
        receiver by a guess (whose confidence the answer keeps).  A callable
        answers when it declares a parameter of that name; a class answers
        through its constructors (``hooks.constructor_names``, inherited
        ones too) and, when none declares the name, through a member of that
        name (a dataclass's field).  Nothing answers for a callee that is a
        local or an expression (``handlers[k](x=1)``), nor for a name only
        ``**kwargs`` takes.
        """
        sep = registry.LANGUAGES[facts.language].separator
        receiver, _, called = callee.rpartition(sep)
        if not called.isidentifier():
            return []
        found = self.resolve(facts, called, receiver, enclosing, "call")
        if not isinstance(found, list):
            return []
        out: list[ArgumentTarget] = []
        for target in found:
            if target.kind in CALLABLE:
                if name in self.parameter_names(target.node_id):
                    out.append(ArgumentTarget(target, True))
            elif target.kind in CLASS_LIKE:
                out.extend(self._constructed(target, name, facts))
        return out

    def _constructed(self, cls: Target, name: str, facts: FileFacts) -> list[ArgumentTarget]:
        """What a keyword argument of a call of the class ``cls`` names (see ``argument``)."""
        hooks: LanguageHooks = registry.hooks(facts.language).HOOKS
        out: list[ArgumentTarget] = []
        for constructor in hooks.constructor_names:
            for found in self.members(cls.node_id, constructor, facts):
                if found.kind in CALLABLE and name in self.parameter_names(found.node_id):
                    out.append(ArgumentTarget(_weakest(found, cls), True))
        if out:
            return out
        return [
            ArgumentTarget(_weakest(found, cls), False)
            for found in self.members(cls.node_id, name, facts)
            if found.kind not in CALLABLE and found.kind not in CLASS_LIKE
        ]

    def parameter_names(self, node_id: int) -> frozenset[str]:
        """The names a callable's parameters can be passed by (not ``*args``, ``**kw``)."""
        cached = self._parameter_cache.get(node_id)
        if cached is None:
            details = node_store.node_details(self._conn, [node_id]).get(node_id)
            found = [(p[0], p[3]) for p in details.params] if details is not None else []
            cached = self._parameter_cache[node_id] = keyword_parameters(found)
        return cached

    def resolve_import_name(self, facts: FileFacts, name: str, line: int) -> list[Target]:
        """What a name written inside an import statement refers to.

        The imported name is looked up in the imported module, never in the
        importing file's own scope; a module path segment is that module.
        """
        started = [imp.line for imp in facts.imports if imp.line <= line]
        if not started:
            return []
        first = max(started)
        sep = registry.LANGUAGES[facts.language].separator
        for imp in facts.imports:
            if imp.line != first:
                continue
            module = self.module_of_path(imp.target_path) or self.module_through_attributes(
                imp, facts
            )
            for original, alias in imp.names:
                if name not in (original, alias) or original == "*" or module is None:
                    continue
                found = self.in_module(module, original, 0)
                if found:
                    return found
                if self.module_exists(f"{module}{sep}{original}"):
                    return self.module_targets(f"{module}{sep}{original}")
                return []
            if imp.relative or not imp.module:
                continue
            parts = imp.module.replace(sep, ".").split(".")
            if name in parts:
                prefix = sep.join(parts[: parts.index(name) + 1])
                if self.module_exists(prefix):
                    return self.module_targets(prefix)
            if imp.bind == name and module is not None:
                return self.module_targets(module)
        return []

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
                or node.kind == "module"
                or (
                    node.kind in CLASS_LIKE
                    and ((innermost and hooks.class_body_scope) or hooks.members_in_scope)
                )
            ):
                local = [
                    Target(n.node_id, n.kind, 1.0, "exact")
                    for n in facts.children(scope, name)
                    if n.kind not in _UNNAMED and not is_detached(n.kind, node.kind)
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
        bound = self._imported(facts, name)
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
            and d.kind not in _UNNAMED
        ]
        if same_module:
            return same_module
        if name in hooks.builtins:
            return []
        candidates = [
            d
            for d in self.defs(name)
            if d.top and d.kind not in _UNNAMED and _same_family(d.language, facts.language)
        ]
        if 0 < len(candidates) <= _MAX_BY_NAME:
            conf = round(0.5 / len(candidates), 3)
            return self._nearest_first(
                [Target(d.node_id, d.kind, conf, "by_name", d.file_id) for d in candidates],
                facts,
            )
        return []

    def _imported(self, facts: FileFacts, name: str) -> list[Target]:
        bound = facts.import_bindings().get(name)
        if bound is not None:
            imp, original = bound
            target_module = self.module_of_path(imp.target_path)
            if target_module is None:
                target_module = self.module_through_attributes(imp, facts)
            if target_module is None:
                return []
            if original is None:
                return self.module_targets(_bound_package(imp, name, target_module))
            found = self.in_module(target_module, original, 0)
            if found:
                return found
            sub = f"{target_module}{registry.LANGUAGES[facts.language].separator}{original}"
            return self.module_targets(sub) if self.module_exists(sub) else []
        for imp in facts.glob_imports():
            target_module = self.module_of_path(imp.target_path)
            if target_module is not None:
                found = self.in_module(target_module, name, 1)
                if found:
                    return found
        return []

    def reexport_site(
        self, facts: FileFacts, name: str, line: int, role: str
    ) -> tuple[int, int] | None:
        """Where a name the workspace imports from outside enters it: (file id, line).

        ``from collections import deque`` finds no definition, because
        ``collections`` re-exports ``deque`` from the C module
        ``_collections``; the import statement doing that is the closest
        place to show.  None when the name is not reached through imports.
        """
        bound: tuple[ImportFact, str | None] | None = None
        if role == "import":
            started = [imp.line for imp in facts.imports if imp.line <= line]
            here = [imp for imp in facts.imports if started and imp.line == max(started)]
            for imp in here:
                for original, alias in imp.names:
                    if name in (original, alias) and original != "*":
                        bound = (imp, original)
        else:
            bound = facts.import_bindings().get(name)
        if bound is None:
            return None
        imp, bound_name = bound
        if bound_name is None:
            return None
        original = bound_name
        module = self.module_of_path(imp.target_path) or self.module_through_attributes(imp, facts)
        if module is None:
            return None
        for _ in range(MAX_DEPTH):
            step = None
            for fid, _path in self._modules.get(module, []):
                owner = self.facts(fid)
                hit = owner.import_bindings().get(original) if owner is not None else None
                if owner is not None and hit is not None and hit[1] is not None:
                    step = (fid, owner, hit[0], hit[1])
                    break
            if step is None:
                return None
            fid, owner, imp, original = step
            nxt = self.module_of_path(imp.target_path)
            if nxt is None:
                return fid, imp.line
            if self.in_module(nxt, original, 0):
                return None
            module = nxt
        return None

    def module_through_attributes(self, imp: ImportFact, facts: FileFacts) -> str | None:
        """The module a ``from a.b import x`` names when ``a.b`` is no file.

        ``os.path`` is an attribute of ``os`` bound to another module
        (``import posixpath as path``); following it finds that module.
        """
        if imp.kind != "from" or imp.relative or "." not in imp.module:
            return None
        parts = imp.module.split(".")
        if not self.module_exists(parts[0]):
            return None
        current = self.module_targets(parts[0])
        for part in parts[1:]:
            current = dedupe([t for owner in current for t in self.inside(owner, part, facts)])
            current = [t for t in current if t.kind == "module"]
            if not current:
                return None
        return self.module_name_of_node(current[0].node_id)

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
            if d.top and d.module_name == module and d.kind not in _UNNAMED
        ]
        if not found and depth < MAX_DEPTH:
            for fid, _path in self._modules.get(module, []):
                facts = self.facts(fid)
                if facts is None:
                    continue
                bound = self._imported(facts, name)
                if bound:
                    found = bound
                    break
            if not found:
                for fid, _path in self._modules.get(module, []):
                    facts = self.facts(fid)
                    if facts is None:
                        continue
                    sep = registry.LANGUAGES[facts.language].separator
                    if self.module_exists(f"{module}{sep}{name}"):
                        found = self.module_targets(f"{module}{sep}{name}")
                    break
        elif not found:
            self.cut_by_depth()  # re-exports not followed further
        return found

    def inside(self, owner: Target, name: str, facts: FileFacts) -> list[Target]:
        """``name`` looked up inside a module or a class-like target."""
        if owner.kind == "module":
            module = self.module_name_of_node(owner.node_id)
            return self.in_module(module, name, 0) if module is not None else []
        if owner.kind in CLASS_LIKE or (
            owner.kind in CALLABLE and registry.hooks(facts.language).HOOKS.constructor_functions
        ):
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
            lambda: self._members(class_id, name, facts, depth),
            [],
        )

    def _members(self, class_id: int, name: str, facts: FileFacts, depth: int) -> list[Target]:
        owner = self.class_def(class_id)
        # A constructor function (``hooks.constructor_functions``): what it
        # declares inside is its own; its members are written outside it.
        outside_only = owner is not None and owner.kind in CALLABLE
        if self._complete or name in self._defs:
            defs = self.defs(name)
            children = [] if outside_only else self._grouped(name, defs).get(class_id, [])
        elif outside_only:
            defs, children = [], []
        else:
            # One class's members: a narrow query beats loading every
            # definition of a common name such as __init__ or get.
            defs = []
            children = symbols.member_defs(self._conn, class_id, name)
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
                impls = symbols.impl_member_defs(self._conn, owner.name, name, detached)
            else:
                impls = self._grouped(name, defs).get(None, []) if defs else []
            found += [
                Target(d.node_id, d.kind, 0.9, "exact")
                for d in impls
                if d.parent_kind == "impl"
                and d.parent_name == owner.name
                and d.module_name == owner.module_name
            ] + [
                Target(d.node_id, d.kind, 1.0, "exact")
                for d in impls
                if d.parent_kind != "impl"
                and d.qualified_name == detached
                # (Not a function declared inside a constructor function.)
                and (not outside_only or is_detached(d.kind, d.parent_kind))
            ]
        if not found and owner is not None and owner.kind in _UNNAMED and depth < MAX_DEPTH:
            # An impl's ``self`` has its type's members too: the fields, and
            # the methods of the type's other impls.
            for extended in self.types.extended_types(owner, depth):
                found.extend(self.members(extended.node_id, name, facts, depth + 1))
        if not found and owner is not None and depth < MAX_DEPTH:
            owner_facts = self.facts(owner.file_id)
            if owner_facts is not None:
                hooks = registry.hooks(owner_facts.language).HOOKS
                enclosing = owner_facts.ordinal_of(class_id)
                parent = owner_facts.nodes[enclosing].parent if enclosing is not None else 0
                for _role, base_text in self._bases(owner):
                    bases = self.resolve_expr(owner_facts, base_text, parent or 0, hooks)
                    if not isinstance(bases, list):
                        continue
                    for base in bases:
                        if base.kind in CLASS_LIKE and base.node_id != class_id:
                            inherited = self.members(base.node_id, name, owner_facts, depth + 1)
                            found.extend(
                                Target(t.node_id, t.kind, min(t.confidence, 0.9), t.resolution)
                                for t in inherited
                            )
                    if found:
                        break
        elif not found and owner is not None and self._bases(owner):
            self.cut_by_depth()  # bases not followed further
        return dedupe(found)

    def _grouped(self, name: str, defs: list[Def]) -> dict[int | None, list[Def]]:
        """The definitions named ``name`` by parent id; ``None`` holds detached ones.

        Detached: in impls (Rust), or methods whose parent is no class (Go
        methods, C++ methods defined out of line); ``members`` matches them
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

    def _bases(self, owner: Def) -> tuple[tuple[str, str], ...]:
        """A class's declared supertypes, parsed once per class."""
        found = self._bases_cache.get(owner.node_id)
        if found is None:
            found = self._bases_cache[owner.node_id] = owner.bases
        return found

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

    def _nearest_first(self, targets: list[Target], facts: FileFacts) -> list[Target]:
        """Order by-name guesses by how close their file is to the asking file.

        The nearest guess (longest shared folder path, then the same file)
        gets a slightly higher confidence, so it is the one answer shown first.
        """
        if len(targets) < 2:
            return targets
        here = facts.path.split("/")

        def closeness(t: Target) -> int:
            path = self._path_of.get(t.file_id, "")
            shared = 0
            for a, b in zip(here, path.split("/"), strict=False):
                if a != b:
                    break
                shared += 1
            return shared

        ranked = sorted(targets, key=closeness, reverse=True)
        best = ranked[0]
        if closeness(best) > closeness(ranked[1]):
            ranked[0] = Target(
                best.node_id,
                best.kind,
                round(best.confidence + 0.01, 3),
                best.resolution,
                best.file_id,
            )
        return ranked

    def _by_name_members(self, name: str) -> list[Target]:
        cached = self._by_name_cache.get(name)
        if cached is None:
            if self._complete or name in self._defs:
                # Members, not module-level functions (a Go method is no
                # module-level name: see ``Def.top``).
                candidates = [d for d in self.defs(name) if d.kind in CALLABLE and not d.top]
            else:
                candidates = symbols.member_callables(
                    self._conn, name, list(CALLABLE), _MAX_BY_NAME_MEMBERS + 1
                )
            cached = []
            if 0 < len(candidates) <= _MAX_BY_NAME_MEMBERS:
                conf = round(0.4 / len(candidates), 3)
                cached = [Target(d.node_id, d.kind, conf, "by_name", d.file_id) for d in candidates]
            self._by_name_cache[name] = cached
        return cached


def _by_role(found: list[Target], role: str) -> list[Target]:
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


def _bound_package(imp: ImportFact, name: str, target_module: str) -> str:
    """The module ``import a.b.c`` binds to ``a``: the target with the tail dropped."""
    parts = imp.module.split(".")
    if imp.kind == "from" or len(parts) < 2 or parts[0] != name:
        return target_module
    kept = target_module.split(".")
    if len(kept) < len(parts):
        return target_module
    return ".".join(kept[: len(kept) - len(parts) + 1])


_FAMILIES = {"javascript": "js", "typescript": "js", "tsx": "js", "c": "c", "cpp": "c"}


def _same_family(a: str, b: str) -> bool:
    """Whether a name in language ``a`` can be referenced from language ``b``."""
    return _FAMILIES.get(a, a) == _FAMILIES.get(b, b)


def _weakest(found: Target, through: Target) -> Target:
    """``found`` reached through ``through``: as sure as the less sure of the two."""
    confidence = min(found.confidence, through.confidence)
    resolution = "by_name" if "by_name" in (found.resolution, through.resolution) else "exact"
    return Target(found.node_id, found.kind, confidence, resolution, found.file_id)


def keyword_parameters(params: list[tuple[str, bool]]) -> frozenset[str]:
    """The parameters of (name, variadic) that a keyword argument can name.

    Not ``*args`` nor ``**kw``, nor those before a ``/`` (positional only).
    """
    names = [name for name, _variadic in params]
    if "/" in names:
        params = params[names.index("/") + 1 :]
    return frozenset(name for name, variadic in params if name.isidentifier() and not variadic)
