// A stand-in for the VS Code API that runs the compiled extension against the real server.
//
// Driven by tests/clients/test_vscode.py: node vscode_host.js EXTENSION_DIR RESULT_JSON, with
// CODEIDX_PYTHON (an interpreter with codeidx), CODEIDX_WORKSPACE (a copy of
// tests/workspaces/shapes) and CODEIDX_INDEX (the index folder) in the environment.
// The stand-in implements what the extension itself calls (commands, output channels, the
// status bar item, the input box, the Quick Pick, opening a document, settings); every other
// member is an inert object, which is enough for vscode-languageclient to start the server
// over stdio. It activates the extension, waits (bounded) for the initial index run, searches
// through the "Search Code" command and accepts the best item, changes a setting, shows the
// status, and writes what it saw to RESULT_JSON for the checks in Python.

"use strict";

const Module = require("node:module");
const path = require("node:path");
const fs = require("node:fs");

const [extensionDir, resultPath] = process.argv.slice(2);
const env = process.env;

const seen = {
  commands: [],
  statusTexts: [],
  errors: [],
  infos: [],
  steps: [],
};

/** An object that accepts any property access or call, for the API the extension never reads. */
function inert(name) {
  const target = function () {};
  return new Proxy(target, {
    get(_, prop) {
      if (prop === "then") return undefined; // Never a promise.
      if (prop === Symbol.toPrimitive) return () => name;
      if (prop === "dispose") return () => {};
      return inert(`${name}.${String(prop)}`);
    },
    apply: () => inert(`${name}()`),
    construct: () => inert(`new ${name}`),
  });
}

function disposable() {
  return { dispose() {} };
}

/** A minimal event: `event(listener)` subscribes, `fire(value)` calls every listener. */
function emitter() {
  const listeners = [];
  const event = (listener) => {
    listeners.push(listener);
    return disposable();
  };
  event.fire = async (value) => {
    for (const listener of listeners) await listener(value);
  };
  return event;
}

const commands = new Map();
const channels = new Map();
const statusItem = { text: "", tooltip: "", command: undefined, show() {}, hide() {}, dispose() {} };
const configurationChanged = emitter();
/** The settings the user "set", by key without the section. */
const userSettings = { indexDir: env.CODEIDX_INDEX, "search.model": "hash" };
let inputAnswer;
let lastQuickPick;
let opened;

function quickPick() {
  const accept = emitter();
  const hide = emitter();
  const button = emitter();
  const pick = {
    items: [],
    selectedItems: [],
    activeItems: [],
    buttons: [],
    title: "",
    placeholder: "",
    busy: false,
    matchOnDescription: false,
    matchOnDetail: false,
    onDidAccept: accept,
    onDidHide: hide,
    onDidTriggerButton: button,
    onDidChangeActive: emitter(),
    onDidChangeSelection: emitter(),
    show() {},
    hide() {
      void hide.fire();
    },
    dispose() {},
    accept,
  };
  lastQuickPick = pick;
  return pick;
}

class Range {
  constructor(startLine, startCharacter, endLine, endCharacter) {
    this.start = { line: startLine, character: startCharacter };
    this.end = { line: endLine, character: endCharacter };
  }
}

