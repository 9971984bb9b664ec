import { RUNE_ERROR, decodeRune, runeOf, sizeOf } from "./go-utf8.js";

const HEX = "0123456789abcdef";
const encoder = new TextEncoder();

// Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII
// space. Non-ASCII spaces (U+00A0, U+2028, …) are *not* printable and get escaped.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function hex(value: number, digits: number): string {
  let out = "";
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += HEX[(value >>> shift) & 0xf];
  return out;
}

function isGoPrint(rune: number): boolean {
  if (rune < 0x80) return rune >= 0x20 && rune < 0x7f;
  return PRINTABLE.test(String.fromCodePoint(rune));
}

/**
 * The Go-escaped form of a secret: what Go's `strconv.Quote` (`%q`) prints, without
 * the surrounding quotes. Newline becomes `\n`, `"` becomes `\"`, non-printable runes
 * become `\xNN`, `\uNNNN` or `\UNNNNNNNN`, and bytes that are not valid UTF-8 become
 * `\xNN`. The agent redacts this form too, because `%q`-style output (Go error
 * messages, `set -x` with `printf %q`) would otherwise leak a secret with a newline.
 *
 * @param value the secret; a string is taken as its UTF-8 bytes.
 */
export function goQuote(value: string | Uint8Array): string {
  const bytes = typeof value === "string" ? encoder.encode(value) : value;
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const decoded = decodeRune(bytes, i);
    const rune = runeOf(decoded);
    const size = sizeOf(decoded);
    if (size === 1 && rune === RUNE_ERROR) {
      out += "\\x" + hex(bytes[i]!, 2);
    } else if (rune === 0x22 || rune === 0x5c) {
      out += "\\" + String.fromCharCode(rune);
    } else if (isGoPrint(rune)) {
      out += String.fromCodePoint(rune);
    } else {
      switch (rune) {
        case 0x07: out += "\\a"; break;
        case 0x08: out += "\\b"; break;
        case 0x0c: out += "\\f"; break;
        case 0x0a: out += "\\n"; break;
        case 0x0d: out += "\\r"; break;
        case 0x09: out += "\\t"; break;
        case 0x0b: out += "\\v"; break;
        default:
          if (rune < 0x20 || rune === 0x7f) out += "\\x" + hex(rune, 2);
          else if (rune < 0x10000) out += "\\u" + hex(rune, 4);
          else out += "\\U" + hex(rune, 8);
      }
    }
    i += size;
  }
  return out;
}
