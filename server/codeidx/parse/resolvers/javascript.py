"""JavaScript: kinds, signatures, JSDoc, parameters, imports and module resolution.

These hooks cover the ECMAScript constructs the JavaScript, TypeScript and TSX
grammars share; :mod:`codeidx.parse.resolvers.typescript` subclasses them for
types, modifiers and ``implements``.  They read tree-sitter nodes and plain
text only: configuration files arrive as text in ``Workspace.configs`` and are
never opened here.

Rules chosen here, so every consumer sees the same answers:

* Module names are the path without its extension (``.d.ts`` counts as one);
  an ``index`` file names its folder (``src/util/index.ts`` → ``src/util``).
* Visibility: class members are public unless TypeScript marks them
  ``private``/``protected`` or their name is a ``#private`` name.  A
  statement-level definition is public when it is exported (``export``, a
  local ``export { name }`` or ``export default name``, or CommonJS
  ``module.exports``), declared ambient (``declare``), or lives in a script
  (a file with no import, export or ``require``, whose top level is global);
  otherwise it is internal.
* Docs are the ``/** … */`` JSDoc block directly above a definition, or above
  the ``export``/``declare`` statement or decorators wrapping it.
* ``const`` bindings are constants, ``let``/``var`` bindings variables; a
  binding whose value is a function or class is that function or class.
* A function assigned to a member from outside its owner (``Foo.prototype.bar
  = function …``, ``Foo.bar = () => …``) is a method of ``Foo`` when the same
  block declares ``Foo`` as a function or class.  Like a Go method it stays in
  the scope where it is written (its parent) and names its owner in its
  qualified name (``mod.Foo.bar``), which is how member lookup finds it.
* CommonJS exports of functions and classes at module level (``exports.name
  = function …``, ``module.exports.name = class …``, the methods of
  ``module.exports = {…}``) define ``name`` in the module.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tree_sitter import Query, QueryCursor

from codeidx.parse import registry
from codeidx.parse.hooks import (
    Details,
    LanguageHooks,
    Workspace,
    clean_comment,
    constructed,
    declared_value,
    group_end,
    split_assignment,
    squash,
    text,
)
from codeidx.parse.records import ImportedName, ImportRecord, Param

if TYPE_CHECKING:
    from tree_sitter import Node

FUNCTION_VALUES = frozenset(
    {"arrow_function", "function_expression", "generator_function", "function"}
)
CLASS_NODES = frozenset({"class", "class_declaration", "abstract_class_declaration"})
# Nodes whose members are not statements: visibility comes from modifiers.
MEMBER_CONTAINERS = frozenset(
    {"class_body", "interface_body", "object_type", "enum_body", "object"}
)
# Nodes that wrap a declaration without changing what it declares.
WRAPPERS = frozenset({"export_statement", "ambient_declaration", "expression_statement"})
NAMESPACE_NODES = frozenset({"internal_module", "module"})
# Method-like nodes of classes, object literals and TypeScript interfaces.
_METHOD_NODES = frozenset({"method_definition", "method_signature"})
# Global names of ECMAScript, Node and browsers: a bare use of one that the
# file neither defines nor imports is that global, never another module's
# same-named definition (undici exports its own ``setTimeout``).  CommonJS's
# ``require``, ``module`` and ``exports`` are the module's own, not listed.
_GLOBALS = frozenset(
    """
    globalThis global window self document navigator location console process Buffer
    __dirname __filename Object Function Array String Number
    Boolean Symbol BigInt Math JSON Reflect Proxy Intl Atomics WebAssembly Date RegExp
    Promise Map Set WeakMap WeakSet WeakRef FinalizationRegistry ArrayBuffer
    SharedArrayBuffer DataView Int8Array Uint8Array Uint8ClampedArray Int16Array
    Uint16Array Int32Array Uint32Array Float32Array Float64Array BigInt64Array
    BigUint64Array Error TypeError RangeError SyntaxError ReferenceError EvalError
    URIError AggregateError parseInt parseFloat isNaN isFinite encodeURI
    encodeURIComponent decodeURI decodeURIComponent escape unescape eval setTimeout
    clearTimeout setInterval clearInterval setImmediate clearImmediate queueMicrotask
    structuredClone fetch atob btoa performance crypto URL URLSearchParams TextEncoder
    TextDecoder AbortController AbortSignal Event EventTarget Headers Request Response
    FormData Blob
    """.split()  # noqa: SIM905 (a word list reads better than quoted items)
)
# Method and property names of the built-in prototypes (``Array``, ``String``,
# ``Object``, ``Map``, ``Set``, ``Promise``, ``Function``, ``Number``,
# ``Date``, ``RegExp``, ``Error`` and the typed arrays), as Node 20 lists them.
_BUILTIN_MEMBERS = frozenset(
    """
    add apply at bind byteLength byteOffset call catch charAt charCodeAt clear
    codePointAt concat copyWithin delete description endsWith entries every exec fill
    filter finally find findIndex findLast findLastIndex flags flat flatMap forEach get
    getDate getDay getFullYear getHours getMilliseconds getMinutes getMonth getSeconds
    getTime getTimezoneOffset getUTCDate getUTCDay getUTCFullYear getUTCHours
    getUTCMilliseconds getUTCMinutes getUTCMonth getUTCSeconds has hasOwnProperty
    includes indexOf isPrototypeOf isWellFormed join keys lastIndexOf length
    localeCompare map match matchAll message name normalize padEnd padStart pop
    propertyIsEnumerable push reduce reduceRight repeat replace replaceAll reverse
    search set setDate setFullYear setHours setMilliseconds setMinutes setMonth
    setSeconds setTime setUTCDate setUTCFullYear setUTCHours setUTCMilliseconds
    setUTCMinutes setUTCMonth setUTCSeconds shift size slice some sort source splice
    split startsWith subarray substr substring test then toDateString toExponential
    toFixed toISOString toJSON toLocaleDateString toLocaleLowerCase toLocaleString
    toLocaleTimeString toLocaleUpperCase toLowerCase toPrecision toReversed toSorted
    toSpliced toString toTimeString toUTCString toUpperCase toWellFormed trim trimEnd
    trimStart unshift valueOf values with
    """.split()  # noqa: SIM905 (a word list reads better than quoted items)
)
# Words that may open a variable's or field's statement before its name.
_DECLARATION_WORDS = frozenset(
    {
        "export",
        "declare",
        "const",
        "let",
        "var",
        "private",
        "protected",
        "public",
        "static",
        "readonly",
        "override",
        "abstract",
        "accessor",
    }
)
_SIMPLE_NAME = re.compile(r"#?[A-Za-z_$][\w$]*[?!]?")
# Values that say nothing of a type assigned for real elsewhere.
_PLACEHOLDERS = frozenset({"null", "undefined", "void 0"})
# Statements declaring a named function or class.
_DECLARATIONS = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "abstract_class_declaration",
    }
)
# Where a statement assigning members may sit beside their owner's declaration.
_BLOCKS = frozenset({"program", "statement_block"})
# What lies between a destructured name and its ``variable_declarator``.
_BINDING_NODES = frozenset(
    {
        "identifier",
        "shorthand_property_identifier_pattern",
        "object_pattern",
        "array_pattern",
        "pair_pattern",
        "object_assignment_pattern",
        "assignment_pattern",
        "rest_pattern",
    }
)
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
_MODULE_DOC_TAGS = ("@file", "@fileoverview", "@overview", "@module")
_IMPORT_QUERY = """
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
class _FileFacts:
    """Top-level facts about one file that decide statement visibility."""

    exported: set[str] = field(default_factory=set)
    is_module: bool = False


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


