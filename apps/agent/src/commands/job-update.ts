import type { jobUpdateCommand } from "@agent/config";
import { goQuote } from "@agent/log-redactor";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { REDACTION_ADVICE, redactFromEnv } from "./env-redaction.js";
import { messageOf } from "./job-api-connection.js";
import { readStdinText } from "./stdin-input.js";

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
  const { config, logger } = context;
  const attribute = context.args[0] ?? "";
  let value = context.args[1] ?? "";
  if (context.args.length < 2) {
    logger.info("Reading value from STDIN");
    value = await readStdinText(context.stdin);
  }
  const redacted = await redactFromEnv(value, config.redactedVars, context.env);
  if (redacted !== value) {
    logger.warn(
      `New value for job "${goQuote(config.job)}" attribute "${goQuote(attribute)}" contained one or more secrets from environment variables that have been redacted. ${REDACTION_ADVICE}`,
    );
    value = redacted;
  }

  await withAgentApi(context, async (client) => {
    try {
      await client.updateJob(config.job, { [attribute]: value });
    } catch (error) {
      throw new Error(`failed to update job: ${messageOf(error)}`, { cause: error });
    }
  });
  return 0;
}
