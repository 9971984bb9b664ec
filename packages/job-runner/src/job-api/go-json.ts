import { compareBytes } from "../byte-order.js";

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
  | { readonly [field: string]: GoJsonValue | undefined };

/** Options matching Go's `json.Encoder` settings. */
export interface GoJsonOptions {
  /** `SetEscapeHTML`: escape `<`, `>` and `&` in strings. @default true */
  readonly escapeHtml?: boolean;
  /** `SetIndent("", indent)`; empty means compact. @default "" */
  readonly indent?: string;
}

/**
 * JSON exactly as Go's `json.Encoder.Encode` writes it, so bodies and CLI output
 * match the real agent byte for byte: map keys sorted by UTF-8 bytes, `<`, `>`,
 * `&` (unless `escapeHtml: false`), U+2028 and U+2029 escaped as `\u003c`…, struct
 * fields whose value is `undefined` left out (`omitempty`), a trailing newline.
 */
export function goJson(value: GoJsonValue, options: GoJsonOptions = {}): string {
  return `${encode(value, options.indent ?? "", "", options.escapeHtml ?? true)}\n`;
}

function encode(value: GoJsonValue, indent: string, prefix: string, escapeHtml: boolean): string {
  if (value === null || typeof value !== "object") return encodeScalar(value, escapeHtml);
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

function encodeScalar(value: null | boolean | number | string, escapeHtml: boolean): string {
  const text = JSON.stringify(value);
  if (typeof value !== "string") return text;
  return text.replace(escapeHtml ? /[<>&\u2028\u2029]/g : /[\u2028\u2029]/g, (char) => {
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}
