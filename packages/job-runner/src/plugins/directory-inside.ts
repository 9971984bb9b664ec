import { promises as fs } from "node:fs";
import { isInside } from "../path-inside.js";

/**
 * Whether `target` is a directory inside `root` (already `realpath`ed) once its
 * symlinks are resolved: a plugin's hooks dir, a vendored plugin's path. A
 * symlink escaping `root` counts as missing, so a plugin cannot point the agent
 * at files outside what it was given.
 */
export async function directoryInside(root: string, target: string): Promise<boolean> {
  const real = await fs.realpath(target).catch(() => undefined);
  if (real === undefined || !isInside(root, real)) return false;
  return (await fs.stat(real)).isDirectory();
}
