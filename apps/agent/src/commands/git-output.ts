import { execFile } from "node:child_process";

/** Most bytes read from one git command's stdout: far above any diff's file list, below exhausting memory. */
const MAX_GIT_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * A git command that failed, worded as Go's `exec.Cmd.Output` error
 * (`exit status 128`, `exec: "git": executable file not found in $PATH`),
 * with git's stderr kept apart for the lines that explain it.
 */
export class GitCommandError extends Error {
  override readonly name = "GitCommandError";
  readonly code = "GIT_COMMAND";
  /** What git wrote to stderr (trimmed), if anything. */
  readonly stderr: string;

  constructor(message: string, stderr: string, options?: { cause?: unknown }) {
    super(message, options);
    this.stderr = stderr;
  }
}

/** Where and how to run git. */
export interface GitOptions {
  readonly cwd: string;
  /** The environment git runs with (the job's). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
}

/**
 * Runs `git <args>` and resolves to its stdout.
 *
 * @throws GitCommandError when git cannot start, exits non-zero, or writes
 * more than 64 MiB.
 */
export function gitOutput(args: readonly string[], options: GitOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      [...args],
      {
        cwd: options.cwd,
        env: definedOnly(options.env),
        encoding: "utf8",
        maxBuffer: MAX_GIT_OUTPUT_BYTES,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const code = (error as NodeJS.ErrnoException).code;
        const message =
          code === "ENOENT"
            ? 'exec: "git": executable file not found in $PATH'
            : typeof (error as { code?: unknown }).code === "number"
              ? `exit status ${String((error as { code?: unknown }).code)}`
              : error.message;
        reject(new GitCommandError(message, stderr.trim(), { cause: error }));
      },
    );
  });
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}
