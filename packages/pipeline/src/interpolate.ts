import { goQuote } from "@agent/log-redactor";
import { PipelineError } from "./errors.js";

/**
 * Variables for interpolation: a record (a missing key or an `undefined` value is unset,
 * which differs from `""` for `${X-default}` and `${X?}`), or a `Map`.
 */
export type InterpolationEnv = Readonly<Record<string, string | undefined>> | ReadonlyMap<string, string>;

/** Options of {@link interpolate}. */
export interface InterpolateOptions {
  /**
   * Compare variable names ignoring case, as the agent does on Windows (upstream upper-cases
   * every name there).
   * @default false
   */
  readonly caseInsensitive?: boolean;
}

type Item = { readonly text: string } | { readonly expansion: Expansion };

type Expansion =
  | { readonly kind: "variable"; readonly identifier: string }
  | { readonly kind: "emptyValue" | "unsetValue" | "required"; readonly identifier: string; readonly content: Item[] }
  | { readonly kind: "substring"; readonly identifier: string; readonly offset: number; readonly length?: number }
  | { readonly kind: "escaped"; readonly potentialIdentifier: string };

const EOF = -1;
const isLetter = (c: number): boolean => c !== EOF && /\p{L}/u.test(String.fromCodePoint(c));
const isIdentifierChar = (c: number): boolean =>
  c !== EOF && (c === 0x5f || /[\p{L}\p{N}]/u.test(String.fromCodePoint(c)));
// Go's %c of the parser's eof (-1) prints U+FFFD.
const show = (c: number): string => (c === EOF ? "\uFFFD" : String.fromCodePoint(c));

function fail(message: string): never {
  throw new PipelineError("PIPELINE_INTERPOLATION", message);
}

/** Go `strconv.Atoi`, with its error text. */
function atoi(text: string, what: "offset" | "length"): number {
  if (!/^[+-]?[0-9]+$/.test(text)) fail(`Unable to parse ${what}: strconv.Atoi: parsing "${goQuote(text)}": invalid syntax`);
  const value = BigInt(text);
  if (value > 2n ** 63n - 1n || value < -(2n ** 63n)) {
    fail(`Unable to parse ${what}: strconv.Atoi: parsing "${goQuote(text)}": value out of range`);
  }
  return Number(value);
}

/**
 * How deeply `${…}` expansions may nest. Upstream's Go recursion has no practical limit; ours
 * would overflow the JavaScript stack (a RangeError) somewhere past a few thousand levels.
 */
const MAX_NESTING = 1000;
const NESTED_TOO_DEEP = `expansions are nested more than ${MAX_NESTING} deep`;

/**
 * A recursive-descent parser of buildkite/interpolate v0.1.5's grammar, same decisions at
 * the same characters, so malformed input fails with the same message.
 */
class Parser {
  private pos = 0;
  private depth = 0;
  // While looking ahead past an escape (only done for identifiers): where parsing `}`-stopped
  // content from each item boundary ends, or `undefined` where it fails. Content parsed from
  // a boundary always ends at the same place, so every position is scanned once and nested
  // escapes cost linear rather than exponential time.
  private readonly contentEnds = new Map<number, number | undefined>();
  private lookingAhead = false;

  /** @param identifiers whether escapes must report the identifier they hide (only {@link interpolationIdentifiers} lists them) */
  constructor(
    private readonly input: string,
    private readonly identifiers: boolean,
  ) {}

  private peek(): number {
    return this.pos >= this.input.length ? EOF : this.input.codePointAt(this.pos)!;
  }

  private next(): number {
    const c = this.peek();
    if (c !== EOF) this.pos += c > 0xffff ? 2 : 1;
    return c;
  }

  private scanUntil(stop: (c: number) => boolean): string {
    const start = this.pos;
    while (this.pos < this.input.length) {
      const c = this.peek();
      if (stop(c)) break;
      this.pos += c > 0xffff ? 2 : 1;
    }
    return this.input.slice(start, this.pos);
  }

  private scanIdentifier(): string {
    const c = this.peek();
    if (!isLetter(c)) fail(`Expected identifier to start with a letter, got ${show(c)}`);
    return this.scanUntil((r) => !isIdentifierChar(r));
  }

