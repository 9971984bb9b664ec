import { goQuote } from "./go-quote.js";
import { goTrimSpace } from "./go-trim-space.js";

/**
 * The symbol a `\n` in a normalised needle becomes: it matches a run of one or
 * more of `\t \n \v \f \r` and space in the stream. Byte values are 0-255.
 */
export const WHITESPACE_RUN = 256;

/**
 * Shortest base64 form we add, in characters. Eight characters carry 48 bits of the
 * secret: long enough that an accidental match in ordinary log text is negligible,
 * short enough that a 6-byte secret (the env-var minimum) still gets its aligned form.
 */
export const MIN_BASE64_FORM_LENGTH = 8;

const encoder = new TextEncoder();

/** Which extra forms of each secret are redacted besides the value itself. */
export interface SecretFormOptions {
  /** Add the Go `%q` form (minus quotes) when it differs, as the real agent does. */
  readonly escapedForms: boolean;
  /** Add base64 and URL-encoded forms, which the real agent does not. */
  readonly encodedForms: boolean;
}

/**
 * Turns one needle into the pattern the matcher runs: if it holds a newline, split
 * on `\n`, trim each line (Go `strings.TrimSpace`), drop blank lines and rejoin with
 * WHITESPACE_RUN, so a PEM key still matches after a PTY turned `\n` into `\r\n` or
 * `set -x` joined the lines with spaces. A needle without a newline is used as is.
 * Returns undefined for a needle that is empty after this.
 */
export function needlePattern(needle: Uint8Array): Uint16Array | undefined {
  if (needle.length === 0) return undefined;
  if (!needle.includes(0x0a)) return Uint16Array.from(needle);
  const symbols: number[] = [];
  let lineStart = 0;
  for (let i = 0; i <= needle.length; i++) {
    if (i < needle.length && needle[i] !== 0x0a) continue;
    const line = goTrimSpace(needle.subarray(lineStart, i));
    lineStart = i + 1;
    if (line.length === 0) continue;
    if (symbols.length > 0) symbols.push(WHITESPACE_RUN);
    for (const byte of line) symbols.push(byte);
  }
  return symbols.length === 0 ? undefined : Uint16Array.from(symbols);
}

/**
 * The base64 forms of a secret that sits at each of the three byte alignments of a
 * base64 stream (as GitHub's actions runner does): encode the secret behind 0, 1 or
 * 2 filler bytes and keep only the characters whose six bits all come from the secret.
 * Forms shorter than MIN_BASE64_FORM_LENGTH are dropped.
 */
export function base64Forms(secret: Uint8Array): string[] {
  const forms: string[] = [];
  for (let align = 0; align < 3; align++) {
    const padded = Buffer.alloc(align + secret.length);
    padded.set(secret, align);
    const encoded = padded.toString("base64");
    // Character c covers bits [6c, 6c+6); the secret covers [8·align, 8·(align+len)).
    const first = Math.ceil((8 * align) / 6);
    const end = Math.floor((8 * (align + secret.length)) / 6);
    const form = encoded.slice(first, end);
    if (form.length >= MIN_BASE64_FORM_LENGTH) forms.push(form);
  }
  return forms;
}

const URI_UNRESERVED = new Uint8Array(256);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()") {
  URI_UNRESERVED[c.charCodeAt(0)] = 1;
}

/**
 * `encodeURIComponent` on bytes (so invalid UTF-8 is encoded rather than throwing),
 * with upper-case hex as JavaScript, Go and curl produce.
 */
export function percentEncode(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) {
    out += URI_UNRESERVED[byte] ? String.fromCharCode(byte) : "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/**
 * Every byte string to redact for one secret: the value itself, then (when enabled
 * and different) its Go-escaped form, its three aligned base64 forms, its
 * `encodeURIComponent` form and that form with `+` for space. De-duplicated.
 */
export function secretForms(secret: Uint8Array, options: SecretFormOptions): Uint8Array[] {
  const forms = new Map<string, Uint8Array>();
  const add = (form: Uint8Array): void => {
    if (form.length > 0) forms.set(Buffer.from(form.buffer, form.byteOffset, form.length).toString("latin1"), form);
  };
  add(secret);
  if (options.escapedForms) add(encoder.encode(goQuote(secret)));
  if (options.encodedForms) {
    for (const form of base64Forms(secret)) add(encoder.encode(form));
    const uri = percentEncode(secret);
    add(encoder.encode(uri));
    add(encoder.encode(uri.replaceAll("%20", "+")));
  }
  return [...forms.values()];
}
