/**
 * Tests of settings.ts: which settings reach the server, nested how, and how it starts.
 *
 * They load the real package.json, whose settings are generated from the
 * server's schema, so a setting the server adds is covered without a change here.
 */

import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

import {
  CLIENT_KEYS,
  changedConfiguration,
  initializationOptions,
  needsRestart,
  serverCommand,
  settingKeys,
} from "../settings";

const manifest: unknown = JSON.parse(
  readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"),
);
const keys = settingKeys(manifest);

function getter(values: Record<string, unknown>): (key: string) => unknown {
  return (key) => values[key];
}

test("package.json contributes the server's settings and the extension's own", () => {
  for (const key of ["indexDir", "exclude", "maxFileBytes", "languages", "search.model"]) {
    assert.ok(keys.includes(key), key);
  }
  for (const key of CLIENT_KEYS) {
    assert.ok(keys.includes(key), key);
  }
});

test("only settings the user set are sent, nested as the server reads them", () => {
  const options = initializationOptions(
    keys,
    getter({
      indexDir: "/tmp/index",
      exclude: ["vendor/"],
      "search.model": "hash",
      "search.rrfK": 30,
      "server.python": "/usr/bin/python3",
      "trace.server": "verbose",
    }),
  );
  assert.deepEqual(options, {
    indexDir: "/tmp/index",
    exclude: ["vendor/"],
    search: { model: "hash", rrfK: 30 },
  });
});

test("nothing set means an empty object, so the server's own defaults apply", () => {
  assert.deepEqual(initializationOptions(keys, getter({})), {});
  assert.deepEqual(changedConfiguration(keys, getter({})), { codeidx: {} });
});

test("a configuration change is sent under the codeidx section, without start-only keys", () => {
  const settings = changedConfiguration(
    keys,
    getter({ indexDir: "/tmp/index", languages: ["python"], "search.embed": false }),
  );
  assert.deepEqual(settings, { codeidx: { languages: ["python"], search: { embed: false } } });
});

test("a change of how the server starts restarts it; other changes do not", () => {
  assert.equal(needsRestart((key) => key === "server.python"), true);
  assert.equal(needsRestart((key) => key === "indexDir"), true);
  assert.equal(needsRestart((key) => key === "exclude"), false);
});

test("the server command is the interpreter with -m codeidx serve, or the command list", () => {
  assert.deepEqual(serverCommand(getter({})), {
    command: "python3",
    args: ["-m", "codeidx", "serve"],
  });
  assert.deepEqual(serverCommand(getter({ "server.python": " .venv/bin/python " })), {
    command: ".venv/bin/python",
    args: ["-m", "codeidx", "serve"],
  });
  assert.deepEqual(
    serverCommand(getter({ "server.python": "python3", "server.command": ["codeidx", "serve"] })),
    { command: "codeidx", args: ["serve"] },
  );
  assert.throws(
    () => serverCommand(getter({ "server.command": ["codeidx", 3] })),
    /codeidx.server.command must be a list of non-empty strings/,
  );
});
