"""By-name guesses: what a name may mean when nothing in reach binds it.

When a receiver's type is unknown, a call resolves by name to the methods of
that name (at most ``_MAX_BY_NAME_MEMBERS``), each with confidence
``0.4 / candidates``.  A name that no scope, import or module of the asking
file binds resolves to the top-level definitions of that name in the same
language family (at most ``_MAX_BY_NAME``), each ``0.5 / candidates``; a
call's candidate of a crate-wide kind (a Rust macro), alone of its name in
the asking file's crate, is the answer (``crate_wide``).
Such guesses are never passed off as certain: they are ``by_name`` edges,
go-to-definition ranks them after exact answers, and references and callers
leave out every guess below ``MIN_CONFIDENCE`` (all but a name's single
candidate) unless asked for them.  Whether to guess at all is the
resolver's call: a receiver known to come from outside the workspace (a
builtin value, a C module's function) and a name bound by an import or a
builtin get no guess.

Only ``index.resolve.Resolver`` creates one, for its own use; it reads
through the resolver and ``store``, caches per resolver, and never writes.
"""

from __future__ import annotations

import weakref
from dataclasses import replace
from typing import TYPE_CHECKING

from codeidx.index.targets import CALLABLE, MIN_CONFIDENCE, UNNAMED, Target
from codeidx.parse import registry
from codeidx.store import symbols
from codeidx.store.symbols import Def, FileFacts

if TYPE_CHECKING:
    from codeidx.index.resolve import Resolver

# A name matching more definitions than this is too ambiguous to guess at:
# such guesses would mostly be wrong edges.
_MAX_BY_NAME = 5
_MAX_BY_NAME_MEMBERS = 3
# The confidence cap of a guess for a built-in type's method name
# (``hooks.builtin_members``): below MIN_CONFIDENCE, so hidden by default.
_BUILTIN_GUESS = round(MIN_CONFIDENCE * 2 / 3, 3)
_FAMILIES = {"javascript": "js", "typescript": "js", "tsx": "js", "c": "c", "cpp": "c"}


class Guesses:
    """By-name guesses for one Resolver (see module doc)."""

    def __init__(
        self,
        resolver: Resolver,
        defs: dict[str, list[Def]],
        complete: bool,
        path_of: dict[int, str],
    ) -> None:
        """``defs`` and ``complete`` as for ``members.Members``; ``path_of``: file id → path."""
        # A proxy, not a reference: the Resolver holds this object (see
        # ``ReceiverTypes.__init__`` for why a cycle would hurt).
        self._r: Resolver = weakref.proxy(resolver)
        self._defs = defs
        self._complete = complete
        self._path_of = path_of
        self._by_name_cache: dict[str, list[Target]] = {}

    def member(self, facts: FileFacts, name: str, role: str) -> list[Target]:
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

    def top_level(self, facts: FileFacts, name: str) -> list[Target]:
        """Top-level definitions named ``name`` anywhere, for a name nothing binds."""
        candidates = [
            d
            for d in self._r.defs(name)
            if d.top and d.kind not in UNNAMED and _same_family(d.language, facts.language)
        ]
        if 0 < len(candidates) <= _MAX_BY_NAME:
            conf = round(0.5 / len(candidates), 3)
            return self._nearest_first(
                [Target(d.node_id, d.kind, conf, "by_name", d.file_id) for d in candidates],
                facts,
            )
        return []

    def crate_wide(self, facts: FileFacts, name: str, guesses: list[Target]) -> list[Target]:
        """A call's guesses, or the one of a crate-wide kind in the asking file's crate.

        ``hooks.crate_wide_kinds``: a Rust macro reaches its whole crate, so
        a call of a name nothing binds is the crate's one macro of that
        name.  Only a call: the name read inside another macro's tokens
        may be anything (``deserialize_enum``, a method's name, in serde's
        ``forward_to_deserialize_any!``), and stays a guess.
        """
        wide = registry.hooks(facts.language).HOOKS.crate_wide_kinds
        sep = registry.LANGUAGES[facts.language].separator
        crate = facts.module_name.split(sep, 1)[0]
        modules = {d.node_id: d.module_name for d in self._r.defs(name)}
        in_crate = [
            t
            for t in guesses
            if t.kind in wide and modules.get(t.node_id, "").split(sep, 1)[0] == crate
        ]
        if len(in_crate) == 1:
            return [Target(in_crate[0].node_id, in_crate[0].kind, 1.0, "exact")]
        return guesses

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
                candidates = [d for d in self._r.defs(name) if d.kind in CALLABLE and not d.top]
            else:
                conn = self._r.conn
                candidates = self._r.read_named(
                    name,
                    ("callables", _MAX_BY_NAME_MEMBERS + 1),
                    lambda: symbols.member_callables(
                        conn, name, list(CALLABLE), _MAX_BY_NAME_MEMBERS + 1
                    ),
                )
            cached = []
            if 0 < len(candidates) <= _MAX_BY_NAME_MEMBERS:
                conf = round(0.4 / len(candidates), 3)
                cached = [Target(d.node_id, d.kind, conf, "by_name", d.file_id) for d in candidates]
            self._by_name_cache[name] = cached
        return cached


def _same_family(a: str, b: str) -> bool:
    """Whether a name in language ``a`` can be referenced from language ``b``."""
    return _FAMILIES.get(a, a) == _FAMILIES.get(b, b)
