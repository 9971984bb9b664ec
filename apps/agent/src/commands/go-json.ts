/**
 * Text as Go's `encoding/json` writes a string with HTML escaping off (the
 * agent turns it off where output may hold secrets): like `JSON.stringify`,
 * except that Go also escapes U+2028 and U+2029.
 */
export function goJsonString(value: string): string {
  return JSON.stringify(value).replace(/[\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16)}`);
}

/**
 * A `map[string]string` as Go's `json.Encoder` writes it with HTML escaping
 * off: keys in byte order (not JavaScript's integer-keys-first order), two
 * spaces per level when `pretty`, and the trailing newline `Encode` adds.
 */
export function goJsonStringMap(entries: Iterable<readonly [string, string]>, pretty: boolean): string {
  const sorted = [...entries].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (sorted.length === 0) return "{}\n";
  const members = sorted.map(([name, value]) => `${goJsonString(name)}:${pretty ? " " : ""}${goJsonString(value)}`);
  return pretty ? `{\n  ${members.join(",\n  ")}\n}\n` : `{${members.join(",")}}\n`;
}
