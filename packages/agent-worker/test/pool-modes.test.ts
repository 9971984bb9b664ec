import { describe, expect, it } from "@jest/globals";
import http from "node:http";
import { startAgentPool, type AgentPool } from "../src/index.js";
import { captureLogger, jobFinished, startPool, startRewritingProxy, startServer, tempDir, within } from "./harness.js";

/** The first `ping-action` the pool reports that `match` accepts. */
function nextPingAction(pool: AgentPool, match: (action: string, spawnIndex: number) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const off = pool.on("ping-action", ({ action, spawnIndex }) => {
      if (!match(action, spawnIndex)) return;
      off();
      resolve();
    });
  });
}

async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("acquire-job", () => {
  it("registers ignored in dispatches, acquires and runs the job, then disconnects and ends with 0", async () => {
    const server = await startServer();
    const build = server.createBuild();
    const other = server.createJob(build.id, { command: "true" });
    const job = server.createJob(build.id, { command: "echo acquired" });
    const { pool } = startPool(server, { acquireJob: job.id });
    expect(await within(15_000, pool.done)).toEqual({ exitCode: 0 });
    expect(server.job(job.id)).toMatchObject({ state: "finished", exitStatus: 0 });
    const acquire = server.requests().filter((r) => r.route === "jobs.acquire");
    expect(acquire.map((r) => r.headerNames.filter((h) => /^x-buildkite-/i.test(h)).sort())).toEqual([
      ["x-buildkite-backoff-sequence", "x-buildkite-lock-acquire-job"],
    ]);
    expect(server.requests().some((r) => r.route === "jobs.accept")).toBe(false);
    // Registered with ignore_in_dispatches: the other job was never offered.
    const [agent] = server.agents();
    expect(agent).toMatchObject({ ignoreInDispatches: true, features: ["acquire-job"] });
    expect(server.job(other.id)?.state).toBe("scheduled");
    expect(server.events().map((e) => e.type)).toContain("agent.disconnected");
  });

  it.each([
    ["a failed job without reflect-exit-status ends with 0", "exit 3", false, 0],
    ["reflect-exit-status gives the job's exit status", "exit 3", true, 3],
    ["reflect-exit-status of a signalled job (exit status -1) gives 255, as os.Exit(-1)", "kill -KILL $$", true, 255],
    ["reflect-exit-status of a passing job gives 0", "true", true, 0],
  ])("%s", async (_name, command, reflectExitStatus, exitCode) => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, { command });
    const { pool } = startPool(server, { acquireJob: job.id, reflectExitStatus });
    expect(await within(15_000, pool.done)).toEqual({ exitCode });
    expect(server.job(job.id)?.state).toBe("finished");
  });

  it("a refused acquire (422) ends the pool at once with exit 27 and AGENT_JOB_REJECTED", async () => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "true" });
    server.cancelJob(job.id);
    const { pool } = startPool(server, { acquireJob: job.id });
    const result = await within(15_000, pool.done);
    expect(result).toMatchObject({ exitCode: 27, error: { code: "AGENT_JOB_REJECTED" } });
    expect((result as { error: Error }).error.message).toMatch(
      new RegExp(`^could not acquire job ${job.id}: Buildkite rejected it: PUT /v3/jobs/${job.id}/acquire: 422 `),
    );
    // Go returns from the worker at once: no ping, but the agent still disconnects.
    expect(server.requests().filter((r) => r.route === "ping")).toEqual([]);
    expect(server.events().map((e) => e.type)).toContain("agent.disconnected");
  });

  // Go declares exit 28 for this but reaches 0; we do the robust thing (lifecycle.md §7).
  it("a job still locked (423) after the acquire retries ends the pool with exit 28 and AGENT_JOB_LOCKED", async () => {
    const server = await startServer();
    const build = server.createBuild();
    const first = server.createJob(build.id, { command: "sleep 5" });
    const job = server.createJob(build.id, { command: "true", dependsOn: [first.id] });
    const waits: number[] = [];
    const { pool } = startPool(server, { acquireJob: job.id, retrySleep: async (ms) => void waits.push(ms) });
    const result = await within(15_000, pool.done);
    expect(result).toMatchObject({ exitCode: 28, error: { code: "AGENT_JOB_LOCKED" } });
    expect((result as { error: Error }).error.message).toMatch(new RegExp(`^could not acquire job ${job.id}: it is still locked after the retries: `));
    expect(waits.length).toBeGreaterThan(0);
    expect(server.job(job.id)?.state).toBe("scheduled");
  });

  it("any other acquire failure is logged, and the agent pings once and ends with 0", async () => {
    const server = await startServer();
    const { logger, lines } = captureLogger();
    const { pool } = startPool(server, { acquireJob: "no-such-job", logger });
    expect(await within(15_000, pool.done)).toEqual({ exitCode: 0 });
    expect(lines).toContainEqual(expect.stringMatching(/^error: Failed to acquire and run job no-such-job: PUT \/v3\/jobs\/no-such-job\/acquire: 404 /));
    expect(server.requests().filter((r) => r.route === "ping")).toHaveLength(1);
  });

  // Regression: a failed ping was skipped instead of handled as an idle answer (Go's
  // pingLoopInner passes on an empty action), so the worker pinged on for ever.
  it("after its job, exits at a ping that fails with 503, as at an idle answer", async () => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "true" });
    const { logger, lines } = captureLogger();
    const outage = server.injectFault({ route: "ping", fault: { kind: "status", status: 503, message: "down" } });
    const { pool } = startPool(server, { acquireJob: job.id, logger });
    expect(await within(15_000, pool.done)).toEqual({ exitCode: 0 });
    expect(server.job(job.id)).toMatchObject({ state: "finished", exitStatus: 0 });
    expect(outage.hits).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^warn: ping failed, handled as an idle answer: GET \/v3\/ping: 503 /));
  });

  it("needs spawn 1: AGENT_INVALID_OPTION at start", () => {
    let thrown: unknown;
    try {
      startAgentPool({ token: "t", buildPath: tempDir(), executor: { command: "/bin/true", args: [] }, acquireJob: "job", spawn: 2 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "AGENT_INVALID_OPTION", message: "agent option acquireJob needs spawn 1, got spawn 2: one agent acquires one job" });
  });
});

