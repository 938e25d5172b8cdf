"""Wrapper values in receiver typing: a value from outside holding a workspace type.

Rust's ``Option<Foo>`` and ``Result<Foo, E>``, Python's ``list[Foo]``
(``hooks.wrapped``, ``hooks.Wrappers``): receiver typing carries such a
value as its content wrapped, a target of kind ``WRAPPED`` that is never a
definition, and opens it where the wrapper's methods, a pattern or a loop
say.  Plain values and pure functions only.
"""

from __future__ import annotations

from codeidx.index.targets import Target
from codeidx.parse.hooks import Wrappers

#: The kind of a wrapper value (``wrap``): no definition.
WRAPPED = "wrapped"
# Wrapper ids lie this far below their content's (definitions' ids are positive).
_WRAPPED_IDS = 1 << 40


def wrap(content: Target | None) -> Target:
    """A wrapper value holding ``content`` (None: a content not known).

    Its id is the content's moved below every definition's, so a wrapper,
    its content and a wrapper of the wrapper are distinct values to
    ``targets.dedupe``; it never becomes an edge's end
    (``ReceiverTypes.member_owners`` opens it first).
    """
    if content is None:
        return Target(-_WRAPPED_IDS, WRAPPED, 1.0, "exact")
    return Target(
        content.node_id - _WRAPPED_IDS,
        WRAPPED,
        content.confidence,
        content.resolution,
        content=content,
    )


def open_wrappers(
    values: list[Target], name: str, wrappers: Wrappers
) -> tuple[list[Target], list[Target]] | None:
    """(values to look ``name`` up in, values a wrapper's method gives), None if unknown.

    ``unwrap`` gives the content, ``as_ref`` the wrapper itself; another
    method of the wrapper gives nothing known here; any other name is
    looked up in the content.  A content not known makes the answer
    unknown wherever it is needed.
    """
    owners: list[Target] = []
    given: list[Target] = []
    for v in values:
        if v.kind != WRAPPED:
            owners.append(v)
        elif name in wrappers.keeping:
            given.append(v)
        elif name in wrappers.opening or name not in wrappers.members:
            if v.content is None:
                return None
            (given if name in wrappers.opening else owners).append(v.content)
    return owners, given


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
