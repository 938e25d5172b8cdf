"""Python: docstrings, parameters, decorators, imports and module resolution.

Module names follow the import system: a file's module path is its path
relative to the nearest source root, where source roots are the workspace
root and ``src/``-style folders that are not packages themselves, and
package folders (with ``__init__.py``) or namespace folders (without) are
both accepted.  Import resolution tries the importing file's own root, then
the folder above its package chain (where a script's imports start), then
every other source root; a module not found in the workspace is external.

This module reads tree-sitter nodes and workspace paths only: it never
touches the file system, SQL or LSP, and it never raises on broken code.
"""

from __future__ import annotations

import builtins as builtins_module
import codecs
import collections
import inspect
import posixpath
from typing import TYPE_CHECKING

from tree_sitter import Query, QueryCursor

from codeidx.parse import registry
from codeidx.parse.hooks import (
    MAX_DOC,
    Details,
    LanguageHooks,
    Workspace,
    Wrappers,
    after_arrow,
    squash,
    text,
)
from codeidx.parse.records import ImportedName, ImportRecord, Param, TypeParam

if TYPE_CHECKING:
    from tree_sitter import Node

_SOURCE_ROOT_NAMES = ("src", "lib", "python", "Lib")
_CALLABLE = frozenset({"function", "method", "constructor"})
_CLASS_LIKE = frozenset({"class", "enum", "interface"})
_VARIABLE_LIKE = frozenset({"variable", "constant", "field", "enum_member", "type_alias"})
# Bases that make a class an enum or a protocol (compared by last dotted part).
_ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum"})
_PROTOCOL_BASES = frozenset({"Protocol"})
_INIT_FILES = frozenset({"__init__.py", "__init__.pyi"})
_TYPE_ALIAS_ANNOTATIONS = frozenset(
    {b"TypeAlias", b"typing.TypeAlias", b"typing_extensions.TypeAlias"}
)


