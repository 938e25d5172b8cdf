"""The per-language hooks interface, with generic defaults.

Query files say *where* definitions and references are; hooks say what the
grammar-specific details mean: parameters, docs, decorators, visibility,
supertypes, imports, module names and how an import finds its file.  Each
language's module in ``parse/resolvers`` subclasses :class:`LanguageHooks`
and exports an instance named ``HOOKS``.

Hooks are pure: they take tree-sitter nodes or plain paths and return plain
records.  They never touch the file system (the workspace is passed in as a
set of paths), SQL or LSP.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from codeidx.parse.records import ImportRecord, Param, TypeParam

if TYPE_CHECKING:
    from tree_sitter import Node

MAX_SIGNATURE = 400
MAX_DOC = 4000


@dataclass(slots=True)
class Details:
    """What hooks add to a definition beyond its name and range."""

    signature: str = ""
    doc: str | None = None
    decorators: list[str] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    type_params: list[TypeParam] = field(default_factory=list)
    visibility: str = "public"
    bases: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Wrappers:
    """A language's wrapper types: a value holding one value of another type.

    Rust's ``Option<T>`` and ``Result<T, E>`` come from outside the
    workspace, yet ``find(k)?.run()`` and ``find(k).unwrap().run()`` call
    ``T``'s ``run``; Python's ``list[Foo]`` holds the ``Foo`` a loop over
    it binds.  Receiver typing carries such a value as its content
    wrapped (``targets.wrap``) and opens it where these methods say.
    """

    #: Methods whose result is the content (``unwrap``, ``expect``).
    opening: frozenset[str] = frozenset()
    #: Methods whose result is the same wrapper of the same content
    #: (``as_ref``, ``clone``, ``ok``).
    keeping: frozenset[str] = frozenset()
    #: Every method of the wrapper types.  One of them not above gives what
    #: the index cannot know (``map``); any other name is a member of the
    #: content, the wrapper opened by an operator the index does not keep
    #: (Rust's ``let x = find(k)?;`` stores ``x = find(k)``).
    members: frozenset[str] = frozenset()
    #: Patterns whose one field binds the content: ``if let Some(x) = …``.
    patterns: frozenset[str] = frozenset()
    #: Whether a loop over a wrapper binds its content (Python's ``for x in
    #: items`` with ``items: list[Foo]``).
    iterated: bool = False
    #: A mapping's methods giving its values, to loop over (``d.values()``).
    values: frozenset[str] = frozenset()
    #: Methods passing the content to a closure's first parameter
    #: (``opt.map(|x| x.run())``, ``items.forEach((x) => x.run())``).
    passing: frozenset[str] = frozenset()
    #: Bytes from the end of such a method's name to that parameter:
    #: ``(|`` is 2 in Rust, ``((`` 2 and ``(`` 1 in TypeScript.
    passing_offsets: tuple[int, ...] = ()
    #: Methods whose result is an ``Option`` of the content, a wrapper of
    #: the language's ``wrappers`` (Rust's ``items.first()``, ``it.next()``).
    optional: frozenset[str] = frozenset()
    #: Whether a name none of the sets above lists is a member of the
    #: content (Rust's ``let e = load()?;`` is stored as ``e = load()``, so
    #: ``e.run()`` is the content's).  A sequence's other names are not
    #: known: a trait of the workspace may give them (syn's ``attrs.outer()``).
    transparent: bool = True


@dataclass(slots=True)
class Workspace:
    """The set of indexed paths, for module naming and import resolution.

    ``files`` holds workspace-relative POSIX paths; ``dirs`` every directory
    that contains one.  ``extra`` carries language-specific facts gathered by
    the index layer (``go.mod`` module paths, ``tsconfig.json`` path maps).
    """

    files: frozenset[str]
    dirs: frozenset[str] = frozenset()
    extra: dict[str, object] = field(default_factory=dict)
    #: Text of language configuration files (``go.mod``, ``tsconfig.json``,
    #: ``Cargo.toml``), keyed by workspace-relative path.  The index layer
    #: reads the names hooks list in ``config_files``; hooks only parse text.
    configs: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        paths: set[str] | frozenset[str],
        extra: dict[str, object] | None = None,
        configs: dict[str, str] | None = None,
    ) -> Workspace:
        dirs: set[str] = set()
        for p in paths:
            d = posixpath.dirname(p)
            while d and d not in dirs:
                dirs.add(d)
                d = posixpath.dirname(d)
        dirs.add("")
        return cls(frozenset(paths), frozenset(dirs), extra or {}, configs or {})


def text(node: Node | None, src: bytes) -> str:
    """The source text of a node, decoded leniently (bad UTF-8 never raises)."""
    if node is None:
        return ""
    return src[node.start_byte : node.end_byte].decode("utf-8", "replace")


def squash(value: str, limit: int = MAX_SIGNATURE) -> str:
    """Collapse whitespace runs so signatures fit on one line."""
    out = " ".join(value.split())
    return out if len(out) <= limit else out[: limit - 1] + "…"


def body_hash(node: Node, src: bytes) -> str:
    """A short hash of a definition's full text, to tell edits from moves."""
    return hashlib.blake2b(src[node.start_byte : node.end_byte], digest_size=8).hexdigest()


