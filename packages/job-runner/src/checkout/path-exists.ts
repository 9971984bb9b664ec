import { stat } from "node:fs/promises";

/**
 * Whether `path` exists (a symlink counts when its target does), for the
 * checkout and plugin checkout alike. Only "no such file" answers `false`: any
 * other failure (EACCES, EIO) is thrown, as guessing either way would clone over
 * or skip a directory we cannot read.
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw error;
  }
}