class JavaScriptHooks(LanguageHooks):
    """ECMAScript details shared by JavaScript, TypeScript and TSX."""

    config_files = ("tsconfig.json", "jsconfig.json")
    self_names = ("this",)
    builtins = _GLOBALS
    builtin_members = _BUILTIN_MEMBERS
    #: ``function Foo() {}`` with ``Foo.prototype.bar = function …`` is a class.
    constructor_functions = True
    #: ``x = <chain>`` and ``x = new <Class>(...)``.
    value_offsets = (3, 7)
    #: Grammars (registry language names) whose trees these hooks receive.
    grammars: tuple[str, ...] = ("javascript",)

    def __init__(self) -> None:
        self._import_queries: dict[int, Query] | None = None
        self._facts: tuple[bytes, int, _FileFacts] | None = None
        self._declared: tuple[Node, frozenset[bytes | None]] | None = None

    # -- kinds -------------------------------------------------------------

    def refine_kind(self, node: Node, kind: str, parent_kind: str | None) -> str | None:
        if kind == "method":
            assigned = _member_assignment(node)
            if assigned is not None:
                # A member only of a function or class declared beside it;
                # an accessor stays a method too, so it is no module-level name.
                return kind if self._declares(*assigned) else None
        if kind == "function" and node.type == "assignment_expression":
            # `exports.Name = class {}`: one CommonJS pattern captures
            # functions and classes, as functions.
            value = _value(node)
            return "class" if value is not None and value.type == "class" else kind
        if kind in {"method", "function"} and node.type in _METHOD_NODES:
            # (A function here is a method of `module.exports = {…}`.)
            name = node.child_by_field_name("name")
            in_class = node.parent is not None and node.parent.type == "class_body"
            if in_class and name is not None and name.text == b"constructor":
                return "constructor"
            if any(c.type in {"get", "set"} and not c.is_named for c in node.children):
                return "property"
            return kind
        if kind == "field":
            value = node.child_by_field_name("value")
            return "method" if value is not None and value.type in FUNCTION_VALUES else kind
        if kind == "variable":
            declarator = _declarator(node)
            if declarator is node:
                value = node.child_by_field_name("value")
                if value is not None and value.type in FUNCTION_VALUES:
                    return "function"
                if value is not None and value.type == "class":
                    return "class"
            declaration = declarator.parent if declarator is not None else None
            if declaration is not None and declaration.type == "lexical_declaration":
                keyword = declaration.child_by_field_name("kind")
                if keyword is not None and keyword.type == "const":
                    return "constant"
        return kind

    def extra_qualifier(self, node: Node, kind: str, src: bytes) -> str | None:
        """``Foo`` for a member assigned from outside its body (``Foo.prototype.bar = …``).

        The member is then named ``mod.Foo.bar``, which is how resolution
        finds members written outside their type (Go methods, C++ ones
        defined out of line).
        """
        assigned = _member_assignment(node) if kind == "method" else None
        return text(assigned[1], src) if assigned is not None else None

    def _declares(self, assignment: Node, owner: Node) -> bool:
        """Whether the block holding ``assignment`` declares ``owner`` as a function or class."""
        statement = assignment.parent
        if statement is None or statement.type != "expression_statement":
            return False
        block = statement.parent
        if block is None or block.type not in _BLOCKS:
            return False
        cached = self._declared
        if cached is not None and cached[0] == block:
            names = cached[1]
        else:
            # Assignments to one owner sit together, so one block is kept;
            # the kept node holds its tree, so no other tree's block equals it.
            names = _functions_and_classes(block)
            self._declared = (block, names)
        return owner.text in names

    # -- details -----------------------------------------------------------

    def describe(self, node: Node, kind: str, name: str, src: bytes) -> Details:
        if kind == "module":
            return Details(doc=_module_doc(node, src))
        top, declared_public = _statement(node)
        callable_ = _callable(node)
        cls = _class_node(node)
        details = Details(
            signature=self.signature_of(node, src),
            doc=_jsdoc(top, src),
            decorators=_decorators(node, top, src),
            visibility=self.visibility_of(node, top, name, src, declared_public),
            type_params=self.type_params(callable_ or cls or node, src),
        )
        if callable_ is not None:
            details.params = self.params_of(callable_, src)
        if cls is not None or node.type == "interface_declaration":
            details.bases = self.bases_of(cls or node, src)
        return details

    def assigned(self, statement: str) -> tuple[str | None, str | None]:
        """``private x: T = v`` and ``const x = new C()`` → (T, v) or (None, ``C()``).

        A field's or variable's statement, as its signature holds it.  A
        constructed value reads as a call of its class (``new C(a)`` →
        ``C(a)``), as locals do.  Destructuring, several declarators and a
        placeholder value (``null``) say nothing.
        """
        target, value = split_assignment(statement)
        words = target.split()
        while words and words[0] in _DECLARATION_WORDS:
            words.pop(0)
        head = " ".join(words)
        name, colon, annotation = head.partition(":")
        if not _SIMPLE_NAME.fullmatch(name.strip()):
            return None, None
        declared = squash(annotation).strip() or None if colon else None
        return declared, declared_value(value, _PLACEHOLDERS)

    def receiver_chain(self, receiver: str) -> str:
        """``new C(a)`` and ``(new C(a))`` read as the call ``C(a)``."""
        if receiver[:1] == "(" and receiver[-1:] == ")" and group_end(receiver) == len(receiver):
            receiver = receiver[1:-1].strip()
        return constructed(receiver)

    def signature_of(self, node: Node, src: bytes) -> str:
        """One line of declaration text: up to the body, or the head of a value."""
        start = _content_start(node)
        prefix = ""
        target = node
        declarator = _declarator(node)
        if declarator is not None:
            # `const a = …` and destructured names show their whole declaration.
            declaration = declarator.parent
            if declaration is not None and declaration.child_count:
                prefix = text(declaration.children[0], src) + " "
            start, target = declarator.start_byte, declarator
        value = _value(target)
        if node.type == "enum_assignment" or target.type == "type_alias_declaration":
            value = None
        if value is not None and (value.type in FUNCTION_VALUES or value.type == "class"):
            target = value
        elif value is not None:
            head = src[start : value.start_byte].decode("utf-8", "replace")
            first, _, rest = text(value, src).partition("\n")
            return squash(prefix + head + first + (" …" if rest else "")).rstrip(";")
        body = target.child_by_field_name("body")
        end = body.start_byte if body is not None else target.end_byte
        raw = src[start:end].decode("utf-8", "replace")
        return squash(prefix + raw).rstrip(" {;")

    def visibility_of(
        self, node: Node, top: Node, name: str, src: bytes, declared_public: bool
    ) -> str:
        """Member rules for members, else the statement rule in the module docstring."""
        if node.type == "assignment_expression":
            # A CommonJS export, or a member set on a function or class.
            return "public"
        parent = node.parent
        if parent is not None and (
            parent.type in MEMBER_CONTAINERS or parent.type == "formal_parameters"
        ):
            # A member, or a TypeScript parameter property (the only
            # parameters that are definitions).
            return self.member_visibility(node, name)
        if declared_public or _in_ambient_block(top):
            return "public"
        container = top.parent
        if container is not None and container.type == "program":
            facts = self._file_facts(container, src)
            if not facts.is_module or name in facts.exported:
                return "public"
        return "internal"

    def member_visibility(self, node: Node, name: str) -> str:
        """A class or object member: ``#names`` are private, the rest public."""
        return "private" if name.startswith("#") else "public"

    def params_of(self, callable_: Node, src: bytes) -> list[Param]:
        """Formal parameters of a function-like node."""
        single = callable_.child_by_field_name("parameter")
        if single is not None:
            return [Param(text(single, src))]
        params = callable_.child_by_field_name("parameters")
        if params is None:
            return []
        out: list[Param] = []
        for p in params.named_children:
            param = self.param(p, src)
            if param is not None:
                out.append(param)
        return out

    def param(self, p: Node, src: bytes) -> Param | None:
        """One formal parameter; destructuring patterns keep their text as name."""
        if p.type == "assignment_pattern":
            left = p.child_by_field_name("left")
            return Param(
                squash(text(left, src)), default=squash(text(p.child_by_field_name("right"), src))
            )
        if p.type == "rest_pattern":
            inner = p.named_children[0] if p.named_children else None
            return Param(squash(text(inner, src)), variadic="...")
        if p.type in {"comment", "decorator"} or p.is_error or p.is_missing:
            return None
        return Param(squash(text(p, src)))

    def bases_of(self, cls: Node, src: bytes) -> list[tuple[str, str]]:
        """``extends`` expressions as written."""
        out: list[tuple[str, str]] = []
        for child in cls.children:
            if child.type == "class_heritage":
                out.extend(("inherit", squash(text(c, src))) for c in child.named_children)
        return out

    # -- imports -----------------------------------------------------------

    def extract_imports(self, root: Node, src: bytes) -> list[ImportRecord]:
        query = self._import_query(root)
        if query is None:
            return []
        found: list[tuple[int, str, Node]] = []
        for capture, nodes in QueryCursor(query).captures(root).items():
            if not capture.startswith("_"):
                found.extend((n.start_byte, capture, n) for n in nodes)
        found.sort(key=lambda item: item[0])
        out: list[ImportRecord] = []
        for _, capture, node in found:
            record = (
                _import_statement(node, src)
                if capture == "import"
                else _reexport(node, src)
                if capture == "export"
                else _require(node, src, "require" if capture == "require" else "import")
            )
            if record is not None:
                out.append(record)
        return out

    def _import_query(self, root: Node) -> Query | None:
        """The import query compiled for the grammar that produced ``root``.

        Nodes do not say which grammar made them, but every grammar numbers
        its ``program`` symbol differently, so the root's kind id tells.
        """
        if self._import_queries is None:
            queries: dict[int, Query] = {}
            for name in self.grammars:
                lang = registry.grammar(name)
                queries[lang.id_for_node_kind("program", True) or 0] = Query(lang, _IMPORT_QUERY)
            self._import_queries = queries
        return self._import_queries.get(root.kind_id)

    def _file_facts(self, program: Node, src: bytes) -> _FileFacts:
        """Exports and module-ness of a file, computed once per parsed file.

        ``describe`` runs once per definition, so the scan is kept for the
        file being extracted.  The cache is one tuple swapped whole, keyed by
        the source object and tree, so threads sharing ``HOOKS`` at worst
        recompute it.
        """
        cached = self._facts
        if cached is not None and cached[0] is src and cached[1] == program.id:
            return cached[2]
        facts = _scan_file(program, src)
        self._facts = (src, program.id, facts)
        return facts

    # -- modules -----------------------------------------------------------

    def module_name(self, path: str, workspace: Workspace) -> str:
        stem = _strip_extension(path)
        if posixpath.basename(stem) == "index" and "/" in stem:
            stem = posixpath.dirname(stem)
        return stem

    def resolve_import(self, imp: ImportRecord, path: str, workspace: Workspace) -> str | None:
        spec = imp.module.split("?", 1)[0].split("#", 1)[0]
        if not spec or spec.startswith("/"):
            return None
        if spec == "." or spec == ".." or spec.startswith(("./", "../")):
            base = posixpath.normpath(posixpath.join(posixpath.dirname(path), spec))
            return None if base.startswith("..") else probe(base, workspace)
        config = self.path_config(path, workspace)
        if config is None:
            return None
        for target in _path_targets(config, spec):
            found = probe(target, workspace)
            if found is not None:
                return found
        if config.base_url is not None:
            return probe(posixpath.normpath(posixpath.join(config.base_url, spec)), workspace)
        return None

    def path_config(self, path: str, workspace: Workspace) -> PathConfig | None:
        """The configuration nearest above a file, parsed once per workspace."""
        cache = workspace.extra.get("javascript_path_configs")
        if not isinstance(cache, dict):
            cache = workspace.extra["javascript_path_configs"] = {}
        folder = posixpath.dirname(path)
        while True:
            for name in self.config_files:
                key = posixpath.join(folder, name) if folder else name
                if key in workspace.configs:
                    if key not in cache:
                        cache[key] = _load_config(key, workspace.configs, 0)
                    config: PathConfig = cache[key]
                    return config
            if not folder:
                return None
            folder = posixpath.dirname(folder)