const folderPath = env.CODEIDX_WORKSPACE;
const vscode = {
  version: "1.90.0",
  env: { appName: "vscode_host", language: "en", machineId: "test", sessionId: "test", uriScheme: "vscode" },
  Range,
  ThemeIcon: class {
    constructor(id) {
      this.id = id;
    }
  },
  StatusBarAlignment: { Left: 1, Right: 2 },
  Uri: {
    parse: (value) => ({ scheme: value.split(":")[0], toString: () => value, value }),
    file: (fsPath) => ({ scheme: "file", fsPath, toString: () => `file://${fsPath}` }),
  },
  commands: {
    registerCommand(id, handler) {
      commands.set(id, handler);
      seen.commands.push(id);
      return disposable();
    },
    executeCommand: async () => undefined,
    registerTextEditorCommand: () => disposable(),
  },
  window: new Proxy(
    {
      createOutputChannel(name) {
        const channel = {
          name,
          text: "",
          append(value) {
            this.text += value;
          },
          appendLine(value) {
            this.text += `${value}\n`;
          },
          replace(value) {
            this.text = value;
          },
          clear() {
            this.text = "";
          },
          show() {},
          hide() {},
          dispose() {},
        };
        channels.set(name, channel);
        return channel;
      },
      createStatusBarItem: () =>
        new Proxy(statusItem, {
          set(target, key, value) {
            if (key === "text") seen.statusTexts.push(value);
            target[key] = value;
            return true;
          },
        }),
      showErrorMessage: async (message) => {
        seen.errors.push(message);
        return undefined;
      },
      showInformationMessage: async (message) => {
        seen.infos.push(message);
        return undefined;
      },
      showWarningMessage: async () => undefined,
      showInputBox: async () => inputAnswer,
      showQuickPick: async () => undefined,
      createQuickPick: quickPick,
      showTextDocument: async (document, options) => {
        opened = { uri: document.uri, selection: options.selection };
        return inert("editor");
      },
    },
    {
      get(target, prop) {
        return prop in target ? target[prop] : inert(`window.${String(prop)}`);
      },
    },
  ),
  workspace: new Proxy(
    {
      workspaceFolders: [
        {
          uri: { scheme: "file", fsPath: folderPath, toString: () => `file://${folderPath}` },
          name: path.basename(folderPath),
          index: 0,
        },
      ],
      textDocuments: [],
      getConfiguration: () => ({
        get: (key) => (key === "server.python" ? env.CODEIDX_PYTHON : undefined),
        inspect: (key) => ({ key, globalValue: userSettings[key] }),
        has: (key) => key in userSettings,
        update: async () => undefined,
      }),
      onDidChangeConfiguration: configurationChanged,
      openTextDocument: async (uri) => ({ uri: uri.toString() }),
    },
    {
      get(target, prop) {
        return prop in target ? target[prop] : inert(`workspace.${String(prop)}`);
      },
    },
  ),
};

const load = Module._load;
Module._load = function (request, ...rest) {
  return request === "vscode" ? new Proxy(vscode, { get: (t, p) => (p in t ? t[p] : inert(String(p))) }) : load.call(this, request, ...rest);
};

async function waitFor(name, condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${name}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  seen.steps.push(name);
}

async function main() {
  const extension = require(path.join(extensionDir, "out", "extension.js"));
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, "package.json"), "utf8"));
  const context = { subscriptions: [], extension: { packageJSON: manifest } };
  await extension.activate(context);
  try {
    await waitFor("initial index run", () => /last run initial: complete/.test(statusItem.tooltip), 120000);
    seen.tooltipAfterInitial = statusItem.tooltip;

    // Search until the answer is complete: embedding follows the index run.
    inputAnswer = "sum the areas of shapes";
    await waitFor(
      "complete search",
      async () => {
        await commands.get("codeidx.searchCode")();
        return lastQuickPick !== undefined && !lastQuickPick.placeholder.includes("partial");
      },
      120000,
    );
    const pick = lastQuickPick;
    seen.search = {
      title: pick.title,
      placeholder: pick.placeholder,
      items: pick.items.map(({ label, description, detail }) => ({ label, description, detail })),
    };
    pick.selectedItems = pick.items.filter((item) => item.label === "app.shapes.total_area");
    await pick.accept.fire();
    seen.opened = opened;

    // A changed setting reaches the server, which re-indexes without the excluded file.
    userSettings.exclude = ["app/report.py"];
    await configurationChanged.fire({
      affectsConfiguration: (section) => section === "codeidx" || section === "codeidx.exclude",
    });
    await waitFor("settings run", () => /last run config: complete/.test(statusItem.tooltip), 120000);

    await commands.get("codeidx.showStatus")();
    seen.statusReport = channels.get("codeidx status").text;
  } finally {
    await extension.deactivate();
  }
}

main()
  .catch((error) => {
    seen.failure = String(error && error.stack ? error.stack : error);
  })
  .finally(() => {
    fs.writeFileSync(resultPath, JSON.stringify(seen, null, 2));
    process.exit(0);
  });