class PythonHooks(LanguageHooks):
    """Python's details; docs are docstrings rather than comments."""

    self_names = ("self", "cls")
    super_names = ("super",)
    constructor_names = ("__init__", "__new__")
    builtins = frozenset(dir(builtins_module))
    # The public methods of strings and containers (``s.split()``,
    # ``d.items()``, ``xs.append(x)``), as the running interpreter lists them.
    builtin_members = frozenset(
        name
        for kind in (str, bytes, bytearray, list, dict, set, frozenset, tuple)
        for name in dir(kind)
        if not name.startswith("_")
    )

    wrappers = Wrappers(
        opening=frozenset({"pop", "popleft", "get", "setdefault"}),
        keeping=frozenset({"copy"}),
        members=frozenset(
            name
            for kind in (list, set, frozenset, tuple, collections.deque, dict)
            for name in dir(kind)
            if not name.startswith("_")
        ),
        iterated=True,
        values=frozenset({"values"}),
    )

    #: ``for i, x in enumerate(xs)`` and ``for k, v in d.items()``.
    indexed_pairs = frozenset({"enumerate"})
    keyed_pairs = frozenset({"items"})
    #: ``x = await <chain>``.
    await_offsets = (9,)
    #: Coroutines, futures and tasks: a future's ``result()`` is its result.
    promises = Wrappers(
        opening=frozenset({"result"}),
        members=frozenset(
            {
                *("send", "throw", "close", "result", "exception", "done", "cancel"),
                *("cancelled", "add_done_callback", "remove_done_callback", "set_result"),
                *("set_exception", "get_loop", "get_coro", "get_context", "get_name"),
                *("set_name", "get_stack", "print_stack", "cancelling", "uncancel"),
            }
        ),
        transparent=False,
    )

    def promised(self, annotation: str) -> str | None:
        """The result type of an awaitable: ``Foo`` of ``Awaitable[Foo]``.

        ``Coroutine[A, B, Foo]``, futures and tasks (``asyncio.Task[Foo]``)
        too.
        """
        text_ = annotation.strip()
        return _container_arg(text_, 0, _AWAITABLES, 0, tuples=False) or _container_arg(
            text_, 0, _COROUTINES, 2, tuples=False
        )

    def call_result(self, signature: str) -> str | None:
        """An ``async def``'s call is a coroutine of its declared result.

        An async generator (``async def f() -> AsyncIterator[Foo]`` with
        ``yield``) is called into its iterator, which its annotation names.
        """
        result = self.return_annotation(signature)
        if result is None or not signature.startswith("async "):
            return result
        if _container_arg(result, 0, _ASYNC_ITERATORS, 0, tuples=False) is not None:
            return result
        return f"Coroutine[Any, Any, {result}]"

    def wrapped(self, annotation: str) -> str | None:
        """The element type of a container annotation: ``Foo`` of ``list[Foo] | None``.

        Sequences, sets, iterables, iterators, generators and homogeneous
        tuples (``tuple[Foo, ...]``); mappings are ``keyed``.
        """
        return _container_arg(annotation.strip(), 0, _CONTAINERS, 0, tuples=True)

    def keyed(self, annotation: str) -> str | None:
        """The value type of a mapping annotation: ``Foo`` of ``dict[str, Foo] | None``."""
        return _container_arg(annotation.strip(), 0, _MAPPINGS, 1, tuples=False)

    def assigned(self, statement: str) -> tuple[str | None, str | None]:
        """``x: T = v`` → (T, v); the last value of a chain ``a = b = v``."""
        pieces = _split_top(statement, "=")
        target, value = pieces[0], pieces[-1].strip() if len(pieces) > 1 else ""
        annotation = None
        left = _split_top(target, ":")
        if len(left) == 2:
            annotation = left[1].strip() or None
        if value == "None":
            # A placeholder, assigned for real elsewhere: says nothing of the type.
            return annotation, None
        literal = _LITERAL_TYPES.get(value[:1])
        if literal is not None:
            # A literal's value is a builtin type; a call of it says so.
            return annotation, f"{literal}()"
        return annotation, value or None

    def return_annotation(self, signature: str) -> str | None:
        """The text after ``->`` of a ``def`` header, without the final colon."""
        result = after_arrow(signature)
        if result is None:
            return None
        return result.strip().removesuffix(":").strip() or None

    def annotation_names(self, annotation: str) -> list[str]:
        """Classes an annotation names: ``Foo``, ``'Foo'``, ``Optional[Foo]``, ``Foo | None``.

        Containers (``list[Foo]``) name the container, whose members a
        receiver of that type does not have, so they give nothing.
        """
        return _annotation_names(annotation.strip(), 0)

    def refine_kind(self, node: Node, kind: str, parent_kind: str | None) -> str | None:
        if kind == "class":
            bases = _base_names(node)
            if bases & _ENUM_BASES:
                return "enum"
            if bases & _PROTOCOL_BASES:
                return "interface"
            return kind
        if kind == "function" and parent_kind in _CLASS_LIKE:
            # A @property keeps kind "method": the extractor scopes locals to
            # callable kinds only, so a "property" would leak its locals as
            # definitions.  Its decorator list still says "property".
            name = node.child_by_field_name("name")
            if name is not None and name.text == b"__init__":
                return "constructor"
            return "method"
        if kind != "variable" or parent_kind in _CALLABLE:
            return kind
        target = node if node.type == "identifier" else node.child_by_field_name("left")
        label = (target.text or b"") if target is not None else b""
        if node.type == "assignment":
            annotation = node.child_by_field_name("type")
            if annotation is not None and annotation.text in _TYPE_ALIAS_ANNOTATIONS:
                return "type_alias"
        if parent_kind == "enum":
            # `_ignore_`-style names and bare annotations are not members.
            has_value = node.type != "assignment" or node.child_by_field_name("right") is not None
            return "enum_member" if has_value and not label.startswith(b"_") else "field"
        if parent_kind in _CLASS_LIKE:
            return "field"
        if label.isupper() and any(c.isalpha() for c in label.decode("utf-8", "replace")):
            return "constant"
        return kind

    def describe(self, node: Node, kind: str, name: str, src: bytes) -> Details:
        if kind == "module":
            return Details(doc=_docstring(node, src))
        details = Details(visibility=_visibility(name))
        if node.type in {"function_definition", "class_definition"}:
            details.signature = _header(node, src)
            body = node.child_by_field_name("body")
            if body is not None:
                details.doc = _docstring(body, src)
            details.type_params = _type_params(node.child_by_field_name("type_parameters"), src)
            details.decorators = _decorators(node, src)
            if node.type == "function_definition":
                details.params = _params(node.child_by_field_name("parameters"), src)
            else:
                details.bases = _bases(node, src)
        elif kind in _VARIABLE_LIKE:
            statement = _statement_of(node)
            details.signature = squash(text(statement, src).split("\n", 1)[0], 200)
            details.doc = _attribute_doc(statement, src)
            if statement.type == "type_alias_statement":
                left = statement.child_by_field_name("left")
                generic = left.named_children[0] if left and left.named_children else None
                if generic is not None and generic.type == "generic_type":
                    params = [c for c in generic.named_children if c.type == "type_parameter"]
                    details.type_params = _type_params(params[0] if params else None, src)
        else:
            details.signature = squash(text(node, src).split("\n", 1)[0], 200)
        return details

    def extract_imports(self, root: Node, src: bytes) -> list[ImportRecord]:
        out: list[ImportRecord] = []
        found = QueryCursor(_import_query()).captures(root).get("import", [])
        for node in sorted(found, key=lambda n: n.start_byte):
            line = node.start_point[0]
            raw = squash(text(node, src), 300)
            if node.type == "import_statement":
                for child in node.children_by_field_name("name"):
                    if child.type == "aliased_import":
                        module = text(child.child_by_field_name("name"), src)
                        alias = text(child.child_by_field_name("alias"), src)
                        out.append(ImportRecord(raw, module, line, bind=alias))
                    else:
                        module = text(child, src)
                        out.append(ImportRecord(raw, module, line, bind=module.split(".")[0]))
                continue
            level = 0
            module = "__future__" if node.type == "future_import_statement" else ""
            module_node = node.child_by_field_name("module_name")
            if module_node is not None and module_node.type == "relative_import":
                for part in module_node.children:
                    if part.type == "import_prefix":
                        level = text(part, src).count(".")
                    elif part.type == "dotted_name":
                        module = text(part, src)
            elif module_node is not None:
                module = text(module_node, src)
            names: list[ImportedName] = []
            if any(c.type == "wildcard_import" for c in node.children):
                names.append(ImportedName("*"))
            for child in node.children_by_field_name("name"):
                if child.type == "aliased_import":
                    alias = text(child.child_by_field_name("alias"), src)
                    names.append(ImportedName(text(child.child_by_field_name("name"), src), alias))
                else:
                    names.append(ImportedName(text(child, src)))
            out.append(
                ImportRecord(
                    raw, module, line, names=names, relative=level > 0, level=level, kind="from"
                )
            )
        return out

    def module_name(self, path: str, workspace: Workspace) -> str:
        root = source_root(path, workspace)
        rel = path[len(root) + 1 :] if root else path
        stem = posixpath.splitext(rel)[0]
        if stem.endswith("/__init__") or stem == "__init__":
            stem = stem[: -len("__init__")].rstrip("/")
        return stem.replace("/", ".") or posixpath.basename(posixpath.dirname(path)) or "__init__"

    def resolve_import(self, imp: ImportRecord, path: str, workspace: Workspace) -> str | None:
        return resolve_module(self.import_base(imp, path, workspace), workspace, path)

    def import_base(self, imp: ImportRecord, path: str, workspace: Workspace) -> str:
        """The absolute dotted module an import names (relative ones made absolute).

        A relative import that climbs above the top-level package is an
        ImportError in Python, so it names nothing ("").
        """
        if not imp.relative:
            return imp.module
        package = self.module_name(path, workspace)
        if posixpath.basename(path) not in _INIT_FILES:
            package = package.rpartition(".")[0]
        parts = package.split(".") if package else []
        up = imp.level - 1
        if up >= len(parts):
            return ""
        base = parts[: len(parts) - up]
        if imp.module:
            base = [*base, imp.module]
        return ".".join(base)


