"""Go: signatures, doc comments, parameters, generics, embedding, imports and packages.

This module owns what the Go grammar means beyond where definitions are:
kinds of type specs, the receiver type that qualifies a method
(``func (s *Server) Run()`` is ``<package>.Server.Run``), parameters with
grouped names and ``...`` variadics, type parameters with constraints,
``//`` doc comments, exported-name visibility, embedded types as bases,
imports and package import paths.  It only reads tree-sitter nodes and the
workspace's path set and ``go.mod`` texts; it must not touch the file
system, SQL or LSP.

A file's module name is its package's import path: the ``module`` path of
the nearest ``go.mod`` (from ``Workspace.configs``) joined with the folder
below it, so every file of a folder shares one module name; a vendored
package keeps the import path below ``vendor/``.  Without a ``go.mod`` it is
the folder path, and a file at the workspace root takes its ``package`` name.
Imports resolve to the first (sorted) non-test ``.go`` file of the package's
folder: under the importer's ``vendor/`` folder, under any workspace
``go.mod`` whose module path prefixes the import, or, outside every module,
the folder named like the import path; anything else (the standard library,
other modules) is external.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from tree_sitter import Query, QueryCursor

from codeidx.parse import registry
from codeidx.parse.hooks import (
    Details,
    LanguageHooks,
    Workspace,
    clean_comment,
    declared_value,
    group_end,
    split_assignment,
    split_top,
    squash,
    text,
)
from codeidx.parse.records import ImportedName, ImportRecord, Param, TypeParam

if TYPE_CHECKING:
    from tree_sitter import Node

_MODULE_LINE = re.compile(r"^\s*module\s+(\S+)", re.MULTILINE)
_MAJOR_VERSION = re.compile(r"v[0-9]+")
_GOPKG_VERSION = re.compile(r"\.v[0-9]+$")
_TYPE_KINDS = {"struct_type": "struct", "interface_type": "interface"}
_SPEC_TYPES = frozenset({"const_spec", "var_spec"})
_EMBEDDABLE = frozenset({"type_identifier", "qualified_type", "generic_type"})
# A composite literal of a named type, its address taken or not: ``&pkg.T[int]{...}``.
_COMPOSITE = re.compile(r"&?\s*([A-Za-z_][\w.]*)(?:\[[^\]]*\])?\s*\{")
# Comments that are tool directives, not documentation.
_DIRECTIVES = ("//go:", "//line ", "//nolint", "//export ")


class GoHooks(LanguageHooks):
    """Go's details; docs are the ``//`` comments directly above a declaration."""

    comment_types = ("comment",)
    config_files = ("go.mod",)
    self_names = ()
    value_offsets = (3, 4, 5)
    # ``for i, x := range xs`` (and ``= range``): x is an element of xs.
    element_offsets = (10, 9)

    def tree_module_name(self, root: Node, src: bytes, default: str) -> str:
        # Only a root-folder file outside any module lacks an import path.
        if default:
            return default
        clause = _package_clause(root)
        name = clause.named_children[0] if clause is not None and clause.named_children else None
        return text(name, src) or default

    def assigned(self, statement: str) -> tuple[str | None, str | None]:
        """``var x T = v``, ``x, y T`` (a field, tag and all) → (T, v); ``T{...}`` reads as ``T()``.

        A field or variable's statement as its signature holds it.  An
        embedded field (a type without a name) and several values
        (``const a, b = 1, 2``) say nothing.
        """
        body = statement.strip()
        for keyword in ("var ", "const "):
            if body.startswith(keyword):
                body = body[len(keyword) :].strip()
                break
        target, value = split_assignment(body)
        names = split_top(target.split("`", 1)[0].strip(), ",")
        head, _, declared = names[-1].strip().partition(" ")
        if not head.isidentifier() or not all(n.strip().isidentifier() for n in names[:-1]):
            return None, None
        value = declared_value(value)
        literal = _COMPOSITE.match(value) if value is not None else None
        return declared.strip() or None, f"{literal.group(1)}()" if literal else value

    def return_annotation(self, signature: str) -> str | None:
        """A function's single result type: ``*Command`` of ``func (c *Command) Root() *Command``.

        Several results (``(T, error)``) give None: such a call cannot start
        a chain of selectors.
        """
        text = signature.strip().removeprefix("func").strip()
        if text.startswith("("):  # the receiver
            text = text[group_end(text) :].strip()
        i = 0
        while i < len(text) and (text[i].isalnum() or text[i] == "_"):
            i += 1
        text = text[i:].strip()
        if text.startswith("["):  # type parameters
            text = text[group_end(text) :].strip()
        if not text.startswith("("):
            return None
        result = text[group_end(text) :].strip().removesuffix("{").strip()
        if result.startswith("("):
            inner = result[1 : group_end(result) - 1].strip()
            if not inner or len(split_top(inner, ",")) > 1:
                return None
            # A named result (``(c *Command)``): the type follows the name.
            head, _, rest = inner.partition(" ")
            result = rest.strip() if rest and head.isidentifier() else inner
        return result or None

    def annotation_names(self, annotation: str) -> list[str]:
        """The named type a declared type stands for: ``*Command``, ``cobra.Command``, ``T[K]``.

        Slices, arrays, maps, channels, function and literal types name no
        type whose methods the value has, so they give nothing.
        """
        text = annotation.strip()
        while text.startswith(("*", "(")):
            text = text.lstrip("*(").rstrip(")").strip()
        base = text.split("[", 1)[0].strip()
        if not base or text.startswith(("[", "map[", "chan", "<-", "func", "interface", "struct")):
            return []
        parts = base.split(".")
        return [base] if len(parts) <= 2 and all(p.isidentifier() for p in parts) else []

    def wrapped(self, annotation: str) -> str | None:
        """What ranging over a slice, an array or a map gives second: its element.

        ``[]*Item`` and ``[4]Item`` give their element type, ``map[K]V``
        gives ``V``; a slice has no methods, so a name looked up on one is
        its element's (``items[i].Run()``).
        """
        text = annotation.strip()
        if text.startswith("map["):
            key_end = group_end(text[3:])
            return text[3 + key_end :].strip() or None
        if text.startswith("["):
            return text[group_end(text) :].strip() or None
        return None

    def extra_qualifier(self, node: Node, kind: str, src: bytes) -> str | None:
        """A method's receiver type without ``*``, parentheses, package or type arguments."""
        if node.type != "method_declaration":
            return None
        receiver = node.child_by_field_name("receiver")
        children = receiver.named_children if receiver is not None else []
        param = next((c for c in children if c.type == "parameter_declaration"), None)
        rtype = param.child_by_field_name("type") if param is not None else None
        while rtype is not None and rtype.type in {"pointer_type", "parenthesized_type"}:
            rtype = rtype.named_children[-1] if rtype.named_child_count else None
        if rtype is not None and rtype.type == "generic_type":
            rtype = rtype.child_by_field_name("type")
        if rtype is not None and rtype.type == "qualified_type":
            rtype = rtype.child_by_field_name("name")
        return text(rtype, src) or None

    def refine_kind(self, node: Node, kind: str, parent_kind: str | None) -> str | None:
        if node.type == "type_spec":
            spec_type = node.child_by_field_name("type")
            if spec_type is not None:
                return _TYPE_KINDS.get(spec_type.type, "type_alias")
        return kind

    def describe(self, node: Node, kind: str, name: str, src: bytes) -> Details:
        if kind == "module":
            clause = _package_clause(node)
            return Details(doc=_doc(clause, src) if clause is not None else None)
        details = Details(visibility="public" if name[:1].isupper() else "private")
        if kind in {"function", "method"}:
            details.signature = (
                self.signature(node, src) if node.type != "method_elem" else squash(text(node, src))
            )
            details.doc = _doc(node, src)
            details.params = _params(node.child_by_field_name("parameters"), src)
            details.type_params = _type_params(node, src)
        elif node.type in {"type_spec", "type_alias"}:
            details.signature = _type_signature(node, src)
            details.doc = _doc(_declaration_anchor(node), src)
            details.type_params = _type_params(node, src)
            details.bases = _bases(node.child_by_field_name("type"), src)
        elif kind == "field":
            field = node if node.type == "field_declaration" else node.parent
            details.signature = squash(text(field, src))
            details.doc = _doc(field, src) if field is not None else None
        else:
            spec = node if node.type in _SPEC_TYPES else node.parent
            if spec is not None:
                keyword = "const" if spec.type == "const_spec" else "var"
                details.signature = squash(f"{keyword} {text(spec, src)}")
                details.doc = _doc(_declaration_anchor(spec), src)
        return details

    def extract_imports(self, root: Node, src: bytes) -> list[ImportRecord]:
        out: list[ImportRecord] = []
        specs = QueryCursor(_import_query()).captures(root).get("spec", [])
        for spec in sorted(specs, key=lambda n: n.start_byte):
            path = text(spec.child_by_field_name("path"), src).strip('"`')
            alias = spec.child_by_field_name("name")
            record = ImportRecord(
                squash(f"import {text(spec, src)}", 300),
                path,
                spec.start_point[0],
                relative=path.startswith(("./", "../")),
            )
            if alias is None:
                record.bind = package_guess(path)
            elif alias.type == "dot":
                record.names.append(ImportedName("*"))
            elif alias.type == "package_identifier":
                record.bind = text(alias, src)
            out.append(record)
        return out

    def module_name(self, path: str, workspace: Workspace) -> str:
        folder = posixpath.dirname(path)
        owner = _owning_module(folder, workspace)
        if owner is None:
            return folder
        below = folder[len(owner.folder) + 1 :] if owner.folder else folder
        if below.startswith("vendor/"):
            # Vendored packages keep the import path they are imported by.
            return below[len("vendor/") :]
        return f"{owner.path}/{below}" if below else owner.path

    def resolve_import(self, imp: ImportRecord, path: str, workspace: Workspace) -> str | None:
        packages = _packages(workspace)
        target = imp.module
        folder = posixpath.dirname(path)
        if imp.relative:
            return packages.get(posixpath.normpath(posixpath.join(folder, target)))
        owner = _owning_module(folder, workspace)
        if owner is not None:
            vendored = packages.get(posixpath.join(owner.folder, "vendor", target))
            if vendored is not None:
                return vendored
        for module in _modules(workspace):
            if target == module.path or target.startswith(module.path + "/"):
                below = target[len(module.path) + 1 :]
                return packages.get(posixpath.join(module.folder, below).rstrip("/"))
        if target in packages and _owning_module(target, workspace) is None:
            return packages[target]
        return None


