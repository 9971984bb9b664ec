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

/** Splits a shell setting such as `/bin/bash -e -c` into words (no quoting rules needed for it). */
export function shellWords(shell: string): string[] {
  return shell.split(/\s+/).filter((word) => word !== "");
}

/** How a hook ended. */
export interface HookResult {
  /** Exit code; -1 when killed by a signal or when it could not start. */
  readonly exitCode: number;
  /** Why it could not start, if it did not. */
  readonly error?: Error;
}

/**
 * Runs one hook file with the hooks shell (`<shell words> <file>`), its output
 * going line by line to the agent log (not to any job log). Never rejects.
 */
export function runHook(
  file: string,
  options: { shell: string; env: Readonly<Record<string, string>>; cwd: string; logger: Logger; signal?: AbortSignal },
): Promise<HookResult> {
  const [command, ...args] = shellWords(options.shell);
  return new Promise((resolve) => {
    const child = spawn(command ?? "/bin/sh", [...args, file], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const hook = path.basename(file);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => options.logger.info(`${hook}: ${line}`, { hook }));
    }
    let settled = false;
    child.on("error", (error) => {
      if (settled) return;
      settled = true;
      resolve({ exitCode: -1, error });
    });
    child.on("close", (code) => {
      if (settled) return;
      settled = true;
      resolve({ exitCode: code ?? -1 });
    });
  });
}