# -- resolution helpers ---------------------------------------------------


def probe(base: str, workspace: Workspace) -> str | None:
    """The file an extension-less module path names: exact, by extension, or index."""
    files = workspace.files
    base = "" if base == "." else base
    if base in files:
        return base
    stem, ext = posixpath.splitext(base)
    for alt in _SOURCE_FOR_OUTPUT.get(ext, ()):
        if stem + alt in files:
            return stem + alt
    for ext in RESOLVE_EXTENSIONS:
        if base and base + ext in files:
            return base + ext
    index = posixpath.join(base, "index") if base else "index"
    for ext in RESOLVE_EXTENSIONS:
        if index + ext in files:
            return index + ext
    return None


def _path_targets(config: PathConfig, spec: str) -> list[str]:
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


def _load_config(key: str, configs: dict[str, str], depth: int) -> PathConfig:
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
                inherited = _load_config(target, configs, depth + 1)
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


def _strip_extension(path: str) -> str:
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


def _import_statement(node: Node, src: bytes) -> ImportRecord:
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


def _reexport(node: Node, src: bytes) -> ImportRecord:
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


def _require(call: Node, src: bytes, kind: str) -> ImportRecord:
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


# -- definition helpers ---------------------------------------------------


def _declarator(node: Node) -> Node | None:
    """The ``variable_declarator`` a binding belongs to (itself, or above a pattern)."""
    current: Node | None = node
    while current is not None and current.type in _BINDING_NODES:
        current = current.parent
    return current if current is not None and current.type == "variable_declarator" else None