def clean_comment(raw: str) -> str:
    """Strip comment markers (``//``, ``///``, ``/** */``, ``#``) from a doc comment."""
    lines = []
    for line in raw.splitlines():
        s = line.strip()
        for prefix in ("/**", "/*!", "/*", "///", "//!", "//", "#"):
            if s.startswith(prefix):
                s = s[len(prefix) :]
                break
        if s.endswith("*/"):
            s = s[:-2]
        s = s.strip()
        if s.startswith("*"):
            s = s[1:].strip()
        lines.append(s)
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)[:MAX_DOC]


def bracket_depths(text: str, angles: bool = False) -> Iterator[tuple[int, int]]:
    """(index, bracket depth before it) of each character of ``text``.

    Brackets are ``([{`` (and ``<`` with ``angles``); ``->`` and ``=>`` close
    no angle bracket.
    """
    opening = "([{<" if angles else "([{"
    closing = ")]}>" if angles else ")]}"
    depth = 0
    for i, ch in enumerate(text):
        yield i, depth
        if ch in opening:
            depth += 1
        elif ch in closing and not (ch == ">" and text[i - 1 : i] in ("-", "=")):
            depth -= 1


def split_top(value: str, sep: str) -> list[str]:
    """``value`` split at ``sep`` where no bracket of ``([{<`` is open.

    For type texts (``Map<K, V> | null``); ``->`` and ``=>`` do not close a bracket.
    """
    parts: list[str] = []
    start = 0
    for i, depth in bracket_depths(value, angles=True):
        if depth == 0 and i >= start and value.startswith(sep, i):
            parts.append(value[start:i])
            start = i + len(sep)
    parts.append(value[start:])
    return parts


def split_assignment(statement: str) -> tuple[str, str | None]:
    """(target, value) of a declaration's text at its first ``=`` outside brackets.

    ``=>``, ``==``, ``!=``, ``<=`` and ``>=`` assign nothing; a type's
    ``<...>`` counts as brackets (``Map<K, V> m = ...``).  No ``=``: the
    whole text and None.
    """
    for i, depth in bracket_depths(statement, angles=True):
        if depth or statement[i] != "=":
            continue
        if statement[i + 1 : i + 2] in ("=", ">") or statement[i - 1 : i] in ("=", "!", "<", ">"):
            continue
        return statement[:i], statement[i + 1 :]
    return statement, None


def constructed(value: str) -> str:
    """``new C<T>(args)`` read as the call ``C(args)``, the way receivers read calls.

    Other values come back unchanged.
    """
    if not value.startswith("new "):
        return value
    callee, paren, args = value[4:].partition("(")
    callee = split_top(callee, "<")[0].strip()
    return f"{callee}({args}" if paren else f"{callee}()"


def declared_value(value: str | None, placeholders: frozenset[str] = frozenset()) -> str | None:
    """A declaration's value as receiver typing reads it, None when it says nothing of a type.

    Several values (``a, b = 1, 2``) and a placeholder assigned for real
    elsewhere (``null``) say nothing; ``new C<T>(args)`` reads as ``C(args)``.
    """
    if value is None:
        return None
    value = value.strip()
    if not value or value in placeholders or len(split_top(value, ",")) > 1:
        return None
    return constructed(value)


def group_end(text: str) -> int:
    """The index after the bracket group ``text`` starts with (its length if unclosed)."""
    for i, depth in bracket_depths(text):
        if depth == 1 and text[i] in ")]}":
            return i + 1
    return len(text)


