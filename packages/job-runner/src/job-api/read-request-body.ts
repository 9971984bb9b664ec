import type { IncomingMessage } from "node:http";

/** A request body over the server's limit (answered 413). */
export class RequestBodyTooLargeError extends Error {
  override readonly name = "RequestBodyTooLargeError";
}

/**
 * Reads a small JSON request body as UTF-8, refusing more than `limit` bytes:
 * a declared `Content-Length` over it fails at once, an undeclared one as soon
 * as it grows past it. The rest of an oversized body is drained, never kept, so
 * memory stays bounded and the client can still read the 413.
 */
export function readRequestBody(request: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = (): RequestBodyTooLargeError =>
    new RequestBodyTooLargeError(`request body too large: the limit is ${limit} bytes`);
  if (Number(request.headers["content-length"] ?? "0") > limit) {
    request.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      chunks.length = 0;
      // Still flowing with no listener: the rest is read and dropped.
      request.on("error", () => {});
      reject(tooLarge());
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size).toString("utf8"));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onError);
  });
}
