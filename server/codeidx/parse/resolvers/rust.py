"""Rust: signatures, doc comments, attributes, generics, `use` imports and crate modules.

This module owns what the Rust grammar means beyond where definitions are:
parameters (``self`` receivers included), generics with their trait bounds
and simple ``where`` clauses, ``///``/``//!``/``/** */`` docs, attributes as
decorators, visibility, supertraits and implemented traits, ``use``/``mod``/
``extern crate`` imports, crate-relative module names and import resolution.
It only reads tree-sitter nodes and the workspace's path set and
``Cargo.toml`` texts; it must not touch the file system, SQL or LSP.

Module names are crate-relative paths prefixed by the crate's name (from
``Cargo.toml``, ``[lib] name`` over ``[package] name``, dashes made
underscores; else the crate folder's name; ``crate`` for a nameless crate at
the workspace root), so modules of different crates never collide:
``src/lib.rs`` and ``src/main.rs`` are ``mycrate``, ``src/a.rs`` and
``src/a/mod.rs`` are ``mycrate::a``.  Other targets of a package are named
under it: ``src/bin/tool.rs`` is ``mycrate::bin::tool`` and
``tests/it.rs`` is ``mycrate::tests::it``.  A crate is the nearest ancestor
folder holding a ``Cargo.toml`` (from ``Workspace.configs``) or a ``src``
folder; files outside any crate are named by their path (``a/b.rs`` is
``a::b``).
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from tree_sitter import Query, QueryCursor

from codeidx.parse import registry
from codeidx.parse.hooks import (
    Details,
    LanguageHooks,
    Workspace,
    Wrappers,
    after_arrow,
    angle_end,
    clean_comment,
    group_end,
    split_top,
    squash,
    text,
)
from codeidx.parse.records import ImportedName, ImportRecord, Param, TypeParam

if TYPE_CHECKING:
    from tree_sitter import Node

_SEP = "::"
# Body node types where a signature ends; other definitions keep their whole text.
_BODY_TYPES = frozenset(
    {"block", "declaration_list", "field_declaration_list", "enum_variant_list"}
)
_COMMENTS = frozenset({"line_comment", "block_comment"})
_OUTER_DOC, _INNER_DOC, _NOT_DOC = ("///", "/**"), ("//!", "/*!"), ("////", "/***", "/**/")
_CALLABLE = frozenset({"function", "method"})
_CONTAINERS = frozenset({"trait", "impl"})
# Package targets that are crate roots of their own, named under the package.
_TARGET_DIRS = frozenset({"bin", "tests", "examples", "benches"})
_ROOT_STEMS = frozenset({"lib", "main"})
_TYPE_PARAMS = frozenset(
    {"type_parameter", "lifetime_parameter", "const_parameter", "constrained_type_parameter"}
)


#: Pointers whose methods are their content's (auto-dereference).
_DEREF_POINTERS = frozenset({"Box", "Rc", "Arc"})
#: What every Rust module sees without a ``use``: the standard prelude's
#: types, traits and values, the primitive types and the standard crates.
#: A receiver of such a type (``&mut fmt::Formatter`` aside, which is
#: imported) comes from outside the workspace and gets no by-name guess.
_PRELUDE = frozenset(
    {
        *("Box", "Option", "Some", "None", "Result", "Ok", "Err", "String", "Vec"),
        *("Copy", "Send", "Sized", "Sync", "Unpin", "Drop", "Fn", "FnMut", "FnOnce"),
        *("Clone", "PartialEq", "PartialOrd", "Eq", "Ord", "AsRef", "AsMut", "Into", "From"),
        *("Default", "Iterator", "Extend", "IntoIterator", "DoubleEndedIterator"),
        *("ExactSizeIterator", "ToOwned", "ToString", "TryFrom", "TryInto", "FromIterator"),
        *("drop", "bool", "char", "str", "f32", "f64", "i8", "i16", "i32", "i64", "i128"),
        *("isize", "u8", "u16", "u32", "u64", "u128", "usize", "std", "core", "alloc"),
    }
)
#: ``Option`` and ``Result``: what their methods give (``hooks.Wrappers``).
_WRAPPER_TYPES = frozenset({"Option", "Result"})
#: Boxed futures of the ``futures`` crate, whose last type argument is their output.
_BOXED_FUTURES = frozenset({"BoxFuture", "LocalBoxFuture"})
#: A function header's keyword, and ``async`` among the qualifiers before it
#: (``pub(crate) async unsafe fn``).
_FN = re.compile(r"\bfn\b")
_ASYNC = re.compile(r"\basync\b")
_WRAPPERS = Wrappers(
    opening=frozenset(
        {
            *("unwrap", "expect", "unwrap_or", "unwrap_or_else", "unwrap_or_default"),
            *("unwrap_unchecked", "insert", "get_or_insert", "get_or_insert_with"),
            "get_or_insert_default",
        }
    ),
    keeping=frozenset(
        {
            *("as_ref", "as_mut", "as_deref", "as_deref_mut", "clone", "take", "take_if"),
            *("replace", "copied", "cloned", "ok", "or", "or_else", "xor", "filter"),
            *("inspect", "inspect_err", "map_err"),
        }
    ),
    members=frozenset(
        {
            # Option's own methods, then Result's, then the prelude traits'.
            *("is_some", "is_some_and", "is_none", "is_none_or", "as_ref", "as_mut"),
            *("as_pin_ref", "as_pin_mut", "as_slice", "as_mut_slice", "expect", "unwrap"),
            *("unwrap_or", "unwrap_or_else", "unwrap_or_default", "unwrap_unchecked", "map"),
            *("inspect", "map_or", "map_or_else", "ok_or", "ok_or_else", "as_deref"),
            *("as_deref_mut", "iter", "iter_mut", "and", "and_then", "filter", "or"),
            *("or_else", "xor", "insert", "get_or_insert", "get_or_insert_default"),
            *("get_or_insert_with", "take", "take_if", "replace", "zip", "unzip"),
            *("copied", "cloned", "transpose", "flatten", "is_ok", "is_ok_and", "is_err"),
            *("is_err_and", "ok", "err", "map_err", "inspect_err", "expect_err"),
            *("unwrap_err", "into_ok", "into_err", "unwrap_err_unchecked", "clone"),
            *("clone_from", "eq", "ne", "cmp", "partial_cmp", "lt", "le", "gt", "ge"),
            *("max", "min", "clamp", "hash", "fmt", "into_iter", "into", "try_into"),
            *("to_owned", "borrow", "borrow_mut", "sum", "product"),
        }
    ),
    patterns=frozenset({"Some", "Ok"}),
    passing=frozenset(
        {"map", "and_then", "is_some_and", "is_none_or", "is_ok_and", "filter", "inspect"}
        | {"take_if"}
    ),
    passing_offsets=(2,),
)
#: The standard sequences and sets: what ``sequence`` gives the element of.
_SEQUENCE_TYPES = frozenset(
    {"Vec", "VecDeque", "LinkedList", "BinaryHeap", "HashSet", "BTreeSet", "IndexSet"}
)
#: The standard maps: what ``keyed`` gives the value type of.
_MAPPING_TYPES = frozenset({"HashMap", "BTreeMap", "IndexMap"})
#: Method names of the standard library's common types and prelude traits
#: (``Iterator``, ``str``, ``String``, slices and ``Vec``, the maps and sets,
#: ``char``, the integers, ``fmt``, ``io``, ``Rc``/``RefCell``), besides
#: ``Option``'s and ``Result``'s: a call of one on a receiver of unknown
#: type is most likely the standard one (``hooks.builtin_members``).
_STD_MEMBERS = _WRAPPERS.members | frozenset(
    """
    next map filter filter_map flat_map flatten fold for_each collect count last nth
    step_by chain zip enumerate peekable peek skip skip_while take take_while map_while
    scan fuse by_ref partition try_fold try_for_each reduce all any find find_map
    position rposition max_by_key max_by min_by_key min_by rev unzip cycle size_hint
    next_back rfold rfind nth_back len is_empty chars char_indices bytes split splitn
    rsplit rsplitn split_whitespace split_terminator lines contains starts_with
    ends_with replacen to_lowercase to_uppercase to_ascii_lowercase to_ascii_uppercase
    trim trim_start trim_end trim_matches trim_start_matches trim_end_matches
    strip_prefix strip_suffix parse as_bytes as_str as_ptr get get_mut
    is_char_boundary split_at split_at_mut split_once rsplit_once matches match_indices
    repeat eq_ignore_ascii_case escape_debug escape_default to_string into_bytes
    into_boxed_str push push_str pop insert_str remove truncate clear capacity reserve
    shrink_to_fit drain retain extend extend_from_slice split_off append swap_remove
    first last_mut first_mut split_first split_last sort sort_by sort_by_key
    sort_unstable sort_unstable_by sort_unstable_by_key dedup dedup_by_key reverse
    binary_search binary_search_by binary_search_by_key windows chunks chunks_exact
    concat join to_vec resize as_mut_ptr copy_from_slice clone_from_slice fill swap
    rotate_left rotate_right contains_key entry keys values values_mut into_keys
    into_values or_insert or_insert_with or_default and_modify union intersection
    difference symmetric_difference is_subset is_superset range is_alphabetic
    is_alphanumeric is_ascii is_ascii_digit is_digit is_numeric is_whitespace
    is_uppercase is_lowercase to_digit len_utf8 len_utf16 encode_utf8
    is_ascii_alphabetic is_ascii_alphanumeric is_ascii_punctuation is_ascii_whitespace
    is_ascii_hexdigit is_ascii_uppercase is_ascii_lowercase is_control checked_add
    checked_sub checked_mul checked_div saturating_add saturating_sub wrapping_add
    wrapping_sub wrapping_mul overflowing_add pow abs to_be_bytes to_le_bytes
    leading_zeros trailing_zeros count_ones is_power_of_two next_power_of_two signum
    write_str write_fmt write_char debug_struct debug_tuple debug_list debug_map
    debug_set field finish entries pad alternate precision width read write write_all
    flush read_to_string read_line read_exact set upgrade downgrade lock try_lock
    deref deref_mut drop from_iter from_str
    """.split()  # noqa: SIM905 (a word list reads better than quoted items)
)
#: What the methods of sequences, slices and their iterators give
#: (``hooks.sequences``): ``iter()`` the elements again, ``first()`` an
#: ``Option`` of one, ``any(|x| …)`` one to its closure.  The standard
#: library's other methods (``len``, ``map``) give nothing of the
#: workspace's; another name may be a workspace trait's.
_SEQUENCES = Wrappers(
    keeping=frozenset(
        {
            *("iter", "iter_mut", "into_iter", "drain", "rev", "skip", "take", "step_by"),
            *("filter", "skip_while", "take_while", "cloned", "copied", "peekable"),
            *("by_ref", "fuse", "inspect", "cycle", "as_slice", "as_mut_slice", "to_vec"),
            *("clone", "to_owned", "chain"),
        }
    ),
    optional=frozenset(
        {
            *("first", "last", "get", "get_mut", "first_mut", "last_mut", "pop"),
            *("pop_front", "pop_back", "front", "back", "front_mut", "back_mut", "next"),
            *("next_back", "nth", "nth_back", "find", "max", "min", "max_by_key"),
            *("min_by_key", "max_by", "min_by", "peek", "reduce", "find_map"),
        }
    ),
    iterated=True,
    passing=frozenset(
        {
            *("map", "filter", "for_each", "any", "all", "find", "position", "rposition"),
            *("filter_map", "flat_map", "inspect", "take_while", "skip_while", "map_while"),
            *("max_by_key", "min_by_key", "retain", "retain_mut", "sort_by_key"),
            *("sort_unstable_by_key", "sort_by_cached_key", "partition", "find_map"),
        }
    ),
    passing_offsets=(2,),
    members=_STD_MEMBERS,
    transparent=False,
)
#: What a map's methods give (``hooks.mappings``): ``get(k)`` an ``Option``
#: of a value, ``values()`` the values; its other standard methods give
#: nothing of the workspace's.
_MAPPINGS = Wrappers(
    keeping=frozenset({"clone"}),
    optional=frozenset({"get", "get_mut", "remove"}),
    values=frozenset({"values", "values_mut", "into_values"}),
    members=_STD_MEMBERS,
    transparent=False,
)
#: The ``?`` operator after a call, a name or an index: ``find(k)?.run()``.
_TRY = re.compile(r"(?<=[\w)\]])\?")
#: Where an item's generic parameters start: ``impl<``, ``fn name<``, ``struct Name<``.
_GENERICS = re.compile(r"\b(?:impl|(?:fn|struct|enum|union|trait|type)\s+(?:r#)?\w+)\s*<")
_IMPL = re.compile(r"\bimpl\b")
#: A tuple struct's or tuple variant's head, up to its generics or fields.
_TUPLE_HEAD = re.compile(r"^(?:pub\s*(?:\([^)]*\))?\s*)?(?:struct\s+)?(?:r#)?\w+\s*")
_VISIBILITY = re.compile(r"^pub\s*(?:\([^)]*\))?\s+")
#: A field's, constant's or static's declaration: visibility, keyword, name, colon.
_DECLARED = re.compile(
    r"^(?:pub\s*(?:\([^)]*\))?\s*)?(?:(?:const|static)\s+(?:mut\s+)?)?(?:r#)?\w+\s*:(?!:)"
)


class RustHooks(LanguageHooks):
    """Rust's details; qualified names use ``::`` (set in the registry)."""

    comment_types = ("line_comment", "block_comment")
    config_files = ("Cargo.toml",)
    self_names = ("self", "Self")
    builtins = _PRELUDE
    class_body_scope = False
    value_before_binding = False
    tuple_patterns = True
    typed_patterns = True
    shadowing = True
    calls_name_methods = True
    type_namespace = True
    bounded_type_parameters = True
    type_parameter_heads = True
    wrappers = _WRAPPERS
    sequences = _SEQUENCES
    mappings = _MAPPINGS
    #: ``for x in xs``, ``for x in &xs`` and ``for x in &mut xs``: the
    #: queries mark the binding, as its distances are also ``let``'s.
    loop_offsets = (4, 5, 9)
    marked_loops = True
    #: ``let x = y``, ``let x = &y`` and ``let x = &mut y``: a reference has
    #: the type of what it refers to (a loop's 4 is told apart by its mark).
    value_offsets = (3, 4, 8)
    #: ``for (i, x) in xs.iter().enumerate()`` and ``for (k, v) in map.iter()``.
    indexed_pairs = frozenset({"enumerate"})
    keyed_pairs = frozenset({"iter", "iter_mut", "into_iter", "drain"})
    #: A future is opened by ``.await`` (``load().await?``).  Its other
    #: names are its output's, as with ``?``: ``let x = load().await;`` is
    #: stored as ``x = load()`` (``await`` is no name).
    promises = Wrappers(opening=frozenset({"await"}), members=frozenset({"poll"}))
    builtin_members = _STD_MEMBERS
    crate_wide_kinds = frozenset({"macro"})
    extern_modules = True
    self_results = frozenset({"clone", "default", "to_owned"})

    def annotation_names(self, annotation: str) -> list[str]:
        """The type a declared type stands for: ``&mut Foo``, ``crate::a::Foo<T>``, ``Box<Foo>``.

        References, lifetimes, ``dyn``/``impl`` and the pointers that
        dereference to their content (``Box``, ``Rc``, ``Arc``) are looked
        through; slices, tuples and function types give nothing.
        """
        name, args = _generic(annotation)
        if name in _DEREF_POINTERS:
            return self.annotation_names(args[0]) if args else []
        base = _without_references(annotation).partition("<")[0].strip()
        parts = base.split("::")
        return [base] if all(part.isidentifier() for part in parts) else []

    def wrapped(self, annotation: str) -> str | None:
        """``T`` of ``Option<T>`` or ``Result<T, E>`` (a crate's ``Result<T>`` alias too).

        References before the wrapper are looked through, like the
        content's own (``&Option<&Foo>`` gives ``&Foo``).
        """
        name, args = _generic(annotation)
        return args[0] or None if name in _WRAPPER_TYPES and args else None

    def sequence(self, annotation: str) -> str | None:
        """``T`` of ``Vec<T>``, ``HashSet<T>``, a slice ``[T]`` or an array ``[T; N]``.

        References before the sequence are looked through, as ``&[Foo]``
        and ``&mut Vec<Foo>`` lend the same elements, and so are the
        pointers that dereference to one (``Box<[Foo]>``, ``Rc<[Foo]>``).
        """
        text_ = _without_references(annotation)
        if text_.startswith("["):
            end = group_end(text_)
            if end != len(text_):
                return None
            inner = split_top(text_[1 : end - 1], ";")
            return inner[0].strip() or None if inner else None
        name, args = _generic(text_)
        if not args:
            return None
        if name in _DEREF_POINTERS:
            return self.sequence(args[0])
        return args[0] or None if name in _SEQUENCE_TYPES else None

    def keyed(self, annotation: str) -> str | None:
        """``V`` of ``HashMap<K, V>`` or ``BTreeMap<K, V>``, references looked through."""
        name, args = _generic(annotation)
        return args[1] or None if name in _MAPPING_TYPES and len(args) >= 2 else None

    def receiver_chain(self, receiver: str) -> str:
        """``find(k)?.run`` reads as ``find(k).unwrap().run``; turbofishes are left out.

        ``parse::<Ident>()`` is the call ``parse()``: the chain of names and
        calls has no room for type arguments.
        """
        if "::<" in receiver:
            receiver = _without_turbofish(receiver)
        if "?" in receiver:
            receiver = _TRY.sub(".unwrap()", receiver)
        return receiver

    def promised(self, annotation: str) -> str | None:
        """``T`` of ``impl Future<Output = T>``: what ``.await`` on such a value gives.

        Pinned and boxed futures (``Pin<Box<dyn Future<Output = T> + Send>>``)
        and the ``futures`` crate's ``BoxFuture<'a, T>`` too.
        """
        name, args = _generic(annotation)
        if not args:
            return None
        if name == "Pin" or name in _DEREF_POINTERS:
            return self.promised(args[0])
        if name in _BOXED_FUTURES:
            return args[-1] or None
        if name != "Future":
            return None
        output, equals, result = args[0].partition("=")
        return result.strip() or None if equals and output.strip() == "Output" else None

    def call_result(self, signature: str) -> str | None:
        """An ``async fn``'s call is a future of its declared result."""
        result = self.return_annotation(signature)
        fn = _FN.search(signature)
        if result is None or fn is None or not _ASYNC.search(signature, 0, fn.start()):
            return result
        return f"impl Future<Output = {result}>"

    def return_annotation(self, signature: str) -> str | None:
        """The type after ``->`` of a ``fn`` header, without a ``where`` clause."""
        result = after_arrow(signature)
        if result is None:
            return None
        return result.split(" where ", 1)[0].split("{", 1)[0].strip() or None

    def assigned(self, statement: str) -> tuple[str | None, str | None]:
        """The declared type of a field, constant or static: ``pub(crate) inner: Inner``.

        A constant's value is left out: its declared type says all there is.
        """
        found = _DECLARED.match(statement)
        if found is None:
            return None, None
        declared = split_top(statement[found.end() :], "=")[0].strip()
        return declared or None, None

    def aliased(self, signature: str) -> str | None:
        """The type after ``=`` of ``type Name<'a> = &'a Target<'a>`` (none for ``type Item;``)."""
        parts = split_top(signature, "=")
        if len(parts) != 2:
            return None
        return split_top(parts[1], " where ")[0].strip().rstrip(";").strip() or None

    def extended_type(self, signature: str) -> str | None:
        """The self type of an impl: ``Foo<T>`` of ``impl<T: X> Trait for Foo<T> where …``."""
        found = _IMPL.search(signature)
        if found is None:
            return None
        rest = signature[found.end() :].lstrip()
        if rest.startswith("<"):
            rest = rest[angle_end(rest) :]
        rest = split_top(rest, " where ")[0]
        parts = split_top(rest, " for ")
        return parts[-1].strip() or None

    def type_bounds(self, signature: str) -> dict[str, list[str]]:
        """Type parameters of an item's generics and ``where`` clause, with their bounds.

        ``fn f<'a, V: Visit<'a> + ?Sized, const N: usize>(v: &mut V) where V:
        Fold`` gives ``{"V": ["Visit<'a>", "Fold"]}``: lifetimes, ``?Sized``
        and const parameters are left out, as are predicates on other types
        (``Vec<T>: Clone``, ``Self: Sized``).
        """
        opened = _GENERICS.search(signature)
        if opened is None:
            return {}
        start = opened.end() - 1
        end = start + angle_end(signature[start:])
        out: dict[str, list[str]] = {}
        for param in split_top(signature[start + 1 : end - 1], ","):
            param = param.strip()
            if not param or param.startswith(("'", "const ")):
                continue
            name, _, bound = _split_colon(split_top(param, "=")[0])
            if name.isidentifier():
                out[name] = _bound_types(bound)
        clause = split_top(signature[end:], " where ")
        for predicate in split_top(clause[1], ",") if len(clause) > 1 else []:
            predicate = _without_for(predicate.strip())
            name, _, bound = _split_colon(predicate)
            if name in out:
                out[name].extend(_bound_types(bound))
        return out

    def tuple_fields(self, signature: str) -> list[str]:
        """The field types of a tuple variant ``Left(Inner, u8)`` or ``struct W<T>(pub T)``."""
        head = _TUPLE_HEAD.match(signature)
        rest = signature[head.end() :] if head is not None else ""
        if rest.startswith("<"):
            rest = rest[angle_end(rest) :].lstrip()
        if not rest.startswith("("):
            return []
        fields = split_top(rest[1 : group_end(rest) - 1], ",")
        return [_VISIBILITY.sub("", f.strip()) for f in fields if f.strip()]

    def path_root(self, segment: str, module_name: str) -> str | None:
        """``crate`` is the crate root module, ``super`` the parent module."""
        if segment == "crate":
            return module_name.split("::", 1)[0]
        if segment == "super" and "::" in module_name:
            return module_name.rsplit("::", 1)[0]
        return None

    def refine_kind(self, node: Node, kind: str, parent_kind: str | None) -> str | None:
        if kind == "function" and parent_kind in _CONTAINERS:
            return "method"
        # `static mut` is the one mutable global Rust has.
        if (
            kind == "constant"
            and node.type == "static_item"
            and any(c.type == "mutable_specifier" for c in node.children)
        ):
            return "variable"
        return kind

    def describe(self, node: Node, kind: str, name: str, src: bytes) -> Details:
        if kind == "module":
            return Details(doc=_inner_doc(node, src))
        doc, decorators = _outer_doc_and_attributes(node, src)
        details = Details(
            signature=_signature(node, kind, src),
            doc=doc,
            decorators=decorators,
            visibility=_visibility(node, kind, decorators),
        )
        if kind == "namespace":
            body = node.child_by_field_name("body")
            inner = _inner_doc(body, src) if body is not None else None
            details.doc = "\n".join(d for d in (doc, inner) if d) or None
        if kind in _CALLABLE:
            details.params = _params(node.child_by_field_name("parameters"), src)
        if node.child_by_field_name("type_parameters") is not None:
            details.type_params = _type_params(node, src)
        if kind == "impl":
            trait = node.child_by_field_name("trait")
            if trait is not None:
                details.bases.append(("implement", _path_text(trait, src)))
        elif kind == "trait":
            bounds = node.child_by_field_name("bounds")
            if bounds is not None:
                details.bases.extend(
                    ("inherit", _path_text(b, src))
                    for b in bounds.named_children
                    if b.type in {"type_identifier", "scoped_type_identifier", "generic_type"}
                )
        return details

    def extract_imports(self, root: Node, src: bytes) -> list[ImportRecord]:
        out: list[ImportRecord] = []
        found = QueryCursor(_import_query()).captures(root).get("import", [])
        for node in sorted(found, key=lambda n: n.start_byte):
            line = node.start_point[0]
            raw = squash(text(node, src), 300)
            if node.type == "use_declaration":
                argument = node.child_by_field_name("argument")
                if argument is not None:
                    out.extend(_use_records(argument, raw, line, src))
            elif node.type == "extern_crate_declaration":
                crate = text(node.child_by_field_name("name"), src)
                alias = text(node.child_by_field_name("alias"), src)
                out.append(ImportRecord(raw, crate, line, bind=alias or crate, kind="use"))
            elif node.child_by_field_name("body") is None:
                # `mod x;` inside inline modules names a file below theirs.
                parts = [text(node.child_by_field_name("name"), src)]
                outer = node.parent
                while outer is not None:
                    if outer.type == "mod_item":
                        parts.append(text(outer.child_by_field_name("name"), src))
                    outer = outer.parent
                module = _SEP.join(reversed(parts))
                out.append(
                    ImportRecord(raw, module, line, relative=True, bind=parts[0], kind="mod")
                )
        return out

    def module_name(self, path: str, workspace: Workspace) -> str:
        unit = locate(path, workspace)
        return _SEP.join([*unit.prefix, *unit.segments]) or "crate"

    def resolve_import(self, imp: ImportRecord, path: str, workspace: Workspace) -> str | None:
        if imp.kind == "mod":
            return _resolve_mod(imp.module, path, workspace)
        unit = locate(path, workspace)
        segments = imp.module.split(_SEP)
        if len(imp.names) == 1 and imp.names[0].name != "*":
            segments.append(imp.names[0].name)
        head, rest = segments[0], segments[1:]
        if head == "crate":
            return unit.find(rest, workspace, minimum=0)
        if head in {"self", "super"}:
            base = list(unit.segments)
            while rest and rest[0] == "super":
                rest = rest[1:]
                base = base[:-1]
            if head == "super":
                base = base[:-1]
            return unit.find([*base, *rest], workspace, minimum=len(base))
        if head:
            # 2018 paths may start at a child of the current module.
            found = unit.find([*unit.segments, *segments], workspace, len(unit.segments) + 1)
            if found is not None:
                return found
        else:
            head, rest = (rest[0], rest[1:]) if rest else ("", [])
        crate_dir = next((d for d, crate in _crates(workspace).items() if crate == head), None)
        if crate_dir is not None:
            return _library_unit(crate_dir, head, workspace).find(rest, workspace, minimum=0)
        # Rust 2015 paths are crate-relative: `use a::X` in any module means `crate::a`.
        return unit.find([head, *rest], workspace, minimum=1) if head else None


