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

Two sibling modules do the reading these rules apply to:
:mod:`~codeidx.parse.resolvers.javascript_syntax` finds the statement,
value, docs and exports around a definition, and
:mod:`~codeidx.parse.resolvers.javascript_imports` reads import records and
finds the file a specifier names.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from tree_sitter import Query, QueryCursor

from codeidx.parse import registry
from codeidx.parse.hooks import (
    Details,
    LanguageHooks,
    Workspace,
    Wrappers,
    constructed,
    declared_value,
    group_end,
    split_assignment,
    split_top,
    squash,
    text,
)
from codeidx.parse.records import ImportRecord, Param
from codeidx.parse.resolvers.javascript_imports import (
    IMPORT_QUERY,
    PathConfig,
    import_statement,
    load_config,
    path_targets,
    probe,
    reexport,
    require,
    strip_extension,
)
from codeidx.parse.resolvers.javascript_packages import package_target
from codeidx.parse.resolvers.javascript_syntax import (
    FUNCTION_VALUES,
    FileFacts,
    callable_of,
    class_of,
    content_start,
    declarator_of,
    decorators_of,
    functions_and_classes,
    in_ambient_block,
    jsdoc,
    member_assignment,
    module_doc,
    scan_file,
    statement_of,
    value_of,
)

if TYPE_CHECKING:
    from tree_sitter import Node

