import { describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { captureLogger, jobFinished, startPool, startRewritingProxy, startServer, stripTimestamps, tempDir } from "./harness.js";

describe("network trouble and bad input", () => {
  it("loses nothing when 30% of chunk uploads and the first finish fail with 5xx", async () => {
    const server = await startServer({ chunksMaxSizeBytes: 256 });
    let successes = 0;
    // After every second accepted chunk, the next upload fails: one in three.
    server.onEvent((event) => {
      if (event.type === "chunk.received" && ++successes % 2 === 0) {
        server.injectFault({ route: "chunks.upload", times: 1, fault: { kind: "status", status: 503 } });
      }
    });
    server.injectFault({ route: "jobs.finish", times: 1, fault: { kind: "status", status: 502 } });
    const job = server.createJob(server.createBuild().id, {
      command: 'i=1; while [ $i -le 300 ]; do echo "line $i"; i=$((i+1)); done',
    });
    const { retries } = startPool(server);
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0, chunksFailedCount: 0 });
    const lines = stripTimestamps(await server.jobLog(job.id)).trimEnd().split("\n");
    expect(lines).toEqual(Array.from({ length: 300 }, (_, i) => `line ${i + 1}`));
    const uploads = server.requests().filter((r) => r.route === "chunks.upload");
    const failed = uploads.filter((r) => r.status === 503).length;
    expect(failed / uploads.length).toBeGreaterThanOrEqual(0.25);
    expect(server.requests().filter((r) => r.route === "jobs.finish").map((r) => r.status)).toEqual([502, 200]);
    // Chunk retries and the finish retry waited ExpSub(2 s) + jitter: 2 s to 3 s for a first retry.
    expect(retries.delays.length).toBe(failed + 1);
    for (const delay of retries.delays) expect(delay).toBeGreaterThanOrEqual(2000);
  });

  it("a bad token: the registration is rejected at once, exit 1 with the server's answer", async () => {
    const server = await startServer();
    const { pool, retries } = startPool(server, { token: "wrong-token" });
    const result = await pool.done;
    expect(result.exitCode).toBe(1);
    expect(result.error?.code).toBe("AGENT_REGISTER_FAILED");
    expect(result.error?.message).toMatch(/^POST \/v3\/register: 401 Unauthorized: /);
    expect(result.error?.message).not.toContain("wrong-token");
    expect(retries.delays).toEqual([]);
  });

  it("an unreachable endpoint: 30 attempts 10 s apart, then a clear error", async () => {
    const server = await startServer();
    const endpoint = server.endpoint;
    await server.close();
    const { pool, retries } = startPool(server, { endpoint });
    const result = await pool.done;
    expect(result.exitCode).toBe(1);
    expect(result.error?.code).toBe("AGENT_REGISTER_FAILED");
    expect(result.error?.message).toMatch(/^POST \/v3\/register: .*ECONNREFUSED.* \(after 30 attempts\)$/);
    expect(retries.delays).toEqual(Array(29).fill(10_000));
  });

  it("a job payload missing chunks_max_size_bytes: the job is failed with a timestamped line, the agent goes on", async () => {
    const server = await startServer();
    // A real proxy in front of the real server that drops one field from accept answers.
    const endpoint = await startRewritingProxy(server, (url, json) => {
      if (url.endsWith("/accept")) delete json["chunks_max_size_bytes"];
    });
    const build = server.createBuild();
    const bad = server.createJob(build.id, { command: "true" });
    const { pool } = startPool(server, { endpoint });
    expect(await jobFinished(server, bad.id)).toMatchObject({ exitStatus: -1, signalReason: "process_run_error" });
    // An agent line like any other: ANSI-timestamped (logs-and-redaction.md §1).
    const log = await server.jobLog(bad.id);
    expect(log).toMatch(/^\x1b_bk;t=\d+\x07Error running job: the job payload from Buildkite is unusable: .*chunks_max_size_bytes.*\n$/);
    expect(stripTimestamps(log).split("\n")).toHaveLength(2);
    await pool.stop("graceful");
    expect((await pool.done).exitCode).toBe(0);
  });

  it("an accept answer with another job id: no file is named after it, the accepted job is failed", async () => {
    const server = await startServer();
    const contextDir = tempDir();
    const endpoint = await startRewritingProxy(server, (url, json) => {
      if (url.endsWith("/accept")) json["id"] = "../../escape";
    });
    const job = server.createJob(server.createBuild().id, { command: "echo should-not-run" });
    const { pool } = startPool(server, { endpoint, jobContextDir: contextDir });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: -1, signalReason: "process_run_error" });
    expect(stripTimestamps(await server.jobLog(job.id))).toBe(
      `Error running job: the job payload from Buildkite is unusable: its id "../../escape" is not that of the accepted job "${job.id}"\n`,
    );
    expect(readdirSync(contextDir)).toEqual([]);
    expect(existsSync(path.join(contextDir, "..", "..", "escape"))).toBe(false);
    await pool.stop("graceful");
    expect((await pool.done).exitCode).toBe(0);
  });
});

