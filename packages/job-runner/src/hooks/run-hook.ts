import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, extname, isAbsolute, join, relative, resolve } from "node:path";
import { JobRunnerError } from "../errors.js";
import type { JobLog } from "../job-log.js";
import type { ProcessRunner } from "../process-runner.js";
import { splitShellWords } from "../checkout/shell-words.js";
import { diffEnv, emptyEnvChanges, withoutNames, type EnvChanges } from "./env-changes.js";
import { hookDisplayName as displayName, type HookFile } from "./find-hooks.js";
import { detectHookType, readShebang, type HookType } from "./hook-type.js";
import { writeHookWrapper } from "./hook-wrapper.js";

/** What {@link runHook} needs from the executor. */
export interface HookContext {
  /** The job environment to run the hook with (for plugin hooks, already including the plugin's `BUILDKITE_PLUGIN_*` vars). */
  readonly env: Readonly<Record<string, string>>;
  /** The executor's current working directory; the hook starts here. */
  readonly cwd: string;
  /** Runs the hook's process, its output going to the job log. */
  readonly runner: ProcessRunner;
  /** Where the header, prompt and warnings go. */
  readonly log: JobLog;
  /**
   * `hooks-shell`: the command that runs shell hooks' wrappers, split into words
   * like a shell would (e.g. `/bin/bash -e`); the wrapper path is appended.
   * @default the hook's own shebang interpreter, else `bash` from `env.PATH`, else `sh`
   */
  readonly hooksShell?: string;
  /** Where the wrapper's private temp dir is created (the job's temp dir). */
  readonly tempDir: string;
  /** Aborting cancels the running hook (the runner's cancel signal, then SIGKILL). */
  readonly signal?: AbortSignal;
  /** Debug mode: the prompt shows the wrapper path, as in the real agent. @default false */
  readonly debug?: boolean;
}

/** How a hook ended. */
export interface HookResult {
  /** The hook's exit status; -1 when a signal killed it (`signal` names it). */
  readonly exitCode: number;
  readonly signal?: string;
  /**
   * Whether the hook was sourced by the env-recording wrapper (a `shell` hook),
   * rather than executed directly (binary, script, `.ps1`). Only a wrapped hook
   * reports `changes` beyond the Job API's and sets `BUILDKITE_LAST_HOOK_EXIT_STATUS`.
   */
  readonly wrapped: boolean;
  /**
   * What kind of hook ran (`shell` for a `.ps1` without a shebang, as upstream
   * types it); the executor names it in a failure message.
   */
  readonly type: HookType;
  /**
   * How a shell hook changed the environment, to pass to `applyHookChanges`.
   * Empty for binary and script hooks (they change env only through the Job API).
   * `undefined` when the hook failed (non-zero status) or ended the shell itself
   * (`exit`, `exec`, `set -e`): the real agent applies nothing then either.
   */
  readonly changes: EnvChanges | undefined;
  /**
   * The directory a shell hook `cd`-ed into, when it ended somewhere other than
   * where it started; the executor makes it its working directory. Set only
   * alongside `changes`.
   */
  readonly workdir?: string;
}

// Names the wrapper's own shell sets or updates: not the hook's doing. The real
// agent drops `_`; it also sees `PWD` and `OLDPWD` change on a `cd` (and would log
// `# PWD changed`), but a `cd` is reported here as `workdir` instead.
const SHELL_NOISE = ["_", "PWD", "OLDPWD", "BUILDKITE_HOOK_EXIT_STATUS", "BUILDKITE_HOOK_WORKING_DIR"];

/** `command` resolved against `PATH` in `env`, as exec would; `undefined` if not found. */
async function lookPath(command: string, env: Readonly<Record<string, string>>): Promise<string | undefined> {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next PATH entry.
    }
  }
  return undefined;
}

