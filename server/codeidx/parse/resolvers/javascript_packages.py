"""JavaScript packages: the file a bare specifier (``lodash``, ``@scope/pkg/sub``) names.

Node looks for the package in the ``node_modules`` folders above the
importing file, nearest first; a monorepo's own packages (and a package
importing itself by name, as zod's tests import ``zod/v4``) are found by
the ``name`` in their ``package.json``.  Inside the package its
``exports`` map gives the file of a subpath (``"./v4": {"import":
"./v4/index.js"}``, patterns with ``*`` too), else ``module``, ``main``,
``types`` or an ``index`` file give the root's, and a subpath without
``exports`` is a path inside the folder.

Of the files the conditions name, a TypeScript source wins (zod's
``"@zod/source": "./src/v4/index.ts"`` over its built ``./v4/index.js``),
then what the importer reads: declarations for TypeScript, the
implementation for JavaScript.  A package built to ``dist/`` whose sources
sit in ``src/`` is read from there, as an editor would show them.  A
``#internal`` specifier is mapped by the ``imports`` of the nearest
``package.json`` above the importer.

Functions of paths and ``package.json`` texts (``Workspace.configs``); the
parsed packages are kept per workspace.  Never opens a file.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from codeidx.parse.hooks import Workspace
from codeidx.parse.resolvers.javascript_imports import candidates

_MANIFEST = "package.json"
# What a package's root is when it has no ``exports``, in order.
_ENTRY_FIELDS = ("module", "main", "types", "typings")
_DECLARATIONS = (".d.ts", ".d.mts", ".d.cts")
# TypeScript files: an importer of these wants types, and as a target
# (not a declaration) they are sources.
_TYPED = (".ts", ".tsx", ".mts", ".cts")
# Output folders whose sources sit in ``src/`` under the same names.
_OUTPUT_DIRS = ("dist", "lib", "build", "out", "esm", "cjs")


@dataclass(frozen=True, slots=True)
class Package:
    """A ``package.json`` of the workspace: its folder, name, maps and entry fields."""

    folder: str
    name: str
    exports: object
    entries: tuple[str, ...]
    #: The ``imports`` map: ``#internal`` specifiers of the package's own files.
    imports: object = None


@dataclass(frozen=True, slots=True)
class Packages:
    """The workspace's packages by folder and by name (those outside ``node_modules``)."""

    by_folder: dict[str, Package]
    by_name: dict[str, list[Package]]


def packages(workspace: Workspace) -> Packages:
    """Every ``package.json`` in ``workspace.configs``, parsed once per workspace."""
    cached = workspace.extra.get("javascript_packages")
    if isinstance(cached, Packages):
        return cached
    by_folder: dict[str, Package] = {}
    by_name: dict[str, list[Package]] = {}
    for key, content in sorted(workspace.configs.items()):
        if posixpath.basename(key) != _MANIFEST:
            continue
        package = _parse(posixpath.dirname(key), content)
        if package is None:
            continue
        by_folder[package.folder] = package
        if package.name and "node_modules" not in package.folder.split("/"):
            by_name.setdefault(package.name, []).append(package)
    found = Packages(by_folder, by_name)
    workspace.extra["javascript_packages"] = found
    return found


def _parse(folder: str, content: str) -> Package | None:
    """A manifest's fields, None when it is no JSON object."""
    try:
        data = json.loads(content)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    name = data.get("name")
    entries = tuple(
        value for value in (data.get(f) for f in _ENTRY_FIELDS) if isinstance(value, str)
    )
    return Package(
        folder,
        name if isinstance(name, str) else "",
        data.get("exports"),
        entries,
        data.get("imports"),
    )


def split_specifier(spec: str) -> tuple[str, str]:
    """``@scope/pkg/a/b`` → (``@scope/pkg``, ``./a/b``); a package's root is ``.``."""
    parts = spec.split("/")
    size = 2 if spec.startswith("@") else 1
    if len(parts) < size or not all(parts[:size]):
        return "", "."
    rest = "/".join(parts[size:])
    return "/".join(parts[:size]), f"./{rest}" if rest else "."


def package_target(spec: str, path: str, workspace: Workspace) -> str | None:
    """The workspace file a bare specifier imported by ``path`` names, if any."""
    found = packages(workspace)
    folder = posixpath.dirname(path)
    typed = path.endswith(_TYPED)
    if spec.startswith("#"):
        return _internal(spec, folder, found, workspace, typed)
    name, subpath = split_specifier(spec)
    if not name:
        return None
    while True:
        candidate = (
            posixpath.join(folder, "node_modules", name) if folder else (f"node_modules/{name}")
        )
        package = found.by_folder.get(candidate)
        if package is not None:
            target = _inside(package, subpath, workspace, typed)
            if target is not None:
                return target
        elif candidate in workspace.dirs:
            # A package folder without a manifest: a path inside it.
            base = posixpath.normpath(posixpath.join(candidate, subpath))
            target = _best(candidates(base, workspace), typed)
            if target is not None:
                return target
        if not folder:
            break
        folder = posixpath.dirname(folder)
    for package in found.by_name.get(name, []):
        target = _inside(package, subpath, workspace, typed)
        if target is not None:
            return target
    return None


