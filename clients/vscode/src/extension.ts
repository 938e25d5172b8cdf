/**
 * The codeidx extension: starts `python -m codeidx serve` and adds its commands.
 *
 * Owns the VS Code side only: the language client's life (start, restart on a
 * change of how the server starts, stop), passing settings to the server,
 * the three commands (Search Code, Re-index Workspace, Show Status) and the
 * status bar item. Everything that can be decided without VS Code (settings
 * shapes, search items, status text) lives in `settings.ts`, `search.ts` and
 * `status.ts`, where node tests reach it; this module must not grow logic
 * that those modules could hold.
 */

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type NotificationHandler,
  type ProgressType,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";

import {
  MODES,
  type ResultItem,
  SEMANTIC_SEARCH,
  type SearchAnswer,
  type SearchMode,
  answerSummary,
  resultItems,
  searchParams,
} from "./search";
import {
  RESTART_KEYS,
  SECTION,
  type SettingGetter,
  changedConfiguration,
  initializationOptions,
  needsRestart,
  serverCommand,
  serverSettings,
  settingKeys,
} from "./settings";
import {
  INDEX_UPDATED,
  type IndexUpdated,
  type ProgressValue,
  type RootStatus,
  STATUS,
  StatusBarState,
  statusMarkdown,
} from "./status";

/** The languages whose documents start the server (VS Code language ids). */
const LANGUAGES = [
  "python",
  "javascript",
  "typescript",
  "typescriptreact",
  "rust",
  "go",
  "java",
  "c",
  "cpp",
];

/** A language client that also hands every work-done progress value to a listener. */
class CodeidxClient extends LanguageClient {
  progressListener: ((value: ProgressValue) => void) | undefined;

  override onProgress<P>(
    type: ProgressType<P>,
    token: string | number,
    handler: NotificationHandler<P>,
  ): vscode.Disposable {
    return super.onProgress(type, token, (value: P) => {
      this.progressListener?.(value as unknown as ProgressValue);
      handler(value);
    });
  }
}

/** Values the user set explicitly; undefined where the default applies. */
function explicitSettings(): SettingGetter {
  const config = vscode.workspace.getConfiguration(SECTION);
  return (key) => {
    const found = config.inspect(key);
    return found?.workspaceFolderValue ?? found?.workspaceValue ?? found?.globalValue;
  };
}

/** Values with their defaults, for the settings only the extension reads. */
function effectiveSettings(): SettingGetter {
  const config = vscode.workspace.getConfiguration(SECTION);
  return (key) => config.get(key);
}

function folderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? [])
    .filter((folder) => folder.uri.scheme === "file")
    .map((folder) => folder.uri.fsPath);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The extension's state between activation and deactivation. */
class Extension {
  private client: CodeidxClient | undefined;
  private readonly keys: string[];
  private readonly output: vscode.OutputChannel;
  private readonly statusChannel: vscode.OutputChannel;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly statusState = new StatusBarState();

  constructor(context: vscode.ExtensionContext) {
    this.keys = settingKeys(context.extension.packageJSON);
    this.output = vscode.window.createOutputChannel("codeidx");
    this.statusChannel = vscode.window.createOutputChannel("codeidx status");
    this.statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
    this.statusItem.command = "codeidx.showStatus";
    context.subscriptions.push(this.output, this.statusChannel, this.statusItem);
    this.render();
    this.statusItem.show();
  }

  /** Starts the server; a failure is shown once, with what to change. */
  async start(): Promise<void> {
    let server: ServerOptions;
    try {
      const { command, args } = serverCommand(effectiveSettings());
      server = { command, args };
    } catch (error) {
      this.fail(messageOf(error));
      return;
    }
    const options: LanguageClientOptions = {
      documentSelector: LANGUAGES.map((language) => ({ scheme: "file", language })),
      initializationOptions: initializationOptions(this.keys, explicitSettings()),
      outputChannel: this.output,
      middleware: {
        workspace: {
          // Answer pulls of the codeidx section with the server's settings only.
          configuration: (params) =>
            params.items.map((item) =>
              item.section === SECTION
                ? serverSettings(this.keys, explicitSettings(), RESTART_KEYS)
                : null,
            ),
        },
      },
    };
    const client = new CodeidxClient("codeidx", "codeidx", server, options);
    client.progressListener = (value) => {
      this.statusState.onProgress(value);
      this.render();
    };
    // Registered before start: the initial run can end right after `initialized`.
    client.onNotification(INDEX_UPDATED, (params: IndexUpdated) => {
      this.statusState.onIndexUpdated(params);
      this.render();
    });
    client.onDidChangeState((event) => {
      if (event.newState === State.Stopped && this.client === client) {
        this.statusState.onServerFailure("codeidx: the server stopped (see the codeidx output)");
        this.render();
      }
    });
    this.client = client;
    this.statusState.onServerFailure(undefined);
    this.render();
    try {
      await client.start();
    } catch (error) {
      const started = [server.command, ...(server.args ?? [])].join(" ");
      this.fail(
        `the server did not start with \`${started}\` (${messageOf(error)}); ` +
          "set codeidx.server.python to an interpreter with codeidx installed",
      );
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined && client.state !== State.Stopped) {
      await client.stop();
    }
  }

