import type { buildCancelCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent build cancel [--build ID]`: cancels a build, the current one
 * (`BUILDKITE_BUILD_ID`) unless `--build` names another, and logs the UUID
 * Buildkite answers with. Tried 5 times 1 s (+ jitter) apart while retryable
 * (clicommand/build_cancel.go).
 */
export async function run(context: CommandContext<typeof buildCancelCommand>): Promise<number> {
  const uuid = await withAgentApi(context, async (client) => {
    try {
      return await client.cancelBuild(context.config.build);
    } catch (error) {
      throw new Error(`failed to cancel build: ${messageOf(error)}`, { cause: error });
    }
  });
  context.logger.info(`Successfully cancelled build ${uuid}`);
  return 0;
}
