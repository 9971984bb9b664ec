import { compareBytes } from "../byte-order.js";
import { JsonNumber, type JsonObject, type JsonValue } from "../go-json-parse.js";

/** Go's string encoding with HTML escaping on (`json.Marshal`): `<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes. */
function encodeString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === "\\") out += `\\${char}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (char === "\b") out += "\\b";
    else if (char === "\f") out += "\\f";
    else if (code < 0x20 || char === "<" || char === ">" || char === "&" || code === 0x2028 || code === 0x2029)
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

/**
 * Compact JSON as Go's `json.Marshal` writes a `map[string]any`: object keys
 * sorted, numbers as their literal text, HTML characters escaped.
 */
export function stringifyJson(value: JsonValue): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return encodeString(value);
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${(value as readonly JsonValue[]).map(stringifyJson).join(",")}]`;
  const object = value as JsonObject;
  const keys = Object.keys(object).sort(compareBytes);
  return `{${keys.map((key) => `${encodeString(key)}:${stringifyJson(object[key] as JsonValue)}`).join(",")}}`;
}
