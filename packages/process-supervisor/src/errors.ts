/**
 * Why a process could not be started. Callers branch on `code`:
 * - `PROCESS_INVALID_OPTION`: an option has the wrong type or range (e.g. a grace period).
 * - `PROCESS_INVALID_ENV`: an env entry is not a string, or its name/value cannot be passed to exec.
 * - `PROCESS_CWD_NOT_FOUND`: the working directory does not exist or is not a directory.
 * - `PROCESS_COMMAND_NOT_FOUND`: the command is not a file, or not on the env's `PATH`.
 * - `PROCESS_COMMAND_NOT_EXECUTABLE`: the command exists but is a directory or lacks execute permission.
 * - `PROCESS_SPAWN_FAILED`: the operating system refused to start it (fork, exec, PTY or pipe set-up).
 * - `PROCESS_ABORTED`: the `signal` was already aborted, so nothing was started.
 *
 * The real agent reports every one of these for a job as exit status -1 with
 * signal reason `process_run_error`; the job runner does that mapping.
 */
export type ProcessErrorCode =
  | "PROCESS_INVALID_OPTION"
  | "PROCESS_INVALID_ENV"
  | "PROCESS_CWD_NOT_FOUND"
  | "PROCESS_COMMAND_NOT_FOUND"
  | "PROCESS_COMMAND_NOT_EXECUTABLE"
  | "PROCESS_SPAWN_FAILED"
  | "PROCESS_ABORTED";

/** A process that could not be started; `message` is one line naming the command or directory. */
export class ProcessError extends Error {
  override readonly name = "ProcessError";
  readonly code: ProcessErrorCode;

  constructor(code: ProcessErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