async function start(
  hook: HookFile,
  context: HookContext,
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ exitCode: number; signal?: string }> {
  try {
    return await context.runner(command, args, {
      cwd: context.cwd,
      env,
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    });
  } catch (error) {
    if (context.signal?.aborted === true) throw context.signal.reason;
    throw new JobRunnerError(
      "HOOK_START_FAILED",
      `The ${displayName(hook)} hook at ${hook.path} could not be started: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

async function runUnwrapped(
  hook: HookFile,
  path: string,
  context: HookContext,
  command: readonly string[],
  type: HookType,
): Promise<HookResult> {
  context.log.prompt(path);
  const result = await start(hook, context, command[0]!, command.slice(1), {
    ...context.env,
    BUILDKITE_HOOK_PHASE: hook.name,
    BUILDKITE_HOOK_PATH: path,
    BUILDKITE_HOOK_SCOPE: hook.scope,
  });
  return { ...result, wrapped: false, type, changes: emptyEnvChanges() };
}

async function wrapperCommand(context: HookContext, shebang: string, wrapperPath: string): Promise<string[]> {
  if (context.hooksShell !== undefined && context.hooksShell !== "") {
    let words: string[];
    try {
      words = splitShellWords(context.hooksShell);
    } catch (error) {
      throw new JobRunnerError(
        "HOOK_SHELL_INVALID",
        `Cannot split hooks-shell ${JSON.stringify(context.hooksShell)} into words; fix its quoting`,
        { cause: error },
      );
    }
    if (words.length > 0) return [...words, wrapperPath];
  }
  // The wrapper carries the hook's shebang, so the kernel picks the interpreter.
  if (shebang !== "") return [wrapperPath];
  const bash = await lookPath("bash", context.env);
  if (bash !== undefined) return [bash, wrapperPath];
  const sh = await lookPath("sh", context.env);
  if (sh === undefined) {
    throw new JobRunnerError(
      "HOOK_NO_SHELL",
      "Cannot run shell hooks: neither bash nor sh is in PATH; install one or set hooks-shell",
    );
  }
  context.log.warning(
    `Couldn't find bash (no "bash" executable in PATH). Attempting to fall back to sh. This may cause issues for hooks and plugins that assume Bash features.`,
  );
  return [sh, wrapperPath];
}

async function runWrapped(hook: HookFile, path: string, context: HookContext): Promise<HookResult> {
  const shebang = await readShebang(path);
  const wrapper = await writeHookWrapper(path, shebang, context.tempDir);
  try {
    if (context.debug === true) {
      context.log.comment(`A hook runner was written to ${JSON.stringify(wrapper.path)} with the following:`);
      context.log.prompt(wrapper.path);
    } else {
      // Shown relative to the working dir when under it (a plain prefix test, as the real agent does).
      context.log.prompt(path.startsWith(context.cwd) ? relative(context.cwd, path) || path : path);
    }
    const command = await wrapperCommand(context, shebang, wrapper.path);
    const result = await start(hook, context, command[0]!, command.slice(1), context.env);
    if (result.exitCode !== 0) return { ...result, wrapped: true, type: "shell", changes: undefined };
    const record = await wrapper.read();
    if (record === undefined) return { ...result, wrapped: true, type: "shell", changes: undefined };
    const changes = withoutNames(diffEnv(record.after, record.before), SHELL_NOISE);
    const moved = record.pwdAfter !== "" && record.pwdAfter !== record.pwdBefore;
    return { ...result, wrapped: true, type: "shell", changes, ...(moved ? { workdir: record.pwdAfter } : {}) };
  } finally {
    await wrapper.remove();
  }
}

/**
 * Runs one hook as the real agent does (executor.go `executeHook`): prints
 * `~~~ Running <scope>[ <plugin>] <name> hook` and a prompt line, then
 * - a `shell` hook is sourced by a wrapper script that records the environment and
 *   `$PWD` before and after it with the shell's own builtins, giving the hook's
 *   exports, unsets and `cd` as `changes` and `workdir`;
 * - a `binary` or `script` hook (and a `.ps1` hook, through `pwsh -file` unless it
 *   has a shebang) is executed directly with `BUILDKITE_HOOK_PHASE`,
 *   `BUILDKITE_HOOK_PATH` and `BUILDKITE_HOOK_SCOPE` added to its env.
 * A non-zero exit is a result, not an error; the executor decides what it stops.
 *
 * @throws JobRunnerError `HOOK_UNREADABLE` (cannot read the file),
 *   `HOOK_NOT_EXECUTABLE` (a binary/script hook without the execute bit),
 *   `HOOK_WRAPPER_FAILED` (cannot write the wrapper), `HOOK_SHELL_INVALID`,
 *   `HOOK_NO_SHELL`, `HOOK_START_FAILED` (the process could not start),
 *   `HOOK_ENV_DUMP_INVALID`; `signal.reason` if aborted before it starts.
 */
export async function runHook(hook: HookFile, context: HookContext): Promise<HookResult> {
  context.signal?.throwIfAborted();
  const path = isAbsolute(hook.path) ? hook.path : resolve(context.cwd, hook.path);
  context.log.header(`Running ${displayName(hook)} hook`);
  if (extname(path) === ".ps1") {
    const shebang = await readShebang(path);
    // Upstream types a shebang-less .ps1 as a shell hook (its shell runs it with pwsh).
    if (shebang === "") return runUnwrapped(hook, path, context, ["pwsh", "-file", path], "shell");
    await assertExecutable(hook, path);
    return runUnwrapped(hook, path, context, [path], await detectHookType(path));
  }
  const type = await detectHookType(path);
  if (type === "shell") return runWrapped(hook, path, context);
  await assertExecutable(hook, path);
  return runUnwrapped(hook, path, context, [path], type);
}

async function assertExecutable(hook: HookFile, path: string): Promise<void> {
  try {
    await access(path, constants.X_OK);
  } catch (error) {
    throw new JobRunnerError(
      "HOOK_NOT_EXECUTABLE",
      `The ${displayName(hook)} hook at ${path} is not executable; run chmod +x on it (binary and script hooks are executed directly)`,
      { cause: error },
    );
  }
}
