import type { metaDataGetCommand } from "@agent/config";
import { goQuote } from "@agent/log-redactor";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { writeOutput } from "./command-output.js";
import { messageOf } from "./job-api-connection.js";
import { metaDataTarget } from "./meta-data-target.js";

/**
 * `buildkite-agent meta-data get <key>`: prints the value without a trailing
 * newline. When the key does not exist (404) and `--default` was given on the
 * command line — even as an empty string — it warns and prints the default
 * instead, exit 0 (clicommand/meta_data_get.go checks `c.IsSet("default")`).
 */
export async function run(context: CommandContext<typeof metaDataGetCommand>): Promise<number> {
  const { config, logger } = context;
  const key = context.args[0] ?? "";
  const value = await withAgentApi(context, async (client) => {
    try {
      return (await client.getMetaData(metaDataTarget(config), key)).value;
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (status === 404 && context.sources["default"] === "flag") {
        logger.warn(
          `No meta-data value exists with key "${goQuote(key)}", returning the supplied default "${goQuote(config.default)}"`,
        );
        return config.default;
      }
      throw new Error(`failed to get meta-data: ${messageOf(error)}`, { cause: error });
    }
  });
  await writeOutput(context.stdout, value);
  return 0;
}
