import { gzipSync } from "node:zlib";
import { call, runningJob, startServer } from "./harness.js";

function chunkPath(jobId: string, sequence: number, offset: number, size: number): string {
  return `jobs/${jobId}/chunks?sequence=${sequence}&offset=${offset}&size=${size}`;
}

const CHUNK_HEADERS = { "Content-Type": "text/plain", "Content-Encoding": "gzip" };

describe("log chunks", () => {
  it("reassembles chunks sent out of order by three concurrent uploaders", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const pieces = Array.from({ length: 30 }, (_, i) => `line ${i} ${"x".repeat(i * 37)}\n`);
    const chunks = pieces.map((text, i) => ({
      sequence: i + 1,
      offset: pieces.slice(0, i).reduce((n, p) => n + Buffer.byteLength(p), 0),
      text,
    }));
    // A fixed shuffle, then three workers pulling from the queue, as the agent's uploaders do.
    const queue = [...chunks].sort((a, b) => ((a.sequence * 7919) % 31) - ((b.sequence * 7919) % 31));
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const answer = await call(endpoint, "POST", chunkPath(job.id, next.sequence, next.offset, Buffer.byteLength(next.text)), {
          token: job.token,
          headers: CHUNK_HEADERS,
          body: gzipSync(next.text),
        });
        expect(answer.status).toBe(201);
        expect(answer.json).toEqual({});
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(await server.jobLog(job.id)).toBe(pieces.join(""));
    expect(server.chunks(job.id).map((c) => c.sequence)).toEqual(chunks.map((c) => c.sequence));
  });

  it.each([
    ["longer than size", "hello world", 5],
    ["shorter than size", "hi", 10],
  ])("answers 422 for a chunk whose gunzipped body is %s", async (_name, text, size) => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const answer = await call(endpoint, "POST", chunkPath(job.id, 1, 0, size), { token: job.token, headers: CHUNK_HEADERS, body: gzipSync(text) });
    expect(answer.status).toBe(422);
    expect(answer.json.message).toMatch(/size mismatch/);
    expect(server.chunks(job.id)).toEqual([]);
  });

  it("answers 400 for a body that is not gzip and for missing query parameters", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    const notGzip = await call(endpoint, "POST", chunkPath(job.id, 1, 0, 5), { token: job.token, body: Buffer.from("hello") });
    expect(notGzip.status).toBe(400);
    const noSize = await call(endpoint, "POST", `jobs/${job.id}/chunks?sequence=1&offset=0`, { token: job.token, body: gzipSync("hello") });
    expect(noSize.status).toBe(400);
    expect(noSize.json.message).toMatch(/size/);
    const negative = await call(endpoint, "POST", `jobs/${job.id}/chunks?sequence=1&offset=-1&size=5`, { token: job.token, body: gzipSync("hello") });
    expect(negative.status).toBe(400);
  });

  it("keeps one copy of a chunk re-sent with the same sequence", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    for (let i = 0; i < 2; i++) {
      await call(endpoint, "POST", chunkPath(job.id, 1, 0, 4), { token: job.token, body: gzipSync("abc\n") });
    }
    expect(await server.jobLog(job.id)).toBe("abc\n");
  });

  it("refuses chunks after the job finished", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    await call(endpoint, "PUT", `jobs/${job.id}/finish`, { token: job.token, body: { exit_status: "0", chunks_failed_count: 0 } });
    const late = await call(endpoint, "POST", chunkPath(job.id, 1, 0, 4), { token: job.token, body: gzipSync("abc\n") });
    expect(late.status).toBe(422);
  });

  it("emits chunk.received with sequence, offset and size", async () => {
    const { server, endpoint } = await startServer();
    const { job } = await runningJob(server, endpoint);
    await call(endpoint, "POST", chunkPath(job.id, 1, 0, 4), { token: job.token, body: gzipSync("abc\n") });
    expect(await server.waitForEvent("chunk.received", { signal: AbortSignal.timeout(1000) })).toMatchObject({
      jobId: job.id,
      sequence: 1,
      offset: 0,
      size: 4,
    });
  });
});
