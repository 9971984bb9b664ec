import { AgentWorkerError } from "./errors.js";

/**
 * A regular expression written in Go's syntax (RE2), compiled to a JavaScript
 * `RegExp`; `goSource` keeps the pattern as written, which is what the agent's
 * messages quote (`source` is the translation).
 */
export class GoRegExp extends RegExp {
  readonly goSource: string;

  constructor(goSource: string, source: string, flags: string) {
    super(source, flags);
    this.goSource = goSource;
  }

  /**
   * As RegExp's, except that a value over {@link MAX_MATCHED_LENGTH} characters
   * matches nothing. Go's engine is linear; V8's backtracks, so a pipeline could
   * hand `^a/.*\/.*\/.*$` a long plugin source and block the agent for seconds.
   */
  override test(value: string): boolean {
    return value.length <= MAX_MATCHED_LENGTH && super.test(value);
  }
}

/** Go's regexp refuses a repetition count above this. */
const MAX_REPEAT = 1000;

/** The longest value an allow-list pattern is tried on (repository URLs, plugin sources, env var names). */
export const MAX_MATCHED_LENGTH = 1024;

// RE2's ASCII classes ([[:name:]]), as ranges for inside a JavaScript class.
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "\\x21-\\x7E",
  lower: "a-z",
  print: "\\x20-\\x7E",
  punct: "\\x21-\\x2F\\x3A-\\x40\\x5B-\\x60\\x7B-\\x7E",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

// Go's \s is ASCII [\t\n\f\r ]; JavaScript's also takes \v and Unicode spaces.
const GO_SPACE = "\\t\\n\\f\\r ";
// Escapes both read alike (JavaScript outside unicode mode).
const SAME_ESCAPES = new Set(["d", "D", "w", "W", "b", "B", "f", "t", "n", "r", "v"]);
// Flags a leading (?flags) group may set, as JavaScript flags (RE2's U, ungreedy, has none).
const LEADING_FLAGS: Readonly<Record<string, string>> = { i: "i", m: "m", s: "s" };

function unsupported(pattern: string, construct: string, why: string): AgentWorkerError {
  return new AgentWorkerError(
    "AGENT_INVALID_OPTION",
    `${JSON.stringify(pattern)} is not a valid regular expression: ${construct} ${why}; rewrite the pattern without it`,
  );
}

/** A character as JavaScript regex source that matches it literally, inside or outside a class. */
function literal(char: string): string {
  return /[\\^$.|?*+()[\]{}-]/.test(char) ? `\\${char}` : char;
}

/**
 * Translates a Go (RE2) pattern to JavaScript regex source and flags, for what
 * the two read differently or JavaScript lacks: `\A`/`\z`, leading `(?i)`/`(?s)`/`(?m)`,
 * `(?P<name>`, `[[:alpha:]]`-style classes, `\Q…\E`, `\x{…}`, `\a`, Go's ASCII `\s`, and
 * `]` first in a class. Throws `AGENT_INVALID_OPTION` (naming the pattern) for what
 * Go rejects but JavaScript would take (lookarounds, backreferences, unknown escapes)
 * and for RE2 syntax not translated here (`\p{…}`, scoped or inner flag groups, `(?U)`, octal).
 */
