"""Helpers for per-language fixture tests: parse inline source, look up records."""

from __future__ import annotations

from codeidx.parse.extract import Extractor
from codeidx.parse.records import NodeRecord, Occurrence, ParseResult

_EXTRACTOR = Extractor()


def parse(language: str, source: str, module: str = "mod") -> ParseResult:
    """Parse inline source the way the indexer does."""
    return _EXTRACTOR.parse(language, source.encode("utf-8"), module)


def node(result: ParseResult, qualified_name: str) -> NodeRecord:
    """The one node with this qualified name (fails the test if absent or repeated)."""
    found = [n for n in result.nodes if n.qualified_name == qualified_name]
    assert len(found) == 1, (qualified_name, [n.qualified_name for n in result.nodes])
    return found[0]


def kinds(result: ParseResult) -> dict[str, str]:
    """qualified name → kind for every node but the module."""
    return {n.qualified_name: n.kind for n in result.nodes[1:]}


def occurrences(result: ParseResult, name: str) -> list[Occurrence]:
    """Every occurrence of an identifier, in document order."""
    return [o for o in result.occurrences if o.name == name]


def roles(result: ParseResult, name: str) -> list[tuple[str, str]]:
    """(role, receiver) of every occurrence of an identifier."""
    return [(o.role, o.receiver) for o in occurrences(result, name)]