# Nodes whose members are not statements: visibility comes from modifiers.
MEMBER_CONTAINERS = frozenset(
    {"class_body", "interface_body", "object_type", "enum_body", "object"}
)
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
BUILTIN_MEMBERS = frozenset(
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
#: A binding or a property name as a destructuring pattern writes it.
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_SIMPLE_NAME = re.compile(r"#?[A-Za-z_$][\w$]*[?!]?")
# Values that say nothing of a type assigned for real elsewhere.
_PLACEHOLDERS = frozenset({"null", "undefined", "void 0"})
# Where a statement assigning members may sit beside their owner's declaration.
_BLOCKS = frozenset({"program", "statement_block"})


#: The configurations whose ``paths`` and ``baseUrl`` map bare specifiers.
_PATH_CONFIGS = ("tsconfig.json", "jsconfig.json")


class JavaScriptHooks(LanguageHooks):
    """ECMAScript details shared by JavaScript, TypeScript and TSX."""

    config_files = (*_PATH_CONFIGS, "package.json")
    self_names = ("this",)
    builtins = _GLOBALS
    builtin_members = BUILTIN_MEMBERS
    #: ``function Foo() {}`` with ``Foo.prototype.bar = function …`` is a class.
    constructor_functions = True
    #: ``x = <chain>`` and ``x = new <Class>(...)``.
    value_offsets = (3, 7)
    #: ``const x = await <chain>``.
    await_offsets = (9,)
    #: A ``Promise``'s methods: ``then`` passes its result on, ``catch`` and
    #: ``finally`` give a promise of it; ``await`` is a receiver's ``(await
    #: p).run()`` (see ``receiver_chain``).
    promises = Wrappers(
        opening=frozenset({"await"}),
        keeping=frozenset({"catch", "finally"}),
        members=frozenset({"then", "catch", "finally"}),
        passing=frozenset({"then"}),
        passing_offsets=(1, 2),
        transparent=False,
    )
    #: Grammars (registry language names) whose trees these hooks receive.
    grammars: tuple[str, ...] = ("javascript",)

    def __init__(self) -> None:
        self._import_queries: dict[int, Query] | None = None
        self._facts: tuple[bytes, int, FileFacts] | None = None
        self._declared: tuple[Node, frozenset[bytes | None]] | None = None

    # -- kinds -------------------------------------------------------------

    def refine_kind(self, node: Node, kind: str, parent_kind: str | None) -> str | None:
        if kind == "method":
            assigned = member_assignment(node)
            if assigned is not None:
                # A member only of a function or class declared beside it;
                # an accessor stays a method too, so it is no module-level name.
                return kind if self._declares(*assigned) else None
        if kind == "function" and node.type == "assignment_expression":
            # `exports.Name = class {}`: one CommonJS pattern captures
            # functions and classes, as functions.
            value = value_of(node)
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
            declarator = declarator_of(node)
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
        assigned = member_assignment(node) if kind == "method" else None
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
            names = functions_and_classes(block)
            self._declared = (block, names)
        return owner.text in names

    # -- details -----------------------------------------------------------

    def describe(self, node: Node, kind: str, name: str, src: bytes) -> Details:
        if kind == "module":
            return Details(doc=module_doc(node, src))
        top, declared_public = statement_of(node)
        callable_ = callable_of(node)
        cls = class_of(node)
        details = Details(
            signature=self.signature_of(node, src),
            doc=jsdoc(top, src),
            decorators=decorators_of(node, top, src),
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
        # ``this.engine = new Engine()``, a field assigned in a method.
        target = target.strip().removeprefix("this.")
        words = target.split()
        while words and words[0] in _DECLARATION_WORDS:
            words.pop(0)
        head = " ".join(words)
        name, colon, annotation = head.partition(":")
        if not _SIMPLE_NAME.fullmatch(name.strip()):
            return None, None
        declared = squash(annotation).strip() or None if colon else None
        return declared, declared_value(value, _PLACEHOLDERS)

    def pattern_keys(self, pattern: str) -> dict[str, tuple[str, ...]]:
        """``{ a, b: c = 1, d: { e } }``: ``a`` → (a,), ``c`` → (b,), ``e`` → (d, e)."""
        out: dict[str, tuple[str, ...]] = {}
        _object_pattern_keys(pattern.strip(), (), out)
        return out

    def receiver_chain(self, receiver: str) -> str:
        """``new C(a)`` and ``(new C(a))`` read as the call ``C(a)``; ``await p`` as ``p.await``."""
        if receiver[:1] == "(" and receiver[-1:] == ")" and group_end(receiver) == len(receiver):
            receiver = receiver[1:-1].strip()
        if receiver.startswith("await "):
            return f"{self.receiver_chain(receiver[6:].strip())}.await"
        return constructed(receiver)

    def signature_of(self, node: Node, src: bytes) -> str:
        """One line of declaration text: up to the body, or the head of a value."""
        start = content_start(node)
        prefix = ""
        target = node
        parent = node.parent
        if node.type == "member_expression" and parent is not None:
            # ``this.engine = new Engine()``: a field assigned in a method
            # (the only definition a member expression stands for).
            target = parent
        declarator = declarator_of(node)
        if declarator is not None:
            # `const a = …` and destructured names show their whole declaration.
            declaration = declarator.parent
            if declaration is not None and declaration.child_count:
                prefix = text(declaration.children[0], src) + " "
            start, target = declarator.start_byte, declarator
        value = value_of(target)
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
        if node.type == "member_expression":
            # ``this.engine = …`` in a method: a member of the class.
            return self.member_visibility(node, name)
        parent = node.parent
        if parent is not None and (
            parent.type in MEMBER_CONTAINERS or parent.type == "formal_parameters"
        ):
            # A member, or a TypeScript parameter property (the only
            # parameters that are definitions).
            return self.member_visibility(node, name)
        if declared_public or in_ambient_block(top):
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
                import_statement(node, src)
                if capture == "import"
                else reexport(node, src)
                if capture == "export"
                else require(node, src, "require" if capture == "require" else "import")
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
                queries[lang.id_for_node_kind("program", True) or 0] = Query(lang, IMPORT_QUERY)
            self._import_queries = queries
        return self._import_queries.get(root.kind_id)

    def _file_facts(self, program: Node, src: bytes) -> FileFacts:
        """Exports and module-ness of a file, computed once per parsed file.

        ``describe`` runs once per definition, so the scan is kept for the
        file being extracted.  The cache is one tuple swapped whole, keyed by
        the source object and tree, so threads sharing ``HOOKS`` at worst
        recompute it.
        """
        cached = self._facts
        if cached is not None and cached[0] is src and cached[1] == program.id:
            return cached[2]
        facts = scan_file(program, src)
        self._facts = (src, program.id, facts)
        return facts

    # -- modules -----------------------------------------------------------

    def module_name(self, path: str, workspace: Workspace) -> str:
        stem = strip_extension(path)
        if posixpath.basename(stem) == "index" and "/" in stem:
            stem = posixpath.dirname(stem)
        return stem

    def resolve_import(self, imp: ImportRecord, path: str, workspace: Workspace) -> str | None:
        spec = imp.module.split("?", 1)[0]
        if "#" in spec[1:]:
            # A fragment (``./a.js#x``); a leading ``#`` is a package import.
            spec = spec[:1] + spec[1:].split("#", 1)[0]
        if not spec or spec.startswith("/"):
            return None
        if spec == "." or spec == ".." or spec.startswith(("./", "../")):
            base = posixpath.normpath(posixpath.join(posixpath.dirname(path), spec))
            return None if base.startswith("..") else probe(base, workspace)
        config = self.path_config(path, workspace)
        if config is not None:
            for target in path_targets(config, spec):
                found = probe(target, workspace)
                if found is not None:
                    return found
            if config.base_url is not None:
                found = probe(posixpath.normpath(posixpath.join(config.base_url, spec)), workspace)
                if found is not None:
                    return found
        # A package: in ``node_modules`` above, or one of the workspace's own.
        return package_target(spec, path, workspace)

    def path_config(self, path: str, workspace: Workspace) -> PathConfig | None:
        """The configuration nearest above a file, parsed once per workspace."""
        cache = workspace.extra.get("javascript_path_configs")
        if not isinstance(cache, dict):
            cache = workspace.extra["javascript_path_configs"] = {}
        folder = posixpath.dirname(path)
        while True:
            for name in _PATH_CONFIGS:
                key = posixpath.join(folder, name) if folder else name
                if key in workspace.configs:
                    if key not in cache:
                        cache[key] = load_config(key, workspace.configs, 0)
                    config: PathConfig = cache[key]
                    return config
            if not folder:
                return None
            folder = posixpath.dirname(folder)


HOOKS = JavaScriptHooks()


def _object_pattern_keys(
    pattern: str, path: tuple[str, ...], out: dict[str, tuple[str, ...]]
) -> None:
    """Add what an object pattern's text binds to ``out`` (see ``pattern_keys``).

    Computed keys (``[k]: v``), rest elements and array patterns name no
    member, and a text cut short (an over-long stored name) ends unclosed:
    those parts are left out.
    """
    if not (pattern[:1] == "{" and pattern[-1:] == "}" and group_end(pattern) == len(pattern)):
        return
    for part in split_top(pattern[1:-1], ","):
        target, _value = split_assignment(part)
        key, colon, inner = (p.strip() for p in target.partition(":"))
        if not _IDENTIFIER.fullmatch(key):
            continue
        if not colon:
            out[key] = (*path, key)
        elif _IDENTIFIER.fullmatch(inner):
            out[inner] = (*path, key)
        else:
            _object_pattern_keys(inner, (*path, key), out)
