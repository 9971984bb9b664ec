import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { CallOptions } from "./call-options.js";
import { exchange, type ClientCore } from "./exchange.js";
import { railsPathEscape } from "./path-escape.js";

const gzipAsync = promisify(gzip);

/** One piece of a job's log. */
export interface Chunk {
  /** The raw (uncompressed) bytes. */
  readonly data: Uint8Array;
  /** Starts at 1 and grows by 1 per chunk of the job. */
  readonly sequence: number;
  /** Uncompressed bytes of all earlier chunks. */
  readonly offset: number;
}

/** What an upload sent. */
export interface ChunkUploadResult {
  /** Size of the gzip body, for metrics. */
  readonly compressedBytes: number;
}

/**
 * `POST jobs/{id}/chunks?sequence=S&offset=O&size=N` with the gzipped bytes
 * (`Content-Type: text/plain`, `Content-Encoding: gzip`, no JSON, no
 * `Buildkite-Timeout-Milliseconds`). 12 attempts, ExponentialSubsecond(2 s) +
 * jitter, 1 h deadline; any 4xx (429 included) drops the chunk at once: the
 * caller counts it in `chunks_failed_count`.
 */
export async function uploadChunk(
  core: ClientCore,
  jobId: string,
  chunk: Chunk,
  options: CallOptions = {},
): Promise<ChunkUploadResult> {
  const body = await gzipAsync(chunk.data);
  await exchange(core, {
    call: "uploadChunk",
    method: "POST",
    path: `jobs/${railsPathEscape(jobId)}/chunks?sequence=${chunk.sequence}&offset=${chunk.offset}&size=${chunk.data.byteLength}`,
    raw: { body, headers: { "Content-Type": "text/plain", "Content-Encoding": "gzip" } },
    signal: options.signal,
  });
  return { compressedBytes: body.length };
}
