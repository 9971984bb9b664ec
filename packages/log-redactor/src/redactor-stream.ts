import { Transform, type TransformCallback } from "node:stream";
import { Redactor, type RedactorOptions } from "./redactor.js";
import { chunkBytes, type StreamOptions } from "./stream-options.js";

/**
 * A Redactor as a byte Transform. `add`, `reset` and `flush` act on the bytes
 * transformed so far (writes still queued behind backpressure come after them).
 */
export class RedactorStream extends Transform {
  /** The synchronous redactor doing the work. */
  readonly redactor: Redactor;

  constructor(options: RedactorOptions & StreamOptions = {}) {
    super({ signal: options.signal });
    this.redactor = new Redactor(options);
  }

  /** See `Redactor.add`. */
  add(secrets: Iterable<string | Uint8Array>): void {
    this.redactor.add(secrets);
  }

  /** See `Redactor.reset`. */
  reset(secrets: Iterable<string | Uint8Array>): void {
    this.redactor.reset(secrets);
  }

  /** Releases held bytes now (after each hook, after the command); see `Redactor.flush`. */
  flush(): void {
    const out = this.redactor.flush();
    if (out.length > 0) this.push(out);
  }

  override _transform(chunk: unknown, encoding: BufferEncoding, callback: TransformCallback): void {
    const out = this.redactor.write(chunkBytes(chunk, encoding));
    if (out.length > 0) this.push(out);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.flush();
    callback();
  }
}

/** Creates a RedactorStream: job output in, redacted output out; held bytes are released at end. */
export function createRedactorStream(options: RedactorOptions & StreamOptions = {}): RedactorStream {
  return new RedactorStream(options);
}

