import { decodeLastRune, decodeRune, runeOf, sizeOf } from "./go-utf8.js";

/** Go's `unicode.IsSpace`: ASCII and Latin-1 spaces plus the Unicode White_Space runes. */
export function isGoSpace(rune: number): boolean {
  if (rune <= 0xff) {
    return rune === 0x20 || (rune >= 0x09 && rune <= 0x0d) || rune === 0x85 || rune === 0xa0;
  }
  return (
    rune === 0x1680 ||
    (rune >= 0x2000 && rune <= 0x200a) ||
    rune === 0x2028 ||
    rune === 0x2029 ||
    rune === 0x202f ||
    rune === 0x205f ||
    rune === 0x3000
  );
}

/**
 * Go's `strings.TrimSpace` on bytes: strips leading and trailing Unicode white space
 * (including U+0085 and U+00A0, which the fuzz corpus exercises); an invalid UTF-8
 * byte is not space and stops the trim. Returns a view of `bytes`, not a copy.
 */
export function goTrimSpace(bytes: Uint8Array): Uint8Array {
  let start = 0;
  let end = bytes.length;
  while (start < end) {
    const decoded = decodeRune(bytes, start, end);
    if (!isGoSpace(runeOf(decoded))) break;
    start += sizeOf(decoded);
  }
  while (end > start) {
    const decoded = decodeLastRune(bytes, end);
    if (!isGoSpace(runeOf(decoded))) break;
    end -= sizeOf(decoded);
  }
  return bytes.subarray(start, end);
}