def _internal(
    spec: str, folder: str, found: Packages, workspace: Workspace, typed: bool
) -> str | None:
    """``#enums/kind``: the nearest ``package.json`` above maps it with its ``imports``."""
    while True:
        package = found.by_folder.get(folder)
        if package is not None:
            if package.imports is None:
                return None
            targets = _export_targets(package.imports, spec, keys="#")
            return _best([f for t in targets for f in _target_files(package, t, workspace)], typed)
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def _inside(package: Package, subpath: str, workspace: Workspace, typed: bool) -> str | None:
    """The file a subpath of a package names: its ``exports``, else its entries or a path."""
    if package.exports is not None:
        targets = _export_targets(package.exports, subpath)
    elif subpath == ".":
        # Entry fields need no ``./`` (``"main": "lib/index.js"``).
        targets = [e if e.startswith("./") else f"./{e}" for e in (*package.entries, "index")]
    else:
        targets = [subpath]
    best = _best([f for t in targets for f in _target_files(package, t, workspace)], typed)
    if best is None and (package.exports is None or subpath == "."):
        # Sources beside the build: ``pkg/sub`` read from ``pkg/src/sub``.
        base = posixpath.normpath(posixpath.join(package.folder, "src", subpath))
        best = _best(candidates(base, workspace), typed)
    return best


def _target_files(package: Package, target: str, workspace: Workspace) -> list[str]:
    """The workspace files a target of a package may be, its build's sources included."""
    if not target.startswith("./"):
        return []
    base = posixpath.normpath(posixpath.join(package.folder, target))
    twins = _source_twins(base, package.folder)
    return [f for c in (base, *twins) for f in candidates(c, workspace)]


def _best(found: Iterable[str], typed: bool) -> str | None:
    """The file to show of those a specifier may name, the first of the best rank.

    A TypeScript source first, as an editor shows it; then, for a
    TypeScript importer, declarations before JavaScript, and for a
    JavaScript one its implementation before declarations.  Minified
    files come last.
    """

    def rank(candidate: str) -> int:
        if candidate.endswith(_DECLARATIONS):
            kind = 1 if typed else 2
        elif candidate.endswith(_TYPED):
            kind = 0
        else:
            kind = 2 if typed else 1
        return kind + (3 if ".min." in candidate else 0)

    return min(found, key=rank, default=None)


def _source_twins(base: str, folder: str) -> list[str]:
    """``dist/a/index.js`` read as ``src/a/index``: a build output's source, by convention."""
    inner = base[len(folder) :].lstrip("/") if folder else base
    head, _, rest = inner.partition("/")
    if head not in _OUTPUT_DIRS or not rest:
        return []
    stem = posixpath.splitext(rest)[0]
    if stem.endswith(".d"):
        stem = stem[:-2]
    return [posixpath.join(folder, "src", stem) if folder else f"src/{stem}"]


def _export_targets(exports: object, subpath: str, keys: str = ".") -> list[str]:
    """The files ``exports`` names for a subpath, in the order its conditions list them.

    ``keys`` is what its subpath keys start with: ``#`` in an ``imports`` map.
    """
    if isinstance(exports, dict) and any(str(key).startswith(keys) for key in exports):
        value = exports.get(subpath)
        if value is None:
            value = _pattern_value(exports, subpath)
        return _leaves(value)
    return _leaves(exports) if subpath == "." and keys == "." else []


def _pattern_value(exports: dict[str, object], subpath: str) -> object:
    """The value of the longest ``./features/*`` key matching a subpath, ``*`` filled in."""
    best: tuple[int, object, str] | None = None
    for key, value in exports.items():
        prefix, star, suffix = key.partition("*")
        if not star or not subpath.startswith(prefix) or not subpath.endswith(suffix):
            continue
        if len(subpath) < len(prefix) + len(suffix):
            continue
        if best is None or len(prefix) > best[0]:
            best = (len(prefix), value, subpath[len(prefix) : len(subpath) - len(suffix)])
    if best is None:
        return None
    _size, value, filled = best
    return _fill(value, filled)


def _fill(value: object, filled: str) -> object:
    """A pattern's value with every ``*`` replaced."""
    if isinstance(value, str):
        return value.replace("*", filled)
    if isinstance(value, list):
        return [_fill(v, filled) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, filled) for k, v in value.items()}
    return value


def _leaves(value: object) -> list[str]:
    """Every target string of a conditions object, in order (``null`` blocks a path)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    return []