  /** Sends the new settings, or restarts the server when it reads them only at start. */
  async onConfigurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!event.affectsConfiguration(SECTION)) {
      return;
    }
    if (needsRestart((key) => event.affectsConfiguration(`${SECTION}.${key}`))) {
      await this.stop();
      await this.start();
      return;
    }
    const client = this.client;
    if (client !== undefined && client.isRunning()) {
      await client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: changedConfiguration(this.keys, explicitSettings()),
      });
    }
  }

  /** codeidx: Search Code. */
  async searchCode(): Promise<void> {
    const client = this.running();
    if (client === undefined) {
      return;
    }
    const query = await vscode.window.showInputBox({
      title: "codeidx: Search Code",
      prompt: "Describe what the code does, or give a name",
      placeHolder: "parse the http headers",
    });
    const first = query === undefined ? undefined : searchParams(query);
    if (query === undefined || first === undefined) {
      return;
    }
    const pick = vscode.window.createQuickPick<ResultItem>();
    const modeButton: vscode.QuickInputButton = {
      iconPath: new vscode.ThemeIcon("settings"),
      tooltip: "Choose the search mode",
    };
    pick.title = `codeidx: ${first.query}`;
    pick.matchOnDescription = true;
    pick.matchOnDetail = true;
    pick.buttons = [modeButton];
    const run = async (mode: SearchMode | undefined): Promise<void> => {
      const params = searchParams(query, 50, mode);
      pick.busy = true;
      try {
        const answer = await client.sendRequest<SearchAnswer>(SEMANTIC_SEARCH, params);
        pick.items = resultItems(answer, folderPaths());
        pick.placeholder = answerSummary(answer);
      } catch (error) {
        pick.items = [];
        pick.placeholder = `codeidx: ${messageOf(error)}`;
      } finally {
        pick.busy = false;
      }
    };
    pick.onDidTriggerButton(async () => {
      const mode = await vscode.window.showQuickPick([...MODES], {
        title: "codeidx: search mode",
        placeHolder: "hybrid: words and meaning; fts: words only; vector: meaning only",
      });
      pick.show();
      if (mode !== undefined) {
        await run(mode as SearchMode);
      }
    });
    pick.onDidAccept(async () => {
      const chosen = pick.selectedItems[0];
      pick.hide();
      if (chosen !== undefined) {
        await this.open(chosen);
      }
    });
    pick.onDidHide(() => pick.dispose());
    pick.show();
    await run(undefined);
  }

  /** codeidx: Re-index Workspace. */
  async reindex(): Promise<void> {
    const client = this.running();
    if (client === undefined) {
      return;
    }
    try {
      const answer = await client.sendRequest(ExecuteCommandRequest.type, {
        command: "codeidx.reindex",
        arguments: [],
      });
      const queued = (answer as { queued?: boolean } | null)?.queued;
      void vscode.window.showInformationMessage(
        queued === false
          ? "codeidx: a full index run is already queued"
          : "codeidx: re-indexing the workspace",
      );
    } catch (error) {
      void vscode.window.showErrorMessage(`codeidx: ${messageOf(error)}`);
    }
  }

  /** codeidx: Show Status. */
  async showStatus(): Promise<void> {
    const client = this.running();
    if (client === undefined) {
      return;
    }
    try {
      const status = await client.sendRequest<RootStatus>(STATUS, {});
      this.statusChannel.clear();
      this.statusChannel.append(statusMarkdown(status));
      this.statusChannel.show(true);
    } catch (error) {
      void vscode.window.showErrorMessage(`codeidx: ${messageOf(error)}`);
    }
  }

  private async open(item: ResultItem): Promise<void> {
    const { start, end } = item.result.selectionRange;
    try {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(item.result.uri));
      await vscode.window.showTextDocument(document, {
        selection: new vscode.Range(start.line, start.character, end.line, end.character),
      });
    } catch (error) {
      void vscode.window.showErrorMessage(`codeidx: cannot open ${item.label}: ${messageOf(error)}`);
    }
  }

  private running(): CodeidxClient | undefined {
    const client = this.client;
    if (client === undefined || !client.isRunning()) {
      void vscode.window.showErrorMessage(
        "codeidx: the server is not running (open a file of an indexed language, or see the codeidx output)",
      );
      return undefined;
    }
    return client;
  }

  private fail(message: string): void {
    this.statusState.onServerFailure(`codeidx: ${message}`);
    this.render();
    void vscode.window.showErrorMessage(`codeidx: ${message}`);
  }

  private render(): void {
    const view = this.statusState.view();
    this.statusItem.text = view.text;
    this.statusItem.tooltip = view.tooltip;
  }
}

let extension: Extension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const current = new Extension(context);
  extension = current;
  context.subscriptions.push(
    vscode.commands.registerCommand("codeidx.searchCode", () => current.searchCode()),
    vscode.commands.registerCommand("codeidx.reindexWorkspace", () => current.reindex()),
    vscode.commands.registerCommand("codeidx.showStatus", () => current.showStatus()),
    vscode.workspace.onDidChangeConfiguration((event) => current.onConfigurationChanged(event)),
  );
  await current.start();
}

export async function deactivate(): Promise<void> {
  const current = extension;
  extension = undefined;
  await current?.stop();
}
