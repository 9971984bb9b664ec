import { afterEach } from "@jest/globals";
import { createReadStream, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { AgentApiServer, type AgentApiServerOptions, type JobOptions } from "@agent/agent-api-server";
import { ApiClient } from "@agent/api-client";
import { commands, loadConfig, type CommandDefinition, type FlagValue } from "@agent/config";
import { commandLoaders } from "../src/command-registry.js";
import type { CommandContext } from "../src/command-context.js";
import { reportFailure } from "../src/failure-report.js";
import { createLogger } from "../src/logger.js";

/**
 * Runs the in-job commands of issue 7 the way run-command.ts does — flags and
 * env through @agent/config, the real logger, the module's `run`, failures
 * reported as the one fatal line — but loading the module directly, so the
 * tests do not depend on the command registry.
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


/** Runs `buildkite-agent <words> <args>` in-process and collects its output. */
export async function runJobCommand(words: string, args: readonly string[], options: RunOptions = {}): Promise<CommandRun> {
  const definition = (commands as readonly CommandDefinition[]).find((command) => command.path.join(" ") === words);
  if (!definition) throw new Error(`no command ${words}`);
  const env = { PATH: process.env.PATH, HOME: tmpdir(), ...options.env };
  const cwd = options.cwd ?? tmpdir();
  const loaded = loadConfig(definition, { flags: options.flags ?? {}, env, homeDir: env.HOME, cwd, executableDir: cwd });
  const stdout = new Collector();
  const stderr = new Collector();
  const logger = createLogger({ stream: stderr, colors: false, level: "info" });
  const stdin = options.stdin === "tty" ? noInput() : Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  const context: CommandContext = {
    command: definition,
    config: loaded.values,
    sources: loaded.sources,
    configFile: undefined,
    args,
    logger,
    stdin,
    stdout,
    stderr,
    env,
    cwd,
    executablePath: "/usr/local/bin/buildkite-agent",
  };
  let status: number;
  try {
    status = await (await commandLoaders[words]!()).run(context);
  } catch (error) {
    status = reportFailure(stderr, error);
  } finally {
    if ("destroy" in stdin && typeof stdin.destroy === "function") stdin.destroy();
  }
  // Winston writes asynchronously; let its last lines land.
  await new Promise((resolve) => setImmediate(resolve));
  return { status, stdout: stdout.text(), stderr: stderr.text() };
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
