import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { AgentApiServer, type AgentApiServerOptions, type DomainEventOf, type JobOptions, type JobRecord } from "@agent/agent-api-server";
import { BIN } from "./run-agent.js";

/** The registration token every e2e server accepts. */
export const REGISTRATION_TOKEN = "e2e-registration-token";

/** Env every job gets: no checkout (there is no repository), but a repo for the allow-lists and the bootstrap. */
export const JOB_BASE_ENV: Readonly<Record<string, string>> = {
  BUILDKITE_SKIP_CHECKOUT: "true",
  BUILDKITE_REPO: "https://example.invalid/e2e.git",
};

/** Name of the env var that marks every process a test starts (agent, bootstrap, job commands inherit it). */
const MARKER_VAR = "BK_E2E_MARKER";
/** Kept of each agent stream: enough for the last few hundred log lines, bounded whatever the agent prints. */
const OUTPUT_CAP = 256 * 1024;

/** How an agent process ended. */
export interface AgentExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A `buildkite-agent start` process the test started. */
export interface AgentProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<AgentExit>;
  /** Resolves with the exit, or rejects after `ms` naming what the test waited for. */
  exitWithin(ms: number): Promise<AgentExit>;
  /** What the agent printed so far (the last {@link OUTPUT_CAP} bytes of each stream). */
  stdout(): string;
  stderr(): string;
}

/** Options of {@link E2e.startAgent}. */
export interface StartAgentOptions {
  /** Registration token passed as `--token`. @default REGISTRATION_TOKEN */
  readonly token?: string;
  /** Endpoint passed as `--endpoint`. @default the test's server */
  readonly endpoint?: string;
  /** Omit `--no-pty` to run jobs in a PTY. @default false */
  readonly pty?: boolean;
}

/** One test's world: a real Agent API server, a temp dir, the agents it starts. */
export interface E2e {
  readonly server: AgentApiServer;
  /** Creates a build with one job running `command`, with {@link JOB_BASE_ENV} plus `env`. */
  createJob(command: string, env?: Readonly<Record<string, string>>, step?: Omit<JobOptions, "command" | "env">): { id: string; buildId: string };
  /** Starts `buildkite-agent start` against the server with the test's dirs, `--no-pty`, `--no-color`, and `args`. */
  startAgent(args?: readonly string[], options?: StartAgentOptions): AgentProcess;
  /** The live processes this test started (agents, bootstraps, job commands and their children). */
  processes(): { pid: number; cmdline: string }[];
  /** The server's snapshot of a job the test created (throws for an unknown id). */
  record(jobId: string): JobRecord;
  /** Waits for the job's `job.finished` event, at most `ms`. */
  finished(jobId: string, ms?: number): Promise<DomainEventOf<"job.finished">>;
  /** Polls the job's uploaded log until it includes `text`, at most `ms`; resolves with the log. */
  logIncludes(jobId: string, text: string, ms?: number): Promise<string>;
  /** The id of the agent registered as the `n`-th (1-based) registration, waiting at most `ms`. */
  agentId(n?: number, ms?: number): Promise<string>;
}

function boundedAppend(current: string, chunk: Buffer): string {
  const next = current + chunk.toString("utf8");
  return next.length > OUTPUT_CAP ? next.slice(next.length - OUTPUT_CAP) : next;
}

/** pids of live processes (not zombies) that carry the marker in their environment or `dir` in their command line. */
export function processesOf(marker: string, dir: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      // A zombie has already released its memory: its environ reads empty, and
      // it is its parent's to reap, not a process left running.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ");
      if (environ.includes(`${MARKER_VAR}=${marker}`) || cmdline.includes(dir)) found.push({ pid: Number(entry), cmdline });
    } catch {
      // Gone between readdir and read: nothing left.
    }
  }
  return found;
}

async function noProcessesLeft(marker: string, dir: string): Promise<void> {
  // A process that is exiting can take a moment to leave /proc; wait a little, bounded.
  const deadline = Date.now() + 3000;
  let left = processesOf(marker, dir);
  while (left.length > 0 && Date.now() < deadline) {
    await delay(50);
    left = processesOf(marker, dir);
  }
  if (left.length === 0) return;
  for (const { pid } of left) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  throw new Error(`processes left behind (now killed): ${left.map((p) => `${p.pid} ${p.cmdline}`).join("; ")}`);
}