def _statement(node: Node) -> tuple[Node, bool]:
    """The outermost node standing for a definition's statement (for docs and
    visibility), and whether an ``export`` or ``declare`` wraps the definition."""
    top = node
    declarator = _declarator(node)
    if declarator is not None and declarator.parent is not None:
        top = declarator.parent
    wrapped = False
    while top.parent is not None and top.parent.type in WRAPPERS:
        top = top.parent
        wrapped = wrapped or top.type in {"export_statement", "ambient_declaration"}
    return top, wrapped


def _in_ambient_block(top: Node) -> bool:
    """Inside a ``declare namespace``/``declare module``/``declare global`` body,
    where every declaration is implicitly exported."""
    current = top.parent
    while current is not None and current.type != "program":
        if current.type == "ambient_declaration":
            return True
        if current.type not in {"statement_block", *NAMESPACE_NODES, *WRAPPERS}:
            return False
        current = current.parent
    return False


def _value(node: Node) -> Node | None:
    """The value a definition binds: a declarator's or field's, or an assignment's right side."""
    if node.type == "assignment_expression":
        return node.child_by_field_name("right")
    return node.child_by_field_name("value")


def _callable(node: Node) -> Node | None:
    """The function-like node holding a definition's parameters, if any."""
    if node.child_by_field_name("parameters") is not None or node.type == "arrow_function":
        return node
    value = _value(node)
    if value is not None and value.type in FUNCTION_VALUES:
        return value
    return None


