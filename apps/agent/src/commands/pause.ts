import type { pauseCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent pause [--note N] [--timeout-in-minutes M]`: pauses the agent
 * that owns the access token — from a job, the agent running it — so it takes
 * no more jobs until resumed, or until Buildkite resumes it after M minutes.
 * An empty note and a 0 timeout are left out of the request; any other value,
 * negative included, goes to Buildkite to judge, as the real agent sends it.
 * Tried 5 times 1 s (+ jitter) apart while retryable (clicommand/agent_pause.go).
 */
export async function run(context: CommandContext<typeof pauseCommand>): Promise<number> {
  const { config } = context;
  await withAgentApi(context, async (client) => {
    try {
      await client.pause({ note: config.note, timeoutInMinutes: config.timeoutInMinutes });
    } catch (error) {
      throw new Error(`failed to pause agent: ${messageOf(error)}`, { cause: error });
    }
  });
  context.logger.info("Successfully paused agent");
  return 0;
}
