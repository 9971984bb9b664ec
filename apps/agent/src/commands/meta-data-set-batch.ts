import type { MetaDataItem } from "@agent/api-client";
import type { metaDataSetBatchCommand } from "@agent/config";
import { goQuote } from "@agent/log-redactor";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { envRedactor } from "./env-redaction.js";
import { messageOf } from "./job-api-connection.js";

/**
 * `buildkite-agent meta-data set-batch key=value…`: stores several values on
 * the job's build in one request. Every argument is checked before anything is
 * sent; secrets from the environment are redacted from each value (with a
 * warning per key) first (clicommand/meta_data_set_batch.go).
 */
export async function run(context: CommandContext<typeof metaDataSetBatchCommand>): Promise<number> {
  const { config, logger } = context;
  if (context.args.length === 0) throw new Error("at least one key=value argument is required");
  const parsed = parseBatchArgs(context.args);
  const redact = await envRedactor(config.redactedVars, context.env, logger);
  const items: MetaDataItem[] = parsed.map(({ key, value }) => ({ key, value: redact(value, `Meta-data value for key "${goQuote(key)}"`) }));

  await withAgentApi(context, async (client) => {
    try {
      await client.setMetaDataBatch(config.job, items);
    } catch (error) {
      throw new Error(`failed to set meta-data batch: ${messageOf(error)}`, { cause: error });
    }
  });
  return 0;
}

/** `key=value` arguments, split at the first `=`; the first bad one is the error, in the real agent's words. */
function parseBatchArgs(args: readonly string[]): MetaDataItem[] {
  return args.map((arg) => {
    const at = arg.indexOf("=");
    const quoted = `"${goQuote(arg)}"`;
    if (at < 0) throw new Error(`invalid argument ${quoted}: must be in key=value format`);
    const key = arg.slice(0, at);
    const value = arg.slice(at + 1);
    if (key.trim() === "") throw new Error(`invalid argument ${quoted}: key cannot be empty, or composed of only whitespace characters`);
    if (value.trim() === "") throw new Error(`invalid argument ${quoted}: value cannot be empty, or composed of only whitespace characters`);
    return { key, value };
  });
}
