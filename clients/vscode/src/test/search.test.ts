/**
 * Tests of search.ts: search params, Quick Pick items and the answer's summary line.
 */

import * as assert from "node:assert/strict";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import * as path from "node:path";

import { type SearchAnswer, answerSummary, displayPath, resultItems, searchParams } from "../search";

const root = path.resolve("/work/project");
const uri = pathToFileURL(path.join(root, "app", "shapes.py")).href;

function answer(partial: boolean): SearchAnswer {
  return {
    results: [
      {
        uri,
        range: { start: { line: 21, character: 0 }, end: { line: 23, character: 40 } },
        selectionRange: { start: { line: 21, character: 4 }, end: { line: 21, character: 14 } },
        name: "total_area",
        qualifiedName: "app.shapes.total_area",
        kind: "function",
        symbolKind: 12,
        language: "python",
        snippet: "def total_area(shapes: list[Shape]) -> float\n   — Sum the areas of shapes.",
        score: 0.0325,
        scores: { fts: 11.2, vector: 0.61, symbol: null },
      },
    ],
    mode: "hybrid",
    partial,
    coverage: {
      nodesTotal: 8,
      nodesIndexed: 8,
      nodesEmbedded: partial ? 3 : 8,
      filesTotal: 3,
      filesLaggingText: 0,
      filesLaggingVectors: partial ? 2 : 0,
      partial,
      reason: null,
    },
    notes: [],
  };
}

test("a blank query sends nothing; the mode is sent only when chosen", () => {
  assert.equal(searchParams("   "), undefined);
  assert.deepEqual(searchParams(" sum the areas "), { query: "sum the areas", limit: 50 });
  assert.deepEqual(searchParams("area", 5, "fts"), { query: "area", limit: 5, mode: "fts" });
});

test("an item shows the qualified name, kind, relative path, 1-based line and snippet", () => {
  const [item] = resultItems(answer(false), [root]);
  assert.equal(item.label, "app.shapes.total_area");
  assert.equal(item.description, "function · app/shapes.py:22");
  assert.equal(item.detail, "def total_area(shapes: list[Shape]) -> float — Sum the areas of shapes.");
  assert.deepEqual(item.result.selectionRange.start, { line: 21, character: 4 });
});

test("paths outside every folder stay whole; long snippets are cut", () => {
  const elsewhere = pathToFileURL(path.resolve("/elsewhere/lib.py")).href;
  assert.equal(displayPath(elsewhere, [root]), path.resolve("/elsewhere/lib.py").split(path.sep).join("/"));
  assert.equal(displayPath("untitled:Untitled-1", [root]), "untitled:Untitled-1");
  const long = answer(false);
  long.results[0].snippet = "x".repeat(400);
  const [item] = resultItems(long, [root]);
  assert.equal(item.detail.length, 160);
  assert.ok(item.detail.endsWith("…"));
});

test("the summary says how many results, which mode ran, and when the answer is partial", () => {
  assert.equal(answerSummary(answer(false)), "1 result (hybrid)");
  assert.equal(
    answerSummary(answer(true)),
    "1 result (hybrid) — partial: 3/8 definitions embedded",
  );
  const degraded = { ...answer(false), results: [], mode: "fts", notes: ["vector search is unavailable"] };
  assert.equal(answerSummary(degraded), "0 results (fts) — vector search is unavailable");
});
