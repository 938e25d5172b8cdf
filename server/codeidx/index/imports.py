"""Imports: what the names a file imports stand for, and where they come in.

A name an import binds resolves in the module the import names, never by a
guess: ``from a import x`` finds ``x`` among ``a``'s top-level definitions
(``Resolver.in_module``), which follows ``a``'s own imports of it (a
re-export) and ``*`` imports; ``import a.b.c`` binds the package ``a``.  A
name written inside an import statement resolves the same way, and a
segment of its module path is that module.  A module whose files do not
declare it (``os.path``) may be an attribute of its parent bound to another
module; following the parent's imports finds it.  A name the workspace
imports from outside has no definition, but the import statement that
brings it in is the closest place to show (``reexport_site``).

Only ``index.resolve.Resolver`` creates one, for its own use; it reads
through the resolver, keeps nothing of its own, and never writes.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from codeidx.index.targets import MAX_DEPTH, Target, dedupe
from codeidx.parse import registry
from codeidx.store.symbols import FileFacts, ImportFact

if TYPE_CHECKING:
    from codeidx.index.resolve import Resolver


class Imports:
    """Names reached through import statements for one Resolver (see module doc)."""

    def __init__(self, resolver: Resolver) -> None:
        # A proxy, not a reference: the Resolver holds this object (see
        # ``ReceiverTypes.__init__`` for why a cycle would hurt).
        self._r: Resolver = weakref.proxy(resolver)

    def bound(self, facts: FileFacts, name: str) -> list[Target]:
        """What the file's imports bind ``name`` to, ``*`` imports included."""
        r = self._r
        bound = facts.import_bindings().get(name)
        if bound is not None:
            imp, original = bound
            target_module = r.module_of_path(imp.target_path)
            if target_module is None:
                target_module = self.module_through_attributes(imp, facts)
            if target_module is None:
                return []
            if original is None:
                return r.module_targets(_bound_package(imp, name, target_module))
            found = r.in_module(target_module, original, 0)
            if found:
                return found
            sep = registry.LANGUAGES[facts.language].separator
            sub = f"{target_module}{sep}{original}"
            if r.module_exists(sub):
                return r.module_targets(sub)
            if target_module.rsplit(sep, 1)[-1] == original:
                # ``use crate::attr;``: the path's file is the module named.
                return r.module_targets(target_module)
            return []
        sep = registry.LANGUAGES[facts.language].separator
        for imp in facts.glob_imports():
            target_module = r.module_of_path(imp.target_path)
            if target_module is None:
                continue
            item = _glob_item(imp.module, target_module, sep)
            if item:
                # ``use crate::dfa::Result::*``: the variants of the enum
                # ``Result`` in module ``dfa``, not the module's names.
                owners = r.in_module(target_module, item, 1)
                found = [m for o in owners for m in r.inside(o, name, facts)]
            else:
                found = r.in_module(target_module, name, 1)
            if found:
                return found
        return []

    def reexported(self, module: str, name: str) -> list[Target]:
        """``name`` as a module's files import it, else its submodule of that name."""
        r = self._r
        for fid, _path in r.module_files(module):
            facts = r.facts(fid)
            if facts is None:
                continue
            bound = self.bound(facts, name)
            if bound:
                return bound
        for fid, _path in r.module_files(module):
            facts = r.facts(fid)
            if facts is None:
                continue
            sep = registry.LANGUAGES[facts.language].separator
            if r.module_exists(f"{module}{sep}{name}"):
                return r.module_targets(f"{module}{sep}{name}")
            break
        return []

    def resolve_import_name(self, facts: FileFacts, name: str, line: int) -> list[Target]:
        """What a name written inside an import statement refers to.

        The imported name is looked up in the imported module, never in the
        importing file's own scope; a module path segment is that module.
        """
        r = self._r
        started = [imp.line for imp in facts.imports if imp.line <= line]
        if not started:
            return []
        first = max(started)
        sep = registry.LANGUAGES[facts.language].separator
        for imp in facts.imports:
            if imp.line != first:
                continue
            module = r.module_of_path(imp.target_path) or self.module_through_attributes(imp, facts)
            for original, alias in imp.names:
                if name not in (original, alias) or original == "*" or module is None:
                    continue
                found = r.in_module(module, original, 0)
                if found:
                    return found
                if r.module_exists(f"{module}{sep}{original}"):
                    return r.module_targets(f"{module}{sep}{original}")
                return []
            if imp.relative or not imp.module:
                continue
            parts = imp.module.replace(sep, ".").split(".")
            if name in parts:
                prefix = sep.join(parts[: parts.index(name) + 1])
                if r.module_exists(prefix):
                    return r.module_targets(prefix)
            if imp.bind == name and module is not None:
                return r.module_targets(module)
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
        r = self._r
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
        module = r.module_of_path(imp.target_path) or self.module_through_attributes(imp, facts)
        if module is None:
            return None
        for _ in range(MAX_DEPTH):
            step = None
            for fid, _path in r.module_files(module):
                owner = r.facts(fid)
                hit = owner.import_bindings().get(original) if owner is not None else None
                if owner is not None and hit is not None and hit[1] is not None:
                    step = (fid, owner, hit[0], hit[1])
                    break
            if step is None:
                return None
            fid, owner, imp, original = step
            nxt = r.module_of_path(imp.target_path)
            if nxt is None:
                return fid, imp.line
            if r.in_module(nxt, original, 0):
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
        r = self._r
        parts = imp.module.split(".")
        if not r.module_exists(parts[0]):
            return None
        current = r.module_targets(parts[0])
        for part in parts[1:]:
            current = dedupe([t for owner in current for t in r.inside(owner, part, facts)])
            current = [t for t in current if t.kind == "module"]
            if not current:
                return None
        return r.module_name_of_node(current[0].node_id)


def _bound_package(imp: ImportFact, name: str, target_module: str) -> str:
    """The module ``import a.b.c`` binds to ``a``: the target with the tail dropped."""
    parts = imp.module.split(".")
    if imp.kind == "from" or len(parts) < 2 or parts[0] != name:
        return target_module
    kept = target_module.split(".")
    if len(kept) < len(parts):
        return target_module
    return ".".join(kept[: len(kept) - len(parts) + 1])


def _glob_item(path: str, target_module: str, sep: str) -> str | None:
    """The item a ``*`` import's path names inside its module, if it goes past one.

    Rust's ``use crate::dfa::Result::*`` resolves to the file of module
    ``dfa``; its names are ``Result``'s variants (so are ``self::Kind::*``'s
    those of ``Kind`` in this module).  Only paths written with a separator
    other than ``.`` (Rust's ``::``) are read this way.
    """
    if sep == "." or sep not in path:
        return None
    parts = [p for p in path.split(sep) if p]
    last = target_module.rsplit(sep, 1)[-1]
    if not parts or parts[-1] == last:
        return None
    if last in parts[:-1]:
        rest = parts[len(parts) - parts[::-1].index(last) :]
    elif parts[0] in ("self", "crate", "super"):
        rest = parts[1:]
    else:
        return None
    return rest[0] if len(rest) == 1 else None
