/**
 * Sets `key` on a plain object as an own data property, even for `__proto__`, so keys
 * from a pipeline can never touch a prototype.
 */
export function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Whether `value` is a plain mapping (not an array, not null, not a class instance). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A copy of `map` with its keys in Go's order for a marshalled `map` (sorted by UTF-8 bytes). */
export function sortedKeys(map: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(map).sort(compareGo)) setKey(out, key, map[key]);
  return out;
}

/** Go string order: by UTF-8 bytes (differs from JS UTF-16 order only beyond the BMP). */
export function compareGo(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
