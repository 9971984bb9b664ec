import type { stepGetCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { writeOutput } from "./command-output.js";
import { messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent step get [attribute]`: prints an attribute of a step (the
 * whole step without one) as Buildkite exports it, plus a newline
 * (clicommand/step_get.go).
 */
export async function run(context: CommandContext<typeof stepGetCommand>): Promise<number> {
  const { config } = context;
  const output = await withAgentApi(context, async (client) => {
    try {
      return await client.getStep(config.step, {
        attribute: context.args[0] ?? "",
        buildId: config.build,
        format: config.format,
      });
    } catch (error) {
      throw new Error(`failed to get step: ${messageOf(error)}`, { cause: error });
    }
  });
  await writeOutput(context.stdout, `${output}\n`);
  return 0;
}