@dataclass(frozen=True, slots=True)
class Unit:
    """Where a file sits in its crate.

    ``prefix`` names the crate target (``mycrate``, ``mycrate::bin::tool``);
    ``segments`` is the module path below its root; ``root_dir`` holds the
    target's top-level module files and ``root_file`` is the target root.
    """

    prefix: tuple[str, ...]
    segments: tuple[str, ...]
    root_dir: str
    root_file: str | None

    def file_of(self, segments: list[str] | tuple[str, ...], workspace: Workspace) -> str | None:
        """The file defining a module of this target, if it is in the workspace."""
        if not segments:
            return self.root_file if self.root_file in workspace.files else None
        base = _join(self.root_dir, "/".join(segments))
        for candidate in (f"{base}.rs", f"{base}/mod.rs"):
            if candidate in workspace.files:
                return candidate
        return None

    def find(self, segments: list[str], workspace: Workspace, minimum: int) -> str | None:
        """The file of the longest module prefix (at least ``minimum`` long) that exists."""
        for size in range(len(segments), minimum - 1, -1):
            found = self.file_of(segments[:size], workspace)
            if found is not None:
                return found
        return None


def _crates(workspace: Workspace) -> dict[str, str]:
    """Crate folder → crate name, for every ``Cargo.toml`` (read once per workspace)."""
    cached = workspace.extra.get("rust_crates")
    if isinstance(cached, dict):
        return cached
    by_dir: dict[str, str] = {}
    for cfg, content in sorted(workspace.configs.items()):
        if posixpath.basename(cfg) == "Cargo.toml":
            folder = posixpath.dirname(cfg)
            by_dir[folder] = _crate_name(content) or _ident(posixpath.basename(folder)) or "crate"
    workspace.extra["rust_crates"] = by_dir
    return by_dir


