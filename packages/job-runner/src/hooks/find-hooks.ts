import { realpath, stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { isInside } from "../path-inside.js";

/** Where a hook comes from; the word the job log uses (`~~~ Running agent environment hook`). */
export type HookScope = "agent" | "repository" | "plugin";

/** A hook file found on disk. */
export interface HookFile {
  readonly scope: HookScope;
  /** The hook's name, e.g. `pre-command`. */
  readonly name: string;
  /** Absolute path of the file (for repository hooks, under the checkout path as given, unresolved). */
  readonly path: string;
  /** For plugin hooks: the plugin's display name in the log, e.g. `docker-buildkite-plugin`. */
  readonly pluginDisplayName?: string;
}

/**
 * How the log names a hook: `agent pre-command`, `plugin docker-buildkite-plugin
 * environment` (`~~~ Running <this> hook`).
 */
export function hookDisplayName(hook: HookFile): string {
  return [hook.scope, hook.pluginDisplayName, hook.name].filter((part) => part !== undefined && part !== "").join(" ");
}

/**
 * Where {@link findHooks} looks. Every part is optional: leave a scope out to
 * skip it. Plugin hooks are found per plugin checkout with `pluginHookPath`.
 */
export interface HookLocations {
  /** Agent hook directories: `hooks-path`, then each of `additional-hooks-paths`. @default [] */
  readonly agent?: readonly string[];
  /**
   * The checkout root; its `.buildkite/hooks` holds the repository hooks. Pass it
   * only after checkout, and only when local hooks are allowed (the executor
   * refuses the job otherwise). @default undefined (no repository hooks)
   */
  readonly checkoutPath?: string;
}

// The real agent also tries `.bat`, `.cmd` and `.exe` first on Windows; this
// executor is POSIX-only, and PowerShell 7 is cross-platform, hence `.ps1`.
const EXTENSIONS = ["", ".ps1"] as const;

async function isFile(path: string): Promise<boolean> {
  try {
    return !(await stat(path)).isDirectory();
  } catch {
    // Missing, a dangling symlink, or unreadable: the real agent skips all of these silently.
    return false;
  }
}

/** The first `<dir>/<name><ext>` that exists and is not a directory. */
async function findInDir(dir: string, name: string): Promise<string | undefined> {
  for (const ext of EXTENSIONS) {
    const path = join(dir, name + ext);
    if (await isFile(path)) return path;
  }
  return undefined;
}

/**
 * Like {@link findInDir} for `dir` (absolute, or relative to `root`), but only a
 * file whose real path stays inside `root`: a repository or a plugin is
 * untrusted, so a symlink pointing at, say, an agent hook elsewhere is treated as
 * absent (the real agent opens it via `os.Root`). The path returned is under
 * `dir` as given, symlinks unresolved.
 */
export async function findHookInRoot(root: string, dir: string, name: string): Promise<string | undefined> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return undefined;
  }
  const base = isAbsolute(dir) ? dir : join(root, dir);
  for (const ext of EXTENSIONS) {
    const path = join(base, name + ext);
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      continue;
    }
    if (!isInside(realRoot, real)) continue;
    if (await isFile(real)) return path;
  }
  return undefined;
}

/**
 * Finds every `name` hook in `locations`, in run order: each agent directory in
 * turn, then the repository. One file per directory: the
 * extensionless file wins over `.ps1`. Missing files and directories are skipped
 * silently, as in the real agent. Which of these to run for the single-source
 * hooks (`checkout`, `command`) is the executor's choice.
 */
export async function findHooks(name: string, locations: HookLocations): Promise<HookFile[]> {
  const found: HookFile[] = [];
  for (const dir of locations.agent ?? []) {
    const path = await findInDir(dir, name);
    if (path !== undefined) found.push({ scope: "agent", name, path });
  }
  if (locations.checkoutPath !== undefined) {
    const path = await findHookInRoot(locations.checkoutPath, join(".buildkite", "hooks"), name);
    if (path !== undefined) found.push({ scope: "repository", name, path });
  }
  return found;
}
