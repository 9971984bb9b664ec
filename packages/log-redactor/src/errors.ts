/**
 * Stable codes for everything this package throws. Callers branch on `code`:
 * - `REDACTED_VARS_PATTERN`: a `redacted-vars` glob is malformed (Go `path.ErrBadPattern`);
 *   the whole env scan fails, as in the real agent.
 * - `REDACTOR_ADD_FORMAT`: `redactor add --format` is neither `none` nor `json`.
 * - `REDACTOR_ADD_JSON_SYNTAX`: `--format json` input is not valid JSON.
 * - `REDACTOR_ADD_JSON_TYPE`: `--format json` input is valid JSON but not an object of strings.
 * - `INVALID_OPTION`: an option given to a constructor is out of range.
 */
export type LogRedactorErrorCode =
  | "REDACTED_VARS_PATTERN"
  | "REDACTOR_ADD_FORMAT"
  | "REDACTOR_ADD_JSON_SYNTAX"
  | "REDACTOR_ADD_JSON_TYPE"
  | "INVALID_OPTION";

/**
 * The one error class of this package. Messages are one line and never contain a
 * secret value: they name patterns, keys, formats and positions, never values.
 */
export class LogRedactorError extends Error {
  override readonly name = "LogRedactorError";
  readonly code: LogRedactorErrorCode;

  constructor(code: LogRedactorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