describe("registration", () => {
  // Regression: the others went on retrying (30 × 10 s) after the pool had ended,
  // and could register agents nothing would connect.
  it("one failed registration aborts the others; the pool ends with the first error", async () => {
    const server = await startServer();
    server.injectFault({ route: "agents.register", times: 1, fault: { kind: "status", status: 422, message: "name is invalid" } });
    server.injectFault({ route: "agents.register", fault: { kind: "status", status: 503 } });
    let sleepsDone = 0;
    const { pool } = startPool(server, {
      spawn: 3,
      // A real 1 s wait (instead of 10 s) that ends when the call is aborted.
      retrySleep: (_ms, signal) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => (sleepsDone++, resolve()), 1000);
          signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
        }),
    });
    const result = await within(5000, pool.done);
    expect(result).toMatchObject({ exitCode: 1, error: { code: "AGENT_REGISTER_FAILED" } });
    expect((result as { error: Error }).error.message).toMatch(/^POST \/v3\/register: 422 .*: name is invalid$/);
    // Long enough for a retry that was not aborted to happen.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sleepsDone).toBe(0);
    expect(server.requests().filter((r) => r.route === "agents.register").length).toBeLessThanOrEqual(3);
    expect(server.agents()).toEqual([]);
  });

  it.each([
    ["ascending", [], { "test-1": "1", "test-2": "2" }],
    ["descending with experiment descending-spawn-priority", ["descending-spawn-priority"], { "test-1": "-1", "test-2": "-2" }],
  ])("spawn-with-priority: %s", async (_name, experiments, priorities) => {
    const server = await startServer();
    const { pool } = startPool(server, { spawn: 2, spawnWithPriority: true, experiments });
    await pool.ready;
    expect(Object.fromEntries(server.agents().map((a) => [a.name, a.priority]))).toEqual(priorities);
  });

  it.each([
    [
      "every applicable word, in the agent's order",
      {},
      [
        "git-mirrors",
        "opentelemetry-tracing",
        "propagate-traceparent",
        "disconnect-after-job",
        "disconnect-after-idle",
        "disconnect-after-uptime",
        "no-plugins",
        "no-script-eval",
        "no-http2",
        "allowed-repositories",
        "allowed-plugins",
        "experiment-b",
        "experiment-a",
        "env-http-proxy",
        "env-godebug",
      ],
    ],
    ["none with no-feature-reporting", { noFeatureReporting: true }, []],
  ])("features: %s", async (_name, extra, words) => {
    const server = await startServer();
    const { pool } = startPool(server, {
      gitMirrorsPath: tempDir(),
      tracing: { backend: "opentelemetry", serviceName: "svc", propagateTraceparent: true },
      disconnectAfterJob: true,
      disconnectAfterIdleTimeout: 600,
      disconnectAfterUptime: 600,
      noCommandEval: true,
      noHttp2: true,
      allowedRepositories: ["^x$"],
      allowedPlugins: ["^y$"],
      experiments: ["b", "a"],
      // Set at all counts, as Go's os.LookupEnv.
      env: { PATH: "/usr/bin:/bin", http_proxy: "", GODEBUG: "x=1" },
      ...extra,
    });
    await pool.ready;
    expect(server.agents()[0]?.features).toEqual(words);
  });

  it("features: datadog tracing", async () => {
    const server = await startServer();
    const { pool } = startPool(server, { tracing: { backend: "datadog", serviceName: "svc", propagateTraceparent: false } });
    await pool.ready;
    expect(server.agents()[0]?.features).toEqual(["datadog-tracing"]);
  });
});

