import type { metaDataSetCommand } from "@agent/config";
import { goQuote } from "@agent/log-redactor";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { envRedactor } from "./env-redaction.js";
import { messageOf } from "./job-api-connection.js";
import { readStdinText } from "./stdin-input.js";

/**
 * `buildkite-agent meta-data set <key> [value]`: stores a value on the job's
 * build. Without a value argument the value is all of stdin. Neither may be
 * empty or whitespace; secrets from the environment are redacted from the
 * value (with a warning) before it is sent (clicommand/meta_data_set.go).
 */
export async function run(context: CommandContext<typeof metaDataSetCommand>): Promise<number> {
  const { config, logger } = context;
  const key = context.args[0] ?? "";
  let value = context.args[1] ?? "";
  if (context.args.length < 2) {
    logger.info("Reading meta-data value from STDIN");
    value = await readStdinText(context.stdin);
  }
  if (key.trim() === "") throw new Error("key cannot be empty, or composed of only whitespace characters");
  if (value.trim() === "") throw new Error("value cannot be empty, or composed of only whitespace characters");

  const redact = await envRedactor(config.redactedVars, context.env, logger);
  value = redact(value, `Meta-data value for key "${goQuote(key)}"`);

  await withAgentApi(context, async (client) => {
    try {
      await client.setMetaData(config.job, { key, value });
    } catch (error) {
      throw new Error(`failed to set meta-data: ${messageOf(error)}`, { cause: error });
    }
  });
  return 0;
}
