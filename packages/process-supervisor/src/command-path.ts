import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { ProcessError } from "./errors.js";

// What execvp searches when the environment has no PATH (glibc's confstr(_CS_PATH)).
const DEFAULT_PATH = "/bin:/usr/bin";

async function executable(file: string): Promise<"ok" | "missing" | "not-executable"> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return "not-executable";
    await access(file, constants.X_OK);
    return "ok";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "missing" : "not-executable";
  }
}

/**
 * Checks, before anything is forked, that `command` would be found and executed
 * the way execvp finds it in the child: a name containing `/` relative to `cwd`,
 * otherwise each directory of the env's `PATH` (an empty entry is `cwd`). Both the
 * PTY and the pipes child exec the command by its original name; this only turns
 * "exec failed" into a typed error instead of an exit status 1 or 127 with a
 * message in the output. Returns the path it found.
 */
export async function checkCommand(command: string, cwd: string, env: Readonly<Record<string, string>>): Promise<string> {
  if (typeof command !== "string" || command === "" || command.includes("\0")) {
    throw new ProcessError("PROCESS_INVALID_OPTION", `startProcess command ${JSON.stringify(command)} must be a non-empty string without NUL`);
  }
  if (command.includes("/")) {
    const file = path.resolve(cwd, command);
    const state = await executable(file);
    if (state === "ok") return file;
    throw state === "missing"
      ? new ProcessError("PROCESS_COMMAND_NOT_FOUND", `command ${command} not found (no file at ${file})`)
      : new ProcessError("PROCESS_COMMAND_NOT_EXECUTABLE", `command ${command} is not an executable file (${file}); check its permissions`);
  }
  const searchPath = env["PATH"] ?? DEFAULT_PATH;
  let unexecutable: string | undefined;
  for (const dir of searchPath.split(":")) {
    const file = path.resolve(cwd, dir, command);
    const state = await executable(file);
    if (state === "ok") return file;
    // execvp keeps searching past a non-executable match and reports EACCES only
    // if nothing later matches.
    if (state === "not-executable") unexecutable ??= file;
  }
  if (unexecutable !== undefined) {
    throw new ProcessError("PROCESS_COMMAND_NOT_EXECUTABLE", `command ${command} found at ${unexecutable} but it is not an executable file; check its permissions`);
  }
  throw new ProcessError("PROCESS_COMMAND_NOT_FOUND", `command ${command} not found in any directory of the PATH given in env`);
}

/** Checks that `cwd` is an existing directory; throws `PROCESS_CWD_NOT_FOUND` naming it. */
export async function checkWorkingDirectory(cwd: string): Promise<void> {
  let info;
  try {
    info = await stat(cwd);
  } catch (error) {
    throw new ProcessError("PROCESS_CWD_NOT_FOUND", `working directory ${cwd} does not exist or is not accessible`, { cause: error });
  }
  if (!info.isDirectory()) {
    throw new ProcessError("PROCESS_CWD_NOT_FOUND", `working directory ${cwd} is not a directory`);
  }
}
