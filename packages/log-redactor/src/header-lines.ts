// agent/header_times_streamer.go: colour codes are `ESC[` digits/`;` then `m` or `K`.
// `\s` is Go's RE2 class [\t\n\f\r ] (no \v, no Unicode spaces).
const COLOUR_CODES = /\x1b\[[0-9;]*[mK]/g;
const HEADER = /^(?:---|\+\+\+|~~~)[\t\n\f\r ]/;
const HEADER_EXPANSION = /^\^\^\^[\t\n\f\r ]\+\+\+/;

function text(line: string | Uint8Array): string {
  // latin1 keeps one character per byte, so byte patterns match whatever the encoding.
  return typeof line === "string" ? line : Buffer.from(line.buffer, line.byteOffset, line.length).toString("latin1");
}

/**
 * Whether a job-log line is a section header (`--- `, `+++ `, `~~~ ` after removing
 * colour codes), whose time the agent records when ANSI timestamps are off.
 */
export function isHeaderLine(line: string | Uint8Array): boolean {
  return HEADER.test(text(line).replace(COLOUR_CODES, ""));
}

/**
 * Whether a line is a header expansion (`^^^ +++`, after removing colour codes): not
 * timed, but left unprefixed in `timestamp-lines` mode.
 */
export function isHeaderExpansionLine(line: string | Uint8Array): boolean {
  return HEADER_EXPANSION.test(text(line).replace(COLOUR_CODES, ""));
}

/** ESC, `-`, `+`, `~`, `^`: the only bytes a header or header expansion line can start with. */
const HEADER_FIRST_BYTES = new Uint8Array(256);
for (const byte of [0x1b, 0x2d, 0x2b, 0x7e, 0x5e]) HEADER_FIRST_BYTES[byte] = 1;

/**
 * Both checks above in one pass, for the per-line hot path of `timestamp-lines`:
 * `"header"`, `"expansion"` or `undefined` for an ordinary line. Most lines are
 * settled by their first byte (removing colour codes never changes a first byte
 * other than ESC), without decoding or regular expressions.
 */
export function headerLineKind(line: Uint8Array): "header" | "expansion" | undefined {
  if (line.length === 0 || HEADER_FIRST_BYTES[line[0]!] === 0) return undefined;
  const bare = text(line).replace(COLOUR_CODES, "");
  if (HEADER.test(bare)) return "header";
  return HEADER_EXPANSION.test(bare) ? "expansion" : undefined;
}
