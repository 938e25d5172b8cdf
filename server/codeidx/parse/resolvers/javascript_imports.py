"""JavaScript imports: the records of import statements, and the files they name.

Records come from ``import`` statements, ``export … from`` re-exports,
``require("x")`` calls (a declarator around one binds its names: ``const fs
= require("fs")``, ``const { a, b: c } = require("x")``) and ``import("x")``
calls.  A specifier names a file relative to the importing one, else through
the ``paths`` and then the ``baseUrl`` of the nearest ``tsconfig.json`` or
``jsconfig.json`` (relative ``extends`` followed a few levels up): exactly,
as the TypeScript source of a JavaScript output name (``./a.js`` →
``a.ts``), with one of TypeScript's extensions, or as a folder's ``index``
file.  Other bare specifiers name packages (``javascript_packages.py``).

Functions of nodes, paths and configuration texts.  The hooks in
``javascript.py`` (``extract_imports``, ``module_name``, ``resolve_import``,
``path_config``) put them together and keep the parsed configurations per
workspace.  Like every hooks module this one never opens a file.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from codeidx.parse.hooks import Workspace, squash, text
from codeidx.parse.records import ImportedName, ImportRecord

if TYPE_CHECKING:
    from tree_sitter import Node

# Extensions tried, in TypeScript's order, for an import without one.
RESOLVE_EXTENSIONS = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
# An import written with a JavaScript extension may name a TypeScript source.
_SOURCE_FOR_OUTPUT = {
    ".js": (".ts", ".tsx", ".d.ts"),
    ".jsx": (".tsx",),
    ".mjs": (".mts", ".d.mts"),
    ".cjs": (".cts", ".d.cts"),
}
_DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")
IMPORT_QUERY = """
(import_statement) @import
(export_statement source: (_)) @export
((call_expression
  function: (identifier) @_fn
  arguments: (arguments . (string) .)) @require
  (#eq? @_fn "require"))
(call_expression
  function: (import)
  arguments: (arguments . (string) .)) @dynamic
"""
# JSON with comments and trailing commas, as tsconfig.json allows: strings
# are kept while comments, then commas before a closing bracket, are dropped.
_JSONC_COMMENTS = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.DOTALL)
_JSONC_COMMAS = re.compile(r'("(?:\\.|[^"\\])*")|,(?=\s*[}\]])')


@dataclass(slots=True)
class PathConfig:
    """The module resolution part of a ``tsconfig.json``/``jsconfig.json``.

    Directories are workspace-relative and already joined with the folder of
    the configuration file that set them.
    """

    base_url: str | None = None
    paths: list[tuple[str, list[str]]] = field(default_factory=list)
    #: The folder of the configuration that set ``paths``.
    paths_dir: str = ""

    @property
    def paths_base(self) -> str:
        """``paths`` targets are relative to ``baseUrl`` if set, else to their file."""
        return self.base_url if self.base_url is not None else self.paths_dir


# -- resolution -----------------------------------------------------------


def probe(base: str, workspace: Workspace) -> str | None:
    """The file an extension-less module path names: exact, by extension, or index."""
    return next(candidates(base, workspace), None)


def candidates(base: str, workspace: Workspace) -> Iterator[str]:
    """Every file a module path may name, in TypeScript's order of preference.

    The path itself, the sources of a JavaScript output name (``./a.js`` →
    ``a.ts``, ``a.d.ts``), the path with each extension, then its folder's
    ``index`` file.  Lazily, so ``probe`` stops at the first.
    """
    files = workspace.files
    base = "" if base == "." else base
    if base in files:
        yield base
    stem, ext = posixpath.splitext(base)
    for alt in _SOURCE_FOR_OUTPUT.get(ext, ()):
        if stem + alt in files:
            yield stem + alt
    if base:
        for ext in RESOLVE_EXTENSIONS:
            if base + ext in files:
                yield base + ext
    index = posixpath.join(base, "index") if base else "index"
    for ext in RESOLVE_EXTENSIONS:
        if index + ext in files:
            yield index + ext


def path_targets(config: PathConfig, spec: str) -> list[str]:
    """Candidate module paths for a bare specifier from ``paths``, best match first."""
    ranked: list[tuple[int, list[str], str]] = []
    for pattern, targets in config.paths:
        if "*" not in pattern:
            if pattern == spec:
                ranked.append((len(pattern) + 1, targets, ""))
            continue
        prefix, _, suffix = pattern.partition("*")
        if spec.startswith(prefix) and spec.endswith(suffix) and len(spec) >= len(pattern) - 1:
            ranked.append((len(prefix), targets, spec[len(prefix) : len(spec) - len(suffix)]))
    ranked.sort(key=lambda item: -item[0])
    return [
        posixpath.normpath(posixpath.join(config.paths_base, target.replace("*", star)))
        for _, targets, star in ranked
        for target in targets
    ]


def load_config(key: str, configs: dict[str, str], depth: int) -> PathConfig:
    """Parse one configuration, following relative ``extends`` a few levels up."""
    data = parse_jsonc(configs.get(key, ""))
    folder = posixpath.dirname(key)
    result = PathConfig(paths_dir=folder)
    parents = data.get("extends")
    for parent in parents if isinstance(parents, list) else [parents]:
        # Package-name bases (``@tsconfig/node20``) live outside the workspace.
        if isinstance(parent, str) and parent.startswith(".") and depth < 5:
            target = posixpath.normpath(posixpath.join(folder, parent))
            if target not in configs and target + ".json" in configs:
                target += ".json"
            if target in configs:
                inherited = load_config(target, configs, depth + 1)
                result.base_url = inherited.base_url or result.base_url
                if inherited.paths:
                    result.paths, result.paths_dir = inherited.paths, inherited.paths_dir
    options = data.get("compilerOptions")
    if not isinstance(options, dict):
        return result
    base_url = options.get("baseUrl")
    if isinstance(base_url, str):
        result.base_url = posixpath.normpath(posixpath.join(folder, base_url))
    paths = options.get("paths")
    if isinstance(paths, dict):
        result.paths = [
            (pattern, [t for t in targets if isinstance(t, str)])
            for pattern, targets in paths.items()
            if isinstance(targets, list)
        ]
        result.paths_dir = folder
    return result


def parse_jsonc(raw: str) -> dict[str, object]:
    """Parse JSON with comments and trailing commas; anything else gives ``{}``."""
    cleaned = _JSONC_COMMAS.sub(_keep_string, _JSONC_COMMENTS.sub(_keep_string, raw))
    try:
        data = json.loads(cleaned)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _keep_string(match: re.Match[str]) -> str:
    return match.group(1) or ""


def strip_extension(path: str) -> str:
    for suffix in _DECLARATION_SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return posixpath.splitext(path)[0]


# -- import records -------------------------------------------------------


def _module_text(string: Node | None, src: bytes) -> str:
    return text(string, src)[1:-1] if string is not None else ""


def _record(node: Node, src: bytes, module: str, kind: str) -> ImportRecord:
    return ImportRecord(
        text=squash(text(node, src), 300),
        module=module,
        line=node.start_point[0],
        relative=module.startswith(".") or module.startswith("/"),
        kind=kind,
    )


def import_statement(node: Node, src: bytes) -> ImportRecord:
    record = _record(node, src, _module_text(node.child_by_field_name("source"), src), "import")
    for clause in node.named_children:
        if clause.type == "import_require_clause":
            # TypeScript's `import fs = require("fs")`.
            record.module = _module_text(clause.child_by_field_name("source"), src)
            record.relative = record.module.startswith(".")
            record.kind = "require"
            record.bind = next(
                (text(c, src) for c in clause.named_children if c.type == "identifier"), None
            )
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                record.names.append(ImportedName("default", text(part, src)))
            elif part.type == "namespace_import":
                record.bind = next((text(c, src) for c in part.named_children), None)
            elif part.type == "named_imports":
                record.names.extend(_specifiers(part, "import_specifier", src))
    return record


def reexport(node: Node, src: bytes) -> ImportRecord:
    record = _record(node, src, _module_text(node.child_by_field_name("source"), src), "export")
    for part in node.children:
        if part.type == "export_clause":
            record.names.extend(_specifiers(part, "export_specifier", src))
        elif part.type == "namespace_export":
            alias = next((text(c, src) for c in part.named_children), None)
            record.names.append(ImportedName("*", alias))
        elif part.type == "*":
            record.names.append(ImportedName("*"))
    return record


def _specifiers(clause: Node, kind: str, src: bytes) -> list[ImportedName]:
    out: list[ImportedName] = []
    for spec in clause.named_children:
        if spec.type == kind:
            name = text(spec.child_by_field_name("name"), src).strip("'\"")
            alias = spec.child_by_field_name("alias")
            out.append(ImportedName(name, text(alias, src).strip("'\"") if alias else None))
    return out


def require(call: Node, src: bytes, kind: str) -> ImportRecord:
    """``require("x")`` or ``import("x")``; a declarator around it binds names."""
    args = call.child_by_field_name("arguments")
    string = args.named_children[0] if args is not None and args.named_children else None
    module = _module_text(string, src)
    parent = call.parent
    if parent is None or parent.type != "variable_declarator" or kind != "require":
        return _record(call, src, module, kind)
    declaration = parent.parent or parent
    record = _record(declaration, src, module, kind)
    target = parent.child_by_field_name("name")
    if target is not None and target.type == "identifier":
        record.bind = text(target, src)
    elif target is not None and target.type == "object_pattern":
        for part in target.named_children:
            if part.type == "shorthand_property_identifier_pattern":
                record.names.append(ImportedName(text(part, src)))
            elif part.type == "pair_pattern":
                key, value = part.child_by_field_name("key"), part.child_by_field_name("value")
                record.names.append(ImportedName(text(key, src), text(value, src)))
    return record