def _is_package(folder: str, workspace: Workspace) -> bool:
    """Whether a folder is a regular package (holds ``__init__.py`` or a stub of it)."""
    prefix = f"{folder}/" if folder else ""
    return f"{prefix}__init__.py" in workspace.files or f"{prefix}__init__.pyi" in workspace.files


def source_root(path: str, workspace: Workspace) -> str:
    """The folder a file's module path is relative to ("" for the workspace root).

    For a file in a regular package, the folder above its topmost package.
    Otherwise the deepest ``src``/``lib``-named ancestor wins, unless it is a regular
    package itself (``mypkg/lib/__init__.py`` makes ``lib`` a subpackage,
    not a root); otherwise the workspace root.
    """
    folder = posixpath.dirname(path)
    if folder and _is_package(folder, workspace):
        # Inside regular packages the module path starts above the topmost
        # package, wherever that is (``server/codeidx/cli`` → ``codeidx.cli``).
        return _package_root(path, workspace)
    parts = path.split("/")[:-1]
    best = ""
    for i, part in enumerate(parts):
        if part in _SOURCE_ROOT_NAMES:
            folder = "/".join(parts[: i + 1])
            if not _is_package(folder, workspace):
                best = folder
    return best


def _package_root(path: str, workspace: Workspace) -> str:
    """The folder above a file's chain of regular packages (its own folder if none).

    That folder is ``sys.path[0]`` when the file or its top package is run
    from there, so absolute imports may start in it.
    """
    folder = posixpath.dirname(path)
    while folder and _is_package(folder, workspace):
        folder = posixpath.dirname(folder)
    return folder