def _crate_name(content: str) -> str | None:
    """The library name a Cargo manifest declares, as code spells it."""
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError:
        return None
    for table in ("lib", "package"):
        section = data.get(table)
        if isinstance(section, dict) and isinstance(section.get("name"), str):
            return _ident(section["name"])
    return None


def _ident(name: str) -> str:
    return name.replace("-", "_")  # Crate names are spelt with underscores in code.


def _join(folder: str, rel: str) -> str:
    return f"{folder}/{rel}" if folder else rel


def locate(path: str, workspace: Workspace) -> Unit:
    """Find a file's crate, target and module path (see the module docstring)."""
    crates = _crates(workspace)
    crate_dir: str | None = None
    folder = posixpath.dirname(path)
    while True:
        if folder in crates or _join(folder, "src") in workspace.dirs:
            crate_dir = folder
            break
        if not folder:
            break
        folder = posixpath.dirname(folder)
    if crate_dir is None:
        parts = posixpath.splitext(path)[0].split("/")
        if parts[-1] == "mod" and len(parts) > 1:
            parts = parts[:-1]
        return Unit((), tuple(parts), "", None)
    name = crates.get(crate_dir) or _ident(posixpath.basename(crate_dir)) or "crate"
    rel = path[len(crate_dir) + 1 :] if crate_dir else path
    parts = posixpath.splitext(rel)[0].split("/")
    if parts[0] == "src" and len(parts) >= 3 and parts[1] == "bin":
        return _target_unit(crate_dir, name, parts[1:], _join(crate_dir, "src/bin"), path)
    if parts[0] in _TARGET_DIRS and len(parts) >= 2:
        return _target_unit(crate_dir, name, parts, _join(crate_dir, parts[0]), path)
    if parts[0] == "src" and len(parts) >= 2:
        segments = parts[1:]
        if len(segments) == 1 and segments[0] in _ROOT_STEMS:
            segments = []
        elif segments[-1] == "mod":
            segments = segments[:-1]
        return replace(_library_unit(crate_dir, name, workspace), segments=tuple(segments))
    segments = parts[:-1] if parts[-1] == "mod" else parts
    return Unit((name,), tuple(segments), crate_dir, None)


