import { checkCommand, checkWorkingDirectory } from "./command-path.js";
import { ProcessError } from "./errors.js";
import { resolveOptions, type StartProcessOptions } from "./options.js";
import { startPipeChild } from "./pipe-child.js";
import { startPtyChild } from "./pty-child.js";
import { Supervision, type SupervisedProcess } from "./supervised-process.js";

function checkArgs(command: string, args: readonly string[]): void {
  if (!Array.isArray(args) || args.some((arg) => typeof arg !== "string" || arg.includes("\0"))) {
    throw new ProcessError("PROCESS_INVALID_OPTION", `arguments of ${command} must be an array of strings without NUL`);
  }
}

function checkNotAborted(command: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new ProcessError("PROCESS_ABORTED", `${command} was not started: its cancel signal was already aborted`, {
      cause: signal.reason,
    });
  }
}

/**
 * Starts `command` with `args` in its own process group and session, on a PTY by
 * default or with one pipe for stdout and stderr (`pty: false`), with exactly the
 * given `env` and `cwd`, and supervises it: merged output as a stream with
 * backpressure, cancellation of the whole group with the agent's signals and
 * grace periods, and the exit status as the agent reports it.
 *
 * @example
 * const job = await startProcess("bash", ["-c", "make test"], { cwd, env: { PATH: "/usr/bin:/bin" } });
 * job.output.pipe(process.stdout);
 * const status = await job.exited; // { exitCode: 0, strayProcesses: 0 }
 *
 * @throws ProcessError (rejects) when nothing could be started: `PROCESS_INVALID_OPTION`,
 * `PROCESS_INVALID_ENV`, `PROCESS_CWD_NOT_FOUND`, `PROCESS_COMMAND_NOT_FOUND`,
 * `PROCESS_COMMAND_NOT_EXECUTABLE`, `PROCESS_SPAWN_FAILED`, `PROCESS_ABORTED`.
 */
export async function startProcess(
  command: string,
  args: readonly string[],
  options: StartProcessOptions,
): Promise<SupervisedProcess> {
  const resolved = resolveOptions(options);
  checkNotAborted(command, resolved.signal);
  checkArgs(command, args);
  await checkWorkingDirectory(resolved.cwd);
  await checkCommand(command, resolved.cwd, resolved.env);
  // The checks took a few event-loop turns; do not start what was cancelled meanwhile.
  checkNotAborted(command, resolved.signal);
  const child = resolved.pty
    ? startPtyChild(command, args, resolved)
    : await startPipeChild(command, args, resolved);
  const supervised = new Supervision(child, resolved);
  resolved.logger.info("process started", { pid: child.pid, command, pty: resolved.pty });
  return supervised;
}
