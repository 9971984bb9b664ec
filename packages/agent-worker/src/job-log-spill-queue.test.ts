import { afterEach, describe, expect, it } from "@jest/globals";
import type { LogChunk } from "@agent/log-redactor";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { JobLogSpillQueue } from "./job-log-spill-queue.js";
import { silentLogger } from "./logger.js";

const dirs: string[] = [];
const queues: JobLogSpillQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((queue) => queue.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function queue(memoryLimitBytes: number, dir = tempDir(), spillLimitBytes = 1024 ** 3): JobLogSpillQueue {
  const created = new JobLogSpillQueue({ memoryLimitBytes, spillLimitBytes, dir, jobId: "job-1", logger: silentLogger });
  queues.push(created);
  return created;
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agent-worker-spill-"));
  dirs.push(dir);
  return dir;
}

/** Chunk `sequence` of a log cut into `size`-byte chunks: bytes that say which chunk they belong to. */
function chunk(sequence: number, size: number): LogChunk {
  const data = Buffer.alloc(size, sequence % 251);
  data.writeUInt32BE(sequence, 0);
  return { sequence, offset: (sequence - 1) * size, size, data };
}

/** Whether `promise` has settled once pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

/** Waits (at most 5 s) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("JobLogSpillQueue", () => {
  it("keeps at most its memory limit while 50 MB are pushed with nothing draining, then returns every chunk in order", async () => {
    const limit = 1024 * 1024;
    const size = 100 * 1024;
    const count = 512; // 50 MiB
    const spilling = queue(limit);
    let peak = 0;
    for (let sequence = 1; sequence <= count; sequence++) {
      await spilling.push(chunk(sequence, size));
      peak = Math.max(peak, spilling.memoryBytes);
    }
    spilling.end();
    expect(peak).toBeLessThanOrEqual(limit);
    expect(peak).toBeGreaterThan(limit - size);
    const file = spilling.spillFile!;
    expect(path.basename(file)).toMatch(/^job-log-spill-job-1-[0-9a-f]{12}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(file).size).toBe((count - Math.floor(limit / size)) * size);

    for (let sequence = 1; sequence <= count; sequence++) {
      const next = await spilling.shift();
      expect(next?.sequence).toBe(sequence);
      expect(next?.offset).toBe((sequence - 1) * size);
      expect(next?.data.equals(chunk(sequence, size).data)).toBe(true);
    }
    expect(await spilling.shift()).toBeUndefined();
    await spilling.close();
    expect(existsSync(file)).toBe(false);
  });

  it("hands chunks to concurrent workers in sequence order and reuses the spill file after it drained", async () => {
    const spilling = queue(300);
    const taken: number[] = [];
    // Spilled chunks are read back with async file reads that may complete out of
    // order, so record the order of the shift() calls, which is what "handed out in
    // sequence order" means for concurrent uploaders.
    let calls = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const call = calls++;
        const next = await spilling.shift();
        if (next === undefined) return;
        expect(next.data.equals(chunk(next.sequence, 100).data)).toBe(true);
        taken[call] = next.sequence;
      }
    };
    // First outage: 10 chunks, 7 of them spilled, drained by one worker.
    for (let sequence = 1; sequence <= 10; sequence++) await spilling.push(chunk(sequence, 100));
    const file = spilling.spillFile!;
    expect(statSync(file).size).toBe(700);
    for (let i = 0; i < 10; i++) taken[calls++] = (await spilling.shift())!.sequence;
    // Second outage of the same size: written from the file's start again, so the file does not grow.
    for (let sequence = 11; sequence <= 20; sequence++) await spilling.push(chunk(sequence, 100));
    expect(statSync(file).size).toBe(700);
    spilling.end();
    await Promise.all([worker(), worker(), worker()]);
    expect(taken).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("falls back to backpressure when the spill file cannot be written", async () => {
    expect.assertions(6);
    const missing = path.join(tempDir(), "gone");
    const spilling = queue(250, missing);
    await spilling.push(chunk(1, 100));
    await spilling.push(chunk(2, 100));
    // Over the limit, and the disk fails: queued in memory, but the producer waits.
    const third = spilling.push(chunk(3, 100));
    // The failed open takes a trip to the thread pool: wait for it, not for a number of turns.
    await until(() => spilling.memoryBytes === 300);
    expect(spilling.memoryBytes).toBe(300);
    expect(await settled(third)).toBe(false);
    expect((await spilling.shift())?.sequence).toBe(1);
    expect(await settled(third)).toBe(true);
    spilling.end();
    expect([(await spilling.shift())?.sequence, (await spilling.shift())?.sequence, await spilling.shift()]).toEqual([2, 3, undefined]);
    expect(readdirSync(path.dirname(missing))).toEqual([]);
  });

  it("waits for the uploads rather than grow the spill file past its limit", async () => {
    const spilling = queue(100, tempDir(), 300);
    await spilling.push(chunk(1, 100));
    for (let sequence = 2; sequence <= 4; sequence++) await spilling.push(chunk(sequence, 100));
    expect(statSync(spilling.spillFile!).size).toBe(300);
    // The file is full: chunk 5 stays in memory and its producer waits.
    const fifth = spilling.push(chunk(5, 100));
    await until(() => spilling.memoryBytes === 200);
    expect(await settled(fifth)).toBe(false);
    expect((await spilling.shift())?.sequence).toBe(1);
    expect(await settled(fifth)).toBe(true);
    expect(statSync(spilling.spillFile!).size).toBe(300);
    spilling.end();
    const rest: (number | undefined)[] = [];
    for (let i = 0; i < 5; i++) rest.push((await spilling.shift())?.sequence);
    expect(rest).toEqual([2, 3, 4, 5, undefined]);
  });

  it("releases a waiting producer and waiting workers when closed", async () => {
    const spilling = queue(100, path.join(tempDir(), "gone"));
    await spilling.push(chunk(1, 100));
    const blocked = spilling.push(chunk(2, 100));
    await spilling.close();
    await expect(blocked).resolves.toBeUndefined();
    const idle = queue(100);
    const waiting = idle.shift();
    expect(await settled(waiting)).toBe(false);
    await idle.close();
    await expect(waiting).resolves.toBeUndefined();
  });
});
