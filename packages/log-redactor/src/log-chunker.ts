import { LogRedactorError } from "./errors.js";

/** One piece of the job log, as `POST jobs/{id}/chunks` sends it (before gzip). */
export interface LogChunk {
  /** 1 for the first chunk of a job, then +1 per chunk. */
  readonly sequence: number;
  /** Uncompressed bytes in all earlier chunks. */
  readonly offset: number;
  /** Uncompressed bytes in this chunk (`data.length`). */
  readonly size: number;
  readonly data: Buffer;
}

/** Settings of a LogChunker. */
export interface LogChunkerOptions {
  /** The job's `chunks_max_size_bytes`: no chunk is larger. */
  readonly maxChunkSizeBytes: number;
}

/**
 * Cuts the processed log into chunks of at most `maxChunkSizeBytes`, numbering them
 * (agent-api.md §4). A chunk is cut as soon as `maxChunkSizeBytes` are buffered, and
 * `flush()` (every `chunks_interval`, and at the end) cuts whatever is left. So it
 * buffers at most one partial chunk plus the cut chunks not yet `read()`.
 *
 * Writes of at least half a chunk may be kept by reference (see `write`): do not
 * reuse a buffer after writing it.
 */
export class LogChunker {
  private readonly max: number;
  private staging: Buffer | undefined;
  private staged = 0;
  private readonly ready: LogChunk[] = [];
  private readyHead = 0;
  private readyBytes = 0;
  private sequence = 0;
  private offset = 0;

  constructor(options: LogChunkerOptions) {
    const max = options.maxChunkSizeBytes;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new LogRedactorError("INVALID_OPTION", `LogChunker: option maxChunkSizeBytes must be a positive integer, got ${max}`);
    }
    this.max = max;
  }

  /** Bytes held: the partial chunk plus chunks cut but not yet read. */
  get bufferedBytes(): number {
    return this.staged + this.readyBytes;
  }

  /**
   * Appends log bytes. Small writes are copied into the partial chunk, which is cut
   * when full. A write of at least half a chunk that arrives when nothing is
   * buffered is not copied: it becomes chunks of its own (≤ max; a tail under half a
   * chunk is buffered), so chunks stay between half and all of the maximum, and the
   * buffer must not be modified afterwards. Copying every byte into fresh chunk
   * buffers was a third of the pipeline's memory churn, and so of its peak RSS.
   */
  write(data: Uint8Array): void {
    const half = Math.ceil(this.max / 2);
    let from = 0;
    while (from < data.length) {
      const left = data.length - from;
      if (this.staged === 0 && left >= half) {
        const size = left < this.max ? left : this.max;
        this.cut(Buffer.from(data.buffer, data.byteOffset + from, size));
        from += size;
        continue;
      }
      if (this.staging === undefined) this.staging = Buffer.allocUnsafe(this.max);
      const room = this.max - this.staged;
      const take = left < room ? left : room;
      this.staging.set(data.subarray(from, from + take), this.staged);
      this.staged += take;
      from += take;
      if (this.staged === this.max) {
        const full = this.staging;
        this.staging = undefined;
        this.staged = 0;
        this.cut(full);
      }
    }
  }

  /** Cuts the buffered partial chunk, if any, so `read()` returns it. */
  flush(): void {
    if (this.staged === 0) return;
    // Copy to an exact-size buffer so the chunk does not pin a max-size allocation.
    const data = Buffer.from(this.staging!.subarray(0, this.staged));
    this.staged = 0;
    this.cut(data);
  }

  /** The next cut chunk, in sequence order, or undefined. */
  read(): LogChunk | undefined {
    if (this.readyHead === this.ready.length) return undefined;
    const chunk = this.ready[this.readyHead]!;
    this.ready[this.readyHead++] = undefined as never;
    this.readyBytes -= chunk.size;
    if (this.readyHead === this.ready.length) {
      this.ready.length = 0;
      this.readyHead = 0;
    }
    return chunk;
  }

  private cut(data: Buffer): void {
    const chunk: LogChunk = { sequence: ++this.sequence, offset: this.offset, size: data.length, data };
    this.offset += data.length;
    this.readyBytes += data.length;
    this.ready.push(chunk);
  }
}
