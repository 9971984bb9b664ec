import { once } from "node:events";
import { LogChunker, LogRedactorError, createLogChunkStream, type LogChunk } from "../src/index.js";
import { prng } from "./prng.js";

/** Every chunk that breaks an invariant, as text (one expect per stream keeps this fast). */
function chunkProblems(chunks: LogChunk[], input: Buffer, max: number): string[] {
  const problems: string[] = [];
  let offset = 0;
  chunks.forEach((chunk, index) => {
    if (chunk.sequence !== index + 1) problems.push(`chunk ${index}: sequence ${chunk.sequence}`);
    if (chunk.offset !== offset) problems.push(`chunk ${index}: offset ${chunk.offset}, expected ${offset}`);
    if (chunk.size !== chunk.data.length || chunk.size < 1 || chunk.size > max) problems.push(`chunk ${index}: size ${chunk.size}`);
    offset += chunk.size;
  });
  if (!Buffer.concat(chunks.map((c) => c.data)).equals(input)) problems.push("reassembled chunks differ from the input");
  return problems;
}

function checkChunks(chunks: LogChunk[], input: Buffer, max: number): void {
  expect(chunkProblems(chunks, input, max)).toEqual([]);
}

it("numbers chunks from 1 with running offsets, never over the maximum, and reassembles exactly", () => {
  const random = prng(9);
  const pool = Buffer.from(Array.from({ length: 4096 }, () => random.int(256)));
  for (let iteration = 0; iteration < 300; iteration++) {
    const max = 1 + random.int(300);
    const chunker = new LogChunker({ maxChunkSizeBytes: max });
    const written: Buffer[] = [];
    const chunks: LogChunk[] = [];
    for (let step = 0; step < 40; step++) {
      const start = random.int(1024);
      const data = Buffer.from(pool.subarray(start, start + random.int(3 * max)));
      written.push(Buffer.from(data));
      chunker.write(data);
      if (random.next() < 0.2) chunker.flush();
      for (let chunk = chunker.read(); chunk; chunk = chunker.read()) chunks.push(chunk);
      if (chunker.bufferedBytes >= max) throw new Error(`buffered ${chunker.bufferedBytes} of max ${max}`);
    }
    chunker.flush();
    for (let chunk = chunker.read(); chunk; chunk = chunker.read()) chunks.push(chunk);
    expect(chunker.bufferedBytes).toBe(0);
    checkChunks(chunks, Buffer.concat(written), max);
  }
});

it("cuts full chunks as they fill and the rest only on flush", () => {
  const chunker = new LogChunker({ maxChunkSizeBytes: 10 });
  chunker.write(Buffer.from("abc"));
  chunker.write(Buffer.from("defghijklmn"));
  expect(chunker.read()?.data.toString()).toBe("abcdefghij");
  expect(chunker.read()).toBeUndefined();
  expect(chunker.bufferedBytes).toBe(4);
  chunker.flush();
  expect(chunker.read()).toMatchObject({ sequence: 2, offset: 10, size: 4 });
  chunker.flush();
  expect(chunker.read()).toBeUndefined();
});

it("rejects a non-positive maximum", () => {
  expect(() => new LogChunker({ maxChunkSizeBytes: 0 })).toThrow(LogRedactorError);
});

describe("LogChunkStream", () => {
  it("yields chunks to for-await and flushes the tail at the end", async () => {
    const stream = createLogChunkStream({ maxChunkSizeBytes: 4 });
    stream.write("hello ");
    stream.end("world");
    const chunks: LogChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk as LogChunk);
    checkChunks(chunks, Buffer.from("hello world"), 4);
  });

  it("cuts the partial chunk on flush() while the stream stays open", async () => {
    const stream = createLogChunkStream({ maxChunkSizeBytes: 100 });
    stream.write("abc");
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.read()).toBeNull();
    stream.flush();
    expect((stream.read() as LogChunk).data.toString()).toBe("abc");
    stream.destroy();
  });

  it("makes the writer wait when the reader falls behind (bounded buffering)", async () => {
    const stream = createLogChunkStream({ maxChunkSizeBytes: 1000, maxQueuedChunks: 2 });
    const piece = Buffer.alloc(1000, 1);
    let accepted = 0;
    while (stream.write(piece)) {
      accepted++;
      if (accepted > 100) throw new Error("no backpressure");
    }
    // The queue holds a couple of chunks plus the writable buffer's high-water mark.
    expect(accepted).toBeLessThan(30);
    const drained = once(stream, "drain");
    let read = 0;
    stream.on("data", () => read++);
    await drained;
    expect(read).toBeGreaterThan(0);
    stream.destroy();
  });

  it("is destroyed by its abort signal", async () => {
    const controller = new AbortController();
    const stream = createLogChunkStream({ maxChunkSizeBytes: 10, signal: controller.signal });
    const errors: unknown[] = [];
    stream.on("error", (error) => errors.push(error));
    const closed = new Promise((resolve) => stream.on("close", resolve));
    controller.abort();
    await closed;
    expect(stream.destroyed).toBe(true);
    expect(errors).toHaveLength(1);
  });
});
