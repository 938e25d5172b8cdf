/**
 * Status: the `codeidx/status` answer as Markdown, and the status bar's text.
 *
 * Owns how the index's state is shown: the report of `codeidx: Show Status`
 * and the status bar item, which follows work-done progress (`$/progress`)
 * and `codeidx/indexUpdated` notifications.
 *
 * Pure: it must not import `vscode`, so that node tests can load it.
 */

/** The custom request and notification. */
export const STATUS = "codeidx/status";
export const INDEX_UPDATED = "codeidx/indexUpdated";

export interface RunSummary {
  reason: string;
  status: string;
  filesParsed: number;
  filesUnchanged: number;
  filesDeleted: number;
  filesSkipped: number;
  changedPaths: string[];
  error: string | null;
}

export interface RootStatus {
  root: string;
  indexDir: string;
  indexed: boolean;
  indexing: { running: string | null; fullRunQueued: boolean; savesQueued: number };
  lastRun: RunSummary | null;
  openDocuments: number;
  files: number;
  nodes: number;
  edges: number;
  filesByLanguage: Record<string, number>;
  staleFiles: number;
  coverage: { partial: boolean; files: number; unlinkedFiles: number; reason: string | null } | null;
  roots?: RootStatus[];
}

export interface IndexUpdated {
  run: RunSummary;
  paths: string[];
  root: string;
}

/** A work-done progress value (`begin`, `report` or `end`). */
export interface ProgressValue {
  kind: "begin" | "report" | "end";
  title?: string;
  message?: string;
  percentage?: number;
}

/** What the status bar item shows. */
export interface StatusBarView {
  text: string;
  tooltip: string;
}

function runLine(run: RunSummary): string {
  const counts =
    `${run.filesParsed} parsed, ${run.filesUnchanged} unchanged, ` +
    `${run.filesDeleted} deleted, ${run.filesSkipped} skipped`;
  const error = run.error ? ` — ${run.error}` : "";
  return `${run.reason}: ${run.status} (${counts})${error}`;
}

function rootSection(status: RootStatus): string[] {
  const lines = [`## ${status.root}`, ""];
  lines.push(`- Index folder: \`${status.indexDir}\``);
  if (!status.indexed) {
    lines.push("- Not indexed yet.");
  } else {
    lines.push(`- ${status.files} files, ${status.nodes} definitions, ${status.edges} edges`);
    const languages = Object.entries(status.filesByLanguage)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, count]) => `${name} ${count}`);
    if (languages.length > 0) {
      lines.push(`- Files by language: ${languages.join(", ")}`);
    }
    lines.push(`- Files changed on disk since indexed: ${status.staleFiles}`);
  }
  if (status.coverage?.partial) {
    lines.push(`- **Partial**: ${status.coverage.reason ?? "the index is incomplete"}`);
  }
  const indexing = status.indexing;
  if (indexing.running !== null) {
    lines.push(`- Indexing now (${indexing.running})`);
  }
  if (indexing.fullRunQueued || indexing.savesQueued > 0) {
    lines.push(
      `- Queued: ${indexing.fullRunQueued ? "a full run, " : ""}${indexing.savesQueued} saved files`,
    );
  }
  lines.push(`- Last run: ${status.lastRun === null ? "none yet" : runLine(status.lastRun)}`);
  lines.push(`- Open documents: ${status.openDocuments}`);
  return lines;
}

/** The `codeidx/status` answer as a Markdown report, one section per workspace folder. */
export function statusMarkdown(status: RootStatus): string {
  const roots = status.roots !== undefined && status.roots.length > 0 ? status.roots : [status];
  const lines = ["# codeidx status", ""];
  for (const root of roots) {
    lines.push(...rootSection(root), "");
  }
  return lines.join("\n");
}

/**
 * The status bar's state: the latest progress and the latest finished run.
 *
 * Progress wins while a run is going; after it ends the bar shows how the
 * last run went.
 */
export class StatusBarState {
  private progress: ProgressValue | undefined;
  private lastRun: IndexUpdated | undefined;
  private failure: string | undefined;

  /** Records a `$/progress` value of a server-created work-done token. */
  onProgress(value: ProgressValue): void {
    if (value.kind === "end") {
      this.progress = undefined;
    } else if (value.kind === "begin") {
      this.progress = value;
    } else if (this.progress !== undefined) {
      this.progress = { ...this.progress, ...value, kind: "report" };
    } else {
      this.progress = value;
    }
  }

  /** Records a `codeidx/indexUpdated` notification. */
  onIndexUpdated(params: IndexUpdated): void {
    this.lastRun = params;
  }

  /** Records that the server could not start or stopped; undefined clears it. */
  onServerFailure(message: string | undefined): void {
    this.failure = message;
  }

  /** The item's text (with a VS Code codicon) and tooltip. */
  view(): StatusBarView {
    if (this.failure !== undefined) {
      return { text: "$(error) codeidx", tooltip: this.failure };
    }
    if (this.progress !== undefined) {
      const percent =
        this.progress.percentage === undefined ? "" : ` ${Math.round(this.progress.percentage)}%`;
      const title = this.progress.title ?? "codeidx: working";
      const message = this.progress.message ? ` — ${this.progress.message}` : "";
      return { text: `$(sync~spin) codeidx${percent}`, tooltip: `${title}${message}` };
    }
    if (this.lastRun === undefined) {
      return { text: "$(database) codeidx", tooltip: "codeidx: starting" };
    }
    const run = this.lastRun.run;
    const tooltip = `codeidx: last run ${runLine(run)}`;
    if (run.status !== "complete") {
      return { text: "$(warning) codeidx", tooltip };
    }
    return { text: "$(database) codeidx", tooltip };
  }
}
