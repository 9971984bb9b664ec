import type { CommandDefinition, SettingSource, SettingValues } from "@agent/config";
import type { Logger } from "./logger.js";

/**
 * Everything a command gets when it runs. By the time a command sees it, the
 * flags, env vars and config file have been resolved and validated by
 * @agent/config, and the logger has been built from `--log-level`,
 * `--log-format`, `--debug` and `--no-color`.
 */
export interface CommandContext<C extends CommandDefinition = CommandDefinition> {
  /** The command being run, as @agent/config defines it. */
  readonly command: C;
  /** Its settings, typed and frozen, keyed by camelCase name (`buildPath`). */
  readonly config: SettingValues<C["settings"]>;
  /** Where each setting came from, keyed by flag name (`build-path`). */
  readonly sources: Readonly<Record<string, SettingSource>>;
  /** The config file that was read (only `start` reads one), if any. */
  readonly configFile: string | undefined;
  /** The positional arguments after the command's words. */
  readonly args: readonly string[];
  /** The agent's logger; pass children of it (`logger.child({ job })`) to packages. */
  readonly logger: Logger;
  readonly stdin: NodeJS.ReadableStream;
  /** For the command's output (`meta-data get` prints the value here). */
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** The process environment, as read at start-up. Packages get what they need from here, never from process.env. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Absolute path of this executable, e.g. for the default bootstrap script (`<path> bootstrap`). */
  readonly executablePath: string;
}

/**
 * What a command module exports: `run`, resolving to the process exit status.
 * To fail with a message, throw: an `ExitError` chooses the status, anything
 * else exits 1, and either way the message is printed as
 * `buildkite-agent: fatal: <message>` without a stack.
 *
 * Declared with method syntax so a module can type its handler for its own
 * command (`run(context: CommandContext<typeof startCommand>)`) and still fit.
 */
export interface CommandModule {
  run(context: CommandContext): Promise<number>;
}

/** A command's implementation as a function, for modules that prefer `export const run: CommandHandler<...>`. */
export type CommandHandler<C extends CommandDefinition = CommandDefinition> = (context: CommandContext<C>) => Promise<number>;

/** Loads a command's module; called only when that command runs. */
export type CommandLoader = () => Promise<CommandModule>;
