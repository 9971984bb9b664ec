import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { queryInteger } from "../body-fields.js";
import { HttpError } from "../errors.js";
import { ACTIVE_STATES } from "../job-states.js";
import type { Handler } from "../route-context.js";

const gunzipAsync = promisify(gunzip);

/** `POST jobs/{id}/chunks?sequence=&offset=&size=`: one gzip log chunk. */
export const chunkHandlers = {
  "chunks.upload": async (ctx) => {
    const { core } = ctx;
    const job = ctx.job();
    const sequence = queryInteger(ctx.query, "sequence");
    const offset = queryInteger(ctx.query, "offset");
    const size = queryInteger(ctx.query, "size");
    if (sequence < 1) throw new HttpError(400, "Query parameter sequence must start at 1");
    const body = await ctx.raw();
    let plain: Buffer;
    try {
      // One byte over `size` is enough to know the chunk lies; never inflate more
      // (a small gzip body can expand enormously).
      plain = await gunzipAsync(body, { maxOutputLength: size + 1 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw sizeMismatch(size, "more");
      throw new HttpError(400, "Chunk body is not valid gzip data");
    }
    if (plain.length !== size) throw sizeMismatch(size, plain.length > size ? "more" : String(plain.length));
    if (!ACTIVE_STATES.has(job.state)) throw new HttpError(422, `Job ${job.id} is ${job.state}; it takes no more log chunks`);
    // Keyed by sequence, so a chunk re-sent after a lost answer replaces itself.
    core.store.chunks.set(job.id, String(sequence), {
      jobId: job.id,
      sequence,
      offset,
      size,
      gzip: body,
      receivedAt: core.now(),
    });
    core.emit("chunk.received", { jobId: job.id, sequence, offset, size });
    return { status: 201, body: {} };
  },
} satisfies Record<string, Handler>;

function sizeMismatch(size: number, actual: string): HttpError {
  return new HttpError(422, `Chunk size mismatch: size=${size} but the body gunzips to ${actual} bytes`);
}