@dataclass(frozen=True, slots=True)
class GoModule:
    """A ``go.mod``: the folder holding it and the module path it declares."""

    folder: str
    path: str


def _modules(workspace: Workspace) -> list[GoModule]:
    """Every module of the workspace, longest module path first (best prefix wins)."""
    cached = workspace.extra.get("go_modules")
    if isinstance(cached, list):
        return cached
    found: list[GoModule] = []
    for cfg, content in workspace.configs.items():
        if posixpath.basename(cfg) != "go.mod":
            continue
        match = _MODULE_LINE.search(content)
        if match is not None:
            found.append(GoModule(posixpath.dirname(cfg), match.group(1).strip('"`')))
    found.sort(key=lambda m: (-len(m.path), m.folder))
    workspace.extra["go_modules"] = found
    return found


def _owning_module(folder: str, workspace: Workspace) -> GoModule | None:
    """The module of the nearest ``go.mod`` at or above a folder."""
    by_folder = workspace.extra.get("go_module_folders")
    if not isinstance(by_folder, dict):
        by_folder = workspace.extra["go_module_folders"] = {
            m.folder: m for m in _modules(workspace)
        }
    while True:
        module = by_folder.get(folder)
        if module is not None or not folder:
            return module if isinstance(module, GoModule) else None
        folder = posixpath.dirname(folder)


