// Go's UTF-8 decoding rules (unicode/utf8): a strict decoder that rejects overlong
// forms, surrogates and values above U+10FFFF, and reports each bad byte on its own
// as (RuneError, 1). Quoting and trimming must agree with Go byte for byte, and
// TextDecoder cannot say how many bytes an invalid sequence spans.

/** U+FFFD, what Go's decoder returns (with size 1) for a byte that does not start a valid rune. */
export const RUNE_ERROR = 0xfffd;

/**
 * Decodes one rune at `i`. Returns the rune in the low 21 bits and its size (1-4)
 * in the bits above, packed into one number so the callers' loops allocate nothing.
 * A size-1 RUNE_ERROR means "invalid byte", as in Go.
 */
export function decodeRune(bytes: Uint8Array, i: number, end: number = bytes.length): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return b0 | (1 << 21);
  let size: number;
  let lo = 0x80;
  let hi = 0xbf;
  let rune: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    size = 2;
    rune = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    size = 3;
    rune = b0 & 0x0f;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    size = 4;
    rune = b0 & 0x07;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f;
  } else {
    return RUNE_ERROR | (1 << 21);
  }
  if (i + size > end) return RUNE_ERROR | (1 << 21);
  const b1 = bytes[i + 1]!;
  if (b1 < lo || b1 > hi) return RUNE_ERROR | (1 << 21);
  rune = (rune << 6) | (b1 & 0x3f);
  for (let k = 2; k < size; k++) {
    const b = bytes[i + k]!;
    if (b < 0x80 || b > 0xbf) return RUNE_ERROR | (1 << 21);
    rune = (rune << 6) | (b & 0x3f);
  }
  return rune | (size << 21);
}

/** The rune part of a `decodeRune` result. */
export function runeOf(decoded: number): number {
  return decoded & 0x1fffff;
}

/** The size part of a `decodeRune` result. */
export function sizeOf(decoded: number): number {
  return decoded >>> 21;
}

/** Go's `utf8.DecodeLastRune` on `bytes[0:end]`, packed like `decodeRune`. */
export function decodeLastRune(bytes: Uint8Array, end: number): number {
  const last = bytes[end - 1]!;
  if (last < 0x80) return last | (1 << 21);
  const limit = Math.max(0, end - 4);
  let start = end - 2;
  while (start >= limit && (bytes[start]! & 0xc0) === 0x80) start--;
  if (start < limit) start = limit;
  const decoded = decodeRune(bytes, start, end);
  if (start + sizeOf(decoded) !== end) return RUNE_ERROR | (1 << 21);
  return decoded;
}
