// The agent loop's own costs: (1) job overhead, from the ping that hands out a job
// (server event job.assigned) to its finish call (job.finished), for a trivial
// executor (`/bin/sh -c true`), median of 20; the same with the REAL executor
// (`node apps/agent/bin/buildkite-agent bootstrap`, checkout skipped), median of 20;
// and for a job printing 100 MB;
// (2) RSS of the agent process (`buildkite-agent start`): idle with spawn 1 and
// spawn 10, and after 20 and 200 jobs.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AgentApiServer } from "@agent/agent-api-server";
import { startAgentPool } from "@agent/agent-worker";

export const name = "agent worker";

const here = path.dirname(fileURLToPath(import.meta.url));
const BOOTSTRAP = path.join(here, "../../../packages/agent-worker/test/fixtures/bootstrap.sh");
const AGENT_BIN = path.join(here, "../../../apps/agent/bin/buildkite-agent");
const TOKEN = "bench-token";
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function withServer(fn) {
  const server = new AgentApiServer({ registrationToken: TOKEN });
  await server.listen({ host: "127.0.0.1", port: 0 });
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-agent-worker-"));
  try {
    return await fn(server, dir);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function poolOptions(server, dir, extra = {}) {
  return {
    endpoint: server.endpoint,
    token: TOKEN,
    buildPath: path.join(dir, "builds"),
    executor: { command: BOOTSTRAP, args: [] },
    env: { PATH: "/usr/bin:/bin" },
    noPty: true,
    ...extra,
  };
}

async function runJob(server, command, env = {}) {
  const job = server.createJob(server.createBuild().id, { command, env: { BUILDKITE_SKIP_CHECKOUT: "true", ...env } });
  const finished = await server.waitForEvent("job.finished", { match: (e) => e.jobId === job.id, signal: AbortSignal.timeout(300_000) });
  const assigned = server.events().find((e) => e.type === "job.assigned" && e.jobId === job.id);
  return { ms: finished.time - assigned.time, finished };
}

async function jobOverhead(log) {
  await withServer(async (server, dir) => {
    const pool = startAgentPool(poolOptions(server, dir));
    await pool.ready;
    const times = [];
    for (let i = 0; i < 20; i++) times.push((await runJob(server, "true")).ms);
    log(`job overhead, ping → finish, trivial executor: median ${median(times)} ms (min ${Math.min(...times)}, max ${Math.max(...times)}) over 20 jobs`);
    const started = Date.now();
    const big = await runJob(server, "head -c 100000000 /dev/zero | tr '\\0' x | fold -w 99");
    const chunks = server.chunks(big.finished.jobId);
    const bytes = chunks.reduce((sum, c) => sum + c.size, 0);
    log(`job printing 100 MB: ${big.ms} ms ping → finish (${(Date.now() - started)} ms wall), ${chunks.length} chunks, ${(bytes / 1e6).toFixed(1)} MB uploaded with timestamps, chunks_failed_count ${big.finished.chunksFailedCount}`);
    await pool.stop("graceful");
  });
}

// The agent's share of a real job: the same ping → finish span with the real
// bootstrap (a second Node process that loads the job runner, skips the checkout
// and runs `true` through the shell), so the figure is the bootstrap's own start
// plus what the agent adds around it.
async function jobOverheadRealBootstrap(log) {
  await withServer(async (server, dir) => {
    const pool = startAgentPool(
      poolOptions(server, dir, {
        executor: { command: process.execPath, args: [AGENT_BIN, "bootstrap"] },
        env: { PATH: process.env.PATH, HOME: dir },
        binPath: path.dirname(AGENT_BIN),
        socketsPath: path.join(dir, "s"),
      }),
    );
    await pool.ready;
    const env = { BUILDKITE_REPO: "https://example.invalid/bench.git" };
    const times = [];
    for (let i = 0; i < 20; i++) {
      const { ms, finished } = await runJob(server, "true", env);
      if (finished.exitStatus !== 0) throw new Error(`the bootstrap job failed: exit ${finished.exitStatus}`);
      times.push(ms);
    }
    log(`job overhead, ping → finish, real bootstrap (\`true\`, checkout skipped, no PTY): median ${median(times)} ms (min ${Math.min(...times)}, max ${Math.max(...times)}) over 20 jobs (target < 250 ms)`);
    await pool.stop("graceful");
  });
}

// RSS of the agent process itself, as operators run it: `buildkite-agent start`
// with its real bootstrap, read from /proc after the agent has settled.
async function withAgent(server, dir, extra, steps) {
  const agent = spawn(
    process.execPath,
    [AGENT_BIN, "start", "--endpoint", server.endpoint, "--token", TOKEN, "--build-path", path.join(dir, "builds"), "--log-level", "error", ...extra],
    { env: { PATH: process.env.PATH, HOME: dir }, stdio: ["ignore", "ignore", "inherit"] },
  );
  const rss = async () => {
    await new Promise((r) => setTimeout(r, 2000));
    const status = readFileSync(`/proc/${agent.pid}/status`, "utf8");
    return `${(Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024).toFixed(1)} MB`;
  };
  const exited = new Promise((resolve) => agent.once("exit", resolve));
  try {
    await server.waitForEvent("agent.connected", { signal: AbortSignal.timeout(30_000) });
    await steps(rss);
  } finally {
    agent.kill("SIGTERM");
    await exited;
  }
}

async function memory(log) {
  for (const spawnCount of [1, 10]) {
    await withServer((server, dir) =>
      withAgent(server, dir, ["--spawn", String(spawnCount)], async (rss) => {
        log(`idle agent RSS (buildkite-agent start --spawn ${spawnCount}): ${await rss()}${spawnCount === 1 ? " (target < 70 MB)" : " (target < 100 MB)"}`);
      }),
    );
  }
  await withServer((server, dir) =>
    withAgent(server, dir, [], async (rss) => {
      const build = server.createBuild();
      let done = 0;
      for (const target of [20, 200]) {
        const jobs = [];
        for (; done < target; done++) {
          jobs.push(server.createJob(build.id, { command: "echo hello", env: { BUILDKITE_SKIP_CHECKOUT: "true", BUILDKITE_REPO: "https://example.invalid/bench.git" } }));
        }
        for (const job of jobs) {
          await server.waitForEvent("job.finished", { match: (e) => e.jobId === job.id, signal: AbortSignal.timeout(600_000) });
        }
        log(`agent RSS after ${target} jobs (real bootstrap, \`echo hello\`): ${await rss()}`);
      }
    }),
  );
}

export async function run({ log }) {
  await jobOverhead(log);
  await jobOverheadRealBootstrap(log);
  await memory(log);
}