describe("exit decisions and stops around a ping", () => {
  // Regression: a failed ping was skipped instead of handled as an idle answer, so
  // a worker that had run its job never exited while pings failed.
  it("disconnect-after-job: exits at a ping that fails with 503 after the job", async () => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "true" });
    const { pool } = startPool(server, { disconnectAfterJob: true });
    let outage: { readonly hits: number } | undefined;
    pool.on("job-finished", () => {
      outage = server.injectFault({ route: "ping", fault: { kind: "status", status: 503 } });
    });
    expect(await within(15_000, pool.done)).toEqual({ exitCode: 0 });
    expect(server.job(job.id)?.state).toBe("finished");
    expect(outage?.hits).toBe(1);
  });

  // Regression: the limit was checked after a ping, and the job that ping handed out was dropped.
  it("disconnect-after-uptime is decided before pinging: a job queued after the limit is never taken", async () => {
    const server = await startServer();
    let offset = 0;
    const { logger, lines } = captureLogger();
    const { pool } = startPool(server, { disconnectAfterUptime: 60, logger, clock: { random: () => 0, now: () => Date.now() + offset } });
    let job: { id: string } | undefined;
    let pings = 0;
    const off = pool.on("ping-action", () => {
      off();
      // While the worker waits for its next tick (1 s): the uptime runs out and a job arrives.
      setTimeout(() => {
        offset = 120_000;
        job = server.createJob(server.createBuild().id, { command: "true" });
        pings = server.requests().filter((r) => r.route === "ping").length;
      }, 100);
    });
    expect(await within(10_000, pool.done)).toEqual({ exitCode: 0 });
    // Never handed to this agent (a dropped job would show as assigned, then back in the queue).
    expect(server.events().filter((e) => e.type === "job.assigned")).toEqual([]);
    expect(server.job(job!.id)?.state).toBe("scheduled");
    expect(server.requests().filter((r) => r.route === "ping")).toHaveLength(pings);
    expect(lines).toContain(`info: Agent has exceeded max uptime of 60s. Disconnecting... {"agent":"${server.agents()[0]!.id}"}`);
  });

  it("disconnect-after-uptime while paused: keeps pinging until resumed, then disconnects without running the job the resume brought", async () => {
    const server = await startServer();
    let offset = 0;
    const { logger, lines } = captureLogger();
    const { pool } = startPool(server, { disconnectAfterUptime: 60, clock: { random: () => 0, now: () => Date.now() + offset }, logger });
    await pool.ready;
    const agentId = server.agents()[0]!.id;
    server.pauseAgent(agentId);
    await nextPingAction(pool, (action) => action === "pause");
    offset = 120_000;
    await nextPingAction(pool, (action) => action === "pause");
    expect(await within(300, pool.done)).toBe("timed out");
    const job = server.createJob(server.createBuild().id, { command: "true" });
    server.resumeAgent(agentId);
    expect(await within(5000, pool.done)).toEqual({ exitCode: 0 });
    expect(server.requests().filter((r) => r.route === "jobs.accept")).toEqual([]);
    expect(lines).toContainEqual(expect.stringContaining(`Not running job ${job.id}: the agent exceeded its max uptime`));
  });

  // Regression: a stop during the new endpoint's test ping fell back to the old ping and ran its job.
  it("a graceful stop during an endpoint switch's test ping never starts the job", async () => {
    const server = await startServer();
    let pool: AgentPool | undefined;
    let switched = false;
    const endpoint = await startRewritingProxy(server, (url, json) => {
      if (!url.endsWith("/ping") || !json["job"] || switched) return;
      switched = true;
      json["endpoint"] = server.endpoint;
      // The test ping on the new endpoint hangs; the stop comes meanwhile.
      server.injectFault({ route: "ping", times: 1, fault: { kind: "delay", ms: 5000 } });
      setTimeout(() => void pool!.stop("graceful"), 300);
    });
    const job = server.createJob(server.createBuild().id, { command: "true" });
    ({ pool } = startPool(server, { endpoint }));
    expect(await within(4000, pool.done)).toEqual({ exitCode: 0 });
    expect(switched).toBe(true);
    expect(server.events().some((e) => e.type === "job.accepted")).toBe(false);
    expect(server.job(job.id)?.state).not.toBe("finished");
  });
});

