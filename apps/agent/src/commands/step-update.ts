import { randomUUID } from "node:crypto";
import type { stepUpdateCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { attributeUpdateInput } from "./attribute-update-input.js";
import { messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent step update <attribute> [value]`: changes an attribute of
 * a step; without a value argument the value is all of stdin. Secrets from the
 * environment are redacted from the value (with a warning) first, and one
 * idempotency UUID covers every retry so Buildkite applies it once
 * (clicommand/step_update.go).
 */
export async function run(context: CommandContext<typeof stepUpdateCommand>): Promise<number> {
  const { config } = context;
  const { attribute, value } = await attributeUpdateInput(context, config.redactedVars, { kind: "step", id: config.step });

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
