import { LogRedactorError } from "./errors.js";
import { goTrimSpace } from "./go-trim-space.js";
import { DEFAULT_REDACTED_VARS, REDACTED_VAR_MIN_LENGTH } from "./redacted-vars.js";
import { goPathMatch, validateGoPattern } from "./go-path-match.js";

/** Options of `parseRedactorAddInput`, mirroring `buildkite-agent redactor add` flags. */
export interface RedactorAddInputOptions {
  /** `--format`: `none` = the whole input, trimmed, is one secret; `json` = an object of string values. @default "none" */
  readonly format?: string;
  /** `--apply-vars-filter` (json only): keep values whose key matches `redactedVars` and that are at least 6 bytes. @default false */
  readonly applyVarsFilter?: boolean;
  /** `--redacted-vars` patterns for the filter. @default DEFAULT_REDACTED_VARS */
  readonly redactedVars?: readonly string[];
}

/**
 * Parses the input of `buildkite-agent redactor add` (clicommand/redactor_add.go)
 * into the secrets to send to the Job API, one `POST …/redactions` each.
 *
 * Throws LogRedactorError: `REDACTOR_ADD_FORMAT` for an unknown format,
 * `REDACTOR_ADD_JSON_SYNTAX` for input that is not JSON, `REDACTOR_ADD_JSON_TYPE`
 * for JSON that is not an object of strings, `REDACTED_VARS_PATTERN` for a malformed
 * filter pattern. Messages never quote the input: it is secret.
 */
export function parseRedactorAddInput(input: string | Uint8Array, options: RedactorAddInputOptions = {}): string[] {
  const format = options.format ?? "none";
  const bytes = typeof input === "string" ? Buffer.from(input) : Buffer.from(input.buffer, input.byteOffset, input.length);
  if (format === "none") {
    const secret = Buffer.from(goTrimSpace(bytes)).toString("utf8");
    return secret === "" ? [] : [secret];
  }
  if (format !== "json") {
    throw new LogRedactorError("REDACTOR_ADD_FORMAT", `redactor add: invalid format ${JSON.stringify(format)}; use "none" or "json"`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch {
    // No `cause`: V8's SyntaxError message quotes the input, which is a secret.
    throw new LogRedactorError("REDACTOR_ADD_JSON_SYNTAX", "redactor add: input is not valid JSON; expected an object of string values");
  }
  if (parsed === null) return [];
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new LogRedactorError("REDACTOR_ADD_JSON_TYPE", "redactor add: JSON input must be an object of string values");
  }
  const patterns = options.redactedVars ?? DEFAULT_REDACTED_VARS;
  if (options.applyVarsFilter) for (const pattern of patterns) validateGoPattern(pattern);
  const secrets: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "string") {
      throw new LogRedactorError("REDACTOR_ADD_JSON_TYPE", `redactor add: JSON value for key ${JSON.stringify(key)} is not a string`);
    }
    if (options.applyVarsFilter) {
      if (Buffer.byteLength(value) < REDACTED_VAR_MIN_LENGTH) continue;
      if (!patterns.some((pattern) => goPathMatch(pattern, key))) continue;
    }
    secrets.push(value);
  }
  return secrets;
}
