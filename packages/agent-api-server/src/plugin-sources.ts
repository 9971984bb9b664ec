import { readPlugins } from "@agent/pipeline";
import { AgentApiServerError } from "./errors.js";

/**
 * Turns a step's `plugins` (a list of one-key maps or bare strings, or one map) into
 * the `BUILDKITE_PLUGINS` array the agent reads: one `{"<full source>": config|null}`
 * object per plugin, exactly as `pipeline upload` serialises them (`@agent/pipeline`'s
 * `readPlugins` and `PipelinePlugin.toJSON`, plugins.md §1). `undefined` when there
 * are no plugins.
 * @throws AgentApiServerError `SERVER_OPTION_INVALID` for any other shape
 */
export function normalisePlugins(plugins: unknown): unknown[] | undefined {
  let read;
  try {
    read = readPlugins(plugins);
  } catch (error) {
    throw new AgentApiServerError("SERVER_OPTION_INVALID", `plugins: ${(error as Error).message}`, { cause: error });
  }
  if (read === undefined || read.length === 0) return undefined;
  return read.map((plugin) => plugin.toJSON());
}
