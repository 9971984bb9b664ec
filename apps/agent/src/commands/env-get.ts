import type { envGetCommand } from "@agent/config";
import { goQuote } from "@agent/log-redactor";
import type { CommandContext } from "../command-context.js";
import { writeOutput } from "./command-output.js";
import { connectToJobApi, ENV_CLIENT_ERROR, messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent env get [NAME…]`: prints variables of the job's live
 * environment, read through the Job API. A named variable that is not set gets
 * a warning and makes the command exit 1 silently after printing the others
 * (clicommand/env_get.go).
 */
export async function run(context: CommandContext<typeof envGetCommand>): Promise<number> {
  const { formatEnvGet } = await import("@agent/job-runner");
  const client = await connectToJobApi(context.env, ENV_CLIENT_ERROR);
  let env: Record<string, string>;
  try {
    env = await client.getEnv();
  } catch (error) {
    throw new Error(`couldn't fetch the job executor environment variables: ${messageOf(error)}`, { cause: error });
  }
  const { output, missing } = formatEnvGet(env, context.args, context.config.format);
  for (const name of missing) context.logger.warn(`"${goQuote(name)}" is not set`);
  await writeOutput(context.stdout, output);
  return missing.length > 0 ? 1 : 0;
}
