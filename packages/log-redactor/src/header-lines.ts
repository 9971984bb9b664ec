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
