import { AnsiParser, Timestamper } from "../src/index.js";
import { readConformanceJson } from "./conformance.js";

// Buildkite's vectors (../shared/conformance/timestamps, from buildkite/agent
// v3.137.0), replayed with an injected prefix function and clock.

interface TimestamperCase {
  name: string;
  prefixFormat: string;
  timeoutMs: number;
  writes: { data: string; delayBeforeMs: number }[];
  expected: string;
  expectedWriteReturns?: number[];
}
const cases = readConformanceJson<{
  timestamperCases: TimestamperCase[];
  ansiParserCases: { name: string; input: string; expectedInsideCode: boolean }[];
}>("timestamps/cases.json");

describe("timestamperCases", () => {
  it.each(cases.timestamperCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    let clock = 1_700_000_000_000;
    let count = 0;
    const timestamper = new Timestamper({
      now: () => clock,
      timeoutMs: c.timeoutMs,
      prefix: () => c.prefixFormat.replace("%d", String(++count)),
    });
    const out: Buffer[] = [];
    c.writes.forEach((write, index) => {
      clock += write.delayBeforeMs;
      const before = timestamper.bytesIn;
      out.push(timestamper.write(Buffer.from(write.data)));
      if (c.expectedWriteReturns) expect(timestamper.bytesIn - before).toBe(c.expectedWriteReturns[index]);
    });
    const output = Buffer.concat(out);
    expect(output.toString("utf8")).toBe(c.expected);
    // Inserted bytes count toward the output size.
    expect(timestamper.bytesOut).toBe(output.length);
  });
});

describe("ansiParserCases", () => {
  it.each(cases.ansiParserCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const parser = new AnsiParser();
    parser.feed(Buffer.from(c.input));
    expect(parser.insideCode).toBe(c.expectedInsideCode);
  });

  it.each(cases.ansiParserCases.map((c) => [c.name, c] as const))("%s, fed one byte at a time", (_, c) => {
    const parser = new AnsiParser();
    for (const byte of Buffer.from(c.input)) parser.feed(Uint8Array.of(byte));
    expect(parser.insideCode).toBe(c.expectedInsideCode);
  });
});
