import { findHookInRoot } from "../hooks/find-hooks.js";
import type { PluginCheckout } from "./plugin-checkout.js";

/**
 * The path of `checkout`'s hook called `hookName` (`pre-command`, `environment`…),
 * or `undefined` when the plugin has none. Looked up as repository hooks are:
 * `<hooksDir>/<name>` then `<name>.ps1`; directories do not count, and neither
 * does a symlink resolving outside the plugin's root.
 */
export async function pluginHookPath(checkout: PluginCheckout, hookName: string): Promise<string | undefined> {
  return findHookInRoot(checkout.root, checkout.hooksDir, hookName);
}
