import { Transform, type TransformCallback } from "node:stream";
import { LogChunker, type LogChunk, type LogChunkerOptions } from "./log-chunker.js";
import { chunkBytes, type StreamOptions } from "./stream-options.js";

/** Settings of a LogChunkStream. */
export interface LogChunkStreamOptions extends LogChunkerOptions, StreamOptions {
  /**
   * Cut chunks queued for the reader before writes wait (backpressure). The stream
   * then holds at most this many chunks, one partial chunk, and the chunks cut from
   * the write in progress. @default 8
   */
  readonly maxQueuedChunks?: number;
}

/**
 * Log bytes in, LogChunk objects out (an object-mode readable side, so
 * `for await (const chunk of stream)` works). Full chunks come out as soon as they
 * are full; `flush()` cuts the partial one (the agent calls it every
 * `chunks_interval`); the end of input flushes too.
 */
export class LogChunkStream extends Transform {
  private readonly chunker: LogChunker;

  constructor(options: LogChunkStreamOptions) {
    super({ readableObjectMode: true, readableHighWaterMark: options.maxQueuedChunks ?? 8, signal: options.signal });
    this.chunker = new LogChunker(options);
  }

  /** Cuts what is buffered into a chunk now. */
  flush(): void {
    this.chunker.flush();
    this.drain();
  }

  override _transform(chunk: unknown, encoding: BufferEncoding, callback: TransformCallback): void {
    this.chunker.write(chunkBytes(chunk, encoding));
    this.drain();
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.flush();
    callback();
  }

  private drain(): void {
    let chunk: LogChunk | undefined;
    while ((chunk = this.chunker.read()) !== undefined) this.push(chunk);
  }
}

/** Creates a LogChunkStream. */
export function createLogChunkStream(options: LogChunkStreamOptions): LogChunkStream {
  return new LogChunkStream(options);
}
