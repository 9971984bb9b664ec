import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "./errors.js";

/** One `key=value` line of a config file. */
export interface ConfigFileEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based line number, for `file:line` in warnings. */
  readonly line: number;
}

export interface ConfigFile {
  readonly path: string;
  /** Entries in file order; a later duplicate key wins, as in the real agent. */
  readonly entries: readonly ConfigFileEntry[];
}

/**
 * Parses config-file text with the real agent's rules (cliconfig/file.go, which
 * follows godotenv): lines blank or starting with `#` are skipped; a `# comment`
 * is dropped unless the `#` sits inside quotes; `key=value`, else `key: value`;
 * a bare `export` prefix is removed from the key; key and value are trimmed of
 * spaces (only spaces, as in Go); when the value holds exactly two `"` or exactly
 * two `'`, quote characters are stripped from both ends and `\"` and `\n` are
 * unescaped. A line of neither form is an error naming the line, since the real
 * agent refuses such a file too.
 */
export function parseConfigFile(text: string, filePath: string): ConfigFile {
  const entries: ConfigFileEntry[] = [];
  // bufio.Scanner's lines: split on \n, a trailing \r dropped.
  const lines = text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  if (lines.at(-1) === "") lines.pop();
  for (const [index, raw] of lines.entries()) {
    if (isIgnoredLine(raw)) continue;
    const line = stripComment(raw);
    const separator = line.includes("=") ? "=" : line.includes(":") ? ":" : undefined;
    if (separator === undefined) {
      throw new ConfigError([
        {
          code: "CONFIG_FILE",
          // The line itself is not quoted: it may hold a token.
          message: `parsing config line ${index + 1} of ${filePath}: expected key="value" or key: value`,
        },
      ]);
    }
    const at = line.indexOf(separator);
    const rawKey = line.slice(0, at);
    const key = trimChars(rawKey.startsWith("export") ? rawKey.slice("export".length) : rawKey, " ");
    entries.push({ key, value: unquote(trimChars(line.slice(at + 1), " ")), line: index + 1 });
  }
  return { path: filePath, entries };
}

/** Reads and parses a config file; a missing or unreadable file is a `CONFIG_FILE` error. */
export function readConfigFile(filePath: string): ConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(filePath, "utf8");
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError([{ code: "CONFIG_FILE", message: `could not read the configuration file "${filePath}": ${reason}` }], {
      cause,
    });
  }
  return parseConfigFile(text, filePath);
}

export interface ConfigSearchOptions {
  /** Directory of the running executable: the real agent looks beside its binary first. */
  readonly executableDir?: string;
  readonly homeDir?: string;
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
}

/** The places the real agent looks for `buildkite-agent.cfg` when `--config` is not given, in order. */
export function configSearchPaths(options: ConfigSearchOptions): string[] {
  const name = "buildkite-agent.cfg";
  const paths: string[] = [];
  if (options.executableDir) paths.push(path.join(options.executableDir, name));
  if (options.platform === "win32") {
    paths.push(path.win32.join("C:\\buildkite-agent", name));
    if (options.homeDir) {
      paths.push(path.win32.join(options.homeDir, "AppData", "Local", "buildkite-agent", name));
      paths.push(path.win32.join(options.homeDir, "AppData", "Local", "BuildkiteAgent", name));
    }
    return paths;
  }
  if (options.homeDir) paths.push(path.join(options.homeDir, ".buildkite-agent", name));
  if (options.platform === "darwin" && options.arch === "arm64") {
    paths.push(`/opt/homebrew/etc/buildkite-agent/${name}`);
  }
  paths.push(`/usr/local/etc/buildkite-agent/${name}`, `/etc/buildkite-agent/${name}`);
  return paths;
}

/** The first existing file of `candidates`, or `undefined`. */
export function findConfigFile(candidates: readonly string[]): string | undefined {
  return candidates.find(isFile);
}

/** Whether `candidate` names an existing regular file (after following links). */
export function isFile(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isFile();
  } catch {
    return false;
  }
}

function isIgnoredLine(line: string): boolean {
  const trimmed = trimChars(line, " \n\t");
  return trimmed === "" || trimmed.startsWith("#");
}

/**
 * godotenv's comment rule: split on `#`; a segment with a lone quote opens or
 * closes a quoted run; segments inside a quoted run are kept, and after the first
 * segment nothing outside one is.
 */
function stripComment(line: string): string {
  if (!line.includes("#")) return line;
  let quotesOpen = false;
  const kept: string[] = [];
  for (const segment of line.split("#")) {
    if (count(segment, '"') === 1 || count(segment, "'") === 1) {
      if (quotesOpen) {
        quotesOpen = false;
        kept.push(segment);
      } else {
        quotesOpen = true;
      }
    }
    if (kept.length === 0 || quotesOpen) kept.push(segment);
  }
  return kept.join("#");
}

function unquote(value: string): string {
  if (count(value, '"') !== 2 && count(value, "'") !== 2) return value;
  return trimChars(value, "\"'").replaceAll('\\"', '"').replaceAll("\\n", "\n");
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** Go's `strings.Trim`: removes any of `chars` from both ends. */
function trimChars(value: string, chars: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && chars.includes(value[start]!)) start++;
  while (end > start && chars.includes(value[end - 1]!)) end--;
  return value.slice(start, end);
}