/**
 * Runs `body` with a fresh server, temp dir and marker; afterwards kills any agent
 * still running, fails if any process of the test is left, and removes
 * everything. Per test rather than afterEach, so tests can run concurrently.
 */
export async function withE2e(body: (e2e: E2e) => Promise<void>, serverOptions: AgentApiServerOptions = {}): Promise<void> {
  const marker = randomUUID();
  // Short and in /tmp: the sockets path must stay under 108 bytes. Build path,
  // sockets and HOME live here.
  const dir = mkdtempSync("/tmp/bke2e-");
  const server = new AgentApiServer({ registrationToken: REGISTRATION_TOKEN, ...serverOptions });
  const agents: AgentProcess[] = [];
  let failure: unknown;
  try {
    await server.listen({ host: "127.0.0.1", port: 0 });
    await body({
      server,
      createJob(command, env = {}, step = {}) {
        const build = server.createBuild({ pipelineSlug: "e2e", message: "e2e" });
        const job = server.createJob(build.id, { ...step, command, env: { ...JOB_BASE_ENV, ...env } });
        return { id: job.id, buildId: build.id };
      },
      startAgent(args = [], options = {}) {
        const child = spawn(
          process.execPath,
          [
            BIN,
            "start",
            "--endpoint",
            options.endpoint ?? server.endpoint,
            "--token",
            options.token ?? REGISTRATION_TOKEN,
            "--build-path",
            path.join(dir, "b"),
            "--sockets-path",
            path.join(dir, "s"),
            "--no-color",
            ...(options.pty === true ? [] : ["--no-pty"]),
            ...args,
          ],
          {
            cwd: dir,
            env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, [MARKER_VAR]: marker },
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout = boundedAppend(stdout, chunk)));
        child.stderr.on("data", (chunk: Buffer) => (stderr = boundedAppend(stderr, chunk)));
        const exited = new Promise<AgentExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
        const agent: AgentProcess = {
          child,
          pid: child.pid!,
          exited,
          stdout: () => stdout,
          stderr: () => stderr,
          async exitWithin(ms) {
            let timer: NodeJS.Timeout | undefined;
            const timeout = new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`the agent did not exit within ${ms} ms; its log:\n${stderr.slice(-4000)}`)), ms);
            });
            try {
              return await Promise.race([exited, timeout]);
            } finally {
              clearTimeout(timer);
            }
          },
        };
        agents.push(agent);
        return agent;
      },
      processes: () => processesOf(marker, dir),
      record(jobId) {
        const record = server.job(jobId);
        if (record === undefined) throw new Error(`the server has no job ${jobId}`);
        return record;
      },
      async finished(jobId, ms = 20_000) {
        return server.waitForEvent("job.finished", { match: (e) => e.jobId === jobId, signal: AbortSignal.timeout(ms) });
      },
      async logIncludes(jobId, text, ms = 20_000) {
        const deadline = Date.now() + ms;
        for (;;) {
          const log = await server.jobLog(jobId);
          if (log.includes(text)) return log;
          if (Date.now() > deadline) throw new Error(`job ${jobId}'s log did not show ${JSON.stringify(text)} within ${ms} ms: ${JSON.stringify(log)}`);
          await delay(50);
        }
      },
      async agentId(n = 1, ms = 20_000) {
        const deadline = Date.now() + ms;
        for (;;) {
          const registered = server.events().filter((e) => e.type === "agent.registered");
          const event = registered[n - 1];
          if (event !== undefined && event.type === "agent.registered") return event.agentId;
          if (Date.now() > deadline) throw new Error(`agent ${n} did not register within ${ms} ms`);
          await delay(50);
        }
      },
    });
  } catch (error) {
    failure = error;
  }
  try {
    // The test ends its agents itself; one still running here means it failed
    // part-way, and SIGKILL may orphan its job, which the scan below catches.
    for (const agent of agents) {
      if (agent.child.exitCode === null && agent.child.signalCode === null) {
        agent.child.kill("SIGKILL");
        await agent.exited;
      }
    }
    await noProcessesLeft(marker, dir);
  } catch (error) {
    failure ??= error;
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (failure !== undefined) throw failure;
}
