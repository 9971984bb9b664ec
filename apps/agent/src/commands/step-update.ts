import { randomUUID } from "node:crypto";
import type { stepUpdateCommand } from "@agent/config";
import { goQuote } from "@agent/log-redactor";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { REDACTION_ADVICE, redactFromEnv } from "./env-redaction.js";
import { messageOf } from "./job-api-connection.js";
import { readStdinText } from "./stdin-input.js";

/**
 * `buildkite-agent step update <attribute> [value]`: changes an attribute of
 * a step; without a value argument the value is all of stdin. Secrets from the
 * environment are redacted from the value (with a warning) first, and one
 * idempotency UUID covers every retry so Buildkite applies it once
 * (clicommand/step_update.go).
 */
export async function run(context: CommandContext<typeof stepUpdateCommand>): Promise<number> {
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
      `New value for step "${goQuote(config.step)}" attribute "${goQuote(attribute)}" contained one or more secrets from environment variables that have been redacted. ${REDACTION_ADVICE}`,
    );
    value = redacted;
  }

  await withAgentApi(context, async (client) => {
    try {
      await client.updateStep(config.step, {
        idempotencyUuid: randomUUID(),
        buildId: config.build,
        attribute,
        value,
        append: config.append,
      });
    } catch (error) {
      throw new Error(`failed to change step: ${messageOf(error)}`, { cause: error });
    }
  });
  return 0;
}
