import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { request } from "node:http";
import { Environment } from "../../src/environment.js";
import type { CheckoutOverrideMode } from "../../src/protected-env.js";
import {
  JobApiServer,
  type JobApiEndpoint,
  type JobApiServerOptions,
  type PromiseFailureDeclarer,
} from "../../src/job-api/index.js";

/** A fresh temp dir (short: socket paths are limited to 108 bytes), removed after the current test. */
export function makeTempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobapi-"));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A started server with what the test needs to poke it. */
export interface Started extends JobApiEndpoint {
  readonly server: JobApiServer;
  readonly environment: Environment;
  readonly redactions: string[];
}

/** Starts a Job API server in its own sockets dir and closes it after the current test. */
export async function startServer(
  options: {
    env?: Record<string, string>;
    mode?: CheckoutOverrideMode;
    promiseFailure?: PromiseFailureDeclarer;
  } & Partial<JobApiServerOptions> = {},
): Promise<Started> {
  const socketsPath = fs.mkdtempSync(path.join(os.tmpdir(), "jas-"));
  const environment = options.environment ?? new Environment(options.env ?? { FOO: "bar", BUILDKITE_REPO: "git@x:y.git" });
  const redactions: string[] = [];
  const server = new JobApiServer({
    mode: "from-job",
    onRedaction: (value) => redactions.push(value),
    promiseFailure: async () => ({ accepted: true, upstreamStatus: 200 }),
    ...options,
    environment,
    socketsPath,
  });
  const endpoint = await server.start();
  cleanups.push(async () => {
    await server.close();
    fs.rmSync(socketsPath, { recursive: true, force: true });
  });
  return { ...endpoint, server, environment, redactions };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A raw HTTP answer. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * One raw HTTP request over the socket (no client library), so tests see the exact bytes.
 * `auth` is the whole Authorization header; undefined sends none.
 */
export function raw(
  socketPath: string,
  method: string,
  urlPath: string,
  options: { auth?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth !== undefined) headers.Authorization = options.auth;
    // Node frames a DELETE body only with an explicit length (no chunked default for DELETE).
    if (options.body !== undefined && headers["Transfer-Encoding"] === undefined) {
      headers["Content-Length"] = String(Buffer.byteLength(options.body));
    }
    const req = request(
      { socketPath, method, path: urlPath, headers, agent: false, signal: AbortSignal.timeout(10_000) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** `raw` with the right token, for route tests. */
export function call(started: Started, method: string, route: string, body?: unknown): Promise<RawResponse> {
  return raw(started.socketPath, method, `/api/current-job/v0${route}`, {
    auth: `Bearer ${started.token}`,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

/** Pipe handles (listening or connected Unix sockets) alive in this process, by type. */
export function pipeHandles(): string[] {
  return process.getActiveResourcesInfo().filter((type) => type.startsWith("Pipe"));
}
