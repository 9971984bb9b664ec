import { goQuote, redactString } from "@agent/log-redactor";

/** Values remembered for scrubbing; the oldest are forgotten past this (a few per job). */
const MAX_REMEMBERED_SECRETS = 1000;

/**
 * Tokens shorter than this are not scrubbed: replacing every "1" or "yes" would
 * garble messages, and no real token is this short. Pipeline secrets have no
 * minimum (logs-and-redaction §4.1: redacted regardless of length).
 */
const MIN_TOKEN_LENGTH = 6;

/** How a remembered value is kept. */
export interface RememberOptions {
  /** Scrub it whatever its length (pipeline secrets). @default false */
  readonly anyLength?: boolean;
}

/**
 * Every token and secret value a client family has seen, so server text echoing
 * one never reaches an error or a log. The remembered values are a bounded LRU;
 * the tokens the calling client sends are passed to {@link KnownSecrets.scrub}
 * each time, so they are scrubbed however many others were remembered since.
 */
export class KnownSecrets {
  /** Value → its Go-escaped form, in least-recently-remembered order. */
  readonly #recent = new Map<string, string>();

  /** Remembers `value` (moving it to the newest end) so later text is scrubbed of it. */
  remember(value: string, options: RememberOptions = {}): void {
    if (value === "" || (!options.anyLength && value.length < MIN_TOKEN_LENGTH)) return;
    this.#recent.delete(value);
    const escaped = goQuote(value);
    // Most values need no escaping: keep one string, not two equal ones.
    this.#recent.set(value, escaped === value ? value : escaped);
    if (this.#recent.size > MAX_REMEMBERED_SECRETS) this.#recent.delete(this.#recent.keys().next().value as string);
  }

  /**
   * The length in UTF-8 bytes of the longest form (value or Go-escaped) of any
   * remembered value or of `tokens`: a bound on the non-whitespace characters a
   * match of any of them spans, for text cut before it is scrubbed.
   */
  longestForm(tokens: readonly string[]): number {
    let longest = 0;
    const consider = (form: string): void => {
      longest = Math.max(longest, Buffer.byteLength(form));
    };
    for (const [value, escaped] of this.#recent) {
      consider(value);
      consider(escaped);
    }
    for (const token of tokens) {
      consider(token);
      consider(goQuote(token));
    }
    return longest;
  }

  /**
   * `text` with every remembered value and every one of `tokens` (and their
   * Go-escaped and multi-line forms, overlaps merged) replaced by `[REDACTED]`, in
   * one pass of the log redactor. Only values that can occur in `text` are handed
   * to it, so a message costs a substring search per value, not a matcher over a
   * thousand. For small text (server messages), not bodies.
   */
  scrub(text: string, tokens: readonly string[]): string {
    const needles: string[] = [];
    const consider = (value: string, escaped: string): void => {
      // A value with a line break matches across any whitespace run, so it cannot
      // be ruled out by a substring search; there are few of those (PEM keys).
      if (value.includes("\n") || text.includes(value) || (escaped !== value && text.includes(escaped))) needles.push(value);
    };
    for (const [value, escaped] of this.#recent) consider(value, escaped);
    for (const token of tokens) {
      if (token.length >= MIN_TOKEN_LENGTH && !this.#recent.has(token)) consider(token, goQuote(token));
    }
    // Encoded (base64, URL) forms are the log redactor's extra; a server echoes values as sent.
    return needles.length === 0 ? text : redactString(text, needles, { encodedForms: false });
  }
}
