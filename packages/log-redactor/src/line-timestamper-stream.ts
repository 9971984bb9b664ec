import { Transform, type TransformCallback } from "node:stream";
import { LineTimestamper, type LineTimestamperOptions } from "./line-timestamper.js";
import { chunkBytes, type StreamOptions } from "./stream-options.js";

/** A LineTimestamper (`timestamp-lines` mode) as a byte Transform; the end of input terminates the last line. */
export class LineTimestamperStream extends Transform {
  private readonly prefixer: LineTimestamper;

  constructor(options: LineTimestamperOptions & StreamOptions = {}) {
    super({ signal: options.signal });
    this.prefixer = new LineTimestamper(options);
  }

  override _transform(chunk: unknown, encoding: BufferEncoding, callback: TransformCallback): void {
    const out = this.prefixer.write(chunkBytes(chunk, encoding));
    if (out.length > 0) this.push(out);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const out = this.prefixer.end();
    if (out.length > 0) this.push(out);
    callback();
  }
}

/** Creates a LineTimestamperStream. */
export function createLineTimestamperStream(options: LineTimestamperOptions & StreamOptions = {}): LineTimestamperStream {
  return new LineTimestamperStream(options);
}
