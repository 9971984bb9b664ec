/**
 * A failure that stops a phase: a hook that exited non-zero, or an error of the
 * executor itself (checkout, plugins). `exitStatus` is what the job exits with
 * when this failure decides it (the hook's exit code; 1 for other errors).
 */
export class PhaseFailure extends Error {
  override readonly name = "PhaseFailure";
  readonly exitStatus: number;

  constructor(message: string, exitStatus: number, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitStatus = exitStatus;
  }

  /** Any error as a phase failure: a typed exit status is kept, anything else is 1. */
  static from(error: unknown): PhaseFailure {
    if (error instanceof PhaseFailure) return error;
    const exitStatus =
      typeof error === "object" && error !== null && "exitStatus" in error && typeof error.exitStatus === "number"
        ? error.exitStatus
        : 1;
    return new PhaseFailure(error instanceof Error ? error.message : String(error), exitStatus, { cause: error });
  }
}
