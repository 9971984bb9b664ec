import { spawn } from "node:child_process";
import { constants as fsConstants, statSync } from "node:fs";
import { access, open, stat } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Logger } from "./logger.js";

/** The agent-level hooks (lifecycle.md §9 and §4 step 11). */
export type AgentHookName = "agent-startup" | "agent-shutdown" | "pre-bootstrap";

/**
 * The `name` hook of each of `dirs`, in the order given: in each directory the
 * first of `<name>` and `<name>.ps1` that exists and is not a directory (Go's
 * `hook.Find` on Unix, where PowerShell 7 is cross-platform).
 */
export function findHooks(dirs: readonly string[], name: AgentHookName): string[] {
  const found: string[] = [];
  for (const dir of dirs) {
    if (dir === "") continue;
    const file = ["", ".ps1"]
      .map((ext) => path.join(dir, `${name}${ext}`))
      .find((candidate) => statSync(candidate, { throwIfNoEntry: false })?.isDirectory() === false);
    if (file !== undefined) found.push(file);
  }
  return found;
}

/** How a hook is started: a program and its arguments. */
interface HookCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** `name` on `PATH` (an executable regular file), or `undefined`. */
async function lookPath(name: string, PATH: string | undefined): Promise<string | undefined> {
  for (const dir of (PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, name);
    try {
      if ((await stat(candidate)).isFile()) {
        await access(candidate, fsConstants.X_OK);
        return candidate;
      }
    } catch {
      // Not here: the next directory.
    }
  }
  return undefined;
}

/** Whether the file starts with `#!`; `undefined` when it cannot be read. */
async function hasShebang(file: string): Promise<boolean | undefined> {
  try {
    const handle = await open(file, "r");
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
      return bytesRead === 2 && buffer.toString("latin1") === "#!";
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * How the agent runs a hook file (Go's `shell.Script` on Unix): with a hooks shell,
 * `<words> <file>`; without one, a file with a shebang runs directly, a `.ps1`
 * without one with `pwsh -file`, an extensionless or `.sh` file without one with
 * `bash` (else `sh`, with a warning), anything else directly. Interpreters are
 * looked up on the hook's `PATH`. Throws when the needed interpreter is missing.
 */
async function hookCommand(
  file: string,
  shellWords: readonly string[] | undefined,
  env: Readonly<Record<string, string>>,
  logger: Logger,
): Promise<HookCommand> {
  if (shellWords !== undefined) {
    const [command = "/bin/sh", ...args] = shellWords;
    return { command, args: [...args, file] };
  }
  const ext = path.extname(file);
  if (ext === ".ps1") {
    if ((await hasShebang(file)) === true) return { command: file, args: [] };
    const pwsh = await lookPath("pwsh", env["PATH"]);
    if (pwsh === undefined) throw new Error("error finding pwsh, needed to run .ps1 scripts: pwsh is not on the PATH");
    return { command: pwsh, args: ["-file", file] };
  }
  if (ext !== "" && ext !== ".sh") return { command: file, args: [] };
  if ((await hasShebang(file)) === true) return { command: file, args: [] };
  // Bash was the agent's default, so hooks without a shebang may assume it.
  const bash = await lookPath("bash", env["PATH"]);
  if (bash !== undefined) return { command: bash, args: [file] };
  logger.warn(`Couldn't find bash on the PATH. Attempting to fall back to sh. This may cause issues for hooks and plugins that assume Bash features.`);
  const sh = await lookPath("sh", env["PATH"]);
  if (sh === undefined) throw new Error("error finding a shell, needed to run scripts: neither bash nor sh is on the PATH");
  return { command: sh, args: [file] };
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
  /**
   * The hooks shell as words; the hook file is appended (`<words> <file>`).
   * `undefined` (no hooks shell): the file picks its interpreter, as in Go's agent.
   */
  readonly shellWords?: readonly string[] | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly logger: Logger;
  /** Aborting it terminates the hook's process group: SIGTERM, then SIGKILL after `killGraceMs`. */
  readonly signal?: AbortSignal;
  /** @default 0 */
  readonly killGraceMs?: number;
}

/**
 * Runs one hook file (with the hooks shell, or as {@link hookCommand} picks), its
 * output going line by line to the agent log (not to any job log). The hook gets
 * its own process group, so an abort also ends what it started. Never rejects: a
 * missing interpreter is a result with `exitCode` -1 and the `error`.
 */
export async function runHook(file: string, options: RunHookOptions): Promise<HookResult> {
  let how: HookCommand;
  try {
    how = await hookCommand(file, options.shellWords, options.env, options.logger);
  } catch (error) {
    return { exitCode: -1, error: error as Error };
  }
  return new Promise((resolve) => {
    const child = spawn(how.command, how.args, {
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
