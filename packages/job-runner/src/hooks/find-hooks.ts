import { realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";

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

/** A plugin's hooks directory, for {@link findHooks}. */
export interface PluginHooksLocation {
  /** The name the log shows, e.g. `docker-buildkite-plugin`. */
  readonly displayName: string;
  /** The plugin's `hooks` directory (`<plugin checkout>/hooks` or `<subdir>/hooks`). */
  readonly hooksDir: string;
}

/** Where {@link findHooks} looks. Every part is optional: leave a scope out to skip it. */
export interface HookLocations {
  /** Agent hook directories: `hooks-path`, then each of `additional-hooks-paths`. @default [] */
  readonly agent?: readonly string[];
  /**
   * The checkout root; its `.buildkite/hooks` holds the repository hooks. Pass it
   * only after checkout, and only when local hooks are allowed (the executor
   * refuses the job otherwise). @default undefined (no repository hooks)
   */
  readonly checkoutPath?: string;
  /** Plugins with a checkout, in plugin list order. @default [] */
  readonly plugins?: readonly PluginHooksLocation[];
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
 * Like {@link findInDir}, but only a file whose real path stays inside `root`: a
 * repository is untrusted, so a `.buildkite/hooks` symlink pointing at, say, an
 * agent hook elsewhere is treated as absent (the real agent opens it via `os.Root`).
 */
async function findInRoot(root: string, dir: string, name: string): Promise<string | undefined> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return undefined;
  }
  const inside = realRoot.endsWith(sep) ? realRoot : realRoot + sep;
  for (const ext of EXTENSIONS) {
    const path = join(root, dir, name + ext);
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      continue;
    }
    if (!real.startsWith(inside)) continue;
    if (await isFile(real)) return path;
  }
  return undefined;
}

/**
 * Finds every `name` hook in `locations`, in run order: each agent directory in
 * turn, then the repository, then each plugin. One file per directory: the
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
    const path = await findInRoot(locations.checkoutPath, join(".buildkite", "hooks"), name);
    if (path !== undefined) found.push({ scope: "repository", name, path });
  }
  for (const plugin of locations.plugins ?? []) {
    const path = await findInDir(plugin.hooksDir, name);
    if (path !== undefined) found.push({ scope: "plugin", name, path, pluginDisplayName: plugin.displayName });
  }
  return found;
}
