import { ProcessError } from "./errors.js";
import { silentLogger, type Logger } from "./logger.js";
import { isSignalName } from "./signal-names.js";

/** Why a process is being cancelled, as the agent reports it in `signal_reason`. */
export type CancelReason = "cancel" | "agent_stop";

/** Options for {@link startProcess}. */
export interface StartProcessOptions {
  /** Working directory; must exist. Relative commands (`./x`) resolve against it. */
  readonly cwd: string;
  /**
   * The complete environment of the process. Nothing is inherited from this
   * process's environment: pass `process.env` entries yourself if you want them.
   * Every value must be a string; names must be non-empty and contain no `=`, and
   * neither may contain NUL. `PATH` here is the one used to find `command`.
   */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Run in a pseudo-terminal (new session with the PTY as controlling terminal,
   * `TERM=xterm-256color` added to `env`), as the agent does unless `no-pty`.
   * With `false`, stdout and stderr share one real pipe (arrival order kept) and
   * the process gets a new session and process group.
   * @default true
   */
  readonly pty?: boolean;
  /** PTY width in columns (PTY mode only). @default 80 */
  readonly columns?: number;
  /** PTY height in rows (PTY mode only). @default 24 */
  readonly rows?: number;
  /**
   * The signal a cancellation sends first to the whole process group (the agent's
   * `cancel-signal`). When it is `SIGKILL`, `SIGTERM` is sent first instead, as the
   * agent does, so the process still gets a chance to clean up.
   * @default "SIGTERM"
   */
  readonly cancelSignal?: NodeJS.Signals;
  /**
   * How long a cancellation waits, after the cancel signal, for every process of
   * the group to exit before sending SIGKILL to the group (the agent's effective
   * signal grace period: `cancel-grace-period` 10 s + `signal-grace-period-seconds` -1).
   * @default 9000
   */
  readonly signalGracePeriodMs?: number;
  /**
   * Upper bound on a whole cancellation (signal, grace, SIGKILL, waiting for the
   * group to disappear); must be greater than `signalGracePeriodMs`, as the agent
   * requires of `cancel-grace-period`.
   * @default 10000
   */
  readonly cancelGracePeriodMs?: number;
  /**
   * After the process exits by itself, terminate any processes still running in
   * its process group or session (background jobs, forgotten daemons): the cancel
   * signal, then SIGKILL after `signalGracePeriodMs`. `exited` resolves once they
   * are gone. The real agent leaves them to the bootstrap; `false` does the same.
   * @default true
   */
  readonly killGroupOnExit?: boolean;
  /**
   * After the process exits, how long output may stay open without reaching its
   * end while the consumer is reading (time paused by backpressure does not
   * count); then the output is closed. Guards against a process outside the group
   * holding the terminal or pipe open forever; the agent waits 10 s too.
   * @default 10000
   */
  readonly outputDrainTimeoutMs?: number;
  /**
   * Bytes the output stream buffers before it stops reading from the PTY or pipe
   * (and the process blocks on its next write).
   * @default 65536
   */
  readonly outputHighWaterMark?: number;
  /**
   * Aborting cancels the process. The reason is `"agent_stop"` when `signal.reason`
   * is that string, `"cancel"` otherwise. Already aborted: nothing starts and
   * {@link startProcess} rejects with `PROCESS_ABORTED`.
   */
  readonly signal?: AbortSignal;
  /** Where lifecycle events are logged (never env values). @default silent */
  readonly logger?: Logger;
}

/** {@link StartProcessOptions} after validation, with defaults applied. */
export interface ResolvedOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly pty: boolean;
  readonly columns: number;
  readonly rows: number;
  readonly interruptSignal: NodeJS.Signals;
  readonly signalGracePeriodMs: number;
  readonly cancelGracePeriodMs: number;
  readonly killGroupOnExit: boolean;
  readonly outputDrainTimeoutMs: number;
  readonly outputHighWaterMark: number;
  readonly signal: AbortSignal | undefined;
  readonly logger: Logger;
}

function invalid(message: string): ProcessError {
  return new ProcessError("PROCESS_INVALID_OPTION", message);
}

function durationMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalid(`startProcess option ${name} must be a finite number of milliseconds >= 0`);
  }
  return value;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw invalid(`startProcess option ${name} must be a positive integer`);
  }
  return value;
}

function validateEnv(env: unknown): Readonly<Record<string, string>> {
  if (env === null || typeof env !== "object") {
    throw new ProcessError("PROCESS_INVALID_ENV", "startProcess option env must be an object of strings");
  }
  for (const [name, value] of Object.entries(env)) {
    // Only the name goes in messages: values may be secrets.
    if (name === "" || name.includes("=") || name.includes("\0")) {
      throw new ProcessError(
        "PROCESS_INVALID_ENV",
        `env name ${JSON.stringify(name)} cannot be passed to a process: names must be non-empty without "=" or NUL`,
      );
    }
    if (typeof value !== "string") {
      throw new ProcessError(
        "PROCESS_INVALID_ENV",
        `env ${name} is a ${value === null ? "null" : typeof value}, not a string; convert it before starting the process`,
      );
    }
    if (value.includes("\0")) {
      throw new ProcessError("PROCESS_INVALID_ENV", `env ${name} contains a NUL byte, which exec cannot pass`);
    }
  }
  return env as Readonly<Record<string, string>>;
}

/** Validates `options` and applies defaults; throws `ProcessError` naming the bad option. */
export function resolveOptions(options: StartProcessOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") throw invalid("startProcess needs an options object");
  if (typeof options.cwd !== "string" || options.cwd === "") {
    throw invalid("startProcess option cwd must be a non-empty string");
  }
  const env = validateEnv(options.env);
  const cancelSignal = options.cancelSignal ?? "SIGTERM";
  if (!isSignalName(cancelSignal)) {
    throw invalid(`startProcess option cancelSignal ${JSON.stringify(cancelSignal)} is not a signal name like "SIGTERM"`);
  }
  const signalGracePeriodMs = durationMs("signalGracePeriodMs", options.signalGracePeriodMs, 9000);
  const cancelGracePeriodMs = durationMs("cancelGracePeriodMs", options.cancelGracePeriodMs, 10_000);
  if (cancelGracePeriodMs <= signalGracePeriodMs) {
    throw invalid(
      `startProcess option cancelGracePeriodMs (${cancelGracePeriodMs}) must be greater than signalGracePeriodMs (${signalGracePeriodMs})`,
    );
  }
  return {
    cwd: options.cwd,
    env,
    pty: options.pty ?? true,
    columns: positiveInteger("columns", options.columns, 80),
    rows: positiveInteger("rows", options.rows, 24),
    // The agent never opens with SIGKILL: it interrupts with SIGTERM and keeps
    // SIGKILL for the end of the grace period (lifecycle.md §4 step 6).
    interruptSignal: cancelSignal === "SIGKILL" ? "SIGTERM" : cancelSignal,
    signalGracePeriodMs,
    cancelGracePeriodMs,
    killGroupOnExit: options.killGroupOnExit ?? true,
    outputDrainTimeoutMs: durationMs("outputDrainTimeoutMs", options.outputDrainTimeoutMs, 10_000),
    outputHighWaterMark: positiveInteger("outputHighWaterMark", options.outputHighWaterMark, 65_536),
    signal: options.signal,
    logger: options.logger ?? silentLogger,
  };
}
