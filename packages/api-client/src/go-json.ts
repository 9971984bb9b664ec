/**
 * A value {@link goJson} can encode: like JSON, plus `Map` for Go maps (whose keys
 * Go prints sorted; a plain object would put integer-like keys such as "1" first).
 */
export type GoJsonValue =
  | null
  | boolean
  | number
  | string
  | readonly GoJsonValue[]
  | ReadonlyMap<string, string>
  | { toJSON(): unknown }
  | { readonly [field: string]: GoJsonValue | undefined };

/** Options matching Go's `json.Encoder` settings. */
export interface GoJsonOptions {
  /** `SetEscapeHTML`: escape `<`, `>` and `&` in strings. @default true */
  readonly escapeHtml?: boolean;
  /** `SetIndent("", indent)`; empty means compact. @default "" */
  readonly indent?: string;
}

/**
 * JSON exactly as Go's `json.Encoder.Encode` writes it, so request bodies, job
 * files and CLI output match the real agent byte for byte: map keys sorted by
 * UTF-8 bytes, `<`, `>`, `&` (unless `escapeHtml: false`), U+2028 and U+2029
 * escaped as `\u003c`…, object fields kept in the caller's order (Go's struct
 * field order) with `undefined` ones left out (`omitempty`), a trailing newline.
 * An object with a `toJSON` method is encoded as what that returns.
 * Throws a `TypeError` for a value JSON cannot hold (a bigint, a function).
 */
export function goJson(value: GoJsonValue, options: GoJsonOptions = {}): string {
  return `${encode(value, options.indent ?? "", "", options.escapeHtml ?? true)}\n`;
}

/** A request body: {@link goJson} with Go's defaults, as UTF-8. */
export function encodeJsonBody(value: unknown): Buffer {
  return Buffer.from(goJson(value as GoJsonValue), "utf8");
}

// Go's string order (sorted map keys): by UTF-8 bytes, which disagrees with
// JavaScript's UTF-16 order for characters above U+FFFF.
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function encode(value: GoJsonValue, indent: string, prefix: string, escapeHtml: boolean): string {
  if (value === null || typeof value !== "object") return encodeScalar(value, escapeHtml);
  // An object that says how it serialises (a Date, a parsed pipeline's plugin)
  // is what Go calls a json.Marshaler: encode what it returns.
  if (hasToJson(value)) return encode(value.toJSON() as GoJsonValue, indent, prefix, escapeHtml);
  const inner = prefix + indent;
  const open = indent === "" ? "" : `\n${inner}`;
  const close = indent === "" ? "" : `\n${prefix}`;
  const separator = indent === "" ? ":" : ": ";
  const join = (items: string[], brackets: string): string =>
    items.length === 0 ? brackets : `${brackets[0]}${open}${items.join(`,${open}`)}${close}${brackets[1]}`;
  if (Array.isArray(value)) {
    return join(
      (value as readonly GoJsonValue[]).map((item) => encode(item, indent, inner, escapeHtml)),
      "[]",
    );
  }
  const entries: Array<[string, GoJsonValue]> =
    value instanceof Map
      ? [...(value as ReadonlyMap<string, string>).entries()].sort(([a], [b]) => compareBytes(a, b))
      : Object.entries(value as Record<string, GoJsonValue | undefined>).filter(
          (entry): entry is [string, GoJsonValue] => entry[1] !== undefined,
        );
  return join(
    entries.map(
      ([key, item]) => `${encodeScalar(key, escapeHtml)}${separator}${encode(item, indent, inner, escapeHtml)}`,
    ),
    "{}",
  );
}

function hasToJson(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === "function";
}

function encodeScalar(value: null | boolean | number | string, escapeHtml: boolean): string {
  const text: string | undefined = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`cannot encode a ${typeof value} as JSON`);
  if (typeof value !== "string") return text;
  return text.replace(escapeHtml ? /[<>&\u2028\u2029]/g : /[\u2028\u2029]/g, (char) => {
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}
