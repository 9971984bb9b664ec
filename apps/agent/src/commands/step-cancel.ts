import type { stepCancelCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent step cancel`: cancels the unfinished jobs of a step; with
 * `--force` they are marked cancelled after `--force-grace-period-seconds`
 * (clicommand/step_cancel.go).
 */
export async function run(context: CommandContext<typeof stepCancelCommand>): Promise<number> {
  const { config, logger } = context;
  if (config.forceGracePeriodSeconds < 0) {
    throw new Error("the value of ′--force-grace-period-seconds′ must be greater than or equal to 0");
  }
  const uuid = await withAgentApi(context, async (client) => {
    try {
      return await client.cancelStep(config.step, {
        buildId: config.build,
        force: config.force,
        forceGracePeriod: config.forceGracePeriodSeconds,
      });
    } catch (error) {
      throw new Error(`failed to cancel step: ${messageOf(error)}`, { cause: error });
    }
  });
  logger.info(`Successfully cancelled step: ${uuid}`);
  return 0;
}
