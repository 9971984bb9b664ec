import { goPathMatch, validateGoPattern } from "./go-path-match.js";

/**
 * The default `redacted-vars` (`BUILDKITE_REDACTED_VARS`) patterns of the agent
 * (clicommand/global.go `RedactedVars`).
 */
export const DEFAULT_REDACTED_VARS: readonly string[] = Object.freeze([
  "*_PASSWORD",
  "*_SECRET",
  "*_TOKEN",
  "*_PRIVATE_KEY",
  "*_SSH_KEY",
  "*_ACCESS_KEY",
  "*_SECRET_KEY",
  "*_CONNECTION_STRING",
  "*_API_KEY",
]);

/** Env values shorter than this many bytes are not redacted (too likely to appear by chance). */
export const REDACTED_VAR_MIN_LENGTH = 6;

/** One environment variable. */
export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

/** What `matchRedactedVars` found. */
export interface RedactedVarsMatch {
  /** Variables to redact: name matches a pattern and value is at least 6 bytes. Input order. */
  readonly matched: EnvVar[];
  /** Names whose value matched but is non-empty and under 6 bytes. Input order. */
  readonly short: string[];
  /** The agent's warning about `short` (warning id `short-redacted-vars`), if any. */
  readonly warning: string | undefined;
}

/** Environment given as a record or as ordered name/value pairs. */
export type EnvInput =
  | Readonly<Record<string, string | undefined>>
  | Iterable<readonly [string, string]>
  | Iterable<EnvVar>;

function* entries(env: EnvInput): Generator<[string, string]> {
  if (Symbol.iterator in env) {
    for (const item of env as Iterable<readonly [string, string] | EnvVar>) {
      if (Array.isArray(item)) yield [item[0], item[1]];
      else yield [(item as EnvVar).name, (item as EnvVar).value];
    }
    return;
  }
  for (const [name, value] of Object.entries(env)) if (value !== undefined) yield [name, value];
}

/**
 * The agent's warning for values too short to redact:
 * "Some variables have values below minimum length (6 bytes) and will not be redacted: A, B".
 */
export function shortRedactedVarsWarning(names: readonly string[]): string {
  return `Some variables have values below minimum length (${REDACTED_VAR_MIN_LENGTH} bytes) and will not be redacted: ${names.join(", ")}`;
}

/**
 * Which env vars' values must be redacted (upstream internal/redact `Vars`): a
 * variable whose whole name matches any pattern (Go `path.Match`, case-sensitive)
 * and whose value is at least 6 bytes. Empty values are skipped silently; shorter
 * ones are listed in `short`. Every pattern is checked first: one malformed pattern
 * throws LogRedactorError `REDACTED_VARS_PATTERN`, so no env value is redacted at all,
 * as in the agent. An empty pattern list matches nothing.
 */
export function matchRedactedVars(patterns: readonly string[], env: EnvInput): RedactedVarsMatch {
  for (const pattern of patterns) validateGoPattern(pattern);
  const matched: EnvVar[] = [];
  const short: string[] = [];
  for (const [name, value] of entries(env)) {
    if (!patterns.some((pattern) => goPathMatch(pattern, name))) continue;
    if (value === "") continue;
    if (Buffer.byteLength(value, "utf8") < REDACTED_VAR_MIN_LENGTH) short.push(name);
    else matched.push({ name, value });
  }
  return { matched, short, warning: short.length > 0 ? shortRedactedVarsWarning(short) : undefined };
}
