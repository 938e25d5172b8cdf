"""``codeidx/semanticSearch`` through the protocol: answers, saves, bad params.

The server embeds with the hashing embedder (``CODEIDX_MODEL=hash``, set by
the conftest), so the stores, the background embedding and the fusion are
real while no model is loaded.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from lsprotocol import types
from lsptest import Session, field_of, send_raw
from pygls.exceptions import JsonRpcException

pytestmark = pytest.mark.e2e

SEARCH = "codeidx/semanticSearch"


async def search_until_complete(ws: Session, params: dict[str, Any]) -> Any:
    """Search again while embedding catches up (bounded; each answer says if it is partial)."""
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        answer = await ws.request(SEARCH, params)
        if not field_of(answer, "partial"):
            return answer
        assert asyncio.get_running_loop().time() < deadline, field_of(answer, "coverage")
        await asyncio.sleep(0.1)


async def test_search_finds_a_function_by_what_it_does(ws: Session) -> None:
    answer = await search_until_complete(
        ws, {"query": "sum the areas of shapes", "kinds": ["function", "method"]}
    )
    assert field_of(answer, "mode") == "hybrid"
    results = field_of(answer, "results")
    top = results[0]
    assert field_of(top, "qualifiedName") == "app.shapes.total_area"
    assert field_of(top, "uri") == ws.uri("app/shapes.py")
    assert field_of(top, "kind") == "function"
    assert field_of(top, "symbolKind") == types.SymbolKind.Function
    assert field_of(top, "language") == "python"
    assert field_of(field_of(top, "selectionRange"), "start").line == 21
    scores = field_of(top, "scores")
    assert field_of(scores, "fts") is not None and field_of(scores, "vector") is not None
    coverage = field_of(answer, "coverage")
    assert field_of(coverage, "nodesEmbedded") == field_of(coverage, "nodesTotal") > 0


async def test_filters_and_modes_through_the_protocol(ws: Session) -> None:
    answer = await search_until_complete(
        ws, {"query": "area", "mode": "fts", "kinds": ["method"], "limit": 5}
    )
    kinds = {field_of(r, "kind") for r in field_of(answer, "results")}
    assert kinds == {"method"}
    assert field_of(answer, "mode") == "fts"
    answer = await ws.request(SEARCH, {"query": "area", "pathGlob": "app/report.py"})
    assert all(field_of(r, "uri") == ws.uri("app/report.py") for r in field_of(answer, "results"))


async def test_a_saved_function_is_found_and_the_old_one_is_gone(ws: Session) -> None:
    await search_until_complete(ws, {"query": "total_area"})
    path = ws.root / "app/shapes.py"
    path.write_text(
        path.read_text().replace("def total_area(", "def combined_surface(")
        + '\n\ndef perimeter_of_square(side: float) -> float:\n    """Four times the side."""\n'
        "    return 4 * side\n"
    )
    ws.save("app/shapes.py")
    await ws.events.wait_saved("app/shapes.py")
    answer = await search_until_complete(ws, {"query": "perimeter of a square"})
    names = [field_of(r, "qualifiedName") for r in field_of(answer, "results")]
    # The hashing embedder is no model: the new function must rank near the top.
    assert "app.shapes.perimeter_of_square" in names[:3]
    answer = await ws.request(SEARCH, {"query": "total_area", "mode": "fts"})
    names = [field_of(r, "qualifiedName") for r in field_of(answer, "results")]
    assert "app.shapes.total_area" not in names
    assert "app.shapes.combined_surface" in names


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"query": 3},
        {"query": "x", "mode": "semantic"},
        {"query": "x", "limit": 0},
        {"query": "x", "kinds": ["widget"]},
        {"query": "x", "languages": "cobol"},
    ],
)
async def test_bad_params_are_invalid_params(ws: Session, params: dict[str, Any]) -> None:
    with pytest.raises(JsonRpcException) as caught:
        await send_raw(ws.client, SEARCH, params)
    assert caught.value.code == types.ErrorCodes.InvalidParams


async def test_status_shows_the_search_stores(ws: Session) -> None:
    await search_until_complete(ws, {"query": "area"})
    status = await ws.request("codeidx/status", None)
    search = field_of(status, "search")
    assert field_of(search, "model") == "hash"
    assert field_of(search, "modelState") == "ready"
    assert field_of(search, "textDocuments") > 0
    assert field_of(search, "textLaggingFiles") == 0
    assert field_of(search, "vectorChunks") >= field_of(search, "textDocuments")
    assert field_of(search, "vectorLaggingFiles") == 0
    assert field_of(search, "vectorModel").startswith("hash")
