import { promises as fs } from "node:fs";
import path from "node:path";
import { JobRunnerError } from "../errors.js";
import { goQuote } from "@agent/log-redactor";
import { directoryInside } from "./directory-inside.js";
import type { Plugin } from "./plugin.js";
import type { PluginCheckout } from "./plugin-checkout.js";

/**
 * Finds a vendored plugin (`./.buildkite/plugins/x`) in the build checkout, after
 * the checkout phase. The path and its `hooks/` must be directories inside
 * `checkoutDir`, symlinks included (one escaping the checkout counts as missing).
 * Throws `PLUGIN_VENDORED_NOT_FOUND` or `PLUGIN_VENDORED_NO_HOOKS`, with the real agent's messages.
 */
export async function resolveVendoredPlugin(plugin: Plugin, checkoutDir: string): Promise<PluginCheckout> {
  const root = await fs.realpath(checkoutDir).catch((error: unknown) => {
    throw new JobRunnerError("PLUGIN_VENDORED_NOT_FOUND", `the build checkout "${checkoutDir}" does not exist, so vendored plugin "${plugin.location}" cannot be found`, { cause: error });
  });
  const pluginDir = path.resolve(checkoutDir, plugin.location);
  if (!(await directoryInside(root, pluginDir))) {
    throw new JobRunnerError(
      "PLUGIN_VENDORED_NOT_FOUND",
      `vendored plugin path "${goQuote(plugin.location)}" must be a directory within the checked-out repository`,
    );
  }
  const hooksDir = path.join(pluginDir, "hooks");
  if (!(await directoryInside(root, hooksDir))) {
    throw new JobRunnerError(
      "PLUGIN_VENDORED_NO_HOOKS",
      `vendored plugin hooks path "${goQuote(path.join(plugin.location, "hooks"))}" must be a directory within the checked-out repository`,
    );
  }
  return { plugin, root: checkoutDir, pluginDir, hooksDir };
}
