import type { metaDataKeysCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { writeOutput } from "./command-output.js";
import { messageOf } from "./job-api-connection.js";
import { metaDataTarget } from "./meta-data-target.js";

/** `buildkite-agent meta-data keys`: prints the build's meta-data keys, one per line (clicommand/meta_data_keys.go). */
export async function run(context: CommandContext<typeof metaDataKeysCommand>): Promise<number> {
  const keys = await withAgentApi(context, async (client) => {
    try {
      return await client.metaDataKeys(metaDataTarget(context.config));
    } catch (error) {
      throw new Error(`failed to find meta-data keys: ${messageOf(error)}`, { cause: error });
    }
  });
  await writeOutput(context.stdout, keys.map((key) => `${key}\n`).join(""));
  return 0;
}
