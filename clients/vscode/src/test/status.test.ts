/**
 * Tests of status.ts: the status report and the status bar's text.
 */

import * as assert from "node:assert/strict";
import { test } from "node:test";

import { type IndexUpdated, type RootStatus, StatusBarState, statusMarkdown } from "../status";

const run = {
  reason: "initial",
  status: "complete",
  filesParsed: 3,
  filesUnchanged: 0,
  filesDeleted: 0,
  filesSkipped: 0,
  changedPaths: ["app/shapes.py"],
  error: null,
};

const status: RootStatus = {
  root: "/work/project",
  indexDir: "/tmp/index",
  indexed: true,
  indexing: { running: null, fullRunQueued: false, savesQueued: 0 },
  lastRun: run,
  openDocuments: 1,
  files: 3,
  nodes: 13,
  edges: 15,
  filesByLanguage: { python: 3 },
  staleFiles: 0,
  coverage: { partial: false, files: 3, unlinkedFiles: 0, reason: null },
  roots: [],
};

test("the report names the folder, the counts and the last run", () => {
  const text = statusMarkdown(status);
  assert.match(text, /^# codeidx status\n\n## \/work\/project\n/);
  assert.match(text, /- 3 files, 13 definitions, 15 edges/);
  assert.match(text, /- Files by language: python 3/);
  assert.match(text, /- Last run: initial: complete \(3 parsed, 0 unchanged, 0 deleted, 0 skipped\)/);
  assert.doesNotMatch(text, /Partial/);
});

test("every workspace folder gets a section, and partial coverage is said", () => {
  const second: RootStatus = {
    ...status,
    root: "/work/other",
    indexed: false,
    lastRun: null,
    coverage: null,
    indexing: { running: "initial", fullRunQueued: false, savesQueued: 2 },
  };
  const partial: RootStatus = {
    ...status,
    coverage: { partial: true, files: 3, unlinkedFiles: 1, reason: "1 file is not linked yet" },
  };
  const text = statusMarkdown({ ...partial, roots: [partial, second] });
  assert.match(text, /## \/work\/project[\s\S]*\*\*Partial\*\*: 1 file is not linked yet/);
  assert.match(text, /## \/work\/other\n\n- Index folder: `\/tmp\/index`\n- Not indexed yet\./);
  assert.match(text, /- Indexing now \(initial\)/);
  assert.match(text, /- Queued: 2 saved files/);
  assert.match(text, /- Last run: none yet/);
});

test("the status bar follows progress, then shows how the last run ended", () => {
  const state = new StatusBarState();
  assert.equal(state.view().text, "$(database) codeidx");
  state.onProgress({ kind: "begin", title: "codeidx: indexing", percentage: 0 });
  state.onProgress({ kind: "report", message: "parse 120/400 files", percentage: 30 });
  assert.deepEqual(state.view(), {
    text: "$(sync~spin) codeidx 30%",
    tooltip: "codeidx: indexing — parse 120/400 files",
  });
  state.onProgress({ kind: "end" });
  const updated: IndexUpdated = { run, paths: [], root: "/work/project" };
  state.onIndexUpdated(updated);
  assert.equal(state.view().text, "$(database) codeidx");
  assert.match(state.view().tooltip, /last run initial: complete/);
  state.onIndexUpdated({ ...updated, run: { ...run, status: "failed", error: "disk full" } });
  assert.equal(state.view().text, "$(warning) codeidx");
  assert.match(state.view().tooltip, /disk full/);
  state.onServerFailure("codeidx: the server stopped");
  assert.deepEqual(state.view(), { text: "$(error) codeidx", tooltip: "codeidx: the server stopped" });
});
