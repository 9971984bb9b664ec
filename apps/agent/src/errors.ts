/**
 * The command line was wrong: an unknown flag, a flag without its value. The
 * real agent (urfave/cli) prints `Incorrect Usage: <message>` and the help on
 * stdout, then `buildkite-agent: fatal: <message>` on stderr, and exits 1.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly code = "CLI_USAGE";
}

export interface ExitErrorOptions {
  /** Print nothing, just exit (the Go agent's `SilentExitError`). @default false */
  readonly silent?: boolean;
  /**
   * End the process as soon as the message is printed, whatever is still running
   * (the Go agent's `os.Exit`): for an agent interrupted a third time, or one that
   * did not stop in time. @default false
   */
  readonly immediate?: boolean;
  readonly cause?: unknown;
}

/**
 * Thrown by a command to end the process with a given status: the message is
 * printed as `buildkite-agent: fatal: <message>` (unless `silent`), and the
 * process exits with `exitCode` — as the Go agent's `ExitError` and
 * `SilentExitError` (clicommand/errors.go). A command that simply wants to
 * exit with a status returns it instead.
 */
export class ExitError extends Error {
  override readonly name = "ExitError";
  readonly code = "CLI_EXIT";
  readonly exitCode: number;
  readonly silent: boolean;
  readonly immediate: boolean;

  constructor(exitCode: number, message: string, options: ExitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = exitCode;
    this.silent = options.silent ?? false;
    this.immediate = options.immediate ?? false;
  }
}
