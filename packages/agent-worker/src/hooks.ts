import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Logger } from "./logger.js";

/** The agent-level hooks (lifecycle.md §9 and §4 step 11). */
export type AgentHookName = "agent-startup" | "agent-shutdown" | "pre-bootstrap";

/** Every `name` hook file in `dirs`, in the order given (the Unix lookup: the bare name). */
export function findHooks(dirs: readonly string[], name: AgentHookName): string[] {
  return dirs
    .filter((dir) => dir !== "")
    .map((dir) => path.join(dir, name))
    .filter((file) => existsSync(file) && statSync(file).isFile());
}

/** How a hook ended. */
export interface HookResult {
  /** Exit code; -1 when killed by a signal or when it could not start. */
  readonly exitCode: number;
  /** Why it could not start, if it did not. */
  readonly error?: Error;
}

/** How to run a hook. */
export interface RunHookOptions {
  /** The hooks shell as words; the hook file is appended (`<words> <file>`). */
  readonly shellWords: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly logger: Logger;
  /** Aborting it terminates the hook's process group: SIGTERM, then SIGKILL after `killGraceMs`. */
  readonly signal?: AbortSignal;
  /** @default 0 */
  readonly killGraceMs?: number;
}

/**
 * Runs one hook file with the hooks shell, its output going line by line to the
 * agent log (not to any job log). The hook gets its own process group, so an
 * abort also ends what it started. Never rejects.
 */
export function runHook(file: string, options: RunHookOptions): Promise<HookResult> {
  const [command = "/bin/sh", ...args] = options.shellWords;
  return new Promise((resolve) => {
    const child = spawn(command, [...args, file], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const hook = path.basename(file);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => options.logger.info(`${hook}: ${line}`, { hook }));
    }
    const { signal } = options;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // Already gone.
      }
    };
    const onAbort = (): void => {
      options.logger.info(`stopping the ${hook} hook`, { hook });
      killGroup("SIGTERM");
      killTimer = setTimeout(() => killGroup("SIGKILL"), options.killGraceMs ?? 0);
      killTimer.unref();
    };
    let settled = false;
    const settle = (result: HookResult): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      clearTimeout(killTimer);
      resolve(result);
    };
    child.on("error", (error) => settle({ exitCode: -1, error }));
    child.on("close", (code) => settle({ exitCode: code ?? -1 }));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}