def _roots(workspace: Workspace) -> list[str]:
    roots = workspace.extra.get("python_roots")
    if isinstance(roots, list):
        return roots
    found = sorted(
        {
            d
            for d in workspace.dirs
            if d and posixpath.basename(d) in _SOURCE_ROOT_NAMES and not _is_package(d, workspace)
        },
        key=lambda d: (d.count("/"), d),
    )
    result = ["", *found]
    workspace.extra["python_roots"] = result
    return result


def resolve_module(dotted: str, workspace: Workspace, from_path: str = "") -> str | None:
    """The file defining a dotted module, trying the importer's roots first.

    Within one root the order is Python's: a regular package ``x/__init__.py``
    shadows a module ``x.py`` beside it.  Stubs (``.pyi``) come after sources
    because navigation wants the implementation; a stub alone still resolves.
    """
    if not dotted:
        return None
    rel = dotted.replace(".", "/")
    roots: list[str] = []
    if from_path:
        roots.append(source_root(from_path, workspace))
        roots.append(_package_root(from_path, workspace))
    roots.extend(_roots(workspace))
    seen: set[str] = set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        base = f"{root}/{rel}" if root else rel
        for candidate in (
            f"{base}/__init__.py",
            f"{base}.py",
            f"{base}/__init__.pyi",
            f"{base}.pyi",
        ):
            if candidate in workspace.files:
                return candidate
    return None


_IMPORT_QUERY = "[(import_statement) (import_from_statement) (future_import_statement)] @import"
_IMPORT_COMPILED: Query | None = None


def _import_query() -> Query:
    """The import query, compiled once per process on first use."""
    global _IMPORT_COMPILED
    if _IMPORT_COMPILED is None:
        _IMPORT_COMPILED = Query(registry.grammar("python"), _IMPORT_QUERY)
    return _IMPORT_COMPILED


def _visibility(name: str) -> str:
    if name.startswith("__") and name.endswith("__"):
        return "public"
    return "private" if name.startswith("_") else "public"


