/**
 * Settings: from the `codeidx.*` configuration to what the server reads.
 *
 * Owns the split between settings only the extension reads (how to start the
 * server) and the server's settings, the shape of `initializationOptions`
 * and of the `workspace/didChangeConfiguration` payload, and the command that
 * starts the server. The list of keys comes from the extension's own
 * `package.json` (generated from the server's schema by
 * `scripts/gen_settings.py`), so a new server setting needs no code here.
 *
 * Pure: it must not import `vscode`, so that node tests can load it.
 */

/** The configuration section; the server reads the same name. */
export const SECTION = "codeidx";

/** Keys only the extension reads; the server never sees them. */
export const CLIENT_KEYS: ReadonlySet<string> = new Set([
  "server.python",
  "server.command",
  "trace.server",
]);

/**
 * Keys read when the server starts. A running server ignores them in
 * `workspace/didChangeConfiguration`, so a change restarts it instead.
 */
export const RESTART_KEYS: ReadonlySet<string> = new Set([
  "indexDir",
  "server.python",
  "server.command",
]);

/** Reads one setting by its key without the section (`search.model`); undefined when unset. */
export type SettingGetter = (key: string) => unknown;

/** A JSON object as sent to the server. */
export type JsonObject = { [key: string]: unknown };

/** How to start the server: an executable and its arguments. */
export interface ServerCommand {
  command: string;
  args: string[];
}

/**
 * The setting keys (without the section) that a `package.json` contributes.
 *
 * @param packageJson the extension's parsed manifest.
 */
export function settingKeys(packageJson: unknown): string[] {
  const properties = (packageJson as {
    contributes?: { configuration?: { properties?: Record<string, unknown> } };
  })?.contributes?.configuration?.properties;
  if (properties === undefined || properties === null) {
    return [];
  }
  const prefix = `${SECTION}.`;
  return Object.keys(properties)
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length));
}

/**
 * The server's settings that the user set, nested as the server reads them.
 *
 * Only explicitly set values are sent: a default written here would hide the
 * server's own fallbacks (`CODEIDX_MODEL`, `CODEIDX_INDEX_DIR`).
 *
 * @param keys every setting key (from `settingKeys`).
 * @param get reads a setting the user set, or undefined.
 * @param skip keys to leave out besides the extension's own.
 */
export function serverSettings(
  keys: readonly string[],
  get: SettingGetter,
  skip: ReadonlySet<string> = new Set(),
): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) {
    if (CLIENT_KEYS.has(key) || skip.has(key)) {
      continue;
    }
    const value = get(key);
    if (value === undefined) {
      continue;
    }
    const parts = key.split(".");
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next !== "object" || next === null || Array.isArray(next)) {
        node[part] = {};
      }
      node = node[part] as JsonObject;
    }
    node[parts[parts.length - 1]] = value;
  }
  return out;
}

/** `initializationOptions`: every server setting the user set, `indexDir` included. */
export function initializationOptions(keys: readonly string[], get: SettingGetter): JsonObject {
  return serverSettings(keys, get);
}

/**
 * The `settings` of a `workspace/didChangeConfiguration` notification.
 *
 * Keys the server reads only at start are left out; the server takes keys
 * that are absent as their defaults, so every set value is sent each time.
 */
export function changedConfiguration(keys: readonly string[], get: SettingGetter): JsonObject {
  return { [SECTION]: serverSettings(keys, get, RESTART_KEYS) };
}

/**
 * Whether a configuration change needs the server restarted.
 *
 * @param affects tells whether the change touched a key (without the section).
 */
export function needsRestart(affects: (key: string) => boolean): boolean {
  for (const key of RESTART_KEYS) {
    if (affects(key)) {
      return true;
    }
  }
  return false;
}

/**
 * The command that starts the server: `server.command` when it is a non-empty
 * list of strings, else `<server.python> -m codeidx serve`.
 *
 * @throws Error with a sentence for the user when `server.command` is malformed.
 */
export function serverCommand(get: SettingGetter): ServerCommand {
  const command = get("server.command");
  if (Array.isArray(command) && command.length > 0) {
    if (!command.every((part) => typeof part === "string" && part.length > 0)) {
      throw new Error("codeidx.server.command must be a list of non-empty strings");
    }
    const [head, ...rest] = command as string[];
    return { command: head, args: rest };
  }
  const python = get("server.python");
  const interpreter = typeof python === "string" && python.trim() !== "" ? python.trim() : "python3";
  return { command: interpreter, args: ["-m", "codeidx", "serve"] };
}
