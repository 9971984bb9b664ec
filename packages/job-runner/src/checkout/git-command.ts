import { redactUrlCredentials, URL_PASSWORD_MASK } from "@agent/log-redactor";
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
  /**
   * Without `capture`: stream the output to the job log as usual and also return
   * its last `tail` bytes, for a caller that reads git's verdict from the output.
   */
  readonly tail?: number;
  /** Print `$ command` first. @default !capture */
  readonly prompt?: boolean;
}

const URL_IN_TEXT = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s'"<>]+/g;
const HTTP_USER = /^(https?:\/\/)([^/?#]*)@/i;

/**
 * A repository URL as the job log and error messages show it, in the checkout and
 * for plugins alike: a password becomes `xxxxx` (Go's `url.Redacted`,
 * logs-and-redaction.md §4.6), and over http(s) a user without a password does
 * too (`https://xxxxx@github.com/…`), because GitHub and others take a token
 * written as the user name. An ssh login (`ssh://git@host/…`, `git@host:…`) is a
 * name, not a secret, and is kept. Anything that is not a URL is returned as is.
 * The real agent prints these arguments raw; the job log is redacted only for
 * values in the job env, which a URL credential often is not.
 */
export function displayUrl(url: string): string {
  const redacted = redactUrlCredentials(url);
  const user = HTTP_USER.exec(redacted);
  // The match is greedy up to the authority's last `@`: Go lets a user name hold one.
  if (user === null || user[2]!.includes(":")) return redacted;
  return `${user[1]}${URL_PASSWORD_MASK}@${redacted.slice(user[0].length)}`;
}

/** The last non-empty line of some output, its URLs' credentials hidden ({@link displayUrl}) and bounded, for an error message. */
export function lastLine(output: string | undefined): string {
  const lines = (output ?? "").split(/\r?\n|\r/).map((line) => line.trim()).filter((line) => line !== "");
  const line = (lines.at(-1) ?? "").replace(URL_IN_TEXT, (url) => displayUrl(url));
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * `$ git clone -v -- <repo> .` as the job log shows it, each word that is a URL
 * through {@link displayUrl}.
 */
export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map((word) => quoteShellWord(displayUrl(word))).join(" ");
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
      ...(options.tail === undefined ? {} : { tail: options.tail }),
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