def _packages(workspace: Workspace) -> dict[str, str]:
    """Folder → its first non-test ``.go`` file in sorted order, built once per workspace."""
    cached = workspace.extra.get("go_packages")
    if isinstance(cached, dict):
        return cached
    first: dict[str, str] = {}
    for path in workspace.files:
        if not path.endswith(".go") or path.endswith("_test.go"):
            continue
        folder = posixpath.dirname(path)
        known = first.get(folder)
        if known is None or path < known:
            first[folder] = path
    workspace.extra["go_packages"] = first
    return first


def package_guess(path: str) -> str:
    """The name an import binds without alias: the last element, minus major versions."""
    parts = path.split("/")
    last = parts[-1]
    if len(parts) > 1 and _MAJOR_VERSION.fullmatch(last):
        last = parts[-2]
    if path.startswith("gopkg.in/"):
        last = _GOPKG_VERSION.sub("", last)
    return last


@cache
def _import_query() -> Query:
    return Query(registry.grammar("go"), "(import_spec) @spec")


def _package_clause(root: Node) -> Node | None:
    for i in range(root.child_count):
        child = root.child(i)
        if child is not None and child.type == "package_clause":
            return child
    return None


def _declaration_anchor(spec: Node) -> Node:
    """The node a spec's doc comment sits above: the declaration unless grouped."""
    prev = spec.prev_sibling
    parent = spec.parent
    if parent is not None and prev is not None and prev.type in {"type", "const", "var"}:
        return parent
    return spec


