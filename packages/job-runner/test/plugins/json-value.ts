import { JsonNumber, type JsonValue } from "../../src/plugins/index.js";

/** A parsed config as plain JSON data (numbers as JS numbers), to compare with vectors. */
export function plain(value: JsonValue): unknown {
  if (value instanceof JsonNumber) return Number(value.text);
  if (Array.isArray(value)) return value.map((item: JsonValue) => plain(item));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item as JsonValue)]));
  }
  return value;
}
