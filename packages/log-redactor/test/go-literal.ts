/**
 * Decodes one value line of a Go fuzz corpus file ("go test fuzz v1"):
 * `string("...")` with Go's double-quoted escapes (which may hold bytes that are not
 * valid UTF-8), or `int(N)`.
 */
export function decodeGoCorpusValue(line: Buffer): Buffer | number {
  const text = line.toString("latin1");
  const int = /^int\((-?\d+)\)$/.exec(text);
  if (int) return Number(int[1]);
  if (!text.startsWith('string("') || !text.endsWith('")')) throw new Error(`unsupported corpus line: ${text}`);
  const body = line.subarray(8, line.length - 2);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (byte !== 0x5c) {
      out.push(byte);
      continue;
    }
    const kind = String.fromCharCode(body[++i]!);
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92, '"': 34, "'": 39 };
    if (kind in simple) {
      out.push(simple[kind]!);
    } else if (kind === "x") {
      out.push(parseInt(body.subarray(i + 1, i + 3).toString("latin1"), 16));
      i += 2;
    } else if (kind >= "0" && kind <= "7") {
      out.push(parseInt(body.subarray(i, i + 3).toString("latin1"), 8));
      i += 2;
    } else if (kind === "u" || kind === "U") {
      const digits = kind === "u" ? 4 : 8;
      const rune = parseInt(body.subarray(i + 1, i + 1 + digits).toString("latin1"), 16);
      out.push(...Buffer.from(String.fromCodePoint(rune), "utf8"));
      i += digits;
    } else {
      throw new Error(`unsupported escape \\${kind}`);
    }
  }
  return Buffer.from(out);
}

/** Splits a corpus file into its value lines (after the header). */
export function corpusValues(file: Buffer): (Buffer | number)[] {
  const lines: Buffer[] = [];
  let from = 0;
  for (let nl = file.indexOf(0x0a); nl >= 0; nl = file.indexOf(0x0a, from)) {
    lines.push(file.subarray(from, nl));
    from = nl + 1;
  }
  if (from < file.length) lines.push(file.subarray(from));
  if (lines[0]?.toString() !== "go test fuzz v1") throw new Error("not a Go fuzz corpus file");
  return lines.slice(1).filter((l) => l.length > 0).map(decodeGoCorpusValue);
}
