import type { envSetCommand } from "@agent/config";
import type { EnvUpdateResult } from "@agent/job-runner";
import type { CommandContext } from "../command-context.js";
import { writeOutput } from "./command-output.js";
import { connectToJobApi, ENV_CLIENT_ERROR, messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent env set NAME=value… | -`: sets variables in the job's
 * environment through the Job API (all or nothing) and reports what was added
 * and updated (clicommand/env_set.go). A refused change (a protected variable)
 * is fatal, exit 1.
 */
export async function run(context: CommandContext<typeof envSetCommand>): Promise<number> {
  const { formatEnvSetResult, readEnvSetInput } = await import("@agent/job-runner");
  // The real agent connects before it reads any input; so do we, so that a job
  // without the Job API fails the same way whatever it passed.
  const client = await connectToJobApi(context.env, ENV_CLIENT_ERROR);
  const vars = await readEnvSetInput(context.args, { format: context.config.inputFormat, stdin: context.stdin });
  let result: EnvUpdateResult;
  try {
    result = await client.patchEnv(vars);
  } catch (error) {
    throw new Error(`couldn't update the job executor environment: ${messageOf(error)}`, { cause: error });
  }
  await writeOutput(context.stdout, formatEnvSetResult(result, context.config.outputFormat));
  return 0;
}
