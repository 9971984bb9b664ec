import type { envUnsetCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { writeOutput } from "./command-output.js";
import { connectToJobApi, ENV_CLIENT_ERROR, messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent env unset NAME… | -`: removes variables from the job's
 * environment through the Job API and reports those that existed
 * (clicommand/env_unset.go). A protected name is fatal, exit 1, and nothing is
 * removed.
 */
export async function run(context: CommandContext<typeof envUnsetCommand>): Promise<number> {
  const { formatEnvUnsetResult, readEnvUnsetInput } = await import("@agent/job-runner");
  const client = await connectToJobApi(context.env, ENV_CLIENT_ERROR);
  const names = await readEnvUnsetInput(context.args, { format: context.config.inputFormat, stdin: context.stdin });
  let deleted: string[];
  try {
    deleted = await client.deleteEnv(names);
  } catch (error) {
    throw new Error(`couldn't unset the job executor environment variables: ${messageOf(error)}`, { cause: error });
  }
  await writeOutput(context.stdout, formatEnvUnsetResult(deleted, context.config.outputFormat));
  return 0;
}
