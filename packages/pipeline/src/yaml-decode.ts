import { Alias, Composer, isAlias, isMap, isScalar, isSeq, LineCounter, Parser, visit, type CST, type Document, type Node, type ParsedNode } from "yaml";
import { PipelineError } from "./errors.js";
import { setKey } from "./object-keys.js";

// The decoding below follows gopkg.in/yaml.v3 as go-pipeline drives it (ordered.DecodeYAML):
// aliases and `<<` merges resolved, map key order kept, plain scalars resolved by yaml.v3's
// rules rather than YAML 1.2's core schema (e.g. `0777` is octal, `1_000` is an int), and
// timestamps turned into Go's RFC 3339 text, which is how they reach Buildkite.

const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const TRUES = new Set(["true", "True", "TRUE"]);
const FALSES = new Set(["false", "False", "FALSE"]);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?(?:[ \t]*(Z|[+-]\d{1,2}(?::?\d{2})?))?)?$/;

/** Go `strconv.ParseInt(s, 0, 64)` accepting forms; `undefined` when it would fail. */
function goParseInt(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  let value: bigint;
  if (/^0[oO]/.test(body)) value = BigInt(`0o${body.slice(2)}`);
  else if (/^0[0-7]+$/.test(body)) value = BigInt(`0o${body.slice(1)}`);
  else value = BigInt(body);
  if (m[1] === "-") value = -value;
  // Beyond int64 yaml.v3 tries uint64 and then float; a JS number carries all three.
  return Number(value);
}

function timestamp(s: string): string | undefined {
  const m = TIMESTAMP.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const pad = (v: string | undefined, n = 2) => (v ?? "0").padStart(n, "0");
  const date = `${y}-${pad(mo)}-${pad(d)}`;
  if (h === undefined) return `${date}T00:00:00Z`;
  const fraction = frac ? `.${frac.slice(0, 9)}`.replace(/\.?0+$/, "") : "";
  let offset = "Z";
  if (zone && zone !== "Z") {
    const z = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)!;
    const hh = pad(z[2]);
    const mm = z[3] ?? "00";
    offset = hh === "00" && mm === "00" ? "Z" : `${z[1]}${hh}:${mm}`;
  }
  return `${date}T${pad(h)}:${pad(mi)}:${pad(sec)}${fraction}${offset}`;
}

/** yaml.v3's resolution of an untagged plain scalar. */
export function resolvePlain(s: string): unknown {
  if (NULLS.has(s)) return null;
  if (TRUES.has(s)) return true;
  if (FALSES.has(s)) return false;
  if (s === "<<") return s;
  if (/^[.+-]?\.(inf|Inf|INF)$/.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(s)) return NaN;
  if (/^[-+0-9.]/.test(s)) {
    const ts = timestamp(s);
    if (ts !== undefined) return ts;
    const plain = s.replaceAll("_", "");
    const int = goParseInt(plain);
    if (int !== undefined) return int;
    if (YAML_FLOAT.test(plain)) return Number(plain);
  }
  return s;
}

function scalarValue(node: Node): unknown {
  if (!isScalar(node)) return undefined;
  const raw = String(node.value ?? "");
  const tag = node.tag;
  if (tag === "tag:yaml.org,2002:str" || tag === "tag:yaml.org,2002:binary") return raw;
  if (tag === undefined || tag === null || tag.startsWith("tag:yaml.org,2002:") || tag.startsWith("!")) {
    if (node.type === "PLAIN" || (tag !== undefined && tag !== null)) return resolvePlain(raw);
  }
  return raw;
}

function isMergeKey(key: Node): boolean {
  return isScalar(key) && key.type === "PLAIN" && key.value === "<<" && !key.tag;
}

/**
 * How deep collections may nest, in the text or through aliases and merges. yaml.v3
 * allows 10000, but the yaml library composes documents recursively and overflows
 * Node's stack near 800 levels (a flow sequence, at the default 984 KB stack), and
 * far deeper input has crashed Node outright; the decoding here recurses too. 500
 * keeps a wide margin below that and far above any real pipeline (a few levels).
 */
