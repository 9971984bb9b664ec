/**
 * @agent/buildkite-agent: the `buildkite-agent` command line. Most users run the
 * executable; these exports are for command implementations and embedders.
 */
export { runCli } from "./cli.js";
export type { CommandIo } from "./run-command.js";
export type { CommandContext, CommandHandler, CommandLoader, CommandModule } from "./command-context.js";
export { commandLoaders } from "./command-registry.js";
export { ExitError, UsageError } from "./errors.js";
export type { ExitErrorOptions } from "./errors.js";
export { createLogger } from "./logger.js";
export type { LogFieldValue, LogFields, LogFormat, Logger, LoggerOptions, LogLevel } from "./logger.js";
export { formatJsonLine, formatTextLine } from "./log-line.js";
export type { LogEntry, LogField } from "./log-line.js";
export { fullVersion } from "./version.js";
