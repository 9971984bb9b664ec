import type { metaDataExistsCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { messageOf } from "./job-api-connection.js";
import { metaDataTarget } from "./meta-data-target.js";

/** The status `meta-data exists` exits with, silently, when the key is not set (clicommand/meta_data_exists.go). */
const META_DATA_MISSING_STATUS = 100;

/**
 * `buildkite-agent meta-data exists <key>`: exits 0 when the build has the
 * key and 100 when it has not, printing nothing either way.
 */
export async function run(context: CommandContext<typeof metaDataExistsCommand>): Promise<number> {
  const key = context.args[0] ?? "";
  const exists = await withAgentApi(context, async (client) => {
    try {
      return await client.metaDataExists(metaDataTarget(context.config), key);
    } catch (error) {
      throw new Error(`failed to see if meta-data exists: ${messageOf(error)}`, { cause: error });
    }
  });
  return exists ? 0 : META_DATA_MISSING_STATUS;
}
