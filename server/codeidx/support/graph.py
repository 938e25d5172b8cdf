"""Directed-graph algorithms shared by queries: strongly connected components and cycles.

This module owns generic graph code over any hashable node type.  It knows no
SQL, no files and no symbols: callers pass the nodes and a successor function
(which may read the index lazily).  Everything is iterative, because call and
import graphs of real repositories are deep enough to overflow Python's
recursion limit.  Pure functions; any thread may call them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


def strongly_connected_components(
    nodes: Iterable[T], successors: Callable[[T], Iterable[T]]
) -> list[list[T]]:
    """Tarjan's algorithm: every strongly connected component reachable from ``nodes``.

    Components come out in reverse topological order (a component is listed
    before any component that reaches it), each with its members in the order
    Tarjan pops them.  Successors outside ``nodes`` are explored too, so pass a
    successor function restricted to the subgraph you mean.
    """
    index_of: dict[T, int] = {}
    low: dict[T, int] = {}
    on_stack: set[T] = set()
    stack: list[T] = []
    components: list[list[T]] = []
    counter = 0
    for root in nodes:
        if root in index_of:
            continue
        # Each frame is (node, iterator over its successors); the explicit
        # stack replaces the recursion of the textbook version.
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[T, Iterator[T]]] = [(root, iter(successors(root)))]
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index_of:
                    index_of[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors(child))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index_of[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index_of[node]:
                component: list[T] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def shortest_cycle(
    start: T, successors: Callable[[T], Iterable[T]], within: Collection[T] | None = None
) -> list[T] | None:
    """The shortest cycle through ``start`` as ``[start, ..., start]``, or None.

    A breadth-first search from ``start``'s successors back to ``start``,
    optionally restricted to ``within`` (a strongly connected component, so
    the search never wanders into the rest of the graph).  A self-loop is the
    cycle ``[start, start]``.
    """
    parent: dict[T, T] = {}
    queue: deque[T] = deque()
    for child in successors(start):
        if child == start:
            return [start, start]
        if (within is None or child in within) and child not in parent:
            parent[child] = start
            queue.append(child)
    while queue:
        node = queue.popleft()
        for child in successors(node):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                path.reverse()
                path.append(start)
                return path
            if (within is None or child in within) and child not in parent:
                parent[child] = node
                queue.append(child)
    return None


def cycles_by_component(
    nodes: Iterable[T], successors: Callable[[T], Iterable[T]], key: Callable[[T], str] = str
) -> list[tuple[list[T], list[T]]]:
    """Every component with a cycle, as (members sorted by ``key``, one cycle path).

    Components of one node count only when the node has a self-loop.  The
    cycle path starts at the member that sorts first, so answers are stable
    from run to run.  Components are ordered by their first member.
    """
    found: list[tuple[list[T], list[T]]] = []
    for component in strongly_connected_components(nodes, successors):
        members = sorted(component, key=key)
        first = members[0]
        if len(members) == 1 and first not in set(successors(first)):
            continue
        path = shortest_cycle(first, successors, set(members))
        if path is not None:
            found.append((members, path))
    found.sort(key=lambda item: key(item[0][0]))
    return found
