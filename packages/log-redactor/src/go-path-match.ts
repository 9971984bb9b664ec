import { LogRedactorError } from "./errors.js";

type Token =
  | { readonly kind: "star" }
  | { readonly kind: "any" }
  | { readonly kind: "literal"; readonly rune: number }
  | { readonly kind: "class"; readonly negated: boolean; readonly ranges: readonly (readonly [number, number])[] };

const SLASH = 0x2f;

function badPattern(pattern: string, why: string): LogRedactorError {
  return new LogRedactorError(
    "REDACTED_VARS_PATTERN",
    `redacted-vars: pattern ${JSON.stringify(pattern)} is malformed (${why}); fix it, or no environment variable is redacted`,
  );
}

/**
 * Parses a Go `path.Match` pattern, rejecting it whole if malformed as Go does
 * (`path.ErrBadPattern`): an unterminated or empty `[...]` class, a class range
 * with a missing end, or a trailing `\`.
 */
function parse(pattern: string): Token[] {
  const runes = Array.from(pattern, (c) => c.codePointAt(0)!);
  const tokens: Token[] = [];
  let i = 0;
  // A class character: `\` escapes anything; `-` and `]` must be escaped; the class
  // must go on after it (it still needs its `]`).
  const classChar = (): number => {
    if (i >= runes.length || runes[i] === 0x2d || runes[i] === 0x5d) throw badPattern(pattern, "bad character class");
    if (runes[i] === 0x5c) {
      i++;
      if (i >= runes.length) throw badPattern(pattern, "trailing backslash in a character class");
    }
    const rune = runes[i++]!;
    if (i >= runes.length) throw badPattern(pattern, "unterminated character class");
    return rune;
  };
  while (i < runes.length) {
    const rune = runes[i++]!;
    if (rune === 0x2a) {
      tokens.push({ kind: "star" });
    } else if (rune === 0x3f) {
      tokens.push({ kind: "any" });
    } else if (rune === 0x5c) {
      if (i >= runes.length) throw badPattern(pattern, "trailing backslash");
      tokens.push({ kind: "literal", rune: runes[i++]! });
    } else if (rune === 0x5b) {
      let negated = false;
      if (runes[i] === 0x5e) {
        negated = true;
        i++;
      }
      const ranges: [number, number][] = [];
      for (;;) {
        if (i < runes.length && runes[i] === 0x5d && ranges.length > 0) {
          i++;
          break;
        }
        const lo = classChar();
        let hi = lo;
        if (runes[i] === 0x2d) {
          i++;
          hi = classChar();
        }
        ranges.push([lo, hi]);
      }
      tokens.push({ kind: "class", negated, ranges });
    } else {
      tokens.push({ kind: "literal", rune });
    }
  }
  return tokens;
}

function matchOne(token: Token, rune: number): boolean {
  switch (token.kind) {
    case "any":
      return rune !== SLASH;
    case "literal":
      return rune === token.rune;
    case "class": {
      const inside = token.ranges.some(([lo, hi]) => lo <= rune && rune <= hi);
      return inside !== token.negated;
    }
    default:
      return false;
  }
}

function matchFrom(tokens: readonly Token[], t: number, name: readonly number[], n: number, failed: Set<number>): boolean {
  while (t < tokens.length) {
    const token = tokens[t]!;
    if (token.kind === "star") {
      // `*` matches any run of non-`/` characters: try every length, remembering
      // dead ends so patterns with many stars stay polynomial.
      const key = t * (name.length + 1) + n;
      if (failed.has(key)) return false;
      for (let k = n; ; k++) {
        if (matchFrom(tokens, t + 1, name, k, failed)) return true;
        if (k >= name.length || name[k] === SLASH) break;
      }
      failed.add(key);
      return false;
    }
    if (n >= name.length || !matchOne(token, name[n]!)) return false;
    t++;
    n++;
  }
  return n === name.length;
}

/**
 * Go `path.Match`: whether `name` as a whole matches the shell pattern (`*` any run
 * of characters but `/`, `?` one character but `/`, `[...]`/`[^...]` classes with
 * ranges, `\` escapes; case-sensitive). Throws LogRedactorError
 * `REDACTED_VARS_PATTERN` for a malformed pattern, whatever the name.
 */
export function goPathMatch(pattern: string, name: string): boolean {
  const tokens = parse(pattern);
  return matchFrom(tokens, 0, Array.from(name, (c) => c.codePointAt(0)!), 0, new Set());
}

/** Checks a pattern's syntax; throws as goPathMatch does. */
export function validateGoPattern(pattern: string): void {
  parse(pattern);
}
