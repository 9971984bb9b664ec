import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";

/** How the server answers one request. */
export interface Reply {
  readonly status?: number;
  readonly statusText?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string/Buffer is sent as-is; anything else as JSON. */
  readonly body?: unknown;
  /** Wait this long before answering (bounded by the test's timeout). */
  readonly delayMs?: number;
  /** Destroy the socket instead of answering (a connection reset). */
  readonly destroy?: boolean;
}

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** The raw request target, path and query, exactly as sent. */
  readonly url: string;
  readonly pathname: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: http.IncomingHttpHeaders;
  /** Header names as sent (original case). */
  readonly headerNames: readonly string[];
  readonly rawBody: Buffer;
  /** The body, gunzipped when `Content-Encoding: gzip`. */
  readonly text: string;
}

/** A loopback HTTP server that records requests and answers from a script. */
export interface RecordingServer {
  /** `http://127.0.0.1:<port>/v3`. */
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1:0. `script` is a list of replies used in order (the
 * last repeats), or a function of the request and its index. Close it in teardown.
 */
export async function startServer(
  script: readonly Reply[] | ((request: RecordedRequest, index: number) => Reply),
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks);
      const body = req.headers["content-encoding"] === "gzip" ? zlib.gunzipSync(rawBody) : rawBody;
      const parsed = new URL(req.url ?? "/", "http://x");
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        pathname: parsed.pathname,
        query: Object.fromEntries(parsed.searchParams),
        headers: req.headers,
        headerNames: req.rawHeaders.filter((_, i) => i % 2 === 0),
        rawBody,
        text: body.toString("utf8"),
      };
      const index = requests.length;
      requests.push(recorded);
      const reply = typeof script === "function" ? script(recorded, index) : script[Math.min(index, script.length - 1)]!;
      const answer = (): void => {
        if (reply.destroy) {
          req.socket.destroy();
          return;
        }
        const payload =
          reply.body === undefined
            ? ""
            : typeof reply.body === "string" || Buffer.isBuffer(reply.body)
              ? reply.body
              : JSON.stringify(reply.body);
        res.writeHead(reply.status ?? 200, reply.statusText ?? http.STATUS_CODES[reply.status ?? 200] ?? "", {
          ...(reply.body !== undefined && typeof reply.body !== "string" && !Buffer.isBuffer(reply.body)
            ? { "Content-Type": "application/json" }
            : {}),
          ...reply.headers,
        });
        res.end(payload);
      };
      if (reply.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer();
        }, reply.delayMs);
        timers.add(timer);
      } else answer();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/v3`,
    requests,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
