/** Structured fields attached to a log line. Never secrets or env values. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where the agent loop logs. apps/agent passes its real logger; the default is
 * silent. info: lifecycle (registered, job started/finished); warn: a retry or
 * a refused job; error: something an operator must act on.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const noop = (): void => {};

/** A logger that drops everything; the default. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
