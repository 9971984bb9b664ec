import { promises as fs } from "node:fs";
import path from "node:path";
import { goQuote } from "@agent/log-redactor";
import { commandLine, displayUrl } from "../checkout/git-command.js";
import { pathExists } from "../checkout/path-exists.js";
import { quoteShellWord } from "../checkout/shell-words.js";
import { sleep as realSleep, type Sleep } from "../checkout/sleep.js";
import { JobRunnerError } from "../errors.js";
import type { JobLog } from "../job-log.js";
import { silentLogger, type Logger } from "../logger.js";
import type { ProcessRunner } from "../process-runner.js";
import { directoryInside } from "./directory-inside.js";
import { pluginRepository, pluginSubdirectory, type Plugin } from "./plugin.js";
import type { PluginCheckout } from "./plugin-checkout.js";
import { lockPluginDirectory } from "./plugin-lock.js";

/**
 * Adds an ssh host's keys to `known_hosts` (the checkout area's keyscan). Failure
 * is reported as a warning and the clone goes ahead, as in the real agent.
 */
export type PluginKeyscan = (host: string, options: { readonly port?: number; readonly signal?: AbortSignal }) => Promise<void>;

/** Options for {@link checkoutPlugins}. */
export interface CheckoutPluginsOptions {
  /** `--plugins-path`. An empty string fails the first checkout, as in the real agent. */
  readonly pluginsPath: string;
  /** `BUILDKITE_AGENT_NAME`: each agent gets its own `<plugins-path>/<agent name>/`. */
  readonly agentName: string;
  /** Runs git; its output goes to the job log. */
  readonly runProcess: ProcessRunner;
  /** Where the comments and prompts of the checkout go. */
  readonly log: JobLog;
  /** The job env git runs with. `GIT_TERMINAL_PROMPT=0` is added when absent, so a clone never waits for a password. */
  readonly env: Readonly<Record<string, string>>;
  /** `plugins-always-clone-fresh`: delete an existing checkout and clone again. @default false */
  readonly alwaysCloneFresh?: boolean;
  /** `git-submodules`: clone with `--recursive`. @default true */
  readonly gitSubmodules?: boolean;
  /** The `zip-plugins` experiment. Zip download itself is not implemented yet (`PLUGIN_ZIP_UNSUPPORTED`). @default false */
  readonly zipPlugins?: boolean;
  /** `ssh-keyscan`: call `keyscan` for ssh plugin sources. @default true */
  readonly sshKeyscan?: boolean;
  /** How to keyscan; no keyscan when absent. */
  readonly keyscan?: PluginKeyscan;
  /** Clone attempts. @default 3 */
  readonly cloneAttempts?: number;
  /** Pause between clone attempts. @default 2000 */
  readonly cloneRetryDelayMs?: number;
  /** How the pause is taken; tests pass one that records the delay. @default a timer honouring `signal` */
  readonly sleep?: Sleep;
  /** Longest wait for another job's checkout of the same plugin. @default 300000 (the git-mirrors lock default) */
  readonly lockTimeoutMs?: number;
  /** How often a held lock is re-tried. @default 100 */
  readonly lockPollMs?: number;
  /** Cancels git and any wait; the call then rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /** @default silent */
  readonly logger?: Logger;
}

const sshSchemes = new Set(["ssh", "git+ssh", "ssh+git"]);


async function emptyDirectory(directory: string): Promise<void> {
  for (const entry of await fs.readdir(directory)) await fs.rm(path.join(directory, entry), { recursive: true, force: true });
}

interface Settings extends CheckoutPluginsOptions {
  readonly gitEnv: Readonly<Record<string, string>>;
  readonly logger: Logger;
  readonly sleep: Sleep;
}

async function git(settings: Settings, cwd: string, args: readonly string[], capture = false) {
  return settings.runProcess("git", args, {
    cwd,
    env: settings.gitEnv,
    ...(capture ? { capture: true, pty: false } : {}),
    ...(settings.signal === undefined ? {} : { signal: settings.signal }),
  });
}

async function keyscan(plugin: Plugin, settings: Settings): Promise<void> {
  if (settings.sshKeyscan === false || settings.keyscan === undefined || !sshSchemes.has(plugin.scheme)) return;
  const authority = plugin.location.split("/")[0] ?? "";
  const match = /^(.*?)(?::(\d+))?$/.exec(authority);
  const host = match?.[1] ?? authority;
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  try {
    await settings.keyscan(host, { ...(port === undefined ? {} : { port }), ...(settings.signal === undefined ? {} : { signal: settings.signal }) });
  } catch (error) {
    settings.signal?.throwIfAborted();
    settings.log.warning(`Failed to add "${host}" to known_hosts: ${(error as Error).message}`);
  }
}

