import { promises as fs } from "node:fs";
import path from "node:path";
import type { PluginCheckout } from "./plugin-checkout.js";

/** Hook file extensions in the order the real agent tries them (internal/job/hook/hook.go). */
const extensions = process.platform === "win32" ? [".bat", ".cmd", ".ps1", ".exe", ""] : ["", ".ps1"];

/** Whether `target` is `root` or below it. */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/**
 * The path of `checkout`'s hook called `hookName` (`pre-command`, `environment`…),
 * or `undefined` when the plugin has none. Tries `<hooksDir>/<name>` then
 * `<name>.ps1` (on Windows `.bat`, `.cmd`, `.ps1`, `.exe`, none); directories do
 * not count, and neither does a symlink resolving outside the plugin's root.
 */
export async function pluginHookPath(checkout: PluginCheckout, hookName: string): Promise<string | undefined> {
  const root = await fs.realpath(checkout.root).catch(() => undefined);
  if (root === undefined) return undefined;
  for (const extension of extensions) {
    const candidate = path.join(checkout.hooksDir, `${hookName}${extension}`);
    const real = await fs.realpath(candidate).catch(() => undefined);
    if (real === undefined || !isInside(root, real)) continue;
    const stat = await fs.stat(real).catch(() => undefined);
    if (stat?.isFile() === true) return candidate;
  }
  return undefined;
}
