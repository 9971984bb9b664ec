/**
 * The `buildkite-agent` executable. Kept small so start-up stays cheap: the
 * version is answered without loading anything else, and the command line
 * module (yargs, @agent/config) loads only when there is a command to route;
 * winston and each command's module load only when a command runs.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { reportFailure } from "./failure-report.js";
import { PROGRAM } from "./help.js";
import { fullVersion } from "./version.js";

// Anything that escapes — a throw, a rejected promise nobody awaited — ends the
// run with one fatal line and no stack, as the Go agent's main does.
const fail = (error: unknown): void => {
  process.exitCode = reportFailure(process.stderr, error);
  process.exit();
};
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);
// A reader that went away (`buildkite-agent start --help | head -1`) is not a
// failure worth a message; the Go agent just dies of SIGPIPE there.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" ? process.exit() : fail(error)));
}

const args = process.argv.slice(2);
// urfave/cli's `--version`/`-v` at the top level (other spellings go the long way).
if (args.length === 1 && ["--version", "-version", "-v", "--v"].includes(args[0]!)) {
  process.stdout.write(`${PROGRAM} version ${fullVersion()}\n`);
} else {
  try {
    const { runCli } = await import("./cli.js");
    process.exitCode = await runCli(args, {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      env: { ...process.env },
      cwd: process.cwd(),
      executablePath: executablePath(),
    });
  } catch (error) {
    process.exitCode = reportFailure(process.stderr, error);
    if ((error as { immediate?: unknown } | null)?.immediate === true) process.exit();
  }
}

/** This executable, symlinks resolved as Go's os.Executable does: bin/buildkite-agent beside dist/. */
function executablePath(): string {
  const bin = fileURLToPath(new URL("../bin/buildkite-agent", import.meta.url));
  try {
    return realpathSync(bin);
  } catch {
    return bin;
  }
}
