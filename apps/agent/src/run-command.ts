import path from "node:path";
import { loadConfig, type CommandDefinition, type FlagValue, type LoadedConfig } from "@agent/config";
import type { CommandContext } from "./command-context.js";
import { loaderFor } from "./command-registry.js";
import { flagIsSet, HELP_FLAGS, lastValue, type GivenFlags } from "./given-flags.js";
import { isConfigError, reportUsageError, type OutputStreams } from "./failure-report.js";
import { commandHelp } from "./help.js";
import type { Logger, LogLevel } from "./logger.js";
import { missingArgumentMessage } from "./required-arguments.js";
import { fullVersion } from "./version.js";

/** The process's streams and surroundings, passed in so tests can run the CLI in-process. */
export interface CommandIo extends OutputStreams {
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Absolute path of the `buildkite-agent` executable. */
  readonly executablePath: string;
}

/**
 * Runs one command: rejects unknown flags, shows `--help`, loads and validates
 * the configuration through @agent/config, checks the arguments the Go agent
 * requires (required-arguments.ts), builds the logger, logs the config
 * warnings, then loads the command's module (only now) and runs it. Resolves to the exit status; what the command throws
 * propagates.
 */
export async function runCommand(
  definition: CommandDefinition,
  given: GivenFlags,
  positionals: readonly string[],
  io: CommandIo,
): Promise<number> {
  const known = new Set(definition.settings.map((setting) => setting.name));
  const unknown = [...given.keys()].find((name) => !known.has(name) && !HELP_FLAGS.includes(name));
  if (unknown !== undefined) {
    return reportUsageError(io, [`flag provided but not defined: -${unknown}`], commandHelp(definition), "command");
  }
  if (flagIsSet(given, HELP_FLAGS)) {
    io.stdout.write(commandHelp(definition));
    return 0;
  }

  let loaded: LoadedConfig<CommandDefinition>;
  try {
    loaded = loadConfig(definition, {
      flags: configFlags(definition, given),
      env: io.env,
      homeDir: io.env.HOME,
      cwd: io.cwd,
      executableDir: path.dirname(io.executablePath),
    });
  } catch (error) {
    if (!isConfigError(error)) throw error;
    // A value that does not parse is a usage error, reported before anything
    // else as urfave/cli parses flags before the command runs.
    const usage = error.problems.filter((problem) => problem.code === "CONFIG_USAGE").map((problem) => problem.message);
    if (usage.length > 0) return reportUsageError(io, usage, commandHelp(definition), "command");
    // Other problems are printed bare, one per line (clicommand/global.go); a
    // missing argument is one of them, after the global and API settings the
    // Go config structs list first.
    const missing = missingArgumentMessage(definition, positionals);
    io.stderr.write(`${error.message}\n${missing === undefined ? "" : `${missing}\n`}`);
    return 1;
  }
  const missing = missingArgumentMessage(definition, positionals);
  if (missing !== undefined) {
    io.stderr.write(`${missing}\n`);
    return 1;
  }

  const { createLogger } = await import("./logger.js");
  const values = loaded.values as Readonly<Record<string, unknown>>;
  const debug = values.debug === true;
  // Only some commands (start) have --log-format; the rest log text.
  const format = values.logFormat === "json" ? "json" : "text";
  let logger: Logger = createLogger({
    format,
    // @agent/config accepts only the six level names as `--log-level`.
    level: typeof values.logLevel === "string" ? (values.logLevel as LogLevel) : undefined,
    debug,
    colors: values.noColor !== true,
    version: fullVersion(),
    // The real agent logs JSON on stdout and text on stderr.
    stream: format === "json" ? io.stdout : io.stderr,
  });
  if (debug) logger = logger.child({ command: definition.path.join(" ") });
  logLoadedConfig(logger, loaded);

  const load = loaderFor(definition.path);
  if (load === undefined) throw new Error(`${definition.path.join(" ")} has no implementation registered`);
  const module = await load();
  const context: CommandContext = {
    command: definition,
    config: loaded.values,
    sources: loaded.sources,
    configFile: loaded.configFile,
    args: positionals,
    logger,
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
    cwd: io.cwd,
    executablePath: io.executablePath,
  };
  return module.run(context);
}

/**
 * The flags as @agent/config takes them: only those given, bools as `true` or
 * `false` or the raw text (`1`, `banana`) for it to parse, lists as every value
 * given, other flags as the last value given (Go's flag package keeps the last).
 */
function configFlags(definition: CommandDefinition, given: GivenFlags): Record<string, FlagValue> {
  const flags: Record<string, FlagValue> = {};
  for (const setting of definition.settings) {
    const value = given.get(setting.name);
    if (value === undefined) continue;
    if (setting.type === "list") {
      flags[setting.name] = typeof value === "string" ? [value] : [...value];
    } else if (setting.type === "bool") {
      const last = lastValue(value);
      flags[setting.name] = last === "true" ? true : last === "false" ? false : last;
    } else {
      flags[setting.name] = lastValue(value);
    }
  }
  return flags;
}

/**
 * Logs what loading the configuration found: each warning at WARN, as the Go
 * agent does (clicommand/global.go), and at DEBUG which file was read and which
 * settings came from where — names only, never values, so no token or
 * credential can reach the log.
 */
function logLoadedConfig(logger: Logger, loaded: LoadedConfig<CommandDefinition>): void {
  if (logger.isLevelEnabled("debug")) {
    const bySource = (source: string): string | undefined => {
      const names = Object.entries(loaded.sources)
        .filter(([, from]) => from === source)
        .map(([name]) => name);
      return names.length > 0 ? names.join(",") : undefined;
    };
    logger.debug("Loaded config", {
      config_file: loaded.configFile,
      from_flags: bySource("flag"),
      from_env: bySource("env"),
      from_file: bySource("file"),
    });
  }
  for (const warning of loaded.warnings) logger.warn(warning.message);
}
