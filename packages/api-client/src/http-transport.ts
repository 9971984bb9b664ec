import http from "node:http";
import https from "node:https";
import type { Got } from "got";

/** One HTTP exchange as the client layer sees it; got stays behind this file. */
export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Sent as-is; for POST/PUT/PATCH without one an empty body (`Content-Length: 0`) is sent, as Go does. */
  readonly body?: Buffer;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Cap on a 2xx body the caller will parse; larger ⇒ {@link TransportFailure} `too-large`. */
  readonly maxBodyBytes: number;
  /** Whether the caller needs a 2xx body; if not, it is drained without being kept. */
  readonly wantBody: boolean;
}

/** A response with a bounded body (error bodies are truncated to {@link ERROR_BODY_LIMIT}). */
export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/**
 * Why no usable response arrived. Thrown by {@link HttpTransport.send}; the client
 * turns it into an `ApiError`. `message`/`code` are copied from the underlying
 * error, never the error itself (got's carries the request headers).
 */
export class TransportFailure extends Error {
  constructor(
    readonly kind: "network" | "timeout" | "aborted" | "too-large",
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * How much of a non-2xx body we read for its `{"message"}`: error pages can be
 * large HTML and the message is a sentence.
 */
const ERROR_BODY_LIMIT = 64 * 1024;

// got costs a process about 16 MB and tens of milliseconds to load; commands
// that only use this package's helpers (`env dump`, `workdir set`) never pay it.
let loadingGot: Promise<Got> | undefined;
const loadGot = (): Promise<Got> => (loadingGot ??= import("got").then((module) => module.default));

/** Owns the keep-alive sockets shared by a client and the clients derived from it. */
export class HttpTransport {
  readonly #httpAgent = new http.Agent({ keepAlive: true });
  readonly #httpsAgent = new https.Agent({ keepAlive: true });

  /** Closes every pooled socket; in-flight requests fail. */
  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  /** Sends one request (no retries: those are the retrier's) and reads its body, bounded. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    // got keeps its abort listener after a request completes and would then destroy
    // the finished stream with no error listener: give it a signal of its own that
    // follows the caller's only while this request runs.
    const local = new AbortController();
    const follow = (): void => local.abort(request.signal.reason);
    if (request.signal.aborted) follow();
    else request.signal.addEventListener("abort", follow, { once: true });
    try {
      return await this.#send(request, local.signal);
    } finally {
      request.signal.removeEventListener("abort", follow);
    }
  }

  async #send(request: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
    const got = await loadGot();
    const needsEmptyBody = request.body === undefined && /^(POST|PUT|PATCH)$/.test(request.method);
    const stream = got.stream(request.url, {
      method: request.method as "GET",
      headers: request.headers,
      ...(request.body !== undefined || needsEmptyBody ? { body: request.body ?? Buffer.alloc(0) } : {}),
      agent: { http: this.#httpAgent, https: this.#httpsAgent },
      retry: { limit: 0 },
      throwHttpErrors: false,
      decompress: true,
      timeout: { request: request.timeoutMs },
      signal,
    });
    stream.on("error", () => {}); // errors surface through the iterator below
    // got's stream is a duplex: for a method that may carry a body and was given
    // none (DELETE), the request is only sent once the writable side ends.
    if (request.body === undefined && !needsEmptyBody && request.method !== "GET") stream.end();
    let response: http.IncomingMessage | undefined;
    let refused: TransportFailure | undefined;
    stream.once("response", (res: http.IncomingMessage) => {
      response = res;
      const status = res.statusCode ?? 0;
      const length = Number(res.headers["content-length"] ?? 0);
      if (status >= 200 && status <= 299 && request.wantBody && length > request.maxBodyBytes) {
        // Refuse before reading: the header already says it is too large.
        refused = tooLarge(request.maxBodyBytes);
        stream.destroy();
      }
    });
    const chunks: Buffer[] = [];
    let kept = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const status = response?.statusCode ?? 0;
        const ok = status >= 200 && status <= 299;
        const limit = ok ? (request.wantBody ? request.maxBodyBytes : 0) : ERROR_BODY_LIMIT;
        if (kept + chunk.length > limit) {
          if (ok && request.wantBody) {
            stream.destroy();
            throw tooLarge(request.maxBodyBytes);
          }
          if (!ok) {
            // Enough of an error page for its message; the rest is not worth the wait.
            chunks.push(chunk.subarray(0, limit - kept));
            kept = limit;
            stream.destroy();
            break;
          }
          continue; // a body nobody reads: drain it, keep nothing
        }
        chunks.push(chunk);
        kept += chunk.length;
      }
    } catch (error) {
      stream.destroy();
      throw refused ?? toTransportFailure(error, signal);
    }
    if (refused) throw refused;
    if (!response) throw new TransportFailure("network", "no response", undefined);
    return {
      status: response.statusCode ?? 0,
      statusText: response.statusMessage || http.STATUS_CODES[response.statusCode ?? 0] || "",
      headers: response.headers,
      body: Buffer.concat(chunks),
    };
  }
}

function tooLarge(limit: number): TransportFailure {
  return new TransportFailure("too-large", `response body is larger than ${limit} bytes`, undefined);
}

function toTransportFailure(error: unknown, signal: AbortSignal): TransportFailure {
  if (error instanceof TransportFailure) return error;
  const err = error as { name?: string; code?: string; message?: string };
  const message = err.message ?? String(error);
  if (signal.aborted) return new TransportFailure("aborted", message, err.code);
  if (err.name === "TimeoutError") return new TransportFailure("timeout", message, err.code);
  return new TransportFailure("network", message, err.code);
}
