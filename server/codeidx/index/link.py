"""Linking: turn a file's stored occurrences into typed edges between nodes.

A file is linked after its rows are written and whenever a file it depends
on gains or loses definitions.  Linking reads the file back from the index
(so a crash between writing and linking is repaired by linking again: files
carry ``linked = 0`` until their edges are stored) and replaces exactly that
file's edges in one transaction.

Edge kinds: calls, instantiates, inherits, implements, overrides, imports,
uses_type, decorates, references.  ``contains`` is the nodes' parent column.

A read or write makes a "references" edge when it resolves exactly to a
definition of a kind in ``REFERENCE_KINDS`` (modules included: ``os`` in
``os.sep``, ``path`` in ``os.path``), or, written without a receiver, when
a by-name guess with no rival candidate resolves it.  The edge starts at the
enclosing definition, except that reads of a module are stated by the
reading file's module node, like imports: a module is read from most
functions of the files that import it, and one edge per file and module
instead of one per function is 7,171 edges on the standard library instead
of 34,069 (2.7 MB of its index).

The references search relies on these rules: in a linked file that does
not define the searched definition, a read or write that is no site of an
edge to it is not a reference (``query.references`` says when), so the
rules and that search change together.  Local variables and attribute
reads through ``self`` or an expression make no edge; the search resolves
those itself.

Linking only computes edges: it never parses, and it writes nothing but the
edges of the files it links (and their ``linked`` flag).
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import multiprocessing.util
import signal
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from codeidx.index.file_cache import WriterMemory
from codeidx.index.resolve import CALLABLE, CLASS_LIKE, LOCAL, Resolver, Target, is_sure
from codeidx.parse import registry
from codeidx.parse.records import ROLE_CODES, ROLES, WRITE_CODES
from codeidx.store import db, symbols
from codeidx.store import edges as edge_store
from codeidx.store.occurrences import ROLE_BITS, ROLE_MASK, iter_raw, role_of
from codeidx.store.symbols import Def, FileFacts
from codeidx.support.collector import collector_paused

_INTERFACE_KINDS = frozenset({"interface", "trait"})
# The third packed value of an occurrence is ``col << ROLE_BITS | role code``
# (store/occurrences.py); linking splits it inline, once per occurrence.
_ROLES = ROLES
_READ = ROLE_CODES["read"]
#: A plain read or any binding (``records.WRITE_CODES``).
_ACCESS_CODES = (_READ, *WRITE_CODES)
_CALL = ROLE_CODES["call"]
_IMPORT = ROLE_CODES["import"]
_DECORATOR = ROLE_CODES["decorator"]
_ARGUMENT = ROLE_CODES["argument"]
_KEY = ROLE_CODES["key"]
_OPTION = ROLE_CODES["option"]
#: Kinds of definition a read or write makes a "references" edge to when it
#: resolves to one exactly, or (without a receiver) by a by-name guess with no
#: rival candidate: things worth navigating to, not local variables.  The
#: references search reads the same set to know when a missing edge proves
#: that a plain read is not a reference.
REFERENCE_KINDS = frozenset(
    {
        "module",
        "function",
        "class",
        "struct",
        "constant",
        "variable",
        "enum",
        "interface",
        "trait",
        "type_alias",
        "union",
        "macro",
        "method",
        "constructor",
        "field",
        "property",
        "enum_member",
    }
)


#: The modules whose code decides which edges a file's stored facts make:
#: (package, file).  What the parse package decides is covered by
#: ``parse.registry.extraction_digest``.
_RULE_SOURCES = (
    ("codeidx.index", "link.py"),
    ("codeidx.index", "resolve.py"),
    ("codeidx.index", "imports.py"),
    ("codeidx.index", "members.py"),
    ("codeidx.index", "arguments.py"),
    ("codeidx.index", "guesses.py"),
    ("codeidx.index", "receivers.py"),
    ("codeidx.index", "bindings.py"),
    ("codeidx.index", "constructors.py"),
    ("codeidx.index", "targets.py"),
    ("codeidx.index", "wrappers.py"),
    ("codeidx.index", "chains.py"),
    ("codeidx.index", "bounds.py"),
    ("codeidx.store", "symbols.py"),
    ("codeidx.store", "occurrences.py"),
)


@cache
def linking_digest() -> str:
    """A digest of the code that turns stored facts into edges.

    An index records it; a full run that finds another one links every file
    again, since an unchanged file's stored edges came from other rules (a
    resolver fix would otherwise reach only the files edited after it).
    """
    digest = hashlib.blake2b(digest_size=12)
    for package, name in _RULE_SOURCES:
        data = resources.files(package).joinpath(name).read_bytes()
        digest.update(f"{package}/{name}".encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


@dataclass(slots=True)
class _Edge:
    confidence: float
    resolution: str
    # A list while collecting (cheaper to create than an array per edge);
    # packed once when the file's edges are complete.
    sites: list[int]


def link_file(
    resolver: Resolver, facts: FileFacts, *, prefetch: bool = True
) -> list[edge_store.EdgeValues]:
    """Compute the edges stated by one file, as ``EdgeRow`` values in plain tuples.

    Plain tuples cross the process boundary far cheaper than records.

    ``prefetch=False`` skips collecting the names to load in a few statements,
    a pass over every occurrence that is wasted when the resolver already
    holds every definition (whole-workspace linking).
    """
    nodes = facts.nodes
    ids = [n.node_id for n in nodes]
    # Keyed by resolution too: an exact call and a by-name guess of the same
    # target from the same definition are two edges, so the guess's sites do
    # not pass for exact ones (readers leave guesses out by default).
    found: dict[tuple[int, int, str, str], _Edge] = {}
    if prefetch:
        resolver.prefetch(_names_to_resolve(facts))
    memo: dict[tuple[str, str, int, str], list[Target] | str] = {}
    # (enclosing, name) → whether a plain access is to a local variable that
    # no nested definition of the same name shadows.
    local_memo: dict[tuple[int, str], bool] = {}

    def add(src: int, dst: int, kind: str, target: Target, line: int, col: int) -> _Edge:
        key = (src, dst, kind, target.resolution)
        edge = found.get(key)
        if edge is None:
            edge = found[key] = _Edge(target.confidence, target.resolution, [line, col])
            return edge
        if target.confidence > edge.confidence:
            edge.confidence = target.confidence
        edge.sites += (line, col)
        return edge

    locals_ = facts.locals
    receivers = facts.receivers
    hooks = registry.hooks(facts.language).HOOKS
    self_names = hooks.self_names
    # Where a type and a value may share a name, what a name stands for
    # depends on every role, not only on being called (``by_namespace``).
    role_keyed = hooks.type_namespace
    for name, blob in facts.blobs.items():
        # (enclosing, receiver, role) → the edges every occurrence with that
        # key adds a site to: the same call or read repeated in a function
        # resolves once.  Imports (resolved by line) and decorators (which
        # apply to the definition after them) are not keyed.
        keyed: dict[int, list[_Edge]] = {}
        for start, line, col_role, enclosing, recv in iter_raw(blob):
            code = col_role & ROLE_MASK
            # One int for the key: a packed receiver index fits in 32 bits.
            key_bits = code | recv << ROLE_BITS | enclosing << 35
            hits = keyed.get(key_bits)
            if hits is not None:
                if hits:
                    col = col_role >> ROLE_BITS
                    for edge in hits:
                        edge.sites += (line, col)
                continue
            role = _ROLES[code]
            touched: list[_Edge] = []
            if code != _IMPORT and code != _DECORATOR:
                keyed[key_bits] = touched
            if code in (_ARGUMENT, _KEY, _OPTION):
                # A keyword argument names a parameter, which is no node: the
                # queries resolve it through its callee (``Resolver.argument``),
                # as they do an options object's key.  A pattern's key is
                # resolved by its position, as the pattern's names are
                # (``Resolver.unpacked``).
                continue
            receiver = receivers[recv - 1] if recv else ""
            plain_access = code in _ACCESS_CODES
            if receiver:
                # Attribute reads and writes make "references" edges only into
                # modules (``os.sep``); ``self.x`` and ``obj.x`` are answered
                # by the reference search at query time instead.
                if plain_access and (receiver in self_names or not plain_receiver(receiver)):
                    continue
            elif plain_access:
                local_key = (enclosing, name)
                is_local = local_memo.get(local_key)
                if is_local is None:
                    is_local = local_memo[local_key] = name in locals_.get(
                        enclosing, ()
                    ) and not facts.children(enclosing, name)
                if is_local:
                    # A local variable of the enclosing function (the common
                    # case): resolve() would say LOCAL after walking the scopes.
                    continue
            if code == _IMPORT:
                targets: list[Target] | str = resolver.resolve_import_name(facts, name, line)
            else:
                key = (name, receiver, enclosing, role if code == _CALL or role_keyed else "")
                hit = memo.get(key)
                if hit is None:
                    hit = memo[key] = resolver.resolve(facts, name, receiver, enclosing, role)
                targets = hit
            if targets == LOCAL or not targets:
                continue
            assert isinstance(targets, list)
            col = col_role >> ROLE_BITS
            src = ids[enclosing] if enclosing < len(ids) else ids[0]
            for target in targets:
                if target.node_id == src and role not in ("call", "instantiate"):
                    continue
                kind = _edge_kind(role, target, not receiver)
                if kind is None:
                    continue
                if kind == "decorates":
                    decorated = _decorated(facts, start, enclosing)
                    if decorated is None:
                        continue
                    add(target.node_id, decorated, kind, target, line, col)
                    if target.kind in CALLABLE:
                        # Applying a decorator calls it (``@cache``, ``@retry(3)``).
                        add(src, target.node_id, "calls", target, line, col)
                    continue
                # An import is stated by the module, wherever the statement is,
                # and so is a read of a module (see the module doc).
                src_id = src
                if kind == "imports":
                    src_id = ids[0]
                elif plain_access and target.kind == "module":
                    src_id = ids[0]
                    if src_id == target.node_id:
                        continue
                touched.append(add(src_id, target.node_id, kind, target, line, col))
    _module_imports(resolver, facts, ids[0], add)
    _overrides(resolver, facts, add)
    pack = edge_store.pack_sites
    return [
        (
            src,
            dst,
            kind,
            e.confidence,
            e.resolution,
            len(e.sites) // 2,
            pack(e.sites if len(e.sites) == 2 else _in_order(e.sites)),
        )
        for (src, dst, kind, _), e in found.items()
    ]


def _in_order(sites: list[int]) -> list[int]:
    """(line, col) pairs in document order, whatever order they were met in.

    Occurrences are met name by name, and the order of a file's names in the
    index depends on the order files were written in: sorted, an edge's
    sites are the same whichever way a run shared out its files.
    """
    pairs = sorted(zip(sites[0::2], sites[1::2], strict=True))
    return [value for pair in pairs for value in pair]


#: Roles of occurrences that need no workspace lookup when their name is a local.
_PLAIN_ROLES = ("read", "write", "key")


def _names_to_resolve(facts: FileFacts) -> set[str]:
    """Names with an occurrence that is more than a plain local read or write.

    Prefetching definitions only for these keeps a save's link cheap: local
    variables (most names in a function) never need a workspace lookup.
    """
    local_names = {name for names in facts.locals.values() for name in names}
    wanted = set()
    for name, blob in facts.blobs.items():
        for _start, _line, col_role, _enclosing, recv in iter_raw(blob):
            # Names behind a receiver are members, looked up per class.
            if not recv and (name not in local_names or role_of(col_role) not in _PLAIN_ROLES):
                wanted.add(name)
                break
    return wanted


def plain_receiver(receiver: str) -> bool:
    """Whether a receiver is a name path worth resolving (``self``, ``os.path``).

    The references search reads it too: reads through such receivers (other
    than ``self``) make edges, reads through expressions (``f().x``) do not.
    """
    return all(part.isidentifier() for part in receiver.replace("::", ".").split("."))


def _edge_kind(role: str, target: Target, plain: bool) -> str | None:
    """The edge kind an occurrence with this role makes to this target, if any.

    ``plain`` says the occurrence has no receiver: only such a read or write
    may make an edge from a by-name guess (see ``REFERENCE_KINDS``).
    """
    tk = target.kind
    if role == "call":
        if tk in CLASS_LIKE:
            return "instantiates"
        if tk in CALLABLE or tk in ("macro",):
            return "calls"
        return "references"
    if role == "instantiate":
        return "instantiates" if tk in CLASS_LIKE or tk in CALLABLE else None
    if role == "inherit":
        if tk in _INTERFACE_KINDS:
            return "implements"
        return "inherits" if tk in CLASS_LIKE else None
    if role == "type":
        return "uses_type" if tk in CLASS_LIKE or tk in ("type_alias", "enum") else None
    if role == "decorator":
        return "decorates" if tk in CALLABLE or tk in CLASS_LIKE else None
    if role == "import":
        return "imports"
    # A read or write.  By-name guesses among several candidates make no
    # edge: the search resolves those only when asked for guesses.
    if tk in REFERENCE_KINDS and (
        target.resolution == "exact" or (plain and is_sure(target.resolution, target.confidence))
    ):
        return "references"
    return None


def _decorated(facts: FileFacts, start: int, enclosing: int) -> int | None:
    """The definition a decorator/attribute written at ``start`` applies to."""
    best = None
    for n in facts.nodes:
        if (
            n.parent == enclosing
            and n.start_byte > start
            and (best is None or n.start_byte < best.start_byte)
        ):
            best = n
    return best.node_id if best is not None else None


def _module_imports(
    resolver: Resolver,
    facts: FileFacts,
    module_id: int,
    add: Callable[[int, int, str, Target, int, int], _Edge],
) -> None:
    for imp in facts.imports:
        module = resolver.module_of_path(imp.target_path)
        if module is None:
            continue
        for target in resolver.module_targets(module):
            if target.node_id != module_id:
                add(module_id, target.node_id, "imports", target, imp.line, 0)


def _overrides(
    resolver: Resolver,
    facts: FileFacts,
    add: Callable[[int, int, str, Target, int, int], _Edge],
) -> None:
    nodes = facts.nodes
    hooks = registry.hooks(facts.language).HOOKS
    # A class's bases are resolved once, not once per method.
    resolved: dict[tuple[int, str], list[Target] | str] = {}
    for n in nodes:
        if n.kind not in CALLABLE or n.parent is None:
            continue
        owner = nodes[n.parent]
        if owner.kind not in CLASS_LIKE or not owner.bases:
            continue
        for _role, base_text in owner.bases:
            key = (owner.ordinal, base_text)
            bases = resolved.get(key)
            if bases is None:
                bases = resolved[key] = resolver.resolve_expr(
                    facts, base_text, owner.parent or 0, hooks
                )
            if not isinstance(bases, list):
                continue
            hit = False
            for base in bases:
                if base.kind not in CLASS_LIKE or base.node_id == owner.node_id:
                    continue
                for target in resolver.members(base.node_id, n.name, facts):
                    if target.kind in CALLABLE and target.node_id != n.node_id:
                        add(n.node_id, target.node_id, "overrides", target, 0, 0)
                        hit = True
            if hit:
                break


def link_files(
    conn: sqlite3.Connection,
    file_ids: list[int],
    *,
    db_path: Path | None = None,
    workers: int = 1,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[int], None] | None = None,
    defs: dict[str, list[Def]] | None = None,
    memory: WriterMemory | None = None,
) -> int:
    """Link files and store their edges, one transaction per batch.

    Returns the change in the number of edges (written minus replaced).

    Runs on the writer's connection.  With ``workers > 1`` and a ``db_path``,
    resolution (pure reading) runs in worker processes on read-only
    connections while this thread writes.  Stops early (leaving the rest
    marked unlinked for the next run) when ``should_stop`` says so.
    ``defs`` is every definition of the index, as ``symbols.all_defs`` reads
    it, when the caller already holds them (a bulk build collects them while
    writing).  ``memory`` is the writer's, kept between saves: a run of
    few files reads through it.
    """
    net = 0
    batch: list[tuple[int, Sequence[edge_store.EdgeValues]]] = []
    linked = _linked(conn, file_ids, db_path, workers, defs, memory)
    for done, (file_id, rows) in enumerate(linked, start=1):
        if should_stop is not None and should_stop():
            break
        batch.append((file_id, rows))
        if len(batch) >= 256:
            net += _flush(conn, batch)
            batch = []
        if progress is not None:
            progress(done)
    if batch:
        net += _flush(conn, batch)
    return net


_PARALLEL_MIN = 200


def uses_workers(files: int, workers: int, db_path: Path | None) -> bool:
    """Whether linking this many files runs in worker processes.

    Workers read on their own connections, so they see only committed rows:
    a caller holding an open transaction must commit it first.
    """
    return workers > 1 and db_path is not None and files >= _PARALLEL_MIN


def _linked(
    conn: sqlite3.Connection,
    file_ids: list[int],
    db_path: Path | None,
    workers: int,
    defs: dict[str, list[Def]] | None,
    memory: WriterMemory | None = None,
) -> Iterator[tuple[int, Sequence[edge_store.EdgeValues]]]:
    if not uses_workers(len(file_ids), workers, db_path):
        preload = len(file_ids) >= _PARALLEL_MIN
        resolver = (
            Resolver(conn, preload=True, defs=defs) if preload else Resolver(conn, memory=memory)
        )
        # Linking makes no cycles; collections mid-batch would scan the resolver's
        # growing caches for nothing (a whole-workspace link took a third longer).
        with collector_paused():
            for file_id in file_ids:
                facts = symbols.file_facts(conn, file_id)
                if facts is not None:
                    yield file_id, link_file(resolver, facts, prefetch=not preload)
        return
    method = "fork" if threading.active_count() == 1 else "spawn"
    chunks = _chunks(conn, file_ids)
    if method == "fork":
        # Every worker needs every definition: read them once here and let
        # the forked workers inherit them, instead of each worker reading
        # them at the same time at its start (spawned workers still do).
        _INHERITED["defs"] = defs if defs is not None else symbols.all_defs(conn)
    try:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_init_link_worker,
            initargs=(str(db_path),),
        ) as pool:
            try:
                for results in pool.map(_link_chunk, chunks):
                    yield from results
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _INHERITED.clear()


#: Files per task handed to a link worker.
_CHUNK = 16


def _chunks(conn: sqlite3.Connection, file_ids: list[int]) -> list[list[int]]:
    """Tasks for the link workers: runs of neighbouring files, the largest first.

    Neighbours (in the caller's path order) share the definitions they look
    up, so a run keeps a worker's caches warm; handing out the largest runs
    first leaves only small ones for the end, when one worker may be idle
    while the other finishes.
    """
    size = edge_store.file_sizes(conn, file_ids)
    runs = [file_ids[i : i + _CHUNK] for i in range(0, len(file_ids), _CHUNK)]
    runs.sort(key=lambda run: sum(size.get(f, 0) for f in run), reverse=True)
    return runs


_WORKER: dict[str, object] = {}
#: What a linking process read for its forked workers (see ``_linked``).
_INHERITED: dict[str, dict[str, list[Def]]] = {}


def _init_link_worker(db_path: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = db.connect_reader(Path(db_path))
    # Pool workers end through multiprocessing's exit path, which runs these.
    multiprocessing.util.Finalize(None, conn.close, exitpriority=10)
    _WORKER["conn"] = conn
    _WORKER["resolver"] = Resolver(conn, preload=True, defs=_INHERITED.pop("defs", None))
    # Linking allocates millions of short-lived objects while the resolver's
    # caches grow large, so the cyclic collector would keep re-scanning the
    # caches for cycles that linking does not make (a whole-workspace link
    # peaks at the same memory without it, and a quarter faster).  The
    # worker ends with the run.
    gc.freeze()
    gc.disable()


def _link_chunk(file_ids: list[int]) -> list[tuple[int, Sequence[edge_store.EdgeValues]]]:
    conn = _WORKER["conn"]
    resolver = _WORKER["resolver"]
    assert isinstance(conn, sqlite3.Connection) and isinstance(resolver, Resolver)
    out: list[tuple[int, Sequence[edge_store.EdgeValues]]] = []
    for file_id in file_ids:
        facts = symbols.file_facts(conn, file_id)
        if facts is not None:
            # The worker's resolver holds every definition (preload).
            out.append((file_id, link_file(resolver, facts, prefetch=False)))
    return out


def _flush(
    conn: sqlite3.Connection, batch: list[tuple[int, Sequence[edge_store.EdgeValues]]]
) -> int:
    """Store a batch of files' edges; returns the change in the number of edges.

    Inside a transaction the caller opened (a save writes its file and links
    it in one), the edges join it and the caller commits or rolls back;
    otherwise each batch is its own transaction.
    """
    if conn.in_transaction:
        return edge_store.replace_many_edges(conn, batch)
    conn.execute("BEGIN IMMEDIATE")
    try:
        net = edge_store.replace_many_edges(conn, batch)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return net
