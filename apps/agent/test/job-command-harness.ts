import { afterEach } from "@jest/globals";
import { createReadStream, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { AgentApiServer, type AgentApiServerOptions, type JobOptions } from "@agent/agent-api-server";
import { ApiClient } from "@agent/api-client";
import type { FlagValue } from "@agent/config";
import { reportFailure } from "../src/failure-report.js";
import { runCli } from "../src/index.js";

/**
 * Runs the in-job commands in-process through `runCli`, as main.ts does —
 * flag parsing, unknown flags, config and missing-argument messages, the
 * logger from `--log-level` — with buffers for stdin, stdout and stderr, and
 * a throw reported as main.ts reports it: the one fatal line.
 */

/** The shared conformance area, read at run time (never copied). */
export const CONFORMANCE = new URL("../../../../shared/conformance/", import.meta.url);

let schema: object | undefined;
/** Buildkite's pipeline schema, for the server to judge uploads by. */
export function pipelineSchema(): object {
  schema ??= JSON.parse(readFileSync(new URL("pipeline-schema/schema.json", CONFORMANCE), "utf8")) as object;
  return schema;
}

/** A running job on a real Agent API server, and the environment the agent gives it. */
export interface JobFixture {
  readonly server: AgentApiServer;
  readonly endpoint: string;
  readonly jobId: string;
  readonly buildId: string;
  readonly stepId: string;
  /** The job's env as the server sent it, plus the access token and endpoint the agent adds. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Starts a server on 127.0.0.1:0 with a build of one job, and takes that job
 * as an agent would: register, ping, accept, start. Close the server in
 * afterEach (`server.close()`).
 */
export async function startJob(
  options: { server?: AgentApiServerOptions; job?: JobOptions } = {},
): Promise<JobFixture> {
  const server = new AgentApiServer({ registrationToken: "reg-token", pipelineSchema: pipelineSchema(), ...options.server });
  const { endpoint } = await server.listen({ host: "127.0.0.1", port: 0 });
  const build = server.createBuild({ pipelineSlug: "app", repo: "https://github.com/acme/app.git" });
  server.createJob(build.id, { command: "make test", key: "test", label: "Test", ...options.job });
  const registrar = new ApiClient({ endpoint, token: "reg-token" });
  try {
    const registration = await registrar.register({
      name: "agent-1",
      hostname: "host",
      os: "linux",
      arch: "amd64",
      scriptEvalEnabled: true,
      ignoreInDispatches: false,
      version: "3.137.0",
      build: "x",
      tags: ["queue=default"],
      features: [],
    });
    const agent = registrar.fromRegistration(registration);
    await agent.connect();
    const ping = await agent.ping();
    if (!ping.job) throw new Error("the server offered no job");
    const job = await agent.acceptJob(ping.job.id);
    await agent.withToken(job.token).startJob(job.id);
    const env = {
      ...job.env,
      BUILDKITE_AGENT_ACCESS_TOKEN: job.token,
      BUILDKITE_AGENT_ENDPOINT: endpoint,
    } as Record<string, string>;
    return {
      server,
      endpoint,
      jobId: job.id,
      buildId: build.id,
      stepId: server.job(job.id)!.step.id,
      env,
    };
  } catch (error) {
    await server.close();
    throw error;
  } finally {
    registrar.close();
  }
}

/** What a command did. */
export interface CommandRun {
  readonly status: number;
  readonly stdout: string;
  /** Log lines and the fatal line, as the real CLI writes them to stderr. */
  readonly stderr: string;
}

/** How to run one command. */
export interface RunOptions {
  /** Flags as given on the command line (`{ default: "x", "dry-run": true }`). */
  readonly flags?: Readonly<Record<string, FlagValue>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Text piped to stdin; `"tty"` stands for no input (a character device, as a terminal or /dev/null is). */
  readonly stdin?: string | "tty";
  readonly cwd?: string;
}


/**
 * Runs `buildkite-agent <words> --no-color <flags> <args>` in-process and
 * collects its output. `--no-color` keeps log lines plain for the assertions;
 * `--` goes before the arguments when one starts with `-`.
 */
export async function runJobCommand(words: string, args: readonly string[], options: RunOptions = {}): Promise<CommandRun> {
  const argv = [
    ...words.split(" "),
    "--no-color",
    ...flagArgs(options.flags ?? {}),
    ...(args.some((arg) => arg.startsWith("-")) ? ["--"] : []),
    ...args,
  ];
  return runCliInProcess(argv, { ...options, env: { PATH: process.env.PATH, HOME: tmpdir(), ...options.env } });
}

/**
 * Runs `buildkite-agent <argv>` in-process, exactly as given, with `env` as
 * the whole environment, and collects its output. A throw is reported as
 * main.ts reports it, so the status is the ExitError's code and a silent exit
 * prints nothing.
 */
export async function runCliInProcess(argv: readonly string[], options: Omit<RunOptions, "flags"> = {}): Promise<CommandRun> {
  const env = options.env ?? {};
  const cwd = options.cwd ?? tmpdir();
  const stdout = new Collector();
  const stderr = new Collector();
  const stdin = options.stdin === "tty" ? noInput() : Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  let status: number;
  try {
    status = await runCli(argv, { stdin, stdout, stderr, env, cwd, executablePath: "/usr/local/bin/buildkite-agent" });
  } catch (error) {
    status = reportFailure(stderr, error);
  } finally {
    if ("destroy" in stdin && typeof stdin.destroy === "function") stdin.destroy();
  }
  // Winston writes asynchronously; let its last lines land.
  await new Promise((resolve) => setImmediate(resolve));
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}

/** The message of the `buildkite-agent: fatal:` line in a run's stderr, if it has one. */
export function fatalLine(stderr: string): string | undefined {
  return /^buildkite-agent: fatal: (.*)$/m.exec(stderr)?.[1];
}

/** Flags as typed on the command line: `--name=value`, a list once per value, a true bool bare. */
function flagArgs(flags: Readonly<Record<string, FlagValue>>): string[] {
  return Object.entries(flags).flatMap(([name, value]) => {
    if (value === true) return [`--${name}`];
    const values = Array.isArray(value) ? value : [value];
    return values.map((each) => `--${name}=${String(each)}`);
  });
}

/** /dev/null as stdin: a character device, so commands treat it as "nothing piped". */
function noInput(): NodeJS.ReadableStream {
  return createReadStream("", { fd: openSync("/dev/null", "r") });
}

/** A writable that keeps what it is given. */
class Collector extends Writable {
  readonly #chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#chunks.push(Buffer.from(chunk));
    callback();
  }
  text(): string {
    return Buffer.concat(this.#chunks).toString("utf8");
  }
}

/** A temp dir removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * For a test file whose tests each need one started job: returns `job()`, which
 * starts it, and closes its server after each test.
 */
export function jobPerTest(): () => Promise<JobFixture> {
  let fixture: JobFixture | undefined;
  afterEach(async () => {
    await fixture?.server.close();
    fixture = undefined;
  });
  return async () => (fixture = await startJob());
}

/** A real HTTP proxy in front of an Agent API server, recording what the server cannot: headers and connections. */
export interface RecordingProxy {
  /** The endpoint to give the agent instead of the server's. */
  readonly endpoint: string;
  /** The `User-Agent` of each request, in arrival order. */
  readonly userAgents: readonly string[];
  /** How many TCP connections clients have opened to the proxy. */
  connections(): number;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1:0 forwarding every request to `target` (an endpoint such as `http://127.0.0.1:1234/v3`). */
export async function recordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const userAgents: string[] = [];
  let connections = 0;
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((request, response) => {
    userAgents.push(request.headers["user-agent"] ?? "");
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers, agent },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forward.once("error", () => response.destroy());
    request.pipe(forward);
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}${upstream.pathname}`,
    userAgents,
    connections: () => connections,
    close: async () => {
      server.closeAllConnections();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