describe("agent hooks and the health check", () => {
  it("runs agent-startup after registering and agent-shutdown at the end", async () => {
    const server = await startServer();
    const hooks = tempDir();
    const out = tempDir();
    writeFileSync(path.join(hooks, "agent-startup"), `#!/bin/sh\necho "$BUILDKITE_AGENT_NAMES" > ${out}/startup\n`, { mode: 0o755 });
    writeFileSync(path.join(hooks, "agent-shutdown"), `#!/bin/sh\necho "$BUILDKITE_AGENT_IDS" > ${out}/shutdown\n`, { mode: 0o755 });
    const { pool } = startPool(server, { hooksPath: hooks, spawn: 2, name: "h-%spawn", shell: "/bin/sh -c" });
    await pool.ready;
    expect(readdirSync(out)).toEqual(["startup"]);
    await pool.stop("graceful");
    expect(readdirSync(out).sort()).toEqual(["shutdown", "startup"]);
  });

  it("a failing agent-startup hook ends the agent with exit 1", async () => {
    const server = await startServer();
    const hooks = tempDir();
    writeFileSync(path.join(hooks, "agent-startup"), "#!/bin/sh\nexit 4\n", { mode: 0o755 });
    const { pool } = startPool(server, { hooksPath: hooks, shell: "/bin/sh -c" });
    const result = await pool.done;
    expect(result).toMatchObject({ exitCode: 1, error: { code: "AGENT_HOOK_FAILED" } });
    expect(result.error?.message).toMatch(/agent-startup hook .* failed: exit status 4$/);
  });

  it("splits the hooks shell with quoting: by /bin/sh by default, else by the given splitter", async () => {
    const server = await startServer();
    const hooks = tempDir();
    const out = tempDir();
    writeFileSync(path.join(hooks, "agent-startup"), `echo "$HOOK_RUN" >> ${out}/runs\n`, { mode: 0o644 });
    // A quoted argument with a space: split on white space it would be `'.` and `"$0"'`.
    const hooksShell = `/bin/sh -e -c '. "$0"'`;
    const first = startPool(server, { hooksPath: hooks, hooksShell, env: { PATH: "/usr/bin:/bin", HOOK_RUN: "default" } });
    await first.pool.ready;
    const seen: string[] = [];
    const second = startPool(server, {
      hooksPath: hooks,
      hooksShell,
      env: { PATH: "/usr/bin:/bin", HOOK_RUN: "splitter" },
      splitShellWords: (setting) => {
        seen.push(setting);
        return ["/bin/sh", "-e", "-c", '. "$0"'];
      },
    });
    await second.pool.ready;
    expect(seen).toEqual([hooksShell]);
    expect(readFileSync(path.join(out, "runs"), "utf8")).toBe("default\nsplitter\n");
  });

  it("a stop interrupts a hung agent-startup hook and what it started", async () => {
    const server = await startServer();
    const hooks = tempDir();
    writeFileSync(path.join(hooks, "agent-startup"), "#!/bin/sh\necho started\nsleep 30\necho finished\n", { mode: 0o755 });
    const { logger, lines } = captureLogger();
    const { pool } = startPool(server, {
      hooksPath: hooks,
      shell: "/bin/sh -c",
      logger,
      // Marks the hook's processes as this test's, so the harness proves none is left.
      env: { PATH: "/usr/bin:/bin", BUILDKITE_AGENT_PID: String(process.pid) },
    });
    const deadline = Date.now() + 10_000;
    while (!lines.includes("info: agent-startup: started {\"hook\":\"agent-startup\"}")) {
      if (Date.now() > deadline) throw new Error("the startup hook never started");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const stoppedAt = Date.now();
    void pool.stop("graceful");
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([pool.done, new Promise((resolve) => (timer = setTimeout(() => resolve("still running"), 5000)))]);
    clearTimeout(timer);
    expect(result).toEqual({ exitCode: 0 });
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect(lines.some((line) => line.includes("agent-startup: finished"))).toBe(false);
    expect(server.agents()[0]?.connectionState).toBe("registered");
  });

  it("serves the health-check routes", async () => {
    const server = await startServer();
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const { pool } = startPool(server, { healthCheckAddr: `127.0.0.1:${port}`, spawn: 2 });
    await pool.ready;
    const get = async (route: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${route}`, { signal: AbortSignal.timeout(5000) });
      return { status: res.status, text: await res.text() };
    };
    expect(await get("/")).toEqual({ status: 200, text: "OK: Buildkite agent is running" });
    expect((await get("/agent/2")).status).toBe(200);
    expect((await get("/agent/3")).status).toBe(404);
    const status = JSON.parse((await get("/status.json")).text);
    expect(status).toMatchObject({ health: "ok", aggregate_status: "idle" });
    expect(status.workers.map((w: { spawn_index: number }) => w.spawn_index)).toEqual([1, 2]);
    expect((await get("/metrics")).text).toContain('buildkite_agent_workers{status="idle"} 2');
    expect((await get("/status")).text).toContain("<table>");
    await pool.stop("graceful");
    await expect(fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });
});