def _target_unit(crate_dir: str, name: str, parts: list[str], kind_dir: str, path: str) -> Unit:
    """A bin, test, example or bench target: one file, or a folder with ``main.rs``."""
    kind, target, below = parts[0], parts[1], parts[2:]
    if not below:
        return Unit((name, kind, target), (), kind_dir, path)
    root_dir = f"{kind_dir}/{target}"
    segments = below[:-1] if below[-1] == "mod" else below
    if segments == ["main"]:
        segments = []
    return Unit((name, kind, target), tuple(segments), root_dir, f"{root_dir}/main.rs")


def _library_unit(crate_dir: str, name: str, workspace: Workspace) -> Unit:
    """The crate root (``src/lib.rs``, else ``src/main.rs``) that ``use`` paths reach."""
    root_dir = _join(crate_dir, "src")
    lib = f"{root_dir}/lib.rs"
    return Unit((name,), (), root_dir, lib if lib in workspace.files else f"{root_dir}/main.rs")


def _resolve_mod(module: str, path: str, workspace: Workspace) -> str | None:
    """``mod x;``: ``x.rs`` or ``x/mod.rs`` beside a root or ``mod.rs``, else below the file."""
    folder, file = posixpath.split(path)
    stem = posixpath.splitext(file)[0]
    unit = locate(path, workspace)
    beside = stem == "mod" or path == unit.root_file or (not unit.prefix and stem in _ROOT_STEMS)
    base = folder if beside else _join(folder, stem)
    rel = _join(base, module.replace(_SEP, "/"))
    for candidate in (f"{rel}.rs", f"{rel}/mod.rs"):
        if candidate in workspace.files:
            return candidate
    return None


