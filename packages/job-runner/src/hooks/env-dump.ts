import { JobRunnerError } from "../errors.js";
import { splitEnvEntry } from "../environment.js";

/**
 * The first bytes of a dump written by the hook wrapper, naming its format. bash
 * writes `NAME=value` records separated by NUL (exact for any value: an
 * environment string cannot hold NUL); other shells write `export -p`.
 */
export const NUL_DUMP_MARK = "nul";
/** See {@link NUL_DUMP_MARK}. */
export const EXPORT_DUMP_MARK = "export-p";

/**
 * Parses an environment dump written by the hook wrapper (format chosen at run
 * time by the shell that ran it).
 *
 * @throws JobRunnerError `HOOK_ENV_DUMP_INVALID` if the dump cannot be parsed.
 */
export function parseEnvDump(dump: string): Record<string, string> {
  if (dump.startsWith(`${NUL_DUMP_MARK}\0`)) return parseNulDump(dump.slice(NUL_DUMP_MARK.length + 1));
  if (dump.startsWith(`${EXPORT_DUMP_MARK}\n`)) return parseExportDump(dump.slice(EXPORT_DUMP_MARK.length + 1));
  throw invalid("it does not start with a known format mark");
}

function invalid(why: string): JobRunnerError {
  return new JobRunnerError(
    "HOOK_ENV_DUMP_INVALID",
    `Cannot read the environment the hook wrapper recorded: ${why}; if hooks-shell is set, it must be a POSIX shell`,
  );
}

function parseNulDump(body: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const record of body.split("\0")) {
    if (record === "") continue;
    const pair = splitEnvEntry(record);
    if (pair === undefined) throw invalid("a record has no NAME=");
    env[pair[0]] = pair[1];
  }
  return env;
}

// Shells list only valid identifiers, but a name is read up to `=` so an odd
// shell's odd name cannot misalign the parse.
const NAME = /[^=\s]+/y;
// The keywords shells print before each exported variable: dash, ksh and bash
// in POSIX mode use `export`, bash `declare -x`, zsh `typeset -x` or `export`.
const PREFIX = /(?:export|declare -[A-Za-z]*x[A-Za-z]*|typeset -[A-Za-z]*x[A-Za-z]*) /y;

/**
 * Parses `export -p` output: one `<prefix> NAME=<word>` per variable, where the
 * word is shell-quoted ('…', "…", $'…', backslashes) and may span lines. A name
 * with no `=` is exported but unset: it is not in the environment, so it is skipped.
 */
export function parseExportDump(body: string): Record<string, string> {
  const env: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    if (body[i] === "\n") {
      i += 1;
      continue;
    }
    PREFIX.lastIndex = i;
    if (!PREFIX.test(body)) throw invalid(`unexpected text at offset ${i}`);
    i = PREFIX.lastIndex;
    NAME.lastIndex = i;
    if (!NAME.test(body)) throw invalid(`no variable name at offset ${i}`);
    const name = body.slice(i, NAME.lastIndex);
    i = NAME.lastIndex;
    if (body[i] !== "=") {
      if (i < body.length && body[i] !== "\n") throw invalid(`unexpected text after ${name}`);
      continue;
    }
    const [value, end] = readWord(body, i + 1);
    env[name] = value;
    i = end;
  }
  return env;
}

/** Reads one shell word starting at `start`, up to an unquoted newline or space. */
function readWord(text: string, start: number): [string, number] {
  // Bytes, not chars: $'\xHH' and $'\NNN' escapes may spell out UTF-8 sequences.
  const bytes: number[] = [];
  const pushText = (s: string): void => {
    for (const byte of Buffer.from(s, "utf8")) bytes.push(byte);
  };
  let i = start;
  while (i < text.length && text[i] !== "\n" && text[i] !== " ") {
    const char = text[i]!;
    if (char === "'") {
      const close = text.indexOf("'", i + 1);
      if (close === -1) throw invalid("an unterminated ' quote");
      pushText(text.slice(i + 1, close));
      i = close + 1;
    } else if (char === '"') {
      i += 1;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length && '\\"$`\n'.includes(text[i + 1]!)) {
          if (text[i + 1] !== "\n") pushText(text[i + 1]!);
          i += 2;
        } else {
          pushText(text[i]!);
          i += 1;
        }
      }
      if (i >= text.length) throw invalid('an unterminated " quote');
      i += 1;
    } else if (char === "$" && text[i + 1] === "'") {
      i = readAnsiC(text, i + 2, bytes);
    } else if (char === "\\" && i + 1 < text.length) {
      if (text[i + 1] !== "\n") pushText(text[i + 1]!);
      i += 2;
    } else {
      pushText(char);
      i += 1;
    }
  }
  return [Buffer.from(bytes).toString("utf8"), i];
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 7,
  b: 8,
  e: 27,
  E: 27,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  "\\": 92,
  "'": 39,
  '"': 34,
  "?": 63,
};

/** Reads the body of a `$'…'` string (bash, zsh, ksh) from `i`; returns the index after the closing quote. */
function readAnsiC(text: string, start: number, bytes: number[]): number {
  let i = start;
  const takeDigits = (pattern: RegExp, max: number): string => {
    let digits = "";
    while (digits.length < max && i < text.length && pattern.test(text[i]!)) digits += text[i++];
    return digits;
  };
  while (i < text.length && text[i] !== "'") {
    const char = text[i]!;
    if (char !== "\\") {
      for (const byte of Buffer.from(char, "utf8")) bytes.push(byte);
      i += 1;
      continue;
    }
    const escape = text[i + 1];
    i += 2;
    if (escape === undefined) break;
    if (escape in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[escape]!);
    } else if (/[0-7]/.test(escape)) {
      i -= 1;
      bytes.push(Number.parseInt(takeDigits(/[0-7]/, 3), 8) & 0xff);
    } else if (escape === "x") {
      const hex = takeDigits(/[0-9A-Fa-f]/, 2);
      if (hex === "") bytes.push(92, 120);
      else bytes.push(Number.parseInt(hex, 16));
    } else if (escape === "u" || escape === "U") {
      const hex = takeDigits(/[0-9A-Fa-f]/, escape === "u" ? 4 : 8);
      if (hex === "") bytes.push(92, escape.charCodeAt(0));
      else for (const byte of Buffer.from(String.fromCodePoint(Number.parseInt(hex, 16)), "utf8")) bytes.push(byte);
    } else if (escape === "c" && i < text.length) {
      bytes.push(text.charCodeAt(i) & 0x1f);
      i += 1;
    } else {
      // Unknown escapes stay as written, as in bash.
      bytes.push(92);
      for (const byte of Buffer.from(escape, "utf8")) bytes.push(byte);
    }
  }
  if (i >= text.length) throw invalid("an unterminated $' quote");
  return i + 1;
}
