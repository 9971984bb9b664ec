/**
 * Stable error codes, one family per part of the executor: `PLUGIN_*` (plugin
 * parsing and checkout), `CHECKOUT_*` (the git checkout), `HOOK_*` (finding and
 * running hooks), `JOB_API_*` (the Job API server and client), `JOB_*` (the
 * executor itself: inputs, phases, secrets). Each area's README section lists its codes.
 */
export type JobRunnerErrorCode =
  | `PLUGIN_${string}`
  | `CHECKOUT_${string}`
  | `HOOK_${string}`
  | `JOB_API_${string}`
  | `JOB_${string}`;

/** An error of the job executor: a one-line message naming what is wrong, and a stable code. */
export class JobRunnerError extends Error {
  override readonly name = "JobRunnerError";
  readonly code: JobRunnerErrorCode;
  /** The exit status this failure gives the job, when it decides one (e.g. 94 for a mirror lock timeout). */
  readonly exitStatus?: number;

  constructor(code: JobRunnerErrorCode, message: string, options: { cause?: unknown; exitStatus?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.exitStatus !== undefined) this.exitStatus = options.exitStatus;
  }
}