def _class_node(node: Node) -> Node | None:
    if node.type in CLASS_NODES:
        return node
    value = _value(node)
    return value if value is not None and value.type == "class" else None


def _member_assignment(node: Node) -> tuple[Node, Node] | None:
    """(assignment, owner) of a member assigned from outside its body.

    ``Foo.bar = …`` and ``Foo.prototype.bar = …`` (the definition is the
    assignment), or a method of ``Foo.prototype = {…}`` (the definition is in
    the object): the owner is the identifier ``Foo``.
    """
    if node.type == "assignment_expression":
        assignment = node
        target = node.child_by_field_name("left")
        owner = target.child_by_field_name("object") if target is not None else None
        if owner is not None and owner.type == "member_expression":
            owner = owner.child_by_field_name("object")
    elif node.type in {"method_definition", "pair"}:
        holder = node.parent
        parent = holder.parent if holder is not None and holder.type == "object" else None
        if parent is None or parent.type != "assignment_expression":
            return None
        assignment = parent
        target = parent.child_by_field_name("left")
        owner = target.child_by_field_name("object") if target is not None else None
    else:
        return None
    if owner is None or owner.type != "identifier":
        return None
    return assignment, owner


def _functions_and_classes(block: Node) -> frozenset[bytes | None]:
    """Names of the functions and classes a block declares (``function f``, ``const C = class``)."""
    names: set[bytes | None] = set()
    for stmt in block.named_children:
        if stmt.type == "export_statement":
            stmt = stmt.child_by_field_name("declaration") or stmt
        if stmt.type in _DECLARATIONS:
            name = stmt.child_by_field_name("name")
            if name is not None:
                names.add(name.text)
        elif stmt.type in {"lexical_declaration", "variable_declaration"}:
            for declarator in stmt.named_children:
                name = declarator.child_by_field_name("name")
                value = declarator.child_by_field_name("value")
                if (
                    name is not None
                    and name.type == "identifier"
                    and value is not None
                    and (value.type in FUNCTION_VALUES or value.type == "class")
                ):
                    names.add(name.text)
    return frozenset(names)


