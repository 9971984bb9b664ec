import { AgentApiServer, type AgentApiServerOptions } from "@agent/agent-api-server";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import http from "node:http";
import { startAgentPool, type AgentPool, type AgentPoolOptions, type Logger } from "../src/index.js";

/** The fixture executor: runs `$BUILDKITE_COMMAND` with /bin/sh. */
export const BOOTSTRAP = fileURLToPath(new URL("fixtures/bootstrap.sh", import.meta.url));
export const REGISTRATION_TOKEN = "reg-token-123456";

const servers = new Set<AgentApiServer>();
const proxies = new Set<http.Server>();
const pools = new Set<AgentPool>();
const dirs = new Set<string>();

// Registered by every test file that imports this module: whatever a test's
// outcome, its pools are stopped, servers closed and temp dirs removed, and no
// process started by an agent of this test process may survive.
afterEach(async () => {
  const running = [...pools];
  pools.clear();
  await Promise.all(running.map((pool) => pool.stop("forceful")));
  await Promise.all([...servers].map((server) => server.close()));
  servers.clear();
  for (const proxy of proxies) proxy.closeAllConnections();
  await Promise.all([...proxies].map((proxy) => new Promise((resolve) => proxy.close(resolve))));
  proxies.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
  expect(await agentProcesses()).toEqual([]);
});

/** Pids of live processes whose environment says they were started by an agent in this process. */
export async function agentProcesses(): Promise<number[]> {
  const marker = `BUILDKITE_AGENT_PID=${process.pid}\0`;
  const found: number[] = [];
  // A cancelled group may take a moment to be reaped.
  for (let attempt = 0; attempt < 20; attempt++) {
    found.length = 0;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.startsWith("Z")) continue;
        if (readFileSync(`/proc/${entry}/environ`, "latin1").includes(marker)) found.push(Number(entry));
      } catch {
        // Gone meanwhile, or not ours to read.
      }
    }
    if (found.length === 0) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return found;
}

/** A temp dir removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agent-worker-"));
  dirs.add(dir);
  return dir;
}

/** A listening Agent API server, closed after the test. */
export async function startServer(options: AgentApiServerOptions = {}): Promise<AgentApiServer> {
  const server = new AgentApiServer({ registrationToken: REGISTRATION_TOKEN, ...options });
  servers.add(server);
  await server.listen({ host: "127.0.0.1", port: 0 });
  return server;
}

/** Recorded API retry waits (they return at once). */
export interface RetryWaits {
  readonly delays: number[];
}

/**
 * A pool against `server` with test defaults: no jitter (random 0), instant API
 * retries (recorded), the fixture executor, a fresh build path. Stopped after the test.
 */
export function startPool(server: AgentApiServer, overrides: Partial<AgentPoolOptions> = {}): { pool: AgentPool; retries: RetryWaits } {
  const retries: RetryWaits = { delays: [] };
  const pool = startAgentPool({
    endpoint: server.endpoint,
    token: REGISTRATION_TOKEN,
    name: "test-%spawn",
    buildPath: path.join(tempDir(), "builds"),
    executor: { command: BOOTSTRAP, args: [] },
    env: { PATH: "/usr/bin:/bin", HOME: os.tmpdir() },
    jobContextDir: tempDir(),
    noPty: true,
    cancelGracePeriod: 3,
    clock: { random: () => 0 },
    retrySleep: async (ms) => {
      retries.delays.push(ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
    ...overrides,
  });
  pools.add(pool);
  return { pool, retries };
}

/** Waits (bounded) for the job to finish on the server. */
export async function jobFinished(server: AgentApiServer, jobId: string, ms = 20_000) {
  return server.waitForEvent("job.finished", { match: (e) => e.jobId === jobId, signal: AbortSignal.timeout(ms) });
}

/** Resolves with `promise`, or with "timed out" after `ms` (so a hang fails the test clearly). */
export async function within<T>(ms: number, promise: Promise<T>): Promise<T | "timed out"> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<"timed out">((resolve) => (timer = setTimeout(() => resolve("timed out"), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The log with ANSI timestamps removed. */
export function stripTimestamps(log: string): string {
  return log.replace(/\x1b_bk;t=\d+\x07/g, "");
}

/** Every line a pool logged, as `level: message {fields}`. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string, fields?: object) =>
    lines.push(`${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}`);
  return { logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") }, lines };
}

/**
 * A real HTTP proxy in front of `server` that lets `rewrite` change the JSON of
 * 200 answers (by request path), and `answer` reply to a request itself instead
 * (returning true when it did). The register answer's `endpoint` is dropped so
 * the agent stays behind the proxy. Returns the proxy's endpoint; closed after the test.
 */
export async function startRewritingProxy(
  server: AgentApiServer,
  rewrite: (path: string, json: Record<string, unknown>) => void,
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => boolean = () => false,
): Promise<string> {
  const proxy = http.createServer((req, res) => {
    if (answer(req, res)) return;
    const target = new URL(req.url!, server.endpoint);
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
      const parts: Buffer[] = [];
      answer.on("data", (part: Buffer) => parts.push(part));
      answer.on("end", () => {
        let body = Buffer.concat(parts);
        if (answer.statusCode === 200 && body.length > 0 && /json/.test(String(answer.headers["content-type"]))) {
          const json = JSON.parse(body.toString());
          if (req.url!.endsWith("/register")) delete json.endpoint;
          rewrite(req.url!, json);
          body = Buffer.from(JSON.stringify(json));
        }
        res.writeHead(answer.statusCode!, { ...answer.headers, "content-length": String(body.length) });
        res.end(body);
      });
    });
    req.pipe(upstream);
  });
  proxies.add(proxy);
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(proxy.address() as { port: number }).port}/v3`;
}
