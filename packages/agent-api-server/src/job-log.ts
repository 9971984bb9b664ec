import { Readable } from "node:stream";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import type { ServerCore } from "./server-core.js";
import type { ChunkRecord } from "./store.js";

const gunzipAsync = promisify(gunzip);

/** A job's chunks in log order: by offset, then sequence (chunks arrive out of order). */
export function chunksInOrder(core: ServerCore, jobId: string): ChunkRecord[] {
  return core.store.chunks.values(jobId).sort((a, b) => a.offset - b.offset || a.sequence - b.sequence);
}

/** The assembled log as a stream: one chunk inflated at a time, so memory stays at one chunk. */
export function jobLogStream(core: ServerCore, jobId: string): Readable {
  const chunks = chunksInOrder(core, jobId);
  return Readable.from(
    (async function* () {
      for (const chunk of chunks) yield await gunzipAsync(chunk.gzip);
    })(),
    { objectMode: false },
  );
}
