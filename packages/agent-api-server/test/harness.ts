import { readFileSync } from "node:fs";
import { AgentApiServer, type AgentApiServerOptions, type JobOptions, type JobRecord } from "../src/index.js";

/** Buildkite's pipeline schema, read from the shared conformance area at run time. */
export const PIPELINE_SCHEMA_DIR = new URL("../../../../shared/conformance/pipeline-schema/", import.meta.url);
export function loadPipelineSchema(): object {
  return JSON.parse(readFileSync(new URL("schema.json", PIPELINE_SCHEMA_DIR), "utf8")) as object;
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public ms = Date.parse("2026-08-20T01:00:00.000Z")) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

const open = new Set<AgentApiServer>();
// Registered when a test file imports this module: every server a test starts is
// closed after that test, whatever the test's outcome.
afterEach(async () => {
  const servers = [...open];
  open.clear();
  await Promise.all(servers.map((server) => server.close()));
});

/** A listening server, closed after the current test. */
export async function startServer(options: AgentApiServerOptions = {}): Promise<{ server: AgentApiServer; endpoint: string }> {
  const server = new AgentApiServer({ registrationToken: "reg-token", ...options });
  open.add(server);
  const { endpoint } = await server.listen();
  return { server, endpoint };
}

/** What came back from one request. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** One request with plain fetch; `body` objects are sent as JSON. */
export async function call(
  endpoint: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers["Authorization"] = `Token ${options.token}`;
  let body: string | Buffer | undefined;
  if (Buffer.isBuffer(options.body) || typeof options.body === "string") body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] = "application/json";
  }
  const res = await fetch(`${endpoint}/${path}`, { method, headers, body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Registers and connects an agent; returns its id and access token. */
export async function registerAgent(
  endpoint: string,
  body: Record<string, unknown> = {},
): Promise<{ id: string; token: string; register: Answer }> {
  const register = await call(endpoint, "POST", "register", {
    token: "reg-token",
    body: { name: "agent-1", hostname: "host", meta_data: ["queue=default"], ...body },
  });
  expect(register.status).toBe(200);
  const token = register.json.access_token as string;
  expect((await call(endpoint, "POST", "connect", { token })).status).toBe(200);
  return { id: register.json.id as string, token, register };
}

/** A job an agent has pinged for, accepted and started: the usual state for job-side calls. */
export async function runningJob(
  server: AgentApiServer,
  endpoint: string,
  jobOptions: JobOptions = { command: "make test" },
): Promise<{ job: JobRecord; agent: { id: string; token: string }; buildId: string }> {
  const build = server.createBuild({ pipelineSlug: "app", repo: "git@github.com:acme/app.git", jobs: [jobOptions] });
  const agent = await registerAgent(endpoint);
  const ping = await call(endpoint, "GET", "ping", { token: agent.token });
  expect(ping.json.job?.id).toBeDefined();
  const jobId = ping.json.job.id as string;
  expect((await call(endpoint, "PUT", `jobs/${jobId}/accept`, { token: agent.token })).status).toBe(200);
  const job = server.job(jobId)!;
  const start = await call(endpoint, "PUT", `jobs/${jobId}/start`, {
    token: job.token,
    body: { started_at: "2026-08-20T01:02:03.123456789Z" },
  });
  expect(start.status).toBe(200);
  return { job: server.job(jobId)!, agent, buildId: build.id };
}
