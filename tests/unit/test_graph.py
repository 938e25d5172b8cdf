"""Tarjan's strongly connected components and cycle paths (support.graph)."""

from __future__ import annotations

import itertools
import random

from hypothesis import given
from hypothesis import strategies as st

from codeidx.support.graph import (
    cycles_by_component,
    shortest_cycle,
    strongly_connected_components,
)


def succ(graph: dict[str, list[str]]):
    return lambda n: graph.get(n, [])


def components(graph: dict[str, list[str]]) -> set[frozenset[str]]:
    return {frozenset(c) for c in strongly_connected_components(sorted(graph), succ(graph))}


def test_textbook_graph() -> None:
    graph = {
        "a": ["b"],
        "b": ["c", "e", "f"],
        "c": ["d", "g"],
        "d": ["c", "h"],
        "e": ["a", "f"],
        "f": ["g"],
        "g": ["f"],
        "h": ["d", "g"],
    }
    assert components(graph) == {
        frozenset("abe"),
        frozenset("cdh"),
        frozenset("fg"),
    }


def test_reverse_topological_order() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": []}
    assert strongly_connected_components(["a"], succ(graph)) == [["c"], ["b"], ["a"]]


def test_successors_outside_the_start_set_are_explored() -> None:
    graph = {"a": ["b"], "b": ["a"]}
    assert strongly_connected_components(["a"], succ(graph)) == [["b", "a"]]


def test_deep_chain_does_not_hit_the_recursion_limit() -> None:
    n = 50_000
    graph = {i: [i + 1] for i in range(n)}
    graph[n] = [0]
    found = strongly_connected_components([0], lambda i: graph.get(i, []))
    assert len(found) == 1 and len(found[0]) == n + 1


def test_shortest_cycle() -> None:
    graph = {"a": ["b", "x"], "b": ["c"], "c": ["a"], "x": ["a"]}
    assert shortest_cycle("a", succ(graph)) == ["a", "x", "a"]
    assert shortest_cycle("a", succ(graph), within={"a", "b", "c"}) == ["a", "b", "c", "a"]
    assert shortest_cycle("a", succ({"a": ["a", "b"]})) == ["a", "a"]
    assert shortest_cycle("a", succ({"a": ["b"], "b": []})) is None


def test_cycles_by_component_skips_acyclic_singletons() -> None:
    graph = {"z": ["y"], "y": ["z"], "m": ["m"], "q": ["z"], "a": ["b"], "b": ["a"]}
    found = cycles_by_component(sorted(graph), succ(graph))
    assert found == [
        (["a", "b"], ["a", "b", "a"]),
        (["m"], ["m", "m"]),
        (["y", "z"], ["y", "z", "y"]),
    ]


def _reachable(graph: dict[int, list[int]], start: int) -> set[int]:
    seen, todo = {start}, [start]
    while todo:
        for m in graph[todo.pop()]:
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return seen


@given(st.integers(min_value=1, max_value=12), st.integers(min_value=0, max_value=2**32))
def test_components_match_mutual_reachability(n: int, seed: int) -> None:
    rng = random.Random(seed)
    graph = {i: [j for j in range(n) if rng.random() < 0.2] for i in range(n)}
    reach = {i: _reachable(graph, i) for i in range(n)}
    expected = {frozenset(j for j in range(n) if j in reach[i] and i in reach[j]) for i in range(n)}
    found = strongly_connected_components(range(n), lambda i: graph[i])
    assert {frozenset(c) for c in found} == expected
    assert sum(len(c) for c in found) == n
    for members, path in cycles_by_component(range(n), lambda i: graph[i], key=lambda i: f"{i:03}"):
        assert path[0] == path[-1] == members[0]
        assert all(b in graph[a] for a, b in itertools.pairwise(path))
        assert set(path) <= set(members)