async function clone(plugin: Plugin, repository: string, tempDir: string, settings: Settings): Promise<void> {
  const args = ["clone", "-v", ...(settings.gitSubmodules === false ? [] : ["--recursive"]), "--", repository, "."];
  const shown = displayUrl(repository);
  const attempts = settings.cloneAttempts ?? 3;
  const pause = settings.cloneRetryDelayMs ?? 2000;
  for (let attempt = 1; ; attempt++) {
    settings.log.prompt(commandLine("git", args));
    let failure: string;
    let cause: unknown;
    try {
      const result = await git(settings, tempDir, args);
      if (result.exitCode === 0) return;
      failure = result.signal === undefined ? `exit status ${result.exitCode}` : `signal ${result.signal}`;
    } catch (error) {
      failure = (error as Error).message;
      cause = error;
    }
    settings.signal?.throwIfAborted();
    if (attempt >= attempts) {
      throw new JobRunnerError(
        "PLUGIN_CLONE_FAILED",
        `git clone of ${shown} failed with ${failure} after ${attempts} attempts; check the plugin source "${plugin.label}" exists and this agent can read it`,
        { cause },
      );
    }
    settings.logger.warn("plugin clone failed, retrying", { plugin: plugin.label, attempt, maxAttempts: attempts, delayMs: pause });
    // A failed clone may leave files behind, and `git clone … .` needs an empty directory.
    await emptyDirectory(tempDir);
    await settings.sleep(pause, settings.signal);
  }
}

async function checkHooksDir(checkout: PluginCheckout, relativeHooksDir: string): Promise<void> {
  if (!(await directoryInside(await fs.realpath(checkout.root), checkout.hooksDir))) {
    throw new JobRunnerError(
      "PLUGIN_NO_HOOKS_DIR",
      `"${goQuote(relativeHooksDir)}" was not a directory within the "${goQuote(checkout.plugin.name)}" plugin; a plugin keeps its hooks in a hooks/ directory`,
    );
  }
}

async function checkoutOne(plugin: Plugin, settings: Settings): Promise<PluginCheckout> {
  if (settings.pluginsPath === "") {
    throw new JobRunnerError("PLUGIN_NO_PLUGINS_PATH", "can't checkout plugin without a `plugins-path`");
  }
  const parent = path.join(settings.pluginsPath, settings.agentName);
  // 0777 and the umask, as the real agent: other users of the host may share plugins.
  await fs.mkdir(parent, { recursive: true, mode: 0o777 });
  let subdirectory: string;
  try {
    subdirectory = pluginSubdirectory(plugin.location);
  } catch (error) {
    throw new JobRunnerError("PLUGIN_INVALID_LOCATION", `failed to get repository subdirectory: ${(error as Error).message}`, { cause: error });
  }
  const directory = path.join(parent, plugin.identifier);
  const pluginDir = subdirectory === "" ? directory : path.join(directory, subdirectory);
  const relativeHooksDir = subdirectory === "" ? "hooks" : path.join(subdirectory, "hooks");
  const checkout: PluginCheckout = { plugin, root: directory, pluginDir, hooksDir: path.join(pluginDir, "hooks") };

  if (plugin.zip) {
    if (settings.zipPlugins !== true) {
      throw new JobRunnerError("PLUGIN_ZIP_DISABLED", 'zip plugins require the "zip-plugins" experiment to be enabled');
    }
    throw new JobRunnerError("PLUGIN_ZIP_UNSUPPORTED", `zip plugin "${plugin.displayName}" cannot be downloaded: zip plugins are not supported by this agent yet; use a git source`);
  }

  const release = await lockPluginDirectory(directory, {
    timeoutMs: settings.lockTimeoutMs ?? 300_000,
    pollMs: settings.lockPollMs ?? 100,
    logger: settings.logger,
    ...(settings.signal === undefined ? {} : { signal: settings.signal }),
  });
  try {
    if (settings.alwaysCloneFresh === true && (await pathExists(directory))) {
      settings.log.comment(`BUILDKITE_PLUGINS_ALWAYS_CLONE_FRESH is true; removing previous checkout of plugin ${plugin.label}`);
      await fs.rm(directory, { recursive: true, force: true });
    }
    if (await pathExists(path.join(directory, ".git"))) {
      const head = await git(settings, directory, ["rev-parse", "--short=7", "HEAD"], true).catch(() => undefined);
      settings.log.comment(
        head?.exitCode === 0
          ? `Plugin "${goQuote(plugin.label)}" already checked out (${(head.output ?? "").trim()})`
          : `Plugin "${goQuote(plugin.label)}" already checked out (can't \`git rev-parse HEAD\` plugin git directory)`,
      );
      await checkHooksDir(checkout, relativeHooksDir);
      return checkout;
    }

    settings.log.comment(`Plugin "${goQuote(plugin.displayName)}" will be checked out to "${goQuote(directory)}"`);
    const repository = pluginRepository(plugin);
    await keyscan(plugin, settings);
    settings.log.prompt(`mktemp -dp ${quoteShellWord(settings.pluginsPath)}`);
    // The trailing separator makes mkdtemp create a random name *inside* plugins-path.
    const tempDir = await fs.mkdtemp(settings.pluginsPath + path.sep);
    try {
      settings.log.comment("Switching to the temporary plugin directory");
      await clone(plugin, repository, tempDir, settings);
      if (plugin.version !== "") {
        settings.log.comment(`Checking out \`${plugin.version}\``);
        const args = ["-c", "advice.detachedHead=false", "checkout", "-f", plugin.version];
        settings.log.prompt(["git", ...args].map(quoteShellWord).join(" "));
        const result = await git(settings, tempDir, args);
        settings.signal?.throwIfAborted();
        if (result.exitCode !== 0) {
          throw new JobRunnerError(
            "PLUGIN_BAD_VERSION",
            `git checkout of version "${plugin.version}" failed with exit status ${result.exitCode}; check that "${plugin.version}" is a branch, tag or commit of ${displayUrl(repository)}`,
          );
        }
      }
      settings.log.comment("Moving temporary plugin directory to final location");
      settings.log.prompt(`mv ${quoteShellWord(tempDir)} ${quoteShellWord(directory)}`);
      await fs.rename(tempDir, directory);
    } catch (error) {
      // Unlike the real agent we remove a failed clone, so plugins-path holds only finished checkouts.
      await fs.rm(tempDir, { recursive: true, force: true });
      throw error;
    }
    await checkHooksDir(checkout, relativeHooksDir);
    return checkout;
  } finally {
    await release().catch((error: unknown) =>
      settings.logger.warn("could not release plugin directory lock", { directory, error: (error as Error).message }),
    );
  }
}