def angle_end(text: str) -> int:
    """The index after the ``<…>`` group ``text`` starts with (its length if unclosed).

    ``->`` and ``=>`` close nothing (``<F: Fn(u8) -> u8>``, ``<F = () => void>``).
    """
    depth = 0
    for i, ch in enumerate(text):
        if ch == "<":
            depth += 1
        elif ch == ">" and text[i - 1 : i] not in ("-", "="):
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def after_arrow(signature: str) -> str | None:
    """The text after the first ``->`` outside brackets (a declared result), or None."""
    for i, depth in bracket_depths(signature):
        if depth == 0 and signature.startswith("->", i):
            return signature[i + 2 :]
    return None


class LanguageHooks:
    """Generic behaviour that suits C-like grammars; languages override parts."""

    #: Node types that are comments, for doc comments above definitions.
    comment_types: tuple[str, ...] = ("comment", "line_comment", "block_comment")
    #: Field names that hold a definition's body (the signature ends there).
    body_fields: tuple[str, ...] = ("body",)
    #: Configuration file names the index layer should read for this language
    #: (found in any folder holding indexed files) into ``Workspace.configs``.
    config_files: tuple[str, ...] = ()
    #: Whether qualified names start with the module name.  C and C++ have one
    #: global namespace, so their names start bare (``ns::Class::method``).
    module_prefix: bool = True
    #: Receiver names that mean "the enclosing class's instance or type".
    self_names: tuple[str, ...] = ("this",)
    #: Byte distances from the end of an assigned name to the start of its
    #: value that mean "bound to that value": `` = `` is 3 (``x = Foo()``);
    #: Go adds `` := `` (4) and an address taken (``x := &T{}``, 5), and
    #: JavaScript `` = new `` (7).
    value_offsets: tuple[int, ...] = (3,)
    #: Offsets from the second of two names bound together to a value whose
    #: element that name binds: Go's ``for i, x := range xs`` (10, and 9
    #: for ``= range``).  Read where a language says (see ``wrapped``).
    element_offsets: tuple[int, ...] = ()
    #: What a mapping's methods give (``keyed``) where they are not the
    #: ``wrappers``' (Python's ``dict`` and TypeScript's ``Map`` share them):
    #: Rust's ``map.get(k)`` gives an ``Option`` of a value.
    mappings: Wrappers | None = None
    #: What a sequence's methods give (``sequence``): Rust's ``Vec``, slices
    #: and sets, whose ``iter()``, ``first()`` and ``retain(|x| …)`` are not
    #: ``Option``'s.
    sequences: Wrappers = Wrappers()
    #: What an awaitable's methods give (``promised``): a TypeScript
    #: ``Promise``'s ``then`` passes its result to a closure; ``await``
    #: (a chain's part where the language writes it after the value, as
    #: Rust's ``load().await``) opens it.  No other name is the result's.
    promises: Wrappers = Wrappers(transparent=False)
    #: Bytes from the end of an assigned name to an awaited value:
    #: `` = await `` (9) in Python's ``x = await load()`` and TypeScript's
    #: ``const x = await load()``.  The name is bound to what the value,
    #: known to be awaitable, resolves to, and to nothing else.
    await_offsets: tuple[int, ...] = ()
    #: Bytes from the end of a loop's binding to the value it loops over:
    #: `` in `` (4) in Python's ``for x in xs``, `` of `` in TypeScript's.
    #: Rust's ``for x in &xs`` is 5 and ``&mut xs`` 9; its 4 is also
    #: ``let x = &y`` (see ``marked_loops``).  A loop binds an element where
    #: ``wrappers.iterated``.
    loop_offsets: tuple[int, ...] = (4,)
    #: Calls whose values are pairs of an index and an element of a sequence:
    #: Python's ``enumerate(xs)`` and Rust's ``xs.iter().enumerate()``.  A
    #: loop over one binds its second name to an element (``for i, x in``).
    indexed_pairs: frozenset[str] = frozenset()
    #: Methods of a mapping whose values are its (key, value) pairs:
    #: Python's ``d.items()``, Rust's ``map.iter()``.  A loop over one binds
    #: its second name to a value (``for k, v in d.items()``).
    keyed_pairs: frozenset[str] = frozenset()
    #: Whether the queries mark a loop's binding with the role ``loop``
    #: (records.ROLES): only those bindings are then read as loops.
    marked_loops: bool = False
    #: Kinds whose name is a reference to another definition, not a new name
    #: (a Rust ``impl Foo`` block names the type ``Foo``).
    reference_names: frozenset[str] = frozenset({"impl"})
    #: Whether a class's members are in scope unqualified inside its methods
    #: (Java, C++), rather than only through ``self``/``this`` (Python, JS).
    members_in_scope: bool = False
    #: Whether a declaration writes the type right before the name (``Foo x``,
    #: ``catch (E e)``, ``instanceof T t``), so a type one byte before a
    #: binding declares it.  Elsewhere (``case Point(x)`` in Python) the
    #: same layout means something else.
    type_before_name: bool = False
    #: Calls whose result stands for the enclosing class's bases (``super()``).
    super_names: tuple[str, ...] = ()
    #: Methods that receive the arguments of a call of their class
    #: (``Point(x=1)`` passes ``x`` to ``__init__``): a keyword argument of
    #: such a call names their parameter.
    constructor_names: tuple[str, ...] = ()
    #: Names every module sees without defining or importing them (Python's
    #: builtins): resolution never guesses a workspace definition for them.
    builtins: frozenset[str] = frozenset()
    #: Method names of the language's built-in types (a string's ``split``,
    #: an array's ``push``): a call of one on a receiver of unknown type is
    #: most likely the built-in, so a by-name guess for it ranks below
    #: ``MIN_CONFIDENCE`` (references and callers leave it out by default).
    builtin_members: frozenset[str] = frozenset()

    #: Whether a name bound after a value on its line has that value's type
    #: (Python's ``with open(p) as f``, ``except E as e``).  A Rust name so
    #: written is a pattern's part (``E::A(x) =>``, ``if let Some(x) =``) or a
    #: closure's parameter (``xs.map(|x| …)``), never the value itself.
    value_before_binding: bool = True
    #: Whether a function may bind one name to values of different types:
    #: Rust's ``let x = x.parse()?`` shadows ``x``, and ``Left(t) =>`` and
    #: ``Right(t) =>`` bind ``t`` in two match arms.  Bindings are not told
    #: apart by where they hold, so a local's type is then known only when
    #: every binding of it says the same (not the union of what they say).
    shadowing: bool = False
    #: Whether ``Name(x)`` binding ``x`` is a pattern taking a tuple-like
    #: definition apart, ``x`` its first field (Rust's ``Either::Left(x) =>``
    #: and ``let Meters(m) = d``): see ``tuple_fields``.  Python's ``case
    #: Point(x)`` binds whatever ``__match_args__`` names first.
    tuple_patterns: bool = False
    #: Whether a destructuring pattern names its type right before its parts
    #: (Rust's ``let Car { engine, .. } = car`` and ``let Self { a, b } =
    #: self``): the parts are that type's members, whatever the value is.
    typed_patterns: bool = False
    #: Whether ``x.f()`` always calls a method and ``x.f`` always reads a
    #: field, so a field and a method of one name are told apart by the call
    #: (Rust's ``len`` and ``len()``).  A Python call may call a field
    #: holding a function, and a read may run a property.
    calls_name_methods: bool = False
    #: Whether types and values have names of their own (Rust: syn's
    #: ``struct Ident`` and its ``fn Ident``), so a name in a type's place or
    #: a struct literal is the type and a called one the value.
    type_namespace: bool = False
    #: Methods of standard traits any type may derive whose result is the
    #: receiver's own type (Rust's ``Foo::default()``, ``x.clone()``): a
    #: workspace type that does not write them itself still gives itself.
    self_results: frozenset[str] = frozenset()
    #: Whether a name bound nowhere in a file that names a top-level module
    #: of the workspace's files of the language is that module: Rust's crates
    #: are in scope by name without a ``use`` (the extern prelude), so a
    #: test calls ``syn::parse_str`` and a crate names ``serde::de::Error``.
    #: Languages whose modules must be imported keep this off.
    extern_modules: bool = False
    #: Whether a class body is a scope of its own, whose names code written
    #: directly in it sees bare (Python evaluates a method's annotations and
    #: defaults in the class body).  A Rust impl's or struct's items are
    #: reached only through a path (``Self::new``): ``fmt`` in the
    #: ``fmt::Formatter`` of a method's signature is never the method ``fmt``.
    class_body_scope: bool = True
    #: Whether a definition's type parameters can type a value: a value of
    #: type ``V`` in Rust's ``fn f<V: Visit>(v: &mut V)`` has the methods of
    #: the traits that bound ``V``.  Resolution reads ``type_bounds`` of the
    #: definitions around a name only when this is set.
    bounded_type_parameters: bool = False
    #: Whether an expression may start with a type parameter (Rust's
    #: ``T::default()``).  A TypeScript one is a type only: ``Rpc.Any`` in
    #: ``type F<Rpc extends Rpc.Any>`` names the imported namespace ``Rpc``.
    type_parameter_heads: bool = False
    #: Whether a function with methods written outside it is a class of its
    #: own (JavaScript's ``Foo.prototype.bar = function …``, ``Foo.bar =
    #: …``): calling it, with ``new`` or without, makes an instance whose
    #: members are those methods, and ``this`` in them, or in the function,
    #: is such an instance.  Elsewhere a method written outside its type (a
    #: Go method, a C++ one defined out of line) says nothing of a function.
    constructor_functions: bool = False
    #: The language's wrapper types' methods and patterns (see ``wrapped``).
    wrappers: Wrappers = Wrappers()
    #: Kinds of definitions a name reaches anywhere in its crate without an
    #: import: Rust's ``macro_rules!`` macros, which ``#[macro_use]`` and
    #: ``#[macro_export]`` make visible crate-wide.  The crate is the first
    #: part of a module's name; its one such definition of a name that
    #: nothing else binds is the answer.
    crate_wide_kinds: frozenset[str] = frozenset()

    def assigned(self, statement: str) -> tuple[str | None, str | None]:
        """(annotation, value) texts of a variable's one-line statement, if known.

        Resolution reads a receiver's type from them (``x = Foo()`` makes
        ``x.run`` mean ``Foo.run``); languages that do not say return neither.
        """
        return None, None

    def return_annotation(self, signature: str) -> str | None:
        """The declared result type in a function's signature text, if any."""
        return None

    def annotation_names(self, annotation: str) -> list[str]:
        """The dotted names of the classes a type annotation's text stands for."""
        return []

    def wrapped(self, annotation: str) -> str | None:
        """The content's type text when an annotation names a wrapper type, else None.

        Rust's ``Option<&Foo>`` gives ``&Foo`` and ``Result<Foo, E>`` gives
        ``Foo``; ``wrappers`` says what the wrapper's methods give.
        """
        return None

    def sequence(self, annotation: str) -> str | None:
        """The element type when an annotation names a sequence whose methods are ``sequences``.

        Rust's ``Vec<Foo>``, ``&[Foo]`` and ``HashSet<Foo>``; a language
        whose sequences share the ``wrappers`` methods (Python's lists)
        answers through ``wrapped`` instead.
        """
        return None

    def keyed(self, annotation: str) -> str | None:
        """The value type when an annotation names a mapping: ``Foo`` of ``dict[str, Foo]``.

        An index (``handlers[name]``) and the ``opening`` methods
        (``get``) give one; a loop over the mapping gives its keys.
        """
        return None

    def promised(self, annotation: str) -> str | None:
        """The result type when an annotation names an awaitable: ``Foo`` of ``Promise<Foo>``.

        Awaiting the value gives one (``await_offsets``); ``promises`` says
        what its methods give.
        """
        return None

    def call_result(self, signature: str) -> str | None:
        """The type of what calling a function gives, from its signature text.

        The declared result, except where the language makes a call of an
        ``async`` function an awaitable of it (Python's ``async def f() ->
        Foo`` and Rust's ``async fn``), which this then names so that
        ``promised`` reads it.
        """
        return self.return_annotation(signature)

    def aliased(self, signature: str) -> str | None:
        """The type text a type alias's signature stands for, if the language says.

        ``type ParseStream<'a> = &'a ParseBuffer<'a>`` gives ``&'a
        ParseBuffer<'a>``: a value of the alias has that type's members.
        """
        return None

    def extended_type(self, signature: str) -> str | None:
        """The type a block adding members to a type names, from its signature.

        A Rust ``impl<T> Trait for Foo<T>`` block gives ``Foo<T>``: its
        ``self`` has the type's fields and other impls' methods too.  Only
        impl blocks are asked.
        """
        return None

    def type_bounds(self, signature: str) -> dict[str, list[str]]:
        """A definition's type parameters, each with the type texts bounding it.

        Read only when ``bounded_type_parameters`` is set.  A parameter
        without bounds maps to [] (it still hides outer names of its own).
        """
        return {}

    def pattern_keys(self, pattern: str) -> dict[str, tuple[str, ...]]:
        """The names a destructuring parameter binds, each with the member path it takes.

        ``pattern`` is a parameter's stored name; a plain name is no pattern
        and gives {}.  ``{ a, b: c, d: { e } }`` gives ``a`` → (``a``,),
        ``c`` → (``b``,) and ``e`` → (``d``, ``e``): the parameter's type's
        member ``a`` is ``a``'s type.  A rest element or a part not understood
        is left out, never guessed.
        """
        return {}

    def tuple_fields(self, signature: str) -> list[str]:
        """The field types of a tuple-like definition, in order, from its signature.

        Read only when ``tuple_patterns`` is set, for the definition a
        pattern names.
        """
        return []

    def receiver_chain(self, receiver: str) -> str:
        """A receiver's text as the chain of names and calls receiver typing reads.

        JavaScript's ``new C(a).f()`` has the receiver ``new C(a)``, which
        reads as the call ``C(a)``; most languages leave the text as it is.
        """
        return receiver

    def path_root(self, segment: str, module_name: str) -> str | None:
        """The module a leading path segment names relative to the current module.

        Rust's ``crate::`` and ``super::`` are such segments; most languages
        have none.
        """
        return None

    def tree_module_name(self, root: Node, src: bytes, default: str) -> str:
        """The module name as the file declares it (Java's ``package``), else the default."""
        return default

    def extra_qualifier(self, node: Node, kind: str, src: bytes) -> str | None:
        """A container named outside the nesting (a Go method's receiver type), if any."""
        return None

    def refine_kind(self, node: Node, kind: str, parent_kind: str | None) -> str | None:
        """Adjust a captured kind by context (a function inside a class is a method).

        Returning None drops the capture (it is not a definition after all).
        """
        if kind == "function" and parent_kind in {"class", "struct", "interface", "trait", "impl"}:
            return "method"
        return kind

    def describe(self, node: Node, kind: str, name: str, src: bytes) -> Details:
        """Signature, doc, parameters and the rest for one definition."""
        return Details(
            signature=self.signature(node, src),
            doc=self.doc_comment(node, src),
            params=self.params(node, src),
            type_params=self.type_params(node, src),
            visibility=self.visibility(node, name, src),
        )

    def signature(self, node: Node, src: bytes) -> str:
        """The definition's text up to its body, on one line."""
        end = node.end_byte
        for name in self.body_fields:
            body = node.child_by_field_name(name)
            if body is not None:
                end = body.start_byte
                break
        raw = src[node.start_byte : end].decode("utf-8", "replace")
        if end == node.end_byte:
            # No body field: a one-line declaration, or a block we cannot cut.
            raw = raw.split("\n", 1)[0]
        return squash(raw.rstrip(" {:=\n\t"))

    def doc_comment(self, node: Node, src: bytes) -> str | None:
        """Comments directly above a definition (no blank line between)."""
        parts: list[str] = []
        anchor = node
        prev = node.prev_sibling
        while prev is not None and prev.type in self.comment_types:
            if anchor.start_point[0] - prev.end_point[0] > 1:
                break
            parts.append(text(prev, src))
            anchor = prev
            prev = prev.prev_sibling
        if not parts:
            return None
        return clean_comment("\n".join(reversed(parts))) or None

    def params(self, node: Node, src: bytes) -> list[Param]:
        """Formal parameters; the default knows nothing and returns none."""
        return []

    def type_params(self, node: Node, src: bytes) -> list[TypeParam]:
        """Generic parameters from a ``type_parameters`` field, names only."""
        tps = node.child_by_field_name("type_parameters")
        if tps is None:
            return []
        out = []
        for child in tps.named_children:
            name = child.child_by_field_name("name")
            label = text(name, src) if name is not None else text(child, src)
            out.append(TypeParam(name=label))
        return out

    def visibility(self, node: Node, name: str, src: bytes) -> str:
        return "public"

    def extract_imports(self, root: Node, src: bytes) -> list[ImportRecord]:
        """Import statements of a file; languages without imports return none."""
        return []

    def module_name(self, path: str, workspace: Workspace) -> str:
        """The qualified name of the file's module: the path without extension."""
        return posixpath.splitext(path)[0]

    def resolve_import(self, imp: ImportRecord, path: str, workspace: Workspace) -> str | None:
        """The workspace file an import refers to, or None when external/unknown."""
        return None
