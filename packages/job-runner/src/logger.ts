/** Structured fields attached to a log line. Never put env values here: they may be secrets. */
export type LogFields = Readonly<Record<string, unknown>>;

/** The logger this package writes to; apps/agent passes a child of its winston logger. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const ignore = (): void => {};

/** The default logger: drops everything, so the package is silent unless given one. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
