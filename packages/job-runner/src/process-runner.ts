import type { Writable } from "node:stream";
import { once } from "node:events";
import { startProcess, type ExitStatus } from "@agent/process-supervisor";
import type { Logger } from "./logger.js";

/** How one child process of the executor runs. */
export interface RunOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Run in a PTY. @default the runner's `pty` */
  readonly pty?: boolean;
  /**
   * Return the output instead of writing it to the job log (for `git rev-parse`
   * and the like). At most `maxCaptureBytes` are kept.
   */
  readonly capture?: boolean;
  /**
   * Without `capture`: write the output to the job log as it comes, as usual, and
   * also keep its last `tail` bytes, returned as `output` (for a caller that
   * reads the process's verdict from its last lines, such as git fetch). The
   * process runs in the runner's PTY setting, so lines may end in `\r\n`.
   */
  readonly tail?: number;
  /** Aborting cancels the process: the cancel signal to its group, SIGKILL after the grace period. */
  readonly signal?: AbortSignal;
}

/** What a child process ended with. */
export interface RunResult {
  /** The exit code; -1 when a signal killed it (then `signal` names it). */
  readonly exitCode: number;
  readonly signal?: string;
  /** Captured output (stdout and stderr merged), only with `capture` (all of it, up to `maxCaptureBytes`) or `tail` (its end). */
  readonly output?: string;
}

/**
 * Runs a child process of the executor (a hook, the command, git) to completion.
 * Rejects only when the process cannot start (`ProcessError` from
 * `@agent/process-supervisor`: command not found, not executable, bad cwd).
 */
export type ProcessRunner = (command: string, args: readonly string[], options: RunOptions) => Promise<RunResult>;

/** Options for {@link createProcessRunner}. */
export interface ProcessRunnerOptions {
  /** The job log: every process's output is written here (not ended). */
  readonly output: Writable;
  /** @default true */
  readonly pty?: boolean;
  readonly cancelSignal?: NodeJS.Signals;
  /** @default 9000 */
  readonly signalGracePeriodMs?: number;
  /**
   * How long output may stay open after a process exits (a background process it
   * started still holding the terminal). @default 2000
   */
  readonly outputDrainTimeoutMs?: number;
  /** @default 1 MiB */
  readonly maxCaptureBytes?: number;
  readonly logger?: Logger;
}

/** A {@link ProcessRunner} on `@agent/process-supervisor`, each process in its own group. */
export function createProcessRunner(options: ProcessRunnerOptions): ProcessRunner {
  const signalGracePeriodMs = options.signalGracePeriodMs ?? 9000;
  const maxCapture = options.maxCaptureBytes ?? 1024 * 1024;
  return async (command, args, run) => {
    const child = await startProcess(command, args, {
      cwd: run.cwd,
      env: run.env,
      // Captured output is data (a sha, a commit message): a PTY would turn its
      // newlines into CRLF.
      pty: run.capture === true ? false : (run.pty ?? options.pty ?? true),
      cancelSignal: options.cancelSignal,
      signalGracePeriodMs,
      cancelGracePeriodMs: signalGracePeriodMs + 1000,
      signal: run.signal,
      // Hooks start daemons (ssh-agent, docker) that later phases use: the real
      // agent leaves them running, and so do we.
      killGroupOnExit: false,
      // ...but one of them holding the terminal open must not stall the job for long.
      outputDrainTimeoutMs: options.outputDrainTimeoutMs ?? 2000,
      logger: options.logger,
    });
    const capture = run.capture === true;
    const tail = capture ? undefined : run.tail;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    for await (const chunk of child.output as AsyncIterable<Buffer>) {
      if (capture) {
        if (keptBytes < maxCapture) kept.push(chunk.subarray(0, maxCapture - keptBytes));
        keptBytes += chunk.length;
        continue;
      }
      if (tail !== undefined && tail > 0) {
        kept.push(chunk);
        keptBytes += chunk.length;
        // Drop whole chunks that lie entirely before the last `tail` bytes.
        while (kept.length > 1 && keptBytes - kept[0]!.length >= tail) keptBytes -= kept.shift()!.length;
      }
      if (!options.output.write(chunk)) await once(options.output, "drain");
    }
    const status: ExitStatus = await child.exited;
    let output: string | undefined;
    if (capture) output = Buffer.concat(kept).toString("utf8");
    else if (tail !== undefined) output = tail > 0 ? Buffer.concat(kept).subarray(-tail).toString("utf8") : "";
    return {
      exitCode: status.exitCode,
      ...(status.signal === undefined ? {} : { signal: status.signal }),
      ...(output === undefined ? {} : { output }),
    };
  };
}
