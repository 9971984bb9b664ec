/**
 * Stable codes of {@link PipelineError}. Callers branch on these, never on message text.
 *
 * - `PIPELINE_EMPTY`: the input is empty (the agent's `pipeline file "x" is empty`).
 * - `PIPELINE_YAML`: the text is not valid YAML/JSON; the message has the line and column.
 * - `PIPELINE_INVALID`: valid YAML whose shape cannot be a pipeline (a scalar document, a step
 *   that is a number, a non-string `env` value at the top level…).
 * - `PIPELINE_INTERPOLATION`: a `${…}` expression is malformed, or `${X?}` names an unset variable.
 * - `PIPELINE_MATRIX`: a matrix permutation does not fit the step's matrix, or a `{{matrix…}}`
 *   token names an unknown dimension.
 * - `PIPELINE_SECRETS`: the pipeline contains secret values and the caller asked to reject them.
 * - `PIPELINE_SCHEMA`: the JSON schema could not be loaded or compiled.
 * - `PIPELINE_FORMAT`: an unknown output format was asked for.
 */
export type PipelineErrorCode =
  | "PIPELINE_EMPTY"
  | "PIPELINE_YAML"
  | "PIPELINE_INVALID"
  | "PIPELINE_INTERPOLATION"
  | "PIPELINE_MATRIX"
  | "PIPELINE_SECRETS"
  | "PIPELINE_SCHEMA"
  | "PIPELINE_FORMAT";

/**
 * Everything this package throws. The message is one line and, where the real agent has
 * one, the agent's own text (for interpolation errors exactly the text of
 * buildkite/interpolate, e.g. `$FOO: not set`).
 */
export class PipelineError extends Error {
  override readonly name = "PipelineError";
  readonly code: PipelineErrorCode;
  /**
   * The agent's warning lines raised before the failure, for the caller to print before
   * the error as `pipeline upload` logs them: for `PIPELINE_SECRETS`, the short-values and
   * `Couldn't match environment variable names…` lines. Empty for every other code.
   */
  readonly warnings: readonly string[];

  constructor(code: PipelineErrorCode, message: string, options?: { cause?: unknown; warnings?: readonly string[] }) {
    super(message, options);
    this.code = code;
    this.warnings = options?.warnings ?? [];
  }
}

/**
 * Something the real agent tolerates while parsing (go-pipeline "warnings"): the pipeline
 * is still produced. `code` names the upstream sentinel where there is one
 * (`ErrUnknownStepType`, `ErrStepTypeInference`, `ErrIncompatibleTypes`), else `StepFallback` (a
 * step kept as written because a field could not be decoded) or `NoSteps` (no `steps` key).
 */
export interface PipelineWarning {
  readonly code: "ErrUnknownStepType" | "ErrStepTypeInference" | "ErrIncompatibleTypes" | "StepFallback" | "NoSteps";
  /** Where, as `steps[2]` or `steps[0].steps[1]`; `""` for the whole pipeline. */
  readonly path: string;
  readonly message: string;
}