@cache
def _import_query() -> Query:
    return Query(
        registry.grammar("rust"),
        "[(use_declaration) (extern_crate_declaration) (mod_item)] @import",
    )


def _segments(node: Node, src: bytes) -> list[str]:
    """Path segments of a (scoped) identifier; a leading ``::`` gives an empty first one."""
    if node.type != "scoped_identifier":
        return [text(node, src)]
    path = node.child_by_field_name("path")
    head = _segments(path, src) if path is not None else [""]
    return [*head, text(node.child_by_field_name("name"), src)]


def _flatten(node: Node, prefix: list[str], src: bytes) -> list[tuple[list[str], str | None]]:
    """Every full path a use tree names, with its alias (``*`` ends glob paths)."""
    kind = node.type
    if kind == "use_as_clause":
        path = node.child_by_field_name("path")
        alias = text(node.child_by_field_name("alias"), src) or None
        return [([*prefix, *_segments(path, src)], alias)] if path is not None else []
    if kind == "use_list":
        out: list[tuple[list[str], str | None]] = []
        for child in node.named_children:
            if child.type not in _COMMENTS:
                out.extend(_flatten(child, prefix, src))
        return out
    if kind == "scoped_use_list":
        path = node.child_by_field_name("path")
        inner = [*prefix, *_segments(path, src)] if path is not None else prefix
        items = node.child_by_field_name("list")
        return _flatten(items, inner, src) if items is not None else []
    if kind == "use_wildcard":
        base = [c for c in node.named_children if c.type not in _COMMENTS]
        head = _segments(base[0], src) if base else []
        return [([*prefix, *head, "*"], None)]
    return [([*prefix, *_segments(node, src)], None)]