  parseExpression(stop = ""): Item[] {
    if (!this.lookingAhead) return this.parseItems(stop);
    // Look-ahead parses only brace contents (stop `}`); its items are never used.
    const visited: number[] = [];
    let end: number | undefined;
    try {
      for (;;) {
        if (this.contentEnds.has(this.pos)) {
          end = this.contentEnds.get(this.pos);
          if (end === undefined) fail("unparsable expansion");
          this.pos = end;
          break;
        }
        visited.push(this.pos);
        if (this.parseItems(stop, 1).length === 0) {
          end = this.pos;
          break;
        }
      }
    } finally {
      for (const at of visited) this.contentEnds.set(at, end);
    }
    return [];
  }

  private parseItems(stop: string, limit = Infinity): Item[] {
    const items: Item[] = [];
    const isStop = (c: number) => c !== EOF && stop.includes(String.fromCodePoint(c));
    while (items.length < limit) {
      const c = this.peek();
      if (c === EOF || isStop(c)) break;
      const rest = this.input.startsWith.bind(this.input);
      if (rest("\\\\", this.pos)) {
        this.pos += 2;
        items.push({ text: "\\\\" });
        continue;
      }
      if (rest("\\$", this.pos) || rest("$$", this.pos)) {
        this.pos += 2;
        items.push({ expansion: this.parseEscapedExpansion() });
        continue;
      }
      if (rest("$(", this.pos)) {
        this.pos += 2;
        items.push({ text: "$(" });
        continue;
      }
      if (c === 0x24 && this.pos < this.input.length - 1) {
        items.push(this.parseExpansion());
        continue;
      }
      const first = String.fromCodePoint(this.next());
      const text = this.scanUntil((r) => r === 0x24 || r === 0x5c || isStop(r));
      items.push({ text: first + text });
    }
    return items;
  }

  // Upstream looks ahead only to report the identifier (so only identifier listing does it
  // here); the text after the escape is then parsed as ordinary text, so `$${A:-$B}` still
  // expands `$B`.
  private parseEscapedExpansion(): Expansion {
    if (!this.identifiers) return { kind: "escaped", potentialIdentifier: "" };
    const start = this.pos;
    const outer = this.lookingAhead;
    let potentialIdentifier = "";
    try {
      const c = this.peek();
      if (c === 0x7b) {
        this.lookingAhead = true;
        this.parseBraceExpansion();
        potentialIdentifier = this.input.slice(start, this.pos);
      } else if (isLetter(c)) {
        potentialIdentifier = this.scanIdentifier();
      }
    } catch (error) {
      if (error instanceof PipelineError && error.message === NESTED_TOO_DEEP) throw error;
      potentialIdentifier = "";
    } finally {
      this.pos = start;
      this.lookingAhead = outer;
    }
    return { kind: "escaped", potentialIdentifier };
  }

  private parseExpansion(): Item {
    this.next(); // the "$"
    const c = this.peek();
    if (c === 0x7b) return { expansion: this.parseBraceExpansion() };
    if (!isLetter(c)) return { text: "$" };
    return { expansion: { kind: "variable", identifier: this.scanIdentifier() } };
  }

  private parseBraceExpansion(): Expansion {
    if (this.depth >= MAX_NESTING) fail(NESTED_TOO_DEEP);
    this.depth++;
    try {
      return this.parseBraceBody();
    } finally {
      this.depth--;
    }
  }

  private parseBraceBody(): Expansion {
    const open = this.next();
    if (open !== 0x7b) fail(`Expected brace expansion to start with {, got ${show(open)}`);
    const identifier = this.scanIdentifier();
    if (this.peek() === 0x7d) {
      this.next();
      return { kind: "variable", identifier };
    }
    let expansion: Expansion;
    const op = this.next();
    if (op === 0x3a /* : */) {
      if (this.peek() === 0x2d /* - */) {
        this.next();
        expansion = { kind: "emptyValue", identifier, content: this.parseExpression("}") };
      } else {
        expansion = this.parseSubstring(identifier);
      }
    } else if (op === 0x2d /* - */) {
      expansion = { kind: "unsetValue", identifier, content: this.parseExpression("}") };
    } else if (op === 0x3f /* ? */) {
      expansion = { kind: "required", identifier, content: this.parseExpression("}") };
    } else {
      fail(`Expected an operator, got ${show(op)}`);
    }
    const close = this.next();
    if (close !== 0x7d) fail(`Expected brace expansion to end with }, got ${show(close)}`);
    return expansion;
  }

