// The agent loop's own costs: (1) job overhead, from the ping that hands out a job
// (server event job.assigned) to its finish call (job.finished), for a trivial
// executor (`/bin/sh -c true`), median of 20; the same with the REAL executor
// (`node apps/agent/bin/buildkite-agent bootstrap`, checkout skipped), median of 20;
// and for a job printing 100 MB;
// (2) RSS of a separate Node process embedding a pool: idle with spawn 1 and
// spawn 10, and after 20 and 200 jobs.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { AgentApiServer } from "@agent/agent-api-server";
import { startAgentPool } from "@agent/agent-worker";

export const name = "agent worker";

const here = path.dirname(fileURLToPath(import.meta.url));
// The RSS probes run in a process of their own, which imports the package by URL.
const WORKER = import.meta.resolve("@agent/agent-worker");
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

// The embedding process: starts a pool, reports RSS when asked on stdin.
const CHILD = `
const { startAgentPool } = await import(process.env.WORKER);
const pool = startAgentPool(JSON.parse(process.env.OPTIONS));
await pool.ready;
console.log("ready");
for await (const line of (await import("node:readline")).createInterface({ input: process.stdin })) {
  if (line === "stop") { await pool.stop("graceful"); process.exit(0); }
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 200));
  const m = process.memoryUsage();
  console.log("rss " + m.rss + " " + m.heapUsed);
}
`;

async function embedded(server, dir, extra, steps) {
  const child = spawn(process.execPath, ["--expose-gc", "--input-type=module", "-e", CHILD], {
    env: { WORKER, OPTIONS: JSON.stringify(poolOptions(server, dir, extra)), PATH: process.env.PATH },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => (await lines.next()).value;
  if ((await next()) !== "ready") throw new Error("the embedding process did not start");
  const rss = async () => {
    child.stdin.write("rss\n");
    const [, resident, heap] = (await next()).split(" ");
    return `${(Number(resident) / 1e6).toFixed(1)} MB (JS heap used ${(Number(heap) / 1e6).toFixed(1)} MB)`;
  };
  try {
    await steps(rss);
  } finally {
    child.stdin.write("stop\n");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

async function memory(log) {
  for (const spawnCount of [1, 10]) {
    await withServer((server, dir) =>
      embedded(server, dir, { spawn: spawnCount }, async (rss) => {
        await new Promise((r) => setTimeout(r, 2000));
        log(`idle RSS, spawn ${spawnCount}: ${await rss()}`);
      }),
    );
  }
  await withServer((server, dir) =>
    embedded(server, dir, {}, async (rss) => {
      let done = 0;
      for (const target of [20, 200]) {
        const build = server.createBuild();
        const jobs = [];
        for (; done < target; done++) jobs.push(server.createJob(build.id, { command: "echo hello" }));
        for (const job of jobs) {
          await server.waitForEvent("job.finished", { match: (e) => e.jobId === job.id, signal: AbortSignal.timeout(600_000) });
        }
        log(`RSS after ${target} jobs (spawn 1): ${await rss()}`);
      }
    }),
  );
}

export async function run({ log }) {
  await jobOverhead(log);
  await jobOverheadRealBootstrap(log);
  await memory(log);
}
