import { PROGRAM } from "./help.js";

/** Where the CLI writes; the process's streams in production, buffers in tests. */
export interface OutputStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

const CONFIG_ERROR_CODES: ReadonlySet<unknown> = new Set(["CONFIG_USAGE", "CONFIG_INVALID", "CONFIG_FILE"]);

/** A ConfigError from @agent/config, recognised by its code (STYLE §4: not instanceof). */
export interface ConfigErrorLike {
  readonly code: "CONFIG_USAGE" | "CONFIG_INVALID" | "CONFIG_FILE";
  readonly message: string;
  readonly problems: readonly { readonly code: string; readonly message: string }[];
}

export function isConfigError(error: unknown): error is ConfigErrorLike {
  return (
    typeof error === "object" &&
    error !== null &&
    CONFIG_ERROR_CODES.has((error as { code?: unknown }).code) &&
    Array.isArray((error as { problems?: unknown }).problems)
  );
}

/**
 * A usage error as urfave/cli v1 reports it: `Incorrect Usage: <message>` (for a
 * command; `Incorrect Usage. <message>` for the app or a group), a blank line
 * and the help on stdout, then the fatal line on stderr. Returns the exit status, 1.
 */
export function reportUsageError(out: OutputStreams, messages: readonly string[], help: string, level: "command" | "app"): number {
  const lead = level === "command" ? "Incorrect Usage:" : "Incorrect Usage.";
  out.stdout.write(`${messages.map((message) => `${lead} ${message}`).join("\n")}\n\n${help}`);
  out.stderr.write(`${PROGRAM}: fatal: ${oneLine(messages.join("; "))}\n`);
  return 1;
}

/**
 * Reports an error that ended the run and returns the exit status: nothing for
 * a silent exit; a ConfigError's lines bare (clicommand/global.go prints config
 * errors without a prefix); anything else as one `buildkite-agent: fatal:` line
 * with no stack (clicommand/errors.go). The status is the error's numeric
 * `exitCode` when it has one, else 1.
 */
export function reportFailure(stderr: NodeJS.WritableStream, error: unknown): number {
  const exitCode = exitCodeOf(error);
  if (typeof error === "object" && error !== null && (error as { silent?: unknown }).silent === true) return exitCode;
  if (isConfigError(error)) {
    stderr.write(`${error.message}\n`);
    return exitCode;
  }
  stderr.write(`${PROGRAM}: fatal: ${oneLine(messageOf(error))}\n`);
  return exitCode;
}

function exitCodeOf(error: unknown): number {
  const code = typeof error === "object" && error !== null ? (error as { exitCode?: unknown }).exitCode : undefined;
  // A process status is one byte: -1 (a job killed by a signal) becomes 255, as the OS makes it for the Go agent.
  return typeof code === "number" && Number.isInteger(code) ? ((code % 256) + 256) % 256 : 1;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === "string") return error;
  return String(error);
}

/** The fatal line is one line: line breaks inside a message become "; ". */
function oneLine(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join("; ");
}
