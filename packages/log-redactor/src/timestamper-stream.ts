import { Transform, type TransformCallback } from "node:stream";
import { chunkBytes, type StreamOptions } from "./stream-options.js";
import { Timestamper, type TimestamperOptions } from "./timestamper.js";

/** A Timestamper as a byte Transform. */
export class TimestamperStream extends Transform {
  /** The synchronous timestamper doing the work (its `bytesOut` counts stamps too). */
  readonly timestamper: Timestamper;

  constructor(options: TimestamperOptions & StreamOptions = {}) {
    super({ signal: options.signal });
    this.timestamper = new Timestamper(options);
  }

  override _transform(chunk: unknown, encoding: BufferEncoding, callback: TransformCallback): void {
    const out = this.timestamper.write(chunkBytes(chunk, encoding));
    if (out.length > 0) this.push(out);
    callback();
  }
}

/** Creates a TimestamperStream: inserts ANSI timestamps (see Timestamper). */
export function createTimestamperStream(options: TimestamperOptions & StreamOptions = {}): TimestamperStream {
  return new TimestamperStream(options);
}

