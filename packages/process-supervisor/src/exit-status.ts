import type { RawExit } from "./child.js";
import type { CancelReason } from "./options.js";

/** How a supervised process ended, in the terms the agent reports to Buildkite. */
export interface ExitStatus {
  /** The exit code; -1 when the process was killed by a signal (the agent's wait status). */
  readonly exitCode: number;
  /** The terminating signal's name (`"SIGTERM"`, `"SIGKILL"`) when killed by one. */
  readonly signal?: string;
  /**
   * Set when a cancellation was requested before the process exited, whatever
   * the exit code: the reason passed to `cancel()` (`agent_stop` wins over `cancel`).
   */
  readonly signalReason?: CancelReason;
  /**
   * How many processes of its group or session were still running when the
   * process exited by itself (0 after a cancellation, which ends them anyway).
   * With `killGroupOnExit` they were terminated before `exited` resolved.
   */
  readonly strayProcesses: number;
}

/** Normalises what the OS reported (PTY or pipes) into an {@link ExitStatus}. */
export function toExitStatus(raw: RawExit, reason: CancelReason | undefined, strayProcesses: number): ExitStatus {
  const outcome = raw.signal !== null ? { exitCode: -1, signal: raw.signal } : { exitCode: raw.code ?? -1 };
  return reason === undefined ? { ...outcome, strayProcesses } : { ...outcome, signalReason: reason, strayProcesses };
}
