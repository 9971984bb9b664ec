import { AnsiParser, Timestamper, bkTimestamp } from "../src/index.js";
import { prng } from "./prng.js";

const T0 = Date.UTC(2024, 0, 1);

function clock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

it("formats the agent's APC timestamp", () => {
  expect(bkTimestamp(T0)).toBe("\x1b_bk;t=1704067200000\x07");
});

it("stamps every line start with the write's time, by default as ESC _ bk;t=<ms> BEL", () => {
  const { now } = clock();
  const stamper = new Timestamper({ now });
  const out = stamper.write(Buffer.from("hello\nworld\n")).toString();
  expect(out).toBe(`${bkTimestamp(T0)}hello\n${bkTimestamp(T0)}world\n`);
  expect(stamper.bytesOut).toBe(out.length);
  expect(stamper.bytesIn).toBe(12);
});

it("stamps mid-line only when a write comes more than timeoutMs (1 s) after the last stamp", () => {
  const { now, advance } = clock();
  const stamper = new Timestamper({ now });
  const out = [stamper.write(Buffer.from("downloading"))];
  advance(1000);
  out.push(stamper.write(Buffer.from(".")));
  advance(1001);
  out.push(stamper.write(Buffer.from(".")));
  advance(10);
  out.push(stamper.write(Buffer.from("done\n")));
  expect(Buffer.concat(out).toString()).toBe(`${bkTimestamp(T0)}downloading.${bkTimestamp(T0 + 2001)}.done\n`);
});

it("passes \\r progress redraws through and restamps after erase-in-line", () => {
  const { now } = clock();
  const stamper = new Timestamper({ now, prefix: () => "|" });
  const out = stamper.write(Buffer.from("10%\r20%\r\x1b[K30%\x1b[2K\x1b[1Bx")).toString();
  expect(out).toBe("|10%\r20%\r\x1b[K|30%\x1b[2K|\x1b[1Bx");
});

it("never puts a stamp inside an escape sequence, however the output is split", () => {
  const random = prng(5);
  const pieces = ["text", "\n", "\x1b[32m", "\x1b[K", "\x1b]8;;http://x\x07", "\x1b_bk;t=1\x1b\\", "\x1bPq#0\x1b\\", "\x1b[1;2", "\r", "\x1b", "é"];
  for (let iteration = 0; iteration < 500; iteration++) {
    const input = Buffer.from(Array.from({ length: 1 + random.int(20) }, () => random.pick(pieces)).join(""));
    const { now, advance } = clock();
    const stamper = new Timestamper({ now, timeoutMs: 5, prefix: () => "\x00" });
    const out: Buffer[] = [];
    let from = 0;
    while (from < input.length) {
      const to = from + 1 + random.int(6);
      advance(random.int(10));
      out.push(stamper.write(input.subarray(from, to)));
      from = to;
    }
    const output = Buffer.concat(out);
    // Removing the stamps gives back the input…
    expect(Buffer.from(output.filter((b) => b !== 0))).toEqual(input);
    // …and at each stamp the input so far is not inside an escape sequence.
    const parser = new AnsiParser();
    for (let i = 0; i < output.length; i++) {
      if (output[i] === 0) expect(parser.insideCode).toBe(false);
      else parser.feed(output.subarray(i, i + 1));
    }
  }
});

it("timestamps a 50 MB line with no newline once, in constant memory", () => {
  const { now } = clock();
  const stamper = new Timestamper({ now });
  const write = Buffer.alloc(64 * 1024, "y");
  const before = process.memoryUsage().rss;
  let out = 0;
  for (let written = 0; written < 50 * 1024 * 1024; written += write.length) out += stamper.write(write).length;
  expect(out).toBe(50 * 1024 * 1024 + bkTimestamp(T0).length);
  expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
});
