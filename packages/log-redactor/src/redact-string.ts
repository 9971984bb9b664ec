import { Redactor } from "./redactor.js";

/** Options of `redactString`. */
export interface RedactStringOptions {
  /** Also redact base64 and URL-encoded forms (see RedactorOptions). @default true */
  readonly encodedForms?: boolean;
}

/**
 * Redacts secrets in a small string (upstream internal/redact `String`), for CLI
 * values such as an annotation body or a meta-data value: every occurrence of each
 * needle and of its Go-escaped form becomes `[REDACTED]`. For streams use Redactor:
 * this holds the whole input and output in memory.
 */
export function redactString(input: string, needles: Iterable<string>, options: RedactStringOptions = {}): string {
  const redactor = new Redactor({ secrets: needles, escapedForms: true, encodedForms: options.encodedForms ?? true });
  const head = redactor.write(Buffer.from(input));
  const tail = redactor.flush();
  return Buffer.concat([head, tail]).toString("utf8");
}
