import { createRequire } from "node:module";
import type Winston from "winston";
import { formatJsonLine, formatTextLine, type LogField, type LogLevel } from "./log-line.js";

export type { LogLevel } from "./log-line.js";

const requireCjs = createRequire(import.meta.url);

/** Values a log field may hold; `undefined` leaves the field out. */
export type LogFieldValue = string | number | boolean | undefined;
export type LogFields = Readonly<Record<string, LogFieldValue>>;

/**
 * The logger handed to commands and, through them, to packages (which declare
 * only the methods they call). Messages are plain strings; context goes in
 * fields, which the text format appends as `key=value` and the JSON format adds
 * as string properties.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  notice(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Logs at FATAL. Unlike the Go agent it does not exit: the caller returns its exit status. */
  fatal(message: string, fields?: LogFields): void;
  /** A logger adding `fields` to every line, after this logger's own (e.g. `{ job }`). */
  child(fields: LogFields): Logger;
  /** Whether a line at `level` would be written; to skip building costly debug output. */
  isLevelEnabled(level: LogLevel): boolean;
}

export type LogFormat = "text" | "json";

export interface LoggerOptions {
  /** `text` (the agent's console format) or `json` (one object per line). @default "text" */
  readonly format?: LogFormat;
  /** The least severe level written. ERROR and FATAL lines are always written, as in the Go agent. @default "notice" */
  readonly level?: LogLevel;
  /** `--debug`: write DEBUG lines whatever `level` says. @default false */
  readonly debug?: boolean;
  /**
   * ANSI colours in the text format. The Go agent colours its text log unless
   * `--no-color` is given, whether or not stderr is a terminal
   * (clicommand/global.go `CreateLogger`). @default true
   */
  readonly colors?: boolean;
  /** Where lines go. @default process.stderr for text, process.stdout for json (as the agent does) */
  readonly stream?: NodeJS.WritableStream;
  /** Added as `agent_version` to DEBUG lines, as the Go agent does. @default none */
  readonly version?: string;
  /** The clock, for tests. @default () => new Date() */
  readonly now?: () => Date;
}

// Winston's levels: lower is more severe, and a line is written when its number
// is at most the threshold's. NOTICE is less severe than INFO in the Go agent
// (logger/level.go), so `--log-level info` hides NOTICE lines and the default
// `notice` shows INFO ones; the numbers keep that order.
const WINSTON_LEVELS: Readonly<Record<LogLevel, number>> = { fatal: 0, error: 1, warn: 2, info: 3, notice: 4, debug: 5 };

// Winston keeps the rendered line under this symbol (triple-beam's MESSAGE).
const MESSAGE = Symbol.for("message");
// Our fields ride on winston's info object under a symbol, so a field named
// "level" or "message" cannot clash with winston's own properties.
const FIELDS = Symbol.for("buildkite-agent.fields");

interface Info {
  level: string;
  message: string;
  [FIELDS]?: readonly LogField[];
  [MESSAGE]?: string;
}

/**
 * Creates the agent's logger: winston with the agent's levels, writing the real
 * agent's text or JSON lines (see log-line.ts) to one stream.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? "text";
  const colors = options.colors ?? true;
  const now = options.now ?? (() => new Date());
  const stream = options.stream ?? (format === "json" ? process.stdout : process.stderr);
  const threshold = options.debug ? "debug" : (options.level ?? "notice");

  // ERROR is always written (logger/log.go checks no level for it), so a
  // threshold of "fatal" still lets ERROR through.
  const effective: LogLevel = threshold === "fatal" ? "error" : threshold;
  const isLevelEnabled = (level: LogLevel): boolean => WINSTON_LEVELS[level] <= WINSTON_LEVELS[effective];

  // winston costs ~30 ms to load: only a process that logs something pays for it
  // (`bootstrap` usually logs nothing).
  let winstonLogger: Winston.Logger | undefined;
  const sink = (): Winston.Logger => {
    if (winstonLogger !== undefined) return winstonLogger;
    const winston = requireCjs("winston") as typeof Winston;
    const render = winston.format((info) => {
      const entry = {
        time: now(),
        level: info.level as LogLevel,
        message: String(info.message),
        fields: (info as Info)[FIELDS] ?? [],
      };
      (info as Info)[MESSAGE] = format === "json" ? formatJsonLine(entry) : formatTextLine(entry, colors);
      return info;
    });
    winstonLogger = winston.createLogger({
      levels: WINSTON_LEVELS,
      level: effective,
      format: render(),
      transports: [new winston.transports.Stream({ stream, eol: "\n" })],
      exitOnError: false,
    });
    return winstonLogger;
  };
  const versionField: readonly LogField[] = options.version === undefined ? [] : [["agent_version", options.version]];

  const make = (fields: readonly LogField[]): Logger => {
    const write = (level: LogLevel, message: string, extra: LogFields | undefined): void => {
      if (!isLevelEnabled(level)) return;
      const all = extra === undefined ? fields : [...fields, ...toFields(extra)];
      const info: Info = { level, message, [FIELDS]: level === "debug" ? [...all, ...versionField] : all };
      sink().log(info);
    };
    return {
      debug: (message, extra) => write("debug", message, extra),
      info: (message, extra) => write("info", message, extra),
      notice: (message, extra) => write("notice", message, extra),
      warn: (message, extra) => write("warn", message, extra),
      error: (message, extra) => write("error", message, extra),
      fatal: (message, extra) => write("fatal", message, extra),
      child: (extra) => make([...fields, ...toFields(extra)]),
      isLevelEnabled,
    };
  };
  return make([]);
}

function toFields(fields: LogFields): LogField[] {
  const out: LogField[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) out.push([key, String(value)]);
  }
  return out;
}
