import { HeaderTimeObserver, LineTimestamper, isHeaderExpansionLine, isHeaderLine, rfc3339Nano, rfc3339Seconds, type HeaderTime } from "../src/index.js";

const T0 = Date.UTC(2024, 0, 1, 12, 30, 45, 120);

describe("isHeaderLine", () => {
  it.each([
    ["--- Running command", true],
    ["+++ :docker: Build", true],
    ["~~~ Preparing", true],
    ["\x1b[1;33m--- \x1b[0mcoloured", true],
    ["---\ttab", true],
    ["---", false],
    ["----- not a header", false],
    [" --- indented", false],
    ["^^^ +++", false],
    ["-- two", false],
  ])("%j → %s", (line, expected) => {
    expect(isHeaderLine(line)).toBe(expected);
    expect(isHeaderLine(Buffer.from(line))).toBe(expected);
  });

  it("recognises header expansions", () => {
    expect(isHeaderExpansionLine("^^^ +++")).toBe(true);
    expect(isHeaderExpansionLine("\x1b[0m^^^ +++ rest")).toBe(true);
    expect(isHeaderExpansionLine("^^^ ---")).toBe(false);
  });
});

it("formats times as Go's RFC3339 and RFC3339Nano do", () => {
  expect(rfc3339Seconds(T0)).toBe("2024-01-01T12:30:45Z");
  expect(rfc3339Nano(T0)).toBe("2024-01-01T12:30:45.12Z");
  expect(rfc3339Nano(Date.UTC(2024, 0, 1))).toBe("2024-01-01T00:00:00Z");
});

describe("HeaderTimeObserver", () => {
  it("reports each header with its index and time, across any split, without changing bytes", () => {
    const text = "plain\n--- first\nnoise -- x\n\x1b[33m+++ second\x1b[0m\n~~~ third";
    for (let cut = 0; cut <= text.length; cut++) {
      let time = T0;
      const seen: HeaderTime[] = [];
      const observer = new HeaderTimeObserver({ now: () => (time += 1000), onHeader: (h) => seen.push(h) });
      observer.observe(Buffer.from(text.slice(0, cut)));
      observer.observe(Buffer.from(text.slice(cut)));
      observer.end();
      expect(seen.map((h) => h.index)).toEqual([0, 1, 2]);
      expect(seen.map((h) => h.time)).toEqual([rfc3339Nano(T0 + 1000), rfc3339Nano(T0 + 2000), rfc3339Nano(T0 + 3000)]);
    }
  });

  it("looks only at the start of a huge line", () => {
    const seen: HeaderTime[] = [];
    const observer = new HeaderTimeObserver({ onHeader: (h) => seen.push(h) });
    const big = Buffer.alloc(1024 * 1024, "-");
    for (let i = 0; i < 50; i++) observer.observe(big);
    observer.observe(Buffer.from("\n--- real\n"));
    expect(seen.map((h) => h.index)).toEqual([0]);
  });
});

describe("LineTimestamper (timestamp-lines)", () => {
  it("prefixes lines, leaves headers and ^^^ +++ bare, normalises endings", () => {
    const prefixer = new LineTimestamper({ now: () => T0 });
    const out = Buffer.concat([
      prefixer.write(Buffer.from("one\r\n--- header\n^^^ +++\ntw")),
      prefixer.write(Buffer.from("o\r")),
      prefixer.write(Buffer.from("\nthree\rstill three\nlast")),
      prefixer.end(),
    ]).toString();
    const p = "[2024-01-01T12:30:45Z] ";
    expect(out).toBe(`${p}one\n--- header\n^^^ +++\n${p}two\n${p}three\rstill three\n${p}last\n`);
  });

  it("writes a line longer than maxLineBytes in pieces, prefixing only the first", () => {
    const prefixer = new LineTimestamper({ now: () => T0, maxLineBytes: 10 });
    const out = Buffer.concat([
      prefixer.write(Buffer.from("abcdefghijkl")),
      prefixer.write(Buffer.from("mnopqrstuvwxyz\r")),
      prefixer.write(Buffer.from("\nnext\n")),
      prefixer.end(),
    ]).toString();
    expect(out).toBe("[2024-01-01T12:30:45Z] abcdefghijklmnopqrstuvwxyz\n[2024-01-01T12:30:45Z] next\n");
  });
});

describe("LineTimestamper prefix per second", () => {
  // Regression guard for the per-second prefix cache: each line's prefix must still
  // be the time it was written out, including when the clock crosses a second or
  // steps back.
  it("follows the clock across seconds and back", () => {
    const times = [T0, T0 + 500, T0 + 880, T0 + 881, T0 - 200, T0];
    let i = 0;
    const prefixer = new LineTimestamper({ now: () => times[i++]! });
    const out = prefixer.write(Buffer.from("a\nb\nc\nd\ne\nf\n")).toString();
    expect(out).toBe(
      "[2024-01-01T12:30:45Z] a\n[2024-01-01T12:30:45Z] b\n[2024-01-01T12:30:46Z] c\n" +
        "[2024-01-01T12:30:46Z] d\n[2024-01-01T12:30:44Z] e\n[2024-01-01T12:30:45Z] f\n",
    );
  });
});
