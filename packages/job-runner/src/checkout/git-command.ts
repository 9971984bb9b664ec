import { JobRunnerError, type JobRunnerErrorCode } from "../errors.js";
import type { JobLog } from "../job-log.js";
import type { ProcessRunner, RunResult } from "../process-runner.js";
import { quoteShellWord } from "./shell-words.js";

/** Where and how the checkout runs its git (and ssh) commands. */
export interface GitContext {
  readonly runner: ProcessRunner;
  readonly log: JobLog;
  readonly cwd: string;
  /** The whole process environment for the command. */
  readonly env: () => Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** How {@link runCommand} shows and keeps a command's output. */
export interface RunCommandOptions {
  /** Keep the output (returned) instead of streaming it to the job log. @default false */
  readonly capture?: boolean;
  /** Print `$ command` first. @default !capture */
  readonly prompt?: boolean;
  /** With `capture`: also copy the output into the job log afterwards. @default false */
  readonly echo?: boolean;
}

const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi;

/** `https://user:token@host/…` → `https://host/…`: for anything quoted in an error message. */
export function stripUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, "$1");
}

/** The last non-empty line of some output, credential-free and bounded, for an error message. */
export function lastLine(output: string | undefined): string {
  const lines = (output ?? "").split(/\r?\n|\r/).map((line) => line.trim()).filter((line) => line !== "");
  const line = stripUrlCredentials(lines.at(-1) ?? "");
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** `$ git clone -v -- <repo> .` as the job log shows it. */
export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map(quoteShellWord).join(" ");
}

/**
 * Runs one command of the checkout. A non-zero exit is returned, not thrown:
 * each step decides what it means.
 *
 * @throws JobRunnerError `CHECKOUT_INTERRUPTED` when a signal killed it (or the
 *   checkout's signal was already aborted), `CHECKOUT_COMMAND_UNAVAILABLE` when it
 *   could not start (git not installed).
 */
export async function runCommand(
  context: GitContext,
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<RunResult> {
  const capture = options.capture ?? false;
  if (options.prompt ?? !capture) context.log.prompt(commandLine(command, args));
  let result: RunResult;
  try {
    result = await context.runner(command, args, {
      cwd: context.cwd,
      env: context.env(),
      capture,
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    });
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    if (code === "PROCESS_ABORTED") {
      throw new JobRunnerError("CHECKOUT_INTERRUPTED", `${command} ${args[0] ?? ""} was not started: the checkout was cancelled`, { cause });
    }
    throw new JobRunnerError(
      "CHECKOUT_COMMAND_UNAVAILABLE",
      `Cannot run ${command} in ${context.cwd}: ${(cause as Error).message}; check that ${command} is installed and on PATH`,
      { cause },
    );
  }
  if (capture && options.echo === true && result.output !== undefined && result.output !== "") {
    context.log.line(result.output.replace(/\n$/, ""));
  }
  if (result.signal !== undefined || result.exitCode === -1) {
    throw new JobRunnerError(
      "CHECKOUT_INTERRUPTED",
      `${commandLine(command, args.slice(0, 1))} was interrupted by a signal: ${result.signal ?? "unknown"}`,
    );
  }
  return result;
}

/** Runs git and throws `code` with `what` and git's last line when it exits non-zero. */
export async function runGit(
  context: GitContext,
  args: readonly string[],
  code: JobRunnerErrorCode,
  what: string,
  options: RunCommandOptions = {},
): Promise<RunResult> {
  const result = await runCommand(context, "git", args, options);
  if (result.exitCode !== 0) throw gitFailure(code, what, result);
  return result;
}

/** The error for a git command that exited non-zero: what failed, the exit code, git's last line. */
export function gitFailure(code: JobRunnerErrorCode, what: string, result: RunResult): JobRunnerError {
  const detail = lastLine(result.output);
  return new JobRunnerError(code, `${what} failed (git exited ${result.exitCode})${detail === "" ? "" : `: ${detail}`}`);
}