def _use_records(argument: Node, raw: str, line: int, src: bytes) -> list[ImportRecord]:
    """One record per module a use tree imports from, in source order."""
    records: dict[str, ImportRecord] = {}
    for segments, alias in _flatten(argument, [], src):
        last = segments[-1]
        if last == "self" and len(segments) > 1:
            module_parts, bind = segments[:-1], alias or segments[-2]
        elif len(segments) == 1:
            module_parts, bind = segments, alias or last
        else:
            module_parts, bind = segments[:-1], None
        module = _SEP.join(module_parts)
        record = records.get(module)
        if record is None:
            level = 0
            while level < len(module_parts) and module_parts[level] == "super":
                level += 1
            relative = module_parts[0] in {"self", "super"}
            record = ImportRecord(raw, module, line, relative=relative, level=level, kind="use")
            records[module] = record
        if bind is not None:
            record.bind = bind
        else:
            record.names.append(ImportedName(last, alias))
    return list(records.values())


def _outer_doc_and_attributes(node: Node, src: bytes) -> tuple[str | None, list[str]]:
    """Doc comments and attributes preceding an item, in source order.

    Rust attaches both to the next item whatever blank lines intervene, so the
    walk crosses plain comments and only stops at other code or an inner doc.
    """
    docs: list[str] = []
    attributes: list[str] = []
    prev = node.prev_sibling
    while prev is not None:
        kind = prev.type
        if kind == "attribute_item":
            attribute = prev.named_children[0] if prev.named_child_count else prev
            attributes.append(squash(text(attribute, src), 200))
        elif kind in _COMMENTS:
            raw = text(prev, src)
            if raw.startswith(_OUTER_DOC) and not raw.startswith(_NOT_DOC):
                docs.append(raw.rstrip("\n"))
            elif raw.startswith(_INNER_DOC):
                break
        else:
            break
        prev = prev.prev_sibling
    doc = (clean_comment("\n".join(reversed(docs))) or None) if docs else None
    attributes.reverse()
    return doc, attributes


