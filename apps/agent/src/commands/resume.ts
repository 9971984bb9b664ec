import type { resumeCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent resume`: lets the paused agent that owns the access token
 * take jobs again (a `POST resume` with no body; resuming an agent that is not
 * paused is not an error). Tried 5 times 1 s (+ jitter) apart while retryable
 * (clicommand/agent_resume.go).
 */
export async function run(context: CommandContext<typeof resumeCommand>): Promise<number> {
  await withAgentApi(context, async (client) => {
    try {
      await client.resume();
    } catch (error) {
      throw new Error(`failed to resume agent: ${messageOf(error)}`, { cause: error });
    }
  });
  context.logger.info("Successfully resumed agent");
  return 0;
}
