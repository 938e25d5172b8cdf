"""Receiver texts as chains of names and calls: ``a.b(x).c`` is a, b(), c.

Receiver typing (``receivers.ReceiverTypes``) walks such a chain from its
head, member by member.  Pure text work, memoised across a workspace.
"""

from __future__ import annotations

from functools import lru_cache

from codeidx.parse.hooks import group_end

#: The part of a chain that an index stands for: ``a[i].b`` is a, ELEMENT, b.
ELEMENT = "[]"


@lru_cache(maxsize=65536)
def chain_of(expr: str, sep: str) -> tuple[tuple[str, bool], ...] | None:
    """``a.b(x).c`` → [("a", False), ("b", True), ("c", False)]; None if not such a chain.

    Arguments are skipped; a call cut short by the end of the text (a
    statement's first line) still counts as a call.  An index (``a[i]``)
    is the part ``ELEMENT``.  Memoised: the same
    receiver texts (``self.conn``, ``os.path``) recur across a whole workspace.
    """
    text = expr.replace(sep, ".") if sep != "." else expr
    out: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        start = i
        while i < n and (text[i].isalnum() or text[i] == "_"):
            i += 1
        name = text[start:i]
        if not name.isidentifier() and not (name.isdigit() and out):
            # (A digit after a dot is a tuple's field: Rust's ``self.0``.)
            return None
        called = False
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] == "(":
            called = True
            i += group_end(text[i:])
        out.append((name, called))
        while i < n and text[i].isspace():
            i += 1
        while i < n and text[i] == "[":
            # ``items[i]``: an element of the value before it.
            i += group_end(text[i:])
            out.append((ELEMENT, False))
            while i < n and text[i].isspace():
                i += 1
        if i >= n:
            return tuple(out)
        if text[i] != ".":
            return None
        i += 1