def _content_start(node: Node) -> int:
    """Where a definition's own text starts, after decorators and comments."""
    for child in node.children:
        if child.type not in {"decorator", "comment"}:
            return child.start_byte
    return node.start_byte


def _decorators(node: Node, top: Node, src: bytes) -> list[str]:
    found = [c for c in node.children if c.type == "decorator"]
    if node.parent is not None and node.parent.type == "class_body":
        # TypeScript puts method decorators before the method, as siblings.
        prev = node.prev_named_sibling
        while prev is not None and prev.type == "decorator":
            found.insert(0, prev)
            prev = prev.prev_named_sibling
    if top is not node and top.type == "export_statement":
        found[:0] = [c for c in top.children if c.type == "decorator"]
    return [squash(text(d, src)[1:], 200) for d in found]


def _jsdoc(top: Node, src: bytes) -> str | None:
    anchor = top
    prev = anchor.prev_sibling
    while prev is not None and prev.type == "decorator":
        anchor, prev = prev, prev.prev_sibling
    if prev is None or prev.type != "comment" or not src[prev.start_byte :].startswith(b"/**"):
        return None
    if anchor.start_point[0] - prev.end_point[0] > 1:
        return None
    return clean_comment(text(prev, src)) or None


def _module_doc(root: Node, src: bytes) -> str | None:
    """A leading JSDoc block with a file tag, or set apart by a blank line."""
    first = root.children[0] if root.child_count else None
    if first is None or first.type != "comment" or not src[first.start_byte :].startswith(b"/**"):
        return None
    raw = text(first, src)
    following = first.next_sibling
    detached = following is None or following.start_point[0] - first.end_point[0] > 1
    lowered = raw.lower()
    tagged = any(tag in raw for tag in _MODULE_DOC_TAGS)
    if tagged or (detached and "copyright" not in lowered and "@license" not in lowered):
        return clean_comment(raw) or None
    return None


