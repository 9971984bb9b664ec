import path from "node:path";

/** Whether `target` is `root` or below it (both already resolved, e.g. by `realpath`). */
export function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}
