/**
 * Search: the `codeidx/semanticSearch` params, and its answer as Quick Pick items.
 *
 * Owns the shapes of the request and the answer (docs/protocol-extensions.md)
 * and how a result is shown: qualified name, kind, workspace-relative path
 * and line, snippet; and the one-line summary of an answer's coverage.
 *
 * Pure: it must not import `vscode`, so that node tests can load it. Items are
 * plain objects that `vscode.window.createQuickPick` accepts as they are.
 */

import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The custom request. */
export const SEMANTIC_SEARCH = "codeidx/semanticSearch";

/** The search modes the server knows. */
export const MODES = ["hybrid", "fts", "vector"] as const;
export type SearchMode = (typeof MODES)[number];

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface SearchResult {
  uri: string;
  range: Range;
  selectionRange: Range;
  name: string;
  qualifiedName: string;
  kind: string;
  symbolKind: number;
  language: string;
  snippet: string;
  score: number;
  scores: { fts: number | null; vector: number | null; symbol: number | null };
}

export interface SearchCoverage {
  nodesTotal: number;
  nodesIndexed: number;
  nodesEmbedded: number;
  filesTotal: number;
  filesLaggingText: number;
  filesLaggingVectors: number;
  partial: boolean;
  reason: string | null;
}

export interface SearchAnswer {
  results: SearchResult[];
  mode: string;
  partial: boolean;
  coverage: SearchCoverage | null;
  notes: string[];
}

export interface SearchParams {
  query: string;
  limit: number;
  mode?: SearchMode;
}

/** A Quick Pick item that remembers the result it shows. */
export interface ResultItem {
  label: string;
  description: string;
  detail: string;
  result: SearchResult;
}

/** The longest snippet shown under a result, in characters. */
const SNIPPET_LIMIT = 160;

/**
 * The params of a search, or undefined when the query is blank.
 *
 * @param mode left out for the server's default (hybrid).
 */
export function searchParams(query: string, limit = 50, mode?: SearchMode): SearchParams | undefined {
  const text = query.trim();
  if (text === "") {
    return undefined;
  }
  return mode === undefined ? { query: text, limit } : { query: text, limit, mode };
}

/**
 * A result's path for display: relative to the workspace folder holding it,
 * else the whole file system path (or the URI when it is not a `file:` URI).
 *
 * @param folders the file system paths of the workspace folders.
 */
export function displayPath(uri: string, folders: readonly string[]): string {
  let file: string;
  try {
    file = fileURLToPath(uri);
  } catch {
    return uri;
  }
  const inside = folders
    .map((folder) => path.relative(folder, file))
    .filter((rel) => rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel))
    .sort((a, b) => a.length - b.length);
  const shown = inside.length > 0 ? inside[0] : file;
  return shown.split(path.sep).join("/");
}

/** A snippet on one line, cut to a readable length. */
export function oneLine(snippet: string): string {
  const flat = snippet.replace(/\s+/g, " ").trim();
  return flat.length > SNIPPET_LIMIT ? `${flat.slice(0, SNIPPET_LIMIT - 1)}…` : flat;
}

/**
 * The Quick Pick items of an answer, best first as the server ranked them.
 *
 * The label is the qualified name; the description the kind and the
 * 1-based line of the name in its file; the detail the snippet.
 */
export function resultItems(answer: SearchAnswer, folders: readonly string[]): ResultItem[] {
  return answer.results.map((result) => {
    const where = `${displayPath(result.uri, folders)}:${result.selectionRange.start.line + 1}`;
    return {
      label: result.qualifiedName || result.name,
      description: `${result.kind} · ${where}`,
      detail: oneLine(result.snippet),
      result,
    };
  });
}

/**
 * One line about an answer: how many results, which mode ran, and whether
 * the stores were still catching up (the server never passes a partial
 * answer off as complete, and neither does this line).
 */
export function answerSummary(answer: SearchAnswer): string {
  const count = answer.results.length;
  const parts = [`${count} result${count === 1 ? "" : "s"} (${answer.mode})`];
  const coverage = answer.coverage;
  if (answer.partial && coverage !== null) {
    const embedded = `${coverage.nodesEmbedded}/${coverage.nodesTotal} definitions embedded`;
    parts.push(`partial: ${coverage.reason ?? embedded}`);
  } else if (answer.partial) {
    parts.push("partial");
  }
  parts.push(...answer.notes);
  return parts.join(" — ");
}
