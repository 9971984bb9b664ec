import type { stopCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent stop [--force]`: asks Buildkite to stop the agent that owns
 * the access token — from a job, the agent running it. Without `--force` the
 * agent finishes its running job first; with it the job is cancelled. The
 * request is `{"force":true}` or `{}`, tried 5 times 1 s (+ jitter) apart
 * while the failure is retryable (clicommand/agent_stop.go).
 */
export async function run(context: CommandContext<typeof stopCommand>): Promise<number> {
  await withAgentApi(context, async (client) => {
    try {
      await client.stop({ force: context.config.force });
    } catch (error) {
      throw new Error(`failed to stop agent: ${messageOf(error)}`, { cause: error });
    }
  });
  context.logger.info("Successfully stopped agent");
  return 0;
}
