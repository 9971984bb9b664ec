/** Structured fields attached to a log line; never token or header values. */
export type LogFields = Readonly<Record<string, unknown>>;

/** The minimal logger the server writes to; pass a child of the app's logger. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** The default: discards everything. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
