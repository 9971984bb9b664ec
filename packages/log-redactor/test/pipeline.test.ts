import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  LogChunker,
  Redactor,
  Timestamper,
  bkTimestamp,
  createHeaderTimeStream,
  createLineTimestamperStream,
  createLogChunkStream,
  createRedactorStream,
  createTimestamperStream,
  type HeaderTime,
  type LogChunk,
} from "../src/index.js";
import { prng } from "./prng.js";

const T0 = Date.UTC(2024, 0, 1);
const SECRETS = ["ghp_0123456789abcdef", "-----BEGIN KEY-----\nAAAA\nBBBB\n-----END KEY-----", "hunter2!"];

function* jobOutput(seed: number, total: number): Generator<Buffer> {
  const random = prng(seed);
  const lines = ["building\n", "\x1b[32mok\x1b[0m\n", "--- :hammer: step\n", "50%\r\x1b[K", "token=ghp_0123456789abcdef\n", "-----BEGIN KEY-----\r\nAAAA\r\nBBBB\r\n-----END KEY-----\r\n", "pw hunter2! end\n"];
  let text = "";
  while (text.length < total) text += random.pick(lines);
  const bytes = Buffer.from(text);
  for (let from = 0; from < bytes.length; ) {
    const size = 1 + random.int(300);
    yield bytes.subarray(from, from + size);
    from += size;
  }
}

it("redacts, timestamps and chunks job output as streams, equal to the synchronous classes", async () => {
  const chunks: LogChunk[] = [];
  await pipeline(
    Readable.from(jobOutput(1, 200_000)),
    createRedactorStream({ secrets: SECRETS }),
    createTimestamperStream({ now: () => T0 }),
    createLogChunkStream({ maxChunkSizeBytes: 1000 }),
    async (source: AsyncIterable<LogChunk>) => {
      for await (const chunk of source) chunks.push(chunk);
    },
  );
  const redactor = new Redactor({ secrets: SECRETS });
  const timestamper = new Timestamper({ now: () => T0 });
  const chunker = new LogChunker({ maxChunkSizeBytes: 1000 });
  for (const piece of jobOutput(1, 200_000)) chunker.write(timestamper.write(redactor.write(piece)));
  chunker.write(timestamper.write(redactor.flush()));
  chunker.flush();
  const expected: Buffer[] = [];
  for (let chunk = chunker.read(); chunk; chunk = chunker.read()) expected.push(chunk.data);

  const log = Buffer.concat(chunks.map((c) => c.data));
  expect(log).toEqual(Buffer.concat(expected));
  chunks.forEach((chunk, i) => expect(chunk.sequence).toBe(i + 1));
  const text = log.toString();
  expect(text).toContain(`${bkTimestamp(T0)}token=[REDACTED]\n`);
  expect(text).toContain(`${bkTimestamp(T0)}[REDACTED]\r\n`);
  for (const secret of ["ghp_0123456789abcdef", "hunter2!", "AAAA"]) expect(text).not.toContain(secret);
});

it("RedactorStream.flush releases held bytes and add applies to later output", async () => {
  const stream = createRedactorStream({ secrets: ["secret-one"] });
  const out: Buffer[] = [];
  stream.on("data", (b: Buffer) => out.push(b));
  stream.write("a secret-");
  stream.flush();
  stream.add(["later-secret"]);
  stream.end("one later-secret");
  await new Promise((resolve) => stream.on("end", resolve));
  expect(Buffer.concat(out).toString()).toBe("a secret-one [REDACTED]");
});

it("observes header times and prefixes lines in the non-ANSI modes", async () => {
  const headers: HeaderTime[] = [];
  const out: Buffer[] = [];
  await pipeline(
    Readable.from([Buffer.from("--- one\nplain\n"), Buffer.from("+++ two\nend")]),
    createHeaderTimeStream({ now: () => T0, onHeader: (h) => headers.push(h) }),
    createLineTimestamperStream({ now: () => T0 }),
    async (source: AsyncIterable<Buffer>) => {
      for await (const b of source) out.push(b);
    },
  );
  expect(headers.map((h) => [h.index, h.time])).toEqual([
    [0, "2024-01-01T00:00:00Z"],
    [1, "2024-01-01T00:00:00Z"],
  ]);
  expect(Buffer.concat(out).toString()).toBe("--- one\n[2024-01-01T00:00:00Z] plain\n+++ two\n[2024-01-01T00:00:00Z] end\n");
});