const MAX_NESTING_DEPTH = 500;

function tooDeep(what: string): string {
  return `${what} nested more than ${MAX_NESTING_DEPTH} levels deep (the most a pipeline may have)`;
}

/**
 * The first collection in a parsed document's CST nested more than MAX_NESTING_DEPTH
 * deep, if any. The CST comes from yaml's Parser, which keeps its own stack; walking
 * it with an explicit stack too means no input can overflow ours before composing.
 */
function overlyNested(document: CST.Token): CST.Token | undefined {
  const pending: [CST.Token, number][] = [[document, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [token, depth] = next;
    if (token.type === "document") {
      if (token.value) pending.push([token.value, depth]);
    } else if (token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection") {
      if (depth >= MAX_NESTING_DEPTH) return token;
      for (const item of token.items) {
        if (item.key) pending.push([item.key, depth + 1]);
        if (item.value) pending.push([item.value, depth + 1]);
      }
    }
  }
  return undefined;
}

/**
 * How many values one document may decode to, at least: aliases let a small document name
 * a huge tree ("billion laughs"). yaml.v3 refuses these with the same message.
 */
const MIN_DECODE_BUDGET = 400_000;
/** …or this many times the nodes written in the document, when that is more. */
const DECODE_BUDGET_PER_NODE = 10;

function countNodes(doc: Document.Parsed): number {
  let count = 0;
  visit(doc, () => {
    count++;
  });
  return count;
}

class Decoder {
  private readonly seen = new Set<Node>();
  private readonly targets = new Map<Alias, Node | undefined>();
  private decoded = 0;
  private readonly budget: number;

  /** @param text the whole stream `doc` was parsed from, for line and column numbers */
  constructor(
    private readonly doc: Document.Parsed,
    private readonly text: string,
  ) {
    this.budget = Math.max(MIN_DECODE_BUDGET, DECODE_BUDGET_PER_NODE * countNodes(doc));
  }

  private position(node: Node | null | undefined): string {
    const offset = node?.range?.[0];
    if (offset === undefined) return "";
    const before = this.text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    return `line ${line}, column ${column}: `;
  }

  private invalid(node: Node | null | undefined, message: string): never {
    throw new PipelineError("PIPELINE_YAML", `${this.position(node)}${message}`);
  }

  private deref(node: Node): Node {
    let current: Node = node;
    for (let hops = 0; isAlias(current); hops++) {
      const alias = current as Alias;
      // Resolving searches the whole document, so it is done once per alias.
      if (!this.targets.has(alias)) this.targets.set(alias, alias.resolve(this.doc) as Node | undefined);
      const target = this.targets.get(alias);
      if (!target || hops > 1000) this.invalid(node, `unknown anchor '${(current as Alias).source}' referenced`);
      current = target;
    }
    return current;
  }

  decode(input: Node | null | undefined): unknown {
    if (input === null || input === undefined) return null;
    if (++this.decoded > this.budget) throw new PipelineError("PIPELINE_YAML", "document contains excessive aliasing");
    const node = this.deref(input);
    if (this.seen.has(node)) this.invalid(input, "infinite recursion");
    // `seen` holds the collections on the path from the root, so its size is this
    // node's depth: aliases can nest a shallow text arbitrarily deep, which the check
    // on the text cannot see.
    if (!isScalar(node) && this.seen.size >= MAX_NESTING_DEPTH) this.invalid(input, tooDeep("collections"));
    this.seen.add(node);
    try {
      if (isScalar(node)) return scalarValue(node);
      if (isSeq(node)) return node.items.map((item) => this.decode(item as Node));
      if (isMap(node)) {
        const out: Record<string, unknown> = {};
        this.rangeMap(node, new Set(), (key, value) => setKey(out, key, this.decode(value)));
        return out;
      }
      return this.invalid(node, "unsupported node kind");
    } finally {
      this.seen.delete(node);
    }
  }

  private canonicalKey(input: Node | null | undefined): string {
    if (input === null || input === undefined) this.invalid(input, "null not supported as a map key");
    const node = this.deref(input);
    if (!isScalar(node)) return this.invalid(input, "cannot use a mapping or sequence as a map key");
    const value = scalarValue(node);
    if (value === null) this.invalid(input, "null not supported as a map key");
    if (typeof value === "boolean") return String(value);
    if (typeof value === "number") {
      // yaml.v3 formats int keys with %d and float keys with %e.
      if (Number.isInteger(value) && !/[.eE]/.test(String(node.value))) return String(value);
      return goExponent(value);
    }
    return String(node.value ?? "");
  }

  private rangeMap(input: Node, merged: Set<Node>, visit: (key: string, value: Node | null) => void, depth = 0): void {
    const node = this.deref(input);
    if (merged.has(node)) return;
    // A chain of maps each merging the next recurses once per link.
    if (depth >= MAX_NESTING_DEPTH) this.invalid(input, tooDeep("merges"));
    merged.add(node);
    if (isSeq(node)) {
      for (const item of node.items) this.rangeMap(item as Node, merged, visit, depth + 1);
      return;
    }
    if (!isMap(node)) return this.invalid(input, "map merge requires map or sequence of maps as the value");
    // Keys written in the mapping itself win over merged ones, wherever the `<<` sits.
    const own = new Set<string>();
    for (const pair of node.items) if (!isMergeKey(pair.key as Node)) own.add(this.canonicalKey(pair.key as Node));
    const skipOwn = (key: string, value: Node | null) => {
      if (own.has(key)) return;
      own.add(key);
      visit(key, value);
    };
    for (const pair of node.items) {
      if (isMergeKey(pair.key as Node)) this.rangeMap(pair.value as Node, merged, skipOwn, depth + 1);
      else visit(this.canonicalKey(pair.key as Node), (pair.value ?? null) as Node | null);
    }
  }
}

/** Go's `%e` (6 fraction digits, two-digit exponent at least). */
function goExponent(value: number): string {
  const [mantissa, exp] = value.toExponential(6).split("e") as [string, string];
  const sign = exp.startsWith("-") ? "-" : "+";
  return `${mantissa}e${sign}${exp.replace(/^[+-]/, "").padStart(2, "0")}`;
}

/**
 * Every YAML (or JSON) document in `text`, decoded to plain values as go-pipeline sees them.
 * A stream with no document (empty, or only comments) gives `[]`.
 *
 * @throws PipelineError `PIPELINE_YAML` for a syntax error, with line and column, for
 * collections nested more than {@link MAX_NESTING_DEPTH} levels deep, or for aliases
 * that expand to far more values than the document holds (`document contains excessive
 * aliasing`).
 */
export function decodeYamlDocuments(text: string): unknown[] {
  const lines = new LineCounter();
  const at = (offset: number): string => {
    const { line, col } = lines.linePos(offset);
    return `line ${line}, column ${col}: `;
  };
  // Parsed to a CST first (yaml's Parser does not recurse) so nesting too deep for
  // the Composer, which does, is refused before it runs.
  const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
  for (const token of tokens) {
    const deep = overlyNested(token);
    if (deep !== undefined) throw new PipelineError("PIPELINE_YAML", at(deep.offset) + tooDeep("collections"));
  }
  const composer = new Composer({
    schema: "failsafe",
    // yaml.v3 allows several `<<` merge keys in one mapping.
    uniqueKeys: (a, b) => !(isMergeKey(a as Node) && isMergeKey(b as Node)) && isScalar(a) && isScalar(b) && a.value === b.value,
  });
  const out: unknown[] = [];
  for (const doc of composer.compose(tokens)) {
    const error = doc.errors[0];
    if (error) {
      const where = error.pos[0] === -1 ? "" : at(error.pos[0]);
      throw new PipelineError("PIPELINE_YAML", where + error.message.split("\n")[0]!, { cause: error });
    }
    out.push(new Decoder(doc, text).decode(doc.contents as ParsedNode | null));
  }
  return out;
}