def _base_names(node: Node) -> frozenset[str]:
    """Last dotted part of each base class (`enum.Enum` → Enum, `Protocol[T]` → Protocol)."""
    supers = node.child_by_field_name("superclasses")
    if supers is None:
        return frozenset()
    names: set[str] = set()
    for arg in supers.named_children:
        if arg.type == "subscript":
            arg = arg.child_by_field_name("value") or arg
        if arg.type in {"identifier", "attribute"}:
            names.add((arg.text or b"").decode("utf-8", "replace").rsplit(".", 1)[-1])
    return frozenset(names)


def _bases(node: Node, src: bytes) -> list[tuple[str, str]]:
    """Declared base classes as written, without type arguments or keywords."""
    supers = node.child_by_field_name("superclasses")
    out: list[tuple[str, str]] = []
    if supers is None:
        return out
    for arg in supers.named_children:
        if arg.type == "subscript":
            arg = arg.child_by_field_name("value") or arg
        if arg.type in {"identifier", "attribute"}:
            out.append(("inherit", text(arg, src)))
    return out


def _header(node: Node, src: bytes) -> str:
    """A def or class line up to its body, on one line, comments removed."""
    body = node.child_by_field_name("body")
    start, end = node.start_byte, body.start_byte if body is not None else node.end_byte
    raw = src[start:end]
    if b"#" in raw:
        cuts: list[tuple[int, int]] = []
        _comments(node, end, cuts)
        for c_start, c_end in reversed(cuts):
            raw = raw[: c_start - start] + b" " + raw[c_end - start :]
    return squash(_join_lines(raw.decode("utf-8", "replace")).rstrip(" :\t"))


def _join_lines(header: str) -> str:
    """Join a multi-line header without the padding its brackets' line breaks add.

    ``def f(\n    a,\n    b,\n) -> int`` becomes ``def f(a, b) -> int``; only
    line boundaries are touched, so string defaults keep their text.
    """
    lines = [line.strip() for line in header.splitlines()]
    out = ""
    for line in lines:
        if not line:
            continue
        if not out or out.endswith(("(", "[")):
            out += line
        elif line.startswith((")", "]")):
            out = (out[:-1] if out.endswith(",") else out) + line
        else:
            out += " " + line
    return out


def _comments(node: Node, end: int, out: list[tuple[int, int]]) -> None:
    """Byte ranges of the comments inside a node before ``end``, in order."""
    for child in node.children:
        if child.start_byte >= end:
            break
        if child.type == "comment":
            out.append((child.start_byte, child.end_byte))
        elif child.child_count:
            _comments(child, end, out)


def _statement_of(node: Node) -> Node:
    """The statement a variable is defined by (its assignment, for unpacking targets)."""
    current: Node | None = node
    while current is not None and current.type not in {"assignment", "type_alias_statement"}:
        current = current.parent
    if current is None:
        return node
    # The later targets of a chain `a = b = 1` are inner assignments.
    while current.parent is not None and current.parent.type == "assignment":
        current = current.parent
    return current


def _docstring(body: Node, src: bytes) -> str | None:
    """The docstring of a module, class or function body, as ``__doc__`` holds it."""
    for child in body.named_children:
        if child.type != "comment":
            return _string_value(child, src)
    return None


def _attribute_doc(statement: Node, src: bytes) -> str | None:
    """A string literal right after an assignment (the convention Sphinx reads)."""
    after = statement.next_named_sibling
    while after is not None and after.type == "comment":
        after = after.next_named_sibling
    if after is None or after.start_point[0] <= statement.end_point[0]:
        return None
    return _string_value(after, src)


def _string_value(node: Node, src: bytes) -> str | None:
    """The cleaned text of a plain string literal; None for f-, t- and byte strings."""
    if node.type == "string":
        value = _literal(node, src)
    elif node.type == "concatenated_string":
        parts = [_literal(c, src) for c in node.named_children if c.type == "string"]
        value = None if None in parts else "".join(p or "" for p in parts)
    else:
        return None
    if value is None:
        return None
    return inspect.cleandoc(value)[:MAX_DOC] or None


