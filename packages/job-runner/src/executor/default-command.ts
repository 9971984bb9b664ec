import { chmod, stat } from "node:fs/promises";
import path from "node:path";
import { JobRunnerError } from "../errors.js";

/** How the default command phase runs `BUILDKITE_COMMAND` (executor.go `defaultCommandPhase`). */
export interface CommandPlan {
  /** The header printed before it: `Running script` or `Running commands`. */
  readonly header: string;
  /** The prompt line's text: the script path or the whole command. */
  readonly prompt: string;
  readonly file: string;
  readonly args: readonly string[];
}

const NO_COMMAND =
  "the command phase has no `command` to execute; provide a `command` field in your step configuration or " +
  "define a `command` hook in a step plugin, your repository `.buildkite/hooks`, or the agent `hooks-path`";
const NO_EVAL =
  "this agent is not allowed to evaluate console commands; to allow this, re-run the agent without the " +
  "`--no-command-eval` option or specify a script within your repository to run instead (such as scripts/test.sh)";
const OUTSIDE_REPOSITORY =
  "this agent is only allowed to run scripts within your repository; to allow this, re-run the agent without the " +
  "`--no-command-eval` option or specify a script within your repository to run instead (such as scripts/test.sh)";

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * Decides how to run the step's command, as the real agent does: a command that
 * (with its newlines removed) names a file under the working directory runs as a
 * script (made executable when eval is allowed); anything else is evaluated by
 * the shell as one argument, so `bash -e -c` stops at the first failing line.
 * `comment` receives the `No such file` line the agent prints before refusing.
 */
export async function planCommand(
  command: string,
  options: { interpreter: readonly string[]; cwd: string; commandEval: boolean; comment: (text: string) => void },
): Promise<CommandPlan> {
  if (command.trim() === "") throw new JobRunnerError("JOB_NO_COMMAND", NO_COMMAND);
  if (options.interpreter.length === 0) throw new JobRunnerError("JOB_NO_SHELL", "no shell set for job");
  if (path.basename(options.interpreter[0] ?? "").toUpperCase() === "CMD.EXE") {
    throw new JobRunnerError("JOB_UNSUPPORTED_SHELL", "CMD.EXE is a Windows shell; this executor runs on POSIX systems only");
  }
  const scriptName = command.replaceAll("\n", "");
  // Joined, as the agent does: an absolute command is not a script outside the checkout.
  const scriptPath = path.join(options.cwd, scriptName);
  const isScript = await isFile(scriptPath);
  if (!isScript && !options.commandEval) {
    options.comment(`No such file: "${scriptName}"`);
    throw new JobRunnerError("JOB_COMMAND_EVAL_DISABLED", NO_EVAL);
  }
  if (isScript && !options.commandEval && !scriptPath.startsWith(options.cwd + path.sep)) {
    options.comment(`No such file: "${scriptName}"`);
    throw new JobRunnerError("JOB_COMMAND_EVAL_DISABLED", OUTSIDE_REPOSITORY);
  }
  const [file = "", ...shellArgs] = options.interpreter;
  if (isScript) {
    if (options.commandEval) {
      const { mode } = await stat(scriptPath);
      await chmod(scriptPath, mode | 0o111);
    }
    const relative = `.${path.sep}${path.relative(options.cwd, scriptPath)}`;
    return { header: "Running script", prompt: relative, file, args: [...shellArgs, relative] };
  }
  return { header: "Running commands", prompt: command, file, args: [...shellArgs, command] };
}
