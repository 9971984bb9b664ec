// Go's json.Encoder escapes these inside strings (HTML-safe output, and the two
// JavaScript line terminators); structural JSON never contains them, so a
// global replace only touches string contents.
const GO_ESCAPES: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * A Go `map[string]string` in a request body. Go marshals maps with their keys
 * sorted as strings (`"0","1","10","2"`), an order a JavaScript object cannot
 * hold, because it always lists integer-like keys first, in numeric order.
 */
export class GoMap {
  readonly entries: ReadonlyArray<readonly [string, string]>;

  constructor(map: Readonly<Record<string, string>>) {
    this.entries = Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

function write(value: unknown): string {
  if (value instanceof GoMap) {
    return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`;
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? "null" : write(item))).join(",")}]`;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const parts: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${write(item)}`);
    }
    return `{${parts.join(",")}}`;
  }
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`cannot encode a ${typeof value} as JSON`);
  return json;
}

/**
 * A request body exactly as the real agent's stream encoder writes it: compact
 * JSON, Go's HTML escaping, and a trailing newline. Object fields keep the
 * caller's order (the resource modules build them in the Go structs' field
 * order, leaving out `omitempty` fields as `undefined`); {@link GoMap}s are
 * sorted. Throws a `TypeError`/`RangeError` for values JSON cannot hold.
 */
export function encodeJsonBody(value: unknown): Buffer {
  const json = write(value).replace(/[<>&\u2028\u2029]/g, (ch) => GO_ESCAPES[ch]!);
  return Buffer.from(`${json}\n`, "utf8");
}