def _literal(string: Node, src: bytes) -> str | None:
    """A string literal's value: escapes decoded unless the literal is raw."""
    prefix = ""
    for child in string.children:
        if child.type == "string_start":
            prefix = text(child, src).lower()
            break
    if any(c in prefix for c in "fbt"):
        return None
    raw = "r" in prefix
    out: list[str] = []
    for content in string.children:
        if content.type != "string_content":
            continue
        if raw or content.child_count == 0:
            out.append(text(content, src))
            continue
        pos = content.start_byte
        for esc in content.children:
            if esc.type != "escape_sequence":
                continue
            out.append(src[pos : esc.start_byte].decode("utf-8", "replace"))
            out.append(_unescape(text(esc, src)))
            pos = esc.end_byte
        out.append(src[pos : content.end_byte].decode("utf-8", "replace"))
    return "".join(out)


def _unescape(escape: str) -> str:
    """One backslash escape's value; a line continuation is nothing, a bad one stays."""
    if escape[1:2] in {"\n", "\r"}:
        return ""
    try:
        return codecs.decode(escape, "unicode_escape")
    except UnicodeDecodeError:
        return escape


def _decorators(node: Node, src: bytes) -> list[str]:
    parent = node.parent
    if parent is None or parent.type != "decorated_definition":
        return []
    return [
        squash(text(c, src).lstrip("@").strip(), 200)
        for c in parent.named_children
        if c.type == "decorator"
    ]


def _type_params(params: Node | None, src: bytes) -> list[TypeParam]:
    """PEP 695 parameters: ``T: int`` has a bound; ``*Ts`` and ``**P`` are named Ts, P."""
    if params is None:
        return []
    out = []
    for child in params.named_children:
        inner = child.named_children[0] if child.type == "type" and child.named_children else child
        if inner.type == "constrained_type" and inner.named_child_count >= 2:
            name_node, bound = inner.named_children[0], inner.named_children[1]
            out.append(TypeParam(text(name_node, src), text(bound, src)))
        elif inner.type == "splat_type":
            out.append(TypeParam(text(inner, src).lstrip("*").strip()))
        elif inner.type == "identifier":
            out.append(TypeParam(text(inner, src)))
    return out


_SPLATS = {"list_splat_pattern": "*", "dictionary_splat_pattern": "**"}
_PARAM_TYPES = frozenset(
    {"identifier", "typed_parameter", "default_parameter", "typed_default_parameter", *_SPLATS}
)


def _params(params: Node | None, src: bytes) -> list[Param]:
    """Formal parameters in order.

    The ``/`` and bare ``*`` markers are kept as entries so parameter indexes
    line up with the comma-separated slots of the signature.
    """
    if params is None:
        return []
    out: list[Param] = []
    for p in params.named_children:
        if p.type == "keyword_separator":
            out.append(Param("*", None, None, "*"))
        elif p.type == "positional_separator":
            out.append(Param("/"))
        elif p.type in _PARAM_TYPES:
            target = p.child_by_field_name("name")
            if target is None:
                typed = p.type == "typed_parameter" and p.named_children
                target = p.named_children[0] if typed else p
            variadic = _SPLATS.get(target.type)
            name = text(target, src).lstrip("*") if variadic else text(target, src)
            value = p.child_by_field_name("value")
            default = text(value, src) if value is not None else None
            out.append(
                Param(name, text(p.child_by_field_name("type"), src) or None, default, variadic)
            )
    return out


HOOKS = PythonHooks()


# Literal values by their first character, as the builtin type they make.
_LITERAL_TYPES = {
    "[": "list",
    "{": "dict",
    "'": "str",
    '"': "str",
    **{digit: "int" for digit in "0123456789"},
}
_OPTIONAL = frozenset({"Optional", "typing.Optional", "t.Optional"})
_UNION = frozenset({"Union", "typing.Union", "t.Union"})
_ANNOTATED = frozenset({"Annotated", "typing.Annotated", "typing_extensions.Annotated"})


