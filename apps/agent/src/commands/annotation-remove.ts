import type { annotationRemoveCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent annotation remove`: deletes the annotation of `--context`
 * (`default` unless given) in `--scope` (clicommand/annotation_remove.go).
 */
export async function run(context: CommandContext<typeof annotationRemoveCommand>): Promise<number> {
  const { config, logger } = context;
  await withAgentApi(context, async (client) => {
    try {
      await client.removeAnnotation(config.job, config.context, { scope: config.scope });
    } catch (error) {
      throw new Error(`failed to remove annotation: ${messageOf(error)}`, { cause: error });
    }
  });
  logger.debug("Successfully removed annotation");
  return 0;
}