describe("heartbeats and the health check", () => {
  // Regression: the next heartbeat was one interval after the previous one *finished*.
  it("heartbeats tick on a fixed period, however long each takes", async () => {
    const server = await startServer({ intervals: { ping: 1, jobStatus: 1, heartbeat: 1 } });
    server.injectFault({ route: "heartbeat", fault: { kind: "delay", ms: 700 } });
    const { pool } = startPool(server);
    await pool.ready;
    let beats = 0;
    await new Promise<void>((resolve) => pool.on("heartbeat", () => ++beats === 3 && resolve()));
    const arrivals = server
      .requests()
      .filter((r) => r.route === "heartbeat")
      .map((r) => r.time);
    // A ticker: 1 s apart (2 s for three); after-each-finished would be 1.7 s apart
    // (at least 3.4 s). Wide bounds: a loaded machine delays single beats (a late
    // first beat shortens the span), but beats never bunch up.
    expect(arrivals[2]! - arrivals[0]!).toBeGreaterThanOrEqual(1000);
    expect(arrivals[2]! - arrivals[0]!).toBeLessThan(3200);
  });

  // Regression: tickers ran on the wall clock, so a clock stepped back an hour
  // stopped heartbeats for an hour (and Buildkite marks an agent lost after minutes).
  it("heartbeats keep their period when the wall clock is stepped back", async () => {
    const server = await startServer({ intervals: { ping: 1, jobStatus: 1, heartbeat: 1 } });
    let stepBack = 0;
    const { pool } = startPool(server, { clock: { now: () => Date.now() - stepBack, monotonic: () => performance.now() } });
    await pool.ready;
    stepBack = 3_600_000;
    let beats = 0;
    const twoBeats = new Promise<void>((resolve) => pool.on("heartbeat", () => ++beats === 2 && resolve()));
    expect(await within(5000, twoBeats)).toBeUndefined();
  });

  it("a health-check address in use is logged at error and the agent runs without it", async () => {
    const server = await startServer();
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    try {
      const port = (blocker.address() as { port: number }).port;
      const { logger, lines } = captureLogger();
      const job = server.createJob(server.createBuild().id, { command: "true" });
      const { pool } = startPool(server, { healthCheckAddr: `127.0.0.1:${port}`, logger });
      await pool.ready;
      expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0 });
      expect(lines).toContainEqual(`error: Could not start health check server: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
      expect(await pool.stop("graceful")).toEqual({ exitCode: 0 });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("/status.json: busy with its job id, otherwise idle (paused too) without a job id", async () => {
    const server = await startServer();
    const port = await freePort();
    const job = server.createJob(server.createBuild().id, { command: "sleep 3" });
    const { pool } = startPool(server, { spawn: 2, healthCheckAddr: `127.0.0.1:${port}` });
    const started = new Promise<number>((resolve) => pool.on("job-started", ({ spawnIndex }) => resolve(spawnIndex)));
    const busyIndex = await started;
    const idleIndex = 3 - busyIndex;
    const idleAgent = server.agents().find((a) => a.id !== server.job(job.id)?.agentId)!;
    server.pauseAgent(idleAgent.id);
    await nextPingAction(pool, (action, spawnIndex) => action === "pause" && spawnIndex === idleIndex);
    const res = await fetch(`http://127.0.0.1:${port}/status.json`, { signal: AbortSignal.timeout(5000) });
    const status = (await res.json()) as { aggregate_status: string; workers: { spawn_index: number }[] };
    expect(status.aggregate_status).toBe("busy");
    expect(status.workers.sort((a, b) => a.spawn_index - b.spawn_index)).toEqual(
      [
        { status: "busy", current_job_id: job.id, id: server.job(job.id)?.agentId, spawn_index: busyIndex },
        { status: "idle", id: idleAgent.id, spawn_index: idleIndex },
      ].sort((a, b) => a.spawn_index - b.spawn_index),
    );
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0 });
  });
});
