// A deliberately simple, non-streaming redactor to check the streaming one against:
// find every occurrence of every needle at every position, merge overlapping ones,
// replace each merged range. Written independently of src/ (only goQuote, which has
// its own tests, is shared).
import { goQuote } from "../src/index.js";

const RUN = -1;
const WS = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]);

function asciiTrim(bytes: number[]): number[] {
  let start = 0;
  let end = bytes.length;
  while (start < end && WS.has(bytes[start]!)) start++;
  while (end > start && WS.has(bytes[end - 1]!)) end--;
  return bytes.slice(start, end);
}

/** Upstream's multi-line normalisation (ASCII needles only: the tests generate ASCII). */
export function referencePattern(needle: Buffer): number[] {
  if (!needle.includes(0x0a)) return [...needle];
  const lines: number[][] = [];
  let line: number[] = [];
  for (const byte of [...needle, 0x0a]) {
    if (byte === 0x0a) {
      const trimmed = asciiTrim(line);
      if (trimmed.length > 0) lines.push(trimmed);
      line = [];
    } else {
      line.push(byte);
    }
  }
  return lines.flatMap((l, i) => (i === 0 ? l : [RUN, ...l]));
}

function matchAt(input: Buffer, start: number, pattern: number[], maxRun: number): number {
  let p = start;
  for (const symbol of pattern) {
    if (symbol === RUN) {
      const from = p;
      while (p < input.length && WS.has(input[p]!)) p++;
      if (p === from || p - from > maxRun) return -1;
    } else {
      if (p >= input.length || input[p] !== symbol) return -1;
      p++;
    }
  }
  return p;
}

/** Base64 forms at the three alignments, trimmed to stable characters, ≥ 8 characters. */
export function referenceBase64Forms(secret: Buffer): string[] {
  const forms: string[] = [];
  for (const align of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(align), secret]).toString("base64").replace(/=+$/, "");
    const skip = [0, 2, 3][align]!;
    // A trailing character that also holds bits of the byte after the secret is unstable.
    const stableEnd = Math.floor(((align + secret.length) * 8) / 6);
    const form = encoded.slice(skip, stableEnd);
    if (form.length >= 8) forms.push(form);
  }
  return forms;
}

/** All the byte strings to redact for `secrets`, given the redactor's form options. */
export function referenceNeedles(secrets: Buffer[], options: { escapedForms: boolean; encodedForms: boolean }): Buffer[] {
  const needles: Buffer[] = [];
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    needles.push(secret);
    if (options.escapedForms) needles.push(Buffer.from(goQuote(secret)));
    if (options.encodedForms) {
      for (const form of referenceBase64Forms(secret)) needles.push(Buffer.from(form));
      const uri = [...secret]
        .map((b) => (/[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : "%" + b.toString(16).toUpperCase().padStart(2, "0")))
        .join("");
      needles.push(Buffer.from(uri), Buffer.from(uri.replaceAll("%20", "+")));
    }
  }
  return needles;
}

/** Redacts `input` in one go. */
export function referenceRedact(input: Buffer, needles: Buffer[], maxRun = 1024): Buffer {
  const patterns = needles.map(referencePattern).filter((p) => p.length > 0);
  const ranges: [number, number][] = [];
  for (let start = 0; start < input.length; start++) {
    let end = -1;
    for (const pattern of patterns) end = Math.max(end, matchAt(input, start, pattern, maxRun));
    if (end > start) ranges.push([start, end]);
  }
  const out: Buffer[] = [];
  let cursor = 0;
  for (let i = 0; i < ranges.length; ) {
    let [start, end] = ranges[i++]!;
    while (i < ranges.length && ranges[i]![0] < end) end = Math.max(end, ranges[i++]![1]);
    out.push(input.subarray(cursor, start), Buffer.from("[REDACTED]"));
    cursor = end;
  }
  out.push(input.subarray(cursor));
  return Buffer.concat(out);
}