  private parseSubstring(identifier: string): Expansion {
    const offset = atoi(this.scanUntil((r) => r === 0x3a || r === 0x7d).trim(), "offset");
    if (this.peek() === 0x7d) return { kind: "substring", identifier, offset };
    this.next();
    const length = atoi(this.scanUntil((r) => r === 0x7d).trim(), "length");
    return { kind: "substring", identifier, offset, length };
  }
}

/** Finds a variable's value; `undefined` when it is unset. */
export type Lookup = (name: string) => string | undefined;

function lookupIn(env: InterpolationEnv, options?: InterpolateOptions): Lookup {
  const get: Lookup = env instanceof Map ? (n) => env.get(n) : (n) => (Object.hasOwn(env, n) ? (env as Record<string, string | undefined>)[n] : undefined);
  if (!options?.caseInsensitive) return get;
  const upper = new Map<string, string>();
  const entries = env instanceof Map ? env.entries() : Object.entries(env as Record<string, string | undefined>);
  for (const [k, v] of entries) if (v !== undefined) upper.set(k.toUpperCase(), v);
  return (n) => upper.get(n.toUpperCase());
}

/** Go slicing of a string by byte offsets, with upstream's clamping. */
function substring(value: string, offset: number, length: number | undefined): string {
  const bytes = Buffer.from(value, "utf8");
  const n = bytes.length;
  let from = offset < 0 ? offset + n : offset;
  from = Math.min(Math.max(from, 0), n);
  if (length === undefined) return bytes.toString("utf8", from);
  let to = length >= 0 ? length + from : Math.max(length + n, from);
  to = Math.min(to, n);
  return bytes.toString("utf8", from, to);
}

function expand(items: readonly Item[], get: Lookup): string {
  let out = "";
  for (const item of items) out += "text" in item ? item.text : expandOne(item.expansion, get);
  return out;
}

function expandOne(e: Expansion, get: Lookup): string {
  switch (e.kind) {
    case "escaped":
      return "$";
    case "variable":
      return get(e.identifier) ?? "";
    case "emptyValue": {
      const value = get(e.identifier) ?? "";
      return value === "" ? expand(e.content, get) : value;
    }
    case "unsetValue":
      return get(e.identifier) ?? expand(e.content, get);
    case "substring":
      return substring(get(e.identifier) ?? "", e.offset, e.length);
    case "required": {
      const value = get(e.identifier);
      if (value !== undefined) return value;
      const message = expand(e.content, get);
      return fail(`$${e.identifier}: ${message === "" ? "not set" : message}`);
    }
  }
}

/**
 * Expands `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:offset[:length]}`
 * (bytes; a negative offset needs a space: `${VAR: -3}`) and `${VAR?message}` in `text`,
 * exactly as github.com/buildkite/interpolate v0.1.5 does for `pipeline upload`. `$$` and
 * `\$` give a literal `$`; unset variables give `""`; a value is never re-expanded.
 *
 * @throws PipelineError `PIPELINE_INTERPOLATION` with upstream's message for malformed
 * `${…}` (e.g. `Expected identifier to start with a letter, got _`) or for `${X?}` when X
 * is unset (`$X: not set`, or `$X: <message>`); also for `${…}` nested more than 1000 deep
 * (`expansions are nested more than 1000 deep`), where upstream has no limit.
 */
export function interpolate(text: string, env: InterpolationEnv, options?: InterpolateOptions): string {
  return interpolateWith(text, lookupIn(env, options));
}

/**
 * {@link interpolate} with the variables behind `get`, for callers interpolating many strings
 * against one env (it is not rebuilt per string).
 */
export function interpolateWith(text: string, get: Lookup): string {
  return expand(new Parser(text, false).parseExpression(), get);
}

function identifiersOf(items: readonly Item[]): string[] {
  const out: string[] = [];
  for (const item of items) {
    if ("text" in item) continue;
    const e = item.expansion;
    if (e.kind === "escaped") out.push(`$${e.potentialIdentifier}`);
    else {
      out.push(e.identifier);
      // Upstream lists the names inside a `:-` default only.
      if (e.kind === "emptyValue") out.push(...identifiersOf(e.content));
    }
  }
  return out;
}

/**
 * The variable names `text` refers to, in order with duplicates (upstream `Identifiers`).
 * Escaped references are listed with a leading `$` (`$$A` gives `$A`).
 *
 * @throws PipelineError `PIPELINE_INTERPOLATION` when `text` does not parse (or nests
 * `${…}` more than 1000 deep).
 */
export function interpolationIdentifiers(text: string): string[] {
  return identifiersOf(new Parser(text, true).parseExpression());
}