def _split_top(value: str, sep: str) -> list[str]:
    """``value`` split at ``sep`` outside brackets and strings.

    For ``=`` the comparison and augmented operators (``==``, ``<=``, ``+=``)
    and keyword arguments inside calls are not separators.
    """
    out: list[str] = []
    depth = 0
    quote = ""
    start = 0
    for i, ch in enumerate(value):
        if quote:
            if ch == quote and value[i - 1] != "\\":
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            if sep == "=" and (
                value[i + 1 : i + 2] == "=" or (i > 0 and value[i - 1] in "=<>!+-*/%&|^@:")
            ):
                continue
            out.append(value[start:i])
            start = i + 1
    out.append(value[start:])
    return out


#: Containers a loop over gives the elements of, their first type argument.
_CONTAINERS = frozenset(
    {
        *("list", "List", "Sequence", "MutableSequence", "Iterable", "Iterator"),
        *("Collection", "Reversible", "set", "Set", "frozenset", "FrozenSet"),
        *("AbstractSet", "MutableSet", "deque", "Deque", "Generator", "AsyncIterator"),
        *("AsyncIterable", "AsyncGenerator", "KeysView"),
    }
)
_TUPLES = frozenset({"tuple", "Tuple"})
#: Awaitables whose first type argument is their result's.
_AWAITABLES = frozenset({"Awaitable", "Future", "Task"})
#: Coroutines, whose third type argument is their result's.
_COROUTINES = frozenset({"Coroutine"})
#: What an ``async def`` that yields is annotated with.
_ASYNC_ITERATORS = frozenset({"AsyncIterator", "AsyncIterable", "AsyncGenerator"})
#: Mappings, whose second type argument is their values'.
_MAPPINGS = frozenset(
    {
        *("dict", "Dict", "Mapping", "MutableMapping", "defaultdict", "DefaultDict"),
        *("OrderedDict", "ChainMap"),
    }
)


def _container_arg(
    text_: str, depth: int, heads: frozenset[str], arg: int, tuples: bool
) -> str | None:
    """Type argument ``arg`` of a container in ``heads``: ``Foo`` of ``list[Foo] | None``.

    ``Optional``, ``| None``, ``Annotated`` and quotes are looked through;
    with ``tuples``, ``tuple[Foo, ...]`` counts too (its element is ``Foo``).
    """
    if depth > 4 or not text_:
        return None
    if text_[0] == text_[-1] and text_[0] in "'\"" and len(text_) > 1:
        text_ = text_[1:-1].strip()
    parts = [p.strip() for p in _split_top(text_, "|") if p.strip() != "None"]
    if len(parts) != 1:
        return None
    head, bracket, rest = parts[0].partition("[")
    if not bracket:
        return None
    args = [a.strip() for a in _split_top(rest.rsplit("]", 1)[0], ",")]
    if head in _OPTIONAL or head in _UNION:
        kept = [a for a in args if a != "None"]
        return _container_arg(kept[0], depth + 1, heads, arg, tuples) if len(kept) == 1 else None
    if head in _ANNOTATED:
        return _container_arg(args[0], depth + 1, heads, arg, tuples)
    base = head.rsplit(".", 1)[-1]
    if base in _TUPLES and tuples:
        return args[0] if len(args) == 2 and args[1] == "..." else None
    if base not in heads or len(args) <= arg:
        return None
    return args[arg] or None


def _annotation_names(text_: str, depth: int) -> list[str]:
    if depth > 4 or not text_:
        return []
    if text_[0] == text_[-1] and text_[0] in "'\"" and len(text_) > 1:
        text_ = text_[1:-1].strip()
    parts = [p.strip() for p in _split_top(text_, "|")]
    if len(parts) > 1:
        return [n for p in parts for n in _annotation_names(p, depth + 1)]
    if text_ == "None":
        return []
    head, bracket, rest = text_.partition("[")
    if bracket:
        inner = rest.rsplit("]", 1)[0]
        args = [a.strip() for a in _split_top(inner, ",")]
        if head in _OPTIONAL or head in _UNION:
            return [n for a in args for n in _annotation_names(a, depth + 1)]
        if head in _ANNOTATED and args:
            return _annotation_names(args[0], depth + 1)
        return []
    if all(part.isidentifier() for part in text_.split(".")):
        return [text_]
    return []
