import { goQuote } from "@agent/log-redactor";

/**
 * JSON as the real agent decodes it: Go's `encoding/json` scanner with
 * `Decoder.UseNumber()`. We need our own parser because `JSON.parse` turns `2.50`
 * into `2.5` and `1e3` into `1000`, while the agent keeps every number's literal
 * text (`BUILDKITE_PLUGIN_X_PRICE=2.50`), and because `JSON.parse`'s messages
 * quote the input around the error (a secret in a Job API body), while Go's name
 * one character only. Numbers come back as {@link JsonNumber} holding their
 * text, and errors carry the Go decoder's wording so job logs and API answers
 * read the same.
 */

/** A JSON number kept as the literal text it was written with (Go's `json.Number`). */
export class JsonNumber {
  /** The number exactly as written, e.g. `2.50` or `1e3`. */
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  toString(): string {
    return this.text;
  }

  valueOf(): number {
    return Number(this.text);
  }
}

/** A parsed JSON value; numbers keep their literal text. */
export type JsonValue = string | boolean | null | JsonNumber | readonly JsonValue[] | JsonObject;

/** A parsed JSON object; keys keep their first-seen order, a repeated key keeps its last value (as Go). */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** Thrown by {@link parseJson}; `message` is the Go decoder's text. */
export class JsonSyntaxError extends Error {
  override readonly name = "JsonSyntaxError";
}

/** Whether `value` is a JSON object (not an array, number or null). */
export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}

/**
 * Go's `quoteChar`: the scanner works on bytes, so a non-ASCII character is
 * reported by its first UTF-8 byte read as a code point ('é' → 'Ã').
 */
