import type { jobUpdateCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { attributeUpdateInput } from "./attribute-update-input.js";
import { messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent job update <attribute> [value]`: changes an attribute of a
 * job (the current one, `BUILDKITE_JOB_ID`, unless `--job` names another),
 * such as its `timeout`. Without a value argument the value is all of stdin —
 * read even from a terminal, as the real agent does, so an empty value needs
 * `''`. Secrets from the environment are redacted from the value (with a
 * warning) first. Sent as `PUT jobs/{id}` `{"<attribute>":"<value>"}`, tried 10
 * times with exponential sub-second back-off while retryable
 * (clicommand/job_update.go).
 */
export async function run(context: CommandContext<typeof jobUpdateCommand>): Promise<number> {
  const { config } = context;
  const { attribute, value } = await attributeUpdateInput(context, config.redactedVars, { kind: "job", id: config.job });

  await withAgentApi(context, async (client) => {
    try {
      await client.updateJob(config.job, { [attribute]: value });
    } catch (error) {
      throw new Error(`failed to update job: ${messageOf(error)}`, { cause: error });
    }
  });
  return 0;
}
