/**
 * Go's string order (`sort.Strings`, sorted map keys in `json.Marshal`): by UTF-8
 * bytes. JavaScript's default sort compares UTF-16 code units, which disagrees
 * for characters above U+FFFF (`"\u{1F600}"` sorts after `"\uFFFF"` in Go).
 */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