def _doc(node: Node, src: bytes) -> str | None:
    """Comments directly above a node, without tool directives or trailing comments."""
    parts: list[str] = []
    anchor = node
    prev = node.prev_sibling
    while prev is not None and prev.type == "comment":
        if anchor.start_point[0] - prev.end_point[0] > 1:
            break
        before = prev.prev_sibling
        if before is not None and before.end_point[0] == prev.start_point[0]:
            break  # A comment trailing code on its line documents that code.
        raw = text(prev, src)
        if not raw.startswith(_DIRECTIVES):
            parts.append(raw)
        anchor = prev
        prev = before
    return (clean_comment("\n".join(reversed(parts))) or None) if parts else None


def _type_signature(node: Node, src: bytes) -> str:
    """``type Name[T any] struct``: struct and interface bodies are left out."""
    spec_type = node.child_by_field_name("type")
    if spec_type is not None and spec_type.type in _TYPE_KINDS:
        head = src[node.start_byte : spec_type.start_byte].decode("utf-8", "replace")
        keyword = spec_type.type.removesuffix("_type")
        return squash(f"type {head}{keyword}")
    return squash(f"type {text(node, src)}")


def _bases(spec_type: Node | None, src: bytes) -> list[tuple[str, str]]:
    """Embedded struct fields and embedded interfaces, without ``*`` or type arguments."""
    if spec_type is None:
        return []
    out: list[tuple[str, str]] = []
    if spec_type.type == "struct_type":
        fields = next(
            (c for c in spec_type.named_children if c.type == "field_declaration_list"), None
        )
        for field in fields.named_children if fields is not None else []:
            if field.type == "field_declaration" and field.child_by_field_name("name") is None:
                embedded = field.child_by_field_name("type")
                if embedded is not None:
                    out.append(("inherit", _base_text(embedded, src)))
    elif spec_type.type == "interface_type":
        for elem in spec_type.named_children:
            if elem.type == "type_elem" and elem.named_child_count == 1:
                embedded = elem.named_children[0]
                if embedded.type in _EMBEDDABLE:
                    out.append(("inherit", _base_text(embedded, src)))
    return out


def _base_text(node: Node, src: bytes) -> str:
    if node.type == "generic_type":
        inner = node.child_by_field_name("type")
        if inner is not None:
            node = inner
    return squash(text(node, src))


def _params(params: Node | None, src: bytes) -> list[Param]:
    """One Param per name (``a, b int`` gives two); unnamed parameters are ``_``."""
    if params is None:
        return []
    out: list[Param] = []
    for p in params.named_children:
        ptype = squash(text(p.child_by_field_name("type"), src)) or None
        if p.type == "parameter_declaration":
            names = p.children_by_field_name("name")
            if not names:
                out.append(Param("_", ptype))
            out.extend(Param(text(n, src), ptype) for n in names)
        elif p.type == "variadic_parameter_declaration":
            name = text(p.child_by_field_name("name"), src) or "_"
            out.append(Param(name, ptype, None, "..."))
    return out


def _type_params(node: Node, src: bytes) -> list[TypeParam]:
    """Type parameters (``[K comparable, V any]``) with their constraints."""
    tps = node.child_by_field_name("type_parameters")
    if tps is None:
        return []
    out: list[TypeParam] = []
    for decl in tps.named_children:
        if decl.type != "type_parameter_declaration":
            continue
        constraint = squash(text(decl.child_by_field_name("type"), src)) or None
        out.extend(TypeParam(text(n, src), constraint) for n in decl.children_by_field_name("name"))
    return out


HOOKS = GoHooks()
