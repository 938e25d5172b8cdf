"""Wrapper values in receiver typing: a value from outside holding a workspace type.

Rust's ``Option<Foo>`` and ``Result<Foo, E>``, Python's ``list[Foo]``
(``hooks.wrapped``, ``hooks.Wrappers``): receiver typing carries such a
value as its content wrapped, a target of kind ``WRAPPED`` that is never a
definition, and opens it where the wrapper's methods, a pattern, a loop or
an index say.  A mapping (``dict[str, Foo]``, ``hooks.keyed``) is a
``KEYED`` wrapper of its values: an index and its value methods give one,
but a loop over it gives keys.  A Rust sequence (``Vec<Foo>``,
``hooks.sequence``) is a ``SEQUENCE`` of its elements, whose methods are
``hooks.sequences``, not ``Option``'s.  An awaitable (``Promise<Foo>``,
``hooks.promised``) is ``AWAITED``: ``await`` opens it, and its methods
are ``hooks.promises``.  Plain values and pure functions only.
"""

from __future__ import annotations

from codeidx.index.targets import Target
from codeidx.parse.hooks import LanguageHooks, Wrappers

#: The kind of a wrapper value (``wrap``): no definition.
WRAPPED = "wrapped"
#: The kind of a mapping's value (``wrap`` with ``KEYED``): a loop gives keys.
KEYED = "keyed"
#: The kind of a sequence whose methods are the language's ``sequences``.
SEQUENCE = "sequence"
#: The kind of an awaitable (a promise, a coroutine, a future) of its result.
AWAITED = "awaited"
#: Every kind of wrapper value.
WRAPPER_KINDS = frozenset({WRAPPED, KEYED, SEQUENCE, AWAITED})
#: The wrappers a loop over or a closure of a passing method takes an element of.
ELEMENT_KINDS = frozenset({WRAPPED, SEQUENCE})
# Wrapper ids lie this far below their content's (definitions' ids are positive).
_IDS_BELOW = {WRAPPED: 1 << 40, KEYED: 1 << 44, SEQUENCE: 1 << 48, AWAITED: 1 << 52}


def wrap(content: Target | None, kind: str = WRAPPED) -> Target:
    """A wrapper value of ``kind`` holding ``content`` (None: a content not known).

    Its id is the content's moved below every definition's, so a wrapper,
    its content and a wrapper of the wrapper are distinct values to
    ``targets.dedupe``; it never becomes an edge's end
    (``ReceiverTypes.member_owners`` opens it first).  ``KEYED``: the
    mapping holding ``content`` as its values.
    """
    below = _IDS_BELOW[kind]
    if content is None:
        return Target(-below, kind, 1.0, "exact")
    return Target(
        content.node_id - below,
        kind,
        content.confidence,
        content.resolution,
        content=content,
    )


def open_wrappers(
    values: list[Target], name: str, hooks: LanguageHooks
) -> tuple[list[Target], list[Target]] | None:
    """(values to look ``name`` up in, values a wrapper's method gives), None if unknown.

    ``unwrap`` gives the content, ``as_ref`` the wrapper itself, a
    mapping's ``values`` a wrapper its loop opens, a sequence's ``first``
    an ``Option`` of an element; another method of the wrapper gives
    nothing of the workspace's; any other name is looked up in the content
    of a ``transparent`` wrapper, and is not known on another.  A content
    not known makes the answer unknown wherever it is needed.
    """
    owners: list[Target] = []
    given: list[Target] = []
    for v in values:
        if v.kind not in WRAPPER_KINDS:
            owners.append(v)
            continue
        wrappers = _methods(hooks, v.kind)
        if name in wrappers.keeping:
            given.append(v)
        elif v.kind == KEYED and name in wrappers.values:
            # ``d.values()``: what a loop over gives the mapping's values; a
            # sequence where the language has its own (Rust's iterators).
            given.append(wrap(v.content, SEQUENCE if hooks.sequences.iterated else WRAPPED))
        elif name in wrappers.optional:
            # ``items.first()``: an ``Option`` of an element.
            given.append(wrap(v.content))
        elif name in wrappers.patterns:
            # ``match value { Some(x) => … }``: the variant is the wrapper's
            # own (the queries give it the value as receiver), not a member
            # of the content (serde's ``Content`` has a variant ``Some``).
            continue
        elif name in wrappers.opening or (wrappers.transparent and name not in wrappers.members):
            if v.content is None:
                return None
            if name in wrappers.opening:
                given.append(v.content)
            elif v.content.kind in WRAPPER_KINDS:
                # ``load().await?`` stored as ``load()``: a future of a
                # ``Result``, both opened by operators the index drops.
                inner = open_wrappers([v.content], name, hooks)
                if inner is None:
                    return None
                owners.extend(inner[0])
                given.extend(inner[1])
            else:
                owners.append(v.content)
        elif not wrappers.transparent and name not in wrappers.members:
            # A method neither the sequence nor the standard library has:
            # a trait of the workspace's may give it (syn's ``attrs.outer()``).
            return None
    return owners, given


def _methods(hooks: LanguageHooks, kind: str) -> Wrappers:
    """What the methods of a wrapper of ``kind`` give in a language."""
    if kind == SEQUENCE:
        return hooks.sequences
    if kind == AWAITED:
        return hooks.promises
    if kind == KEYED and hooks.mappings is not None:
        return hooks.mappings
    return hooks.wrappers


def opens_itself(value: str, name: str, wrappers: Wrappers) -> bool:
    """Whether ``value`` is the local ``name`` itself or its wrapper opened.

    ``let x = x?;`` keeps only ``x`` (the index has no ``?``), and
    ``let x = x.unwrap();`` names one of ``wrappers.opening``.
    """
    if not wrappers.members:
        return False
    if value == name:
        return True
    head, _, call = value.partition(".")
    return head == name and call.endswith("()") and call[:-2] in wrappers.opening


def opened_ids(found: list[Target]) -> set[int]:
    """The definitions values stand for once their wrappers are opened."""
    return {t.content.node_id if t.content is not None else t.node_id for t in found}
