/** Options every stream of this package takes. */
export interface StreamOptions {
  /** Destroys the stream (with `signal.reason`) when aborted. */
  readonly signal?: AbortSignal;
}

/** The bytes of a chunk written to one of our Transforms (strings are encoded as given). */
export function chunkBytes(chunk: unknown, encoding: BufferEncoding): Uint8Array {
  return typeof chunk === "string" ? Buffer.from(chunk, encoding) : (chunk as Uint8Array);
}
