import { Transform, type TransformCallback } from "node:stream";
import { HeaderTimeObserver, type HeaderTimeObserverOptions } from "./header-time-observer.js";
import { chunkBytes, type StreamOptions } from "./stream-options.js";

/** A pass-through Transform that runs a HeaderTimeObserver on the bytes flowing by. */
export class HeaderTimeStream extends Transform {
  private readonly observer: HeaderTimeObserver;

  constructor(options: HeaderTimeObserverOptions & StreamOptions) {
    super({ signal: options.signal });
    this.observer = new HeaderTimeObserver(options);
  }

  override _transform(chunk: unknown, encoding: BufferEncoding, callback: TransformCallback): void {
    const bytes = chunkBytes(chunk, encoding);
    this.observer.observe(bytes);
    this.push(bytes);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.observer.end();
    callback();
  }
}

/** Creates a HeaderTimeStream: bytes pass through unchanged, headers go to `onHeader`. */
export function createHeaderTimeStream(options: HeaderTimeObserverOptions & StreamOptions): HeaderTimeStream {
  return new HeaderTimeStream(options);
}
