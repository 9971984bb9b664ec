import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors.js";

/**
 * Reads a whole request body, refusing more than `limit` bytes with 413. Bodies are
 * small JSON documents or log chunks; artifact files never come through here (they
 * stream to disk). On overflow the rest of the body is discarded unread rather than
 * the socket destroyed, so the client still receives the 413.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      parts.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(parts, total));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onAborted = () => onError(new Error("request aborted by the client"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `Request body is larger than the ${limit} bytes this server accepts`);
}

/**
 * Parses a JSON body. An empty body is `undefined` (several calls send none); text
 * that is not JSON is a 400, as Rails answers a parse error.
 */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    // Not V8's message: it quotes the body, which may hold a token or a secret.
    throw new HttpError(400, "Request body is not valid JSON");
  }
}
