import type { Writable } from "node:stream";
import type { bootstrapCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import type { Logger } from "../logger.js";
import { cliArtifactUploader } from "./cli-artifact-uploader.js";

type BootstrapContext = CommandContext<typeof bootstrapCommand>;

// The signals the real bootstrap traps (clicommand/bootstrap.go).
const TRAPPED: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];

/**
 * The bootstrap's stderr is part of the job log (the agent merges it), so its
 * own lifecycle lines appear only at the debug level (`--debug` or
 * `--log-level debug`); warnings and errors always do.
 */
function quietUnlessDebug(context: BootstrapContext): Logger {
  if (context.logger.isLevelEnabled("debug")) return context.logger;
  const ignore = (): void => {};
  return { ...context.logger, debug: ignore, info: ignore, notice: ignore };
}

/**
 * `buildkite-agent bootstrap`: runs one job from its `BUILDKITE_*` environment
 * with @agent/job-runner. The first trapped signal cancels the job; when it is
 * done the bootstrap re-raises that signal on itself, so the agent reports the
 * job as killed by it, except SIGQUIT, which exits 131, as the real one does.
 */
export async function run(context: BootstrapContext): Promise<number> {
  const { runJob } = await import("@agent/job-runner");
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    received = signal;
    // Only the first is trapped: another one gets the default action.
    for (const name of TRAPPED) process.removeListener(name, onSignal);
    controller.abort();
  };
  for (const name of TRAPPED) process.on(name, onSignal);
  let exitCode: number;
  try {
    ({ exitCode } = await runJob(context.config, {
      env: context.env,
      output: context.stdout as Writable,
      signal: controller.signal,
      agentPath: context.executablePath,
      artifactUploader: cliArtifactUploader(context.executablePath),
      logger: quietUnlessDebug(context),
    }));
  } finally {
    for (const name of TRAPPED) process.removeListener(name, onSignal);
  }
  if (received === "SIGQUIT") return 131;
  if (received !== undefined) {
    process.kill(process.pid, received);
    // The default action ends the process; this is only reached if it did not.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  // A command killed by a signal gives -1, which the process exits with (255).
  return exitCode & 0xff;
}