export function translateGoRegExp(pattern: string): { source: string; flags: string } {
  let flags = "";
  let i = 0;
  // Leading flag groups only: JavaScript (Node 20) has no inline or scoped flags.
  for (let m = /^\(\?([a-zA-Z]+)\)/.exec(pattern.slice(i)); m !== null; m = /^\(\?([a-zA-Z]+)\)/.exec(pattern.slice(i))) {
    for (const flag of m[1]!) {
      const js = LEADING_FLAGS[flag];
      if (js === undefined) throw unsupported(pattern, `the flag group ${m[0]}`, "sets a flag JavaScript has no equivalent for");
      if (!flags.includes(js)) flags += js;
    }
    i += m[0].length;
  }
  // With (?m), ^ and $ match at lines: \A and \z must then stay absolute.
  const textStart = flags.includes("m") ? "(?<![\\s\\S])" : "^";
  const textEnd = flags.includes("m") ? "(?![\\s\\S])" : "$";

  let out = "";
  let inClass = false;
  // After a class expanded into characters and ranges (\s, [:word:]), Go reads a
  // `-` as itself; written after the expansion's last character, JavaScript would
  // read a range from it (`[\s-.]` would take in everything from space to `.`).
  const literalDashAfter = (at: number): string => (pattern[at] === "-" && pattern[at + 1] !== "]" ? "\\-" : "");
  while (i < pattern.length) {
    const char = pattern[i]!;
    if (char === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) throw unsupported(pattern, "a trailing \\", "escapes nothing");
      if (next === "Q") {
        if (inClass) throw unsupported(pattern, "\\Q inside a class", "is not translated here");
        // \Q…\E: everything up to \E (or the end) is literal.
        const end = pattern.indexOf("\\E", i + 2);
        const text = pattern.slice(i + 2, end === -1 ? pattern.length : end);
        out += [...text].map(literal).join("");
        i = end === -1 ? pattern.length : end + 2;
        continue;
      }
      if (next === "E") {
        // A stray \E ends nothing in Go either.
        i += 2;
        continue;
      }
      if (next === "A" || next === "z") {
        if (inClass) throw unsupported(pattern, `\\${next} inside a class`, "is not valid Go syntax");
        out += next === "A" ? textStart : textEnd;
      } else if (next === "a") {
        out += "\\x07";
      } else if (next === "s") {
        if (inClass) {
          const dash = literalDashAfter(i + 2);
          out += GO_SPACE + dash;
          if (dash !== "") i += 1;
        } else {
          out += `[${GO_SPACE}]`;
        }
      } else if (next === "S") {
        if (inClass) throw unsupported(pattern, "\\S inside a class", "cannot be translated");
        out += `[^${GO_SPACE}]`;
      } else if (next === "x") {
        const braced = /^\{([0-9A-Fa-f]+)\}/.exec(pattern.slice(i + 2));
        if (braced !== null) {
          const code = parseInt(braced[1]!, 16);
          if (code > 0xffff) throw unsupported(pattern, `\\x{${braced[1]}}`, "is beyond the characters translated here");
          out += `\\u${code.toString(16).padStart(4, "0")}`;
          i += 2 + braced[0].length;
          continue;
        }
        const hex = /^[0-9A-Fa-f]{2}/.exec(pattern.slice(i + 2));
        if (hex === null) throw unsupported(pattern, "\\x", "needs two hex digits or {hex}");
        out += `\\x${hex[0]}`;
        i += 4;
        continue;
      } else if (SAME_ESCAPES.has(next)) {
        if (inClass && (next === "b" || next === "B")) throw unsupported(pattern, `\\${next} inside a class`, "is not valid Go syntax");
        out += `\\${next}`;
      } else if (next === "p" || next === "P") {
        throw unsupported(pattern, `\\${next} (Unicode classes)`, "is not translated here");
      } else if (/[0-9]/.test(next)) {
        throw unsupported(pattern, `\\${next}`, "(octal or a backreference) is not supported");
      } else if (/[A-Za-z]/.test(next)) {
        throw unsupported(pattern, `\\${next}`, "is not a Go escape");
      } else {
        out += literal(next);
      }
      i += 2;
      continue;
    }

    if (inClass) {
      if (char === "[" && pattern[i + 1] === ":") {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
        if (posix !== null) {
          const ranges = POSIX_CLASSES[posix[2]!];
          if (ranges === undefined) throw unsupported(pattern, posix[0], "is not a POSIX class");
          if (posix[1] === "^") throw unsupported(pattern, posix[0], "(a negated POSIX class) is not translated here");
          const dash = literalDashAfter(i + posix[0].length);
          out += ranges + dash;
          i += posix[0].length + (dash === "" ? 0 : 1);
          continue;
        }
      }
      if (char === "]") inClass = false;
      out += char === "[" ? "\\[" : char;
      i += 1;
      continue;
    }

    if (char === "[") {
      out += "[";
      i += 1;
      if (pattern[i] === "^") {
        out += "^";
        i += 1;
      }
      // In Go a ] right after [ or [^ is a literal; in JavaScript it would close an empty class.
      if (pattern[i] === "]") {
        out += "\\]";
        i += 1;
      }
      inClass = true;
      continue;
    }
    if (char === "(" && pattern[i + 1] === "?") {
      const rest = pattern.slice(i);
      if (rest.startsWith("(?P<")) {
        out += "(?<";
        i += 4;
        continue;
      }
      if (rest.startsWith("(?:") || /^\(\?<[A-Za-z_]/.test(rest)) {
        out += rest.startsWith("(?:") ? "(?:" : "(?<";
        i += 3;
        continue;
      }
      if (/^\(\?(=|!|<=|<!)/.test(rest)) throw unsupported(pattern, "a lookaround (?=, (?!, (?<=, (?<!", "is not supported by Go's regexp");
      const group = /^\(\?[^)]*\)?/.exec(rest)![0];
      throw unsupported(pattern, `the group ${group}`, "is supported here only as leading (?i), (?s) or (?m)");
    }
    if (char === "{") {
      const counts = /^\{(\d+)(?:,(\d*))?\}/.exec(pattern.slice(i));
      if (counts !== null && counts.slice(1).some((count) => count !== undefined && count !== "" && Number(count) > MAX_REPEAT)) {
        throw unsupported(pattern, counts[0], `repeats more than Go's limit of ${MAX_REPEAT}`);
      }
    }
    out += char;
    i += 1;
  }
  return { source: out, flags };
}

/** Compiles a Go (RE2) pattern; throws `AGENT_INVALID_OPTION` naming it when it cannot be used. */
export function compileGoRegExp(pattern: string): GoRegExp {
  const { source, flags } = translateGoRegExp(pattern);
  try {
    return new GoRegExp(pattern, source, flags);
  } catch (error) {
    throw new AgentWorkerError("AGENT_INVALID_OPTION", `${JSON.stringify(pattern)} is not a valid regular expression`, { cause: error });
  }
}
