"""What resolution answers: targets, their confidence, and the rule for guesses.

Shared by the resolver, its receiver type inference, the linker and the
query layer.  Plain values and pure functions only: no SQL, no parsing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from codeidx.store.symbols import FileFacts, FileNode

CALLABLE = frozenset({"function", "method", "constructor"})
CLASS_LIKE = frozenset({"class", "struct", "interface", "trait", "impl", "enum", "union"})
#: Definitions whose name is not a name of their own (a Rust impl block is
#: named after its type): members live in them, but names never resolve to them.
UNNAMED = frozenset({"impl"})
#: How deep re-exports, bases and inferred types are followed.
MAX_DEPTH = 6
#: By-name guesses below this confidence are hidden from references and
#: callers unless asked for: only a name with a single candidate reaches it.
MIN_CONFIDENCE = 0.3
#: What ``Resolver.resolve`` answers for a local variable of a function.
LOCAL = "local"


@dataclass(frozen=True, slots=True)
class Target:
    """A definition an occurrence may refer to."""

    node_id: int
    kind: str
    confidence: float
    resolution: str  # exact | by_name
    file_id: int = -1  # known for by-name guesses, to rank them by proximity
    #: What a wrapper value holds (None when not known): see ``wrappers.wrap``.
    content: Target | None = None


@dataclass(frozen=True, slots=True)
class ArgumentTarget:
    """What a keyword argument's name names (``Resolver.argument``).

    With ``parameter``, ``target`` is a callable and the name is one of its
    parameters (a parameter is no definition of its own: it is bound inside
    the callable, like its locals); otherwise ``target`` is the member the
    name sets (a dataclass's field).
    """

    target: Target
    parameter: bool


def is_detached(kind: str, parent_kind: str | None) -> bool:
    """Whether a definition is a method written outside its type's body.

    Go methods and C++ methods defined out of line: a member of the type
    their qualified name names, never a name of the scope they sit in.
    """
    return kind == "method" and parent_kind not in CLASS_LIKE


def is_sure(resolution: str, confidence: float) -> bool:
    """Whether an answer is exact, or a by-name guess with no rival candidate."""
    return resolution != "by_name" or confidence >= MIN_CONFIDENCE


def dedupe(targets: list[Target]) -> list[Target]:
    """Targets once each, keeping the most confident of duplicates, in first-seen order."""
    seen: dict[int, Target] = {}
    for t in targets:
        prev = seen.get(t.node_id)
        if prev is None or t.confidence > prev.confidence:
            seen[t.node_id] = t
    return list(seen.values())


def merged(answers: Iterable[list[Target] | None], unknown: bool = False) -> list[Target] | None:
    """What several partial answers say together (None: a part not known).

    Any targets found win, deduplicated: a value that is a Foo or
    something unknown still has Foo's members.  With none found, one
    unknown part (or ``unknown`` itself) makes the whole unknown; else the
    answer is known to be nothing of the workspace's ([]).
    """
    out: list[Target] = []
    for found in answers:
        if found is None:
            unknown = True
        else:
            out.extend(found)
    if out:
        return dedupe(out)
    return None if unknown else []


def enclosing_class(facts: FileFacts, ordinal: int) -> FileNode | None:
    """The innermost class-like definition around the node with ``ordinal``."""
    scope: int | None = ordinal
    while scope is not None and scope < len(facts.nodes):
        node = facts.nodes[scope]
        if node.kind in CLASS_LIKE:
            return node
        if node.parent is not None and node.parent >= scope:
            return None
        scope = node.parent
    return None