function quoteChar(char: string): string {
  if (char === "'") return "'\\''";
  if (char === '"') return "'\"'";
  const byte = Buffer.from(char, "utf8")[0] ?? 0;
  return `'${goQuote(String.fromCodePoint(byte))}'`;
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/** Go's scanner `maxNestingDepth`: one more open `[` or `{` is `exceeded max depth`. */
const MAX_NESTING_DEPTH = 10_000;

/** Options for {@link parseJson}. */
export interface ParseJsonOptions {
  /**
   * Read `text` as `json.Unmarshal` does rather than as a `json.Decoder` reading a
   * stream: the whole text must be one value (`invalid character 'x' after
   * top-level value`), and empty or truncated input is
   * `unexpected end of JSON input`. @default false
   */
  readonly whole?: boolean;
}

/**
 * Parses the first JSON value in `text` as Go's `json.Decoder` does: numbers as
 * {@link JsonNumber}; lone surrogates become U+FFFD; anything after the first
 * complete value is ignored (the decoder reads one value from a stream).
 * Throws {@link JsonSyntaxError} with the Go message (`EOF` for empty input,
 * `unexpected EOF` for truncated input, `invalid character 'b' looking for beginning of value`),
 * which names at most one character of the input, never more.
 */
export function parseJson(text: string, options: ParseJsonOptions = {}): JsonValue {
  const whole = options.whole === true;
  let pos = 0;
  const fail = (context: string): never => {
    if (pos >= text.length) throw new JsonSyntaxError(whole ? "unexpected end of JSON input" : "unexpected EOF");
    throw new JsonSyntaxError(`invalid character ${quoteChar(String.fromCodePoint(text.codePointAt(pos) ?? 0))} ${context}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && WHITESPACE.has(text[pos] as string)) pos++;
  };
  const literal = (word: string, value: JsonValue): JsonValue => {
    for (let i = 1; i < word.length; i++) {
      pos++;
      if (text[pos] !== word[i]) fail(`in literal ${word} (expecting '${word[i]}')`);
    }
    pos++;
    return value;
  };
  const digits = (): number => {
    const start = pos;
    while (pos < text.length && text[pos]! >= "0" && text[pos]! <= "9") pos++;
    return pos - start;
  };
  const number = (): JsonValue => {
    const start = pos;
    if (text[pos] === "-") {
      pos++;
      if (!(text[pos]! >= "0" && text[pos]! <= "9")) fail("in numeric literal");
    }
    if (text[pos] === "0") pos++;
    else digits();
    if (text[pos] === ".") {
      pos++;
      if (digits() === 0) fail("after decimal point in numeric literal");
    }
    if (text[pos] === "e" || text[pos] === "E") {
      pos++;
      if (text[pos] === "+" || text[pos] === "-") pos++;
      if (digits() === 0) fail("in exponent of numeric literal");
    }
    return new JsonNumber(text.slice(start, pos));
  };
  const hex4 = (): number => {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const digit = parseInt(text[pos] ?? "", 16);
      if (Number.isNaN(digit) || !/[0-9a-fA-F]/.test(text[pos] ?? "")) fail("in \\u hexadecimal character escape");
      value = value * 16 + digit;
      pos++;
    }
    return value;
  };
  const string = (): string => {
    pos++; // opening quote
    let out = "";
    for (;;) {
      if (pos >= text.length) fail("");
      const char = text[pos] as string;
      if (char === '"') {
        pos++;
        return out.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
      }
      if (char < " ") fail("in string literal");
      if (char !== "\\") {
        out += char;
        pos++;
        continue;
      }
      pos++;
      const escape = text[pos];
      const simple = escape === undefined ? undefined : ({ '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" } as Record<string, string>)[escape];
      if (simple !== undefined) {
        out += simple;
        pos++;
      } else if (escape === "u") {
        pos++;
        out += String.fromCharCode(hex4());
      } else fail("in string escape code");
    }
  };
  const scalar = (): JsonValue => {
    const char = text[pos];
    if (char === '"') return string();
    if (char === "t") return literal("true", true);
    if (char === "f") return literal("false", false);
    if (char === "n") return literal("null", null);
    if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) return number();
    return fail("looking for beginning of value");
  };
  const objectKey = (): string => {
    skipSpace();
    if (text[pos] !== '"') fail("looking for beginning of object key string");
    const key = string();
    skipSpace();
    if (text[pos] !== ":") fail("after object key");
    pos++;
    return key;
  };
  // Arrays and objects are walked with an explicit stack, not recursion, so a
  // deeply nested body cannot overflow the call stack (a RangeError, not a
  // syntax error); the depth is capped as Go's scanner caps it.
  type Frame = { readonly items: JsonValue[] } | { readonly entries: Record<string, JsonValue>; key: string };
  const stack: Frame[] = [];
  const open = (): void => {
    if (stack.length >= MAX_NESTING_DEPTH) fail("exceeded max depth");
  };
  const value = (): JsonValue => {
    for (;;) {
      skipSpace();
      let done: JsonValue | undefined;
      if (text[pos] === "[") {
        open();
        pos++;
        skipSpace();
        if (text[pos] === "]") {
          pos++;
          done = [];
        } else {
          stack.push({ items: [] });
          continue;
        }
      } else if (text[pos] === "{") {
        open();
        pos++;
        skipSpace();
        if (text[pos] === "}") {
          pos++;
          done = {};
        } else {
          stack.push({ entries: {}, key: objectKey() });
          continue;
        }
      } else {
        done = scalar();
      }
      // A value is complete: add it to its container, closing every container it completes.
      for (;;) {
        const top = stack.at(-1);
        if (top === undefined) return done;
        skipSpace();
        if ("items" in top) {
          top.items.push(done);
          if (text[pos] === ",") {
            pos++;
            break;
          }
          if (text[pos] !== "]") fail("after array element");
          done = top.items;
        } else {
          // defineProperty, so a key such as "__proto__" is plain data.
          Object.defineProperty(top.entries, top.key, { value: done, enumerable: true, writable: true, configurable: true });
          if (text[pos] === ",") {
            pos++;
            top.key = objectKey();
            break;
          }
          if (text[pos] !== "}") fail("after object key:value pair");
          done = top.entries;
        }
        pos++;
        stack.pop();
      }
    }
  };

  skipSpace();
  if (pos >= text.length) throw new JsonSyntaxError(whole ? "unexpected end of JSON input" : "EOF");
  const result = value();
  if (whole) {
    skipSpace();
    if (pos < text.length) fail("after top-level value");
  }
  return result;
}