def _inner_doc(node: Node, src: bytes) -> str | None:
    """``//!`` and ``/*! */`` docs at the top of a file or inline module."""
    docs: list[str] = []
    for i in range(node.child_count):
        child = node.child(i)
        if child is None:
            break
        kind = child.type
        if kind in _COMMENTS:
            raw = text(child, src)
            if raw.startswith(_INNER_DOC):
                docs.append(raw.rstrip("\n"))
        elif kind not in {"inner_attribute_item", "shebang", "{"}:
            break
    return (clean_comment("\n".join(docs)) or None) if docs else None


def _signature(node: Node, kind: str, src: bytes) -> str:
    """The item's text up to its body (or the whole item; a macro's up to its name)."""
    end = node.end_byte
    if kind == "macro":
        name = node.child_by_field_name("name")
        end = name.end_byte if name is not None else end
    elif kind != "enum_member":
        body = node.child_by_field_name("body")
        end = body.start_byte if body is not None and body.type in _BODY_TYPES else end
    return squash(src[node.start_byte : end].decode("utf-8", "replace").rstrip(" ;,\n\t"))


def _visibility(node: Node, kind: str, decorators: list[str]) -> str:
    """``pub`` is public, ``pub(self)`` private, other restricted ``pub`` internal.

    Without a modifier, enum variants and their fields, trait items and trait
    impl items are as public as their container; everything else is private.
    """
    first = node.child(0)
    if first is not None and first.type == "visibility_modifier":
        raw = "".join((first.text or b"").decode("utf-8", "replace").split())
        if raw == "pub":
            return "public"
        return "private" if raw == "pub(self)" else "internal"
    if kind in {"enum_member", "impl"}:
        return "public"
    if kind == "macro":
        return "public" if "macro_export" in decorators else "private"
    parent = node.parent
    container = parent.parent if parent is not None else None
    if container is None:
        return "private"
    if container.type in {"trait_item", "enum_variant"}:
        return "public"
    if container.type == "impl_item" and container.child_by_field_name("trait") is not None:
        return "public"
    return "private"