def _scan_file(program: Node, src: bytes) -> _FileFacts:
    """Collect exported local names and whether the file is a module at all."""
    facts = _FileFacts()
    for stmt in program.named_children:
        kind = stmt.type
        if kind == "import_statement":
            facts.is_module = True
        elif kind == "export_statement":
            facts.is_module = True
            for part in stmt.named_children:
                if part.type == "export_clause" and stmt.child_by_field_name("source") is None:
                    for spec in part.named_children:
                        facts.exported.add(text(spec.child_by_field_name("name"), src))
                elif part.type == "identifier":
                    facts.exported.add(text(part, src))
        elif kind in {"lexical_declaration", "variable_declaration"}:
            # A top-level `const x = require(...)` makes a CommonJS module.
            values = (d.child_by_field_name("value") for d in stmt.named_children)
            if any(v is not None and src.startswith(b"require(", v.start_byte) for v in values):
                facts.is_module = True
        elif kind == "expression_statement" and stmt.named_child_count == 1:
            _scan_commonjs(stmt.named_children[0], src, facts)
    return facts


def _scan_commonjs(expr: Node, src: bytes, facts: _FileFacts) -> None:
    """``module.exports = …`` and ``exports.x = …`` export their right-hand names."""
    if expr.type != "assignment_expression":
        return
    target, right = text(expr.child_by_field_name("left"), src), expr.child_by_field_name("right")
    if right is None or not target.startswith(("module.exports", "exports.")):
        return
    facts.is_module = True
    if right.type == "identifier":
        facts.exported.add(text(right, src))
    elif right.type == "object":
        for part in right.named_children:
            if part.type == "shorthand_property_identifier":
                facts.exported.add(text(part, src))
            elif part.type == "pair":
                value = part.child_by_field_name("value")
                if value is not None and value.type == "identifier":
                    facts.exported.add(text(value, src))


HOOKS = JavaScriptHooks()