/**
 * The plugin phase's checkout (internal/job/plugin.go `checkoutPlugin`): clones each
 * non-vendored plugin into `<plugins-path>/<agent name>/<identifier>`, or reuses an
 * existing clone (no fetch), and checks it has a hooks directory. Vendored plugins
 * are skipped (see `resolveVendoredPlugin`); a repeated label reuses the first
 * checkout but keeps its own config. The executor prints `~~~ Preparing plugins` first.
 * Resolves to one checkout per non-vendored plugin, in order.
 *
 * Each clone runs under a host-wide lock on its directory, in a temp dir inside
 * plugins-path renamed into place when done, so a reader never sees half a clone.
 * Errors are `JobRunnerError`s whose message starts `failed to checkout plugin <name>: `:
 * `PLUGIN_NO_PLUGINS_PATH`, `PLUGIN_INVALID_LOCATION`, `PLUGIN_ZIP_DISABLED`, `PLUGIN_ZIP_UNSUPPORTED`,
 * `PLUGIN_CLONE_FAILED` (after `cloneAttempts`), `PLUGIN_BAD_VERSION`, `PLUGIN_NO_HOOKS_DIR`,
 * `PLUGIN_LOCK_TIMEOUT`, `PLUGIN_LOCK_FAILED`, `PLUGIN_CHECKOUT_FAILED` (file system).
 * On cancellation it rejects with `signal.reason` and leaves no temp dir or lock behind.
 */
export async function checkoutPlugins(plugins: readonly Plugin[], options: CheckoutPluginsOptions): Promise<PluginCheckout[]> {
  const settings: Settings = {
    ...options,
    gitEnv: { GIT_TERMINAL_PROMPT: "0", ...options.env },
    logger: options.logger ?? silentLogger,
    sleep: options.sleep ?? realSleep,
  };
  const byLabel = new Map<string, PluginCheckout>();
  const checkouts: PluginCheckout[] = [];
  for (const plugin of plugins) {
    if (plugin.vendored) continue;
    const existing = byLabel.get(plugin.label);
    if (existing !== undefined) {
      checkouts.push({ ...existing, plugin });
      continue;
    }
    options.signal?.throwIfAborted();
    let checkout: PluginCheckout;
    try {
      checkout = await checkoutOne(plugin, settings);
    } catch (error) {
      if (options.signal?.aborted === true) throw options.signal.reason;
      if (error instanceof JobRunnerError) {
        throw new JobRunnerError(error.code, `failed to checkout plugin ${plugin.name}: ${error.message}`, { cause: error });
      }
      const message = (error as Error).message;
      throw new JobRunnerError("PLUGIN_CHECKOUT_FAILED", `failed to checkout plugin ${plugin.name}: ${message}`, { cause: error });
    }
    byLabel.set(plugin.label, checkout);
    checkouts.push(checkout);
  }
  return checkouts;
}
