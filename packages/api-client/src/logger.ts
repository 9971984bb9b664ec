/** Structured fields attached to a log line. Values are never secrets. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * The logger this package writes to. apps/agent passes a real one (with context
 * such as `{ job }`); the default is silent. Levels: debug for protocol detail
 * (method, path, status, header names), warn for a retry ("attempt n of max" and
 * the delay).
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const noop = (): void => {};

/** A logger that drops everything; the default when none is given. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
