/**
 * Go's `strconv.Quote` without the surrounding quotes (the agent's "Go-escaped" form of a
 * value, internal/redact `GoEscaped`): `\n`, `\t`, `"` → `\"`, other control characters
 * as `\x..` or `\u....`. Printable Unicode is kept as is.
 */
export function goEscaped(value: string): string {
  let out = "";
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case "\x07": out += "\\a"; continue;
      case "\b": out += "\\b"; continue;
      case "\f": out += "\\f"; continue;
      case "\n": out += "\\n"; continue;
      case "\r": out += "\\r"; continue;
      case "\t": out += "\\t"; continue;
      case "\v": out += "\\v"; continue;
      case "\\": out += "\\\\"; continue;
      case '"': out += '\\"'; continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    // Lone surrogates are what JS has where Go would see invalid UTF-8 (U+FFFD).
    else if (cp >= 0xd800 && cp <= 0xdfff) out += "\\ufffd";
    else if (!/[\p{L}\p{M}\p{N}\p{P}\p{S}\x20]/u.test(ch)) {
      out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, "0")}` : `\\u${cp.toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return out;
}

/** Go's `strconv.Quote`: the value in double quotes, escaped as {@link goEscaped}. */
export function goQuote(value: string): string {
  return `"${goEscaped(value)}"`;
}