def _params(params: Node | None, src: bytes) -> list[Param]:
    if params is None:
        return []
    out: list[Param] = []
    for p in params.named_children:
        kind = p.type
        if kind == "self_parameter":
            raw = squash(text(p, src))
            out.append(Param("self", raw[: -len("self")] + "Self" if raw[0] == "&" else "Self"))
        elif kind == "parameter":
            pattern = p.child_by_field_name("pattern")
            ptype = text(p.child_by_field_name("type"), src) or None
            out.append(Param(squash(text(pattern, src)) or "_", squash(ptype) if ptype else None))
        elif kind == "variadic_parameter":
            name = text(p.child_by_field_name("pattern"), src) or "_"
            out.append(Param(name, None, None, "..."))
    return out


def _bound_text(bounds: Node | None, src: bytes) -> str | None:
    if bounds is None:
        return None
    return squash(text(bounds, src).lstrip(":").strip()) or None


def _type_params(node: Node, src: bytes) -> list[TypeParam]:
    """Generic parameters with bounds, merged with ``where T: Bound`` predicates."""
    tps = node.child_by_field_name("type_parameters")
    out: list[TypeParam] = []
    if tps is None:
        return out
    for child in tps.named_children:
        if child.type in _TYPE_PARAMS:
            # A const generic's "constraint" is its type (`const N: usize`).
            name = child.child_by_field_name("name") or child.child_by_field_name("left")
            bound = child.child_by_field_name("bounds") or child.child_by_field_name("type")
            out.append(TypeParam(text(name, src), _bound_text(bound, src)))
    index = {tp.name: tp for tp in out}
    clause = next((c for c in node.named_children if c.type == "where_clause"), None)
    for predicate in clause.named_children if clause is not None else []:
        target = index.get(text(predicate.child_by_field_name("left"), src))
        extra = _bound_text(predicate.child_by_field_name("bounds"), src)
        if target is not None and extra:
            target.constraint = f"{target.constraint} + {extra}" if target.constraint else extra
    return out


def _without_references(annotation: str) -> str:
    """A type's text without the references, lifetimes and ``dyn``/``impl`` before it."""
    text_ = annotation.strip()
    while True:
        if text_.startswith("&"):
            text_ = text_[1:].lstrip()
        elif text_.startswith("'") or text_.startswith(("mut ", "dyn ", "impl ")):
            text_ = text_.partition(" ")[2].lstrip()
        else:
            return text_


def _generic(annotation: str) -> tuple[str, list[str]]:
    """A generic type's last path segment and its arguments.

    ``&std::vec::Vec<Foo>`` gives (``Vec``, [``Foo``]): references before
    it are looked through.  A type without ``<…>`` gives ("", []).
    """
    base, bracket, rest = _without_references(annotation).partition("<")
    if not bracket:
        return "", []
    args = [arg.strip() for arg in split_top(rest.rsplit(">", 1)[0], ",")]
    return base.strip().rsplit("::", 1)[-1], args


def _without_turbofish(expr: str) -> str:
    """``a.parse::<Vec<u8>>().b`` without its ``::<…>`` groups: ``a.parse().b``."""
    out: list[str] = []
    i = 0
    while True:
        found = expr.find("::<", i)
        if found < 0:
            out.append(expr[i:])
            return "".join(out)
        out.append(expr[i:found])
        i = found + 2 + angle_end(expr[found + 2 :])


def _split_colon(text: str) -> tuple[str, str, str]:
    """``text`` split at its first ``:`` that is no part of a ``::`` path separator."""
    for i, ch in enumerate(text):
        if ch == ":" and text[i - 1 : i] != ":" and text[i + 1 : i + 2] != ":":
            return text[:i].strip(), ":", text[i + 1 :].strip()
    return text.strip(), "", ""


def _without_for(predicate: str) -> str:
    """A ``where`` predicate without its ``for<'a>`` binder."""
    if predicate.startswith("for") and predicate[3:].lstrip().startswith("<"):
        rest = predicate[3:].lstrip()
        return rest[angle_end(rest) :].strip()
    return predicate


def _bound_types(bounds: str) -> list[str]:
    """The traits of a bound list (``Visit<'a> + ?Sized + 'a`` gives ``Visit<'a>``)."""
    out = []
    for bound in split_top(bounds, "+"):
        bound = _without_for(bound.strip().strip("()").strip())
        if bound and not bound.startswith(("?", "'", "~")):
            out.append(bound)
    return out


def _path_text(node: Node, src: bytes) -> str:
    """A supertype as written, without type arguments (``From<u8>`` is ``From``)."""
    if node.type == "generic_type":
        inner = node.child_by_field_name("type")
        if inner is not None:
            node = inner
    return squash(text(node, src))


HOOKS = RustHooks()
