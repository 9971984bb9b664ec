import { describe, expect, it } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { captureLogger, jobFinished, startPool, startServer, within } from "./harness.js";

/** The OS machine id from where the agent looks for it, `""` when the host has none. */
function osMachineId(): string {
  for (const file of ["/etc/machine-id", "/var/lib/dbus/machine-id"]) {
    const id = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
    if (id !== "") return id;
  }
  return "";
}

describe("the ping loop", () => {
  it("pause: runs nothing while paused, then takes the job after resume", async () => {
    const server = await startServer();
    const { pool } = startPool(server);
    const actions: string[] = [];
    pool.on("ping-action", ({ action }) => actions.push(action));
    await pool.ready;
    const [agent] = server.agents();
    server.pauseAgent(agent!.id, { note: "maintenance" });
    const paused = actions.length;
    const job = server.createJob(server.createBuild().id, { command: "true" });
    // Two pause answers while the job waits: it is not accepted.
    while (actions.filter((a, i) => i >= paused && a === "pause").length < 2) await new Promise((r) => setTimeout(r, 50));
    expect(server.job(job.id)?.state).toBe("scheduled");
    server.resumeAgent(agent!.id);
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0 });
  });

  it("disconnect: the worker disconnects and the pool ends with exit 0", async () => {
    const server = await startServer();
    const { pool } = startPool(server);
    await pool.ready;
    server.stopAgent(server.agents()[0]!.id);
    expect(await pool.done).toEqual({ exitCode: 0 });
    expect(server.events().map((e) => e.type)).toContain("agent.disconnected");
  });

  it("survives malformed ping answers and later runs a job", async () => {
    const server = await startServer();
    const fault = server.injectFault({ route: "ping", times: 3, fault: { kind: "malformed" } });
    const html = server.injectFault({ route: "ping", times: 1, fault: { kind: "html" } });
    const job = server.createJob(server.createBuild().id, { command: "true" });
    startPool(server);
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0 });
    expect(fault.hits).toBe(3);
    expect(html.hits).toBe(1);
  });

  it("stops the worker with an error when a ping is rejected (401)", async () => {
    const server = await startServer();
    const { logger, lines } = captureLogger();
    const { pool } = startPool(server, { logger });
    await pool.ready;
    server.injectFault({ route: "ping", fault: { kind: "status", status: 401, message: "token revoked" } });
    const result = await pool.done;
    expect(result.exitCode).toBe(1);
    expect(result.error?.code).toBe("AGENT_PING_FAILED");
    expect(result.error?.message).toMatch(/Buildkite rejected its ping: GET \/v3\/ping: 401 Unauthorized: token revoked/);
    // `done` carries it for the caller to print once; the pool does not log it too.
    expect(lines.filter((line) => line.includes("token revoked"))).toEqual([]);
  });

  it("stops with an error carried by `done` only when a heartbeat is rejected (401)", async () => {
    const server = await startServer({ intervals: { ping: 1, jobStatus: 1, heartbeat: 1 } });
    const { logger, lines } = captureLogger();
    const { pool } = startPool(server, { logger });
    await pool.ready;
    server.injectFault({ route: "heartbeat", fault: { kind: "status", status: 401, message: "heartbeat refused" } });
    const result = await pool.done;
    expect(result).toMatchObject({ exitCode: 1, error: { code: "AGENT_HEARTBEAT_FAILED" } });
    expect(result.error?.message).toMatch(/Buildkite rejected its heartbeat: .*401 Unauthorized: heartbeat refused$/);
    expect(lines.filter((line) => line.includes("heartbeat refused"))).toEqual([]);
  });

  it("tags-from-host: the machine-id tag is the protected id sent at registration, never the OS's raw id", async () => {
    const server = await startServer();
    const { pool } = startPool(server, { tagsFromHost: true, tags: ["queue=x"] });
    await pool.ready;
    const [agent] = server.agents();
    const hostTags = ["queue=x", `hostname=${os.hostname()}`, "os=linux", expect.stringMatching(/^arch=/)];
    const raw = osMachineId();
    if (raw === "") {
      // A host without a machine id (some containers) sends none.
      expect(agent?.machineId).toBe("");
      expect(agent?.metaData).toEqual(hostTags);
      return;
    }
    expect(agent?.machineId).toMatch(/^[0-9a-f]{64}$/);
    expect(agent?.metaData).toEqual([...hostTags, `machine-id=${agent?.machineId}`]);
    expect(agent?.metaData.join("\n")).not.toContain(raw);
  });

  it("disconnect-after-job: runs one job, finishes it with ignore_agent_in_dispatches, then exits", async () => {
    const server = await startServer();
    const build = server.createBuild();
    const first = server.createJob(build.id, { command: "true" });
    const { pool } = startPool(server, { disconnectAfterJob: true });
    expect(await pool.done).toEqual({ exitCode: 0 });
    expect(server.job(first.id)?.state).toBe("finished");
    const second = server.createJob(build.id, { command: "true" });
    expect(server.job(second.id)?.state).toBe("scheduled");
    expect(server.agents()[0]?.features).toContain("disconnect-after-job");
  });

  // Regression: the idle timeout was only looked at once per ping interval, so a
  // worker idle since its first ping exited at its next ping (here 30 s) instead.
  it("disconnect-after-idle-timeout: exits when the timeout passes, not at the next ping", async () => {
    const server = await startServer({ intervals: { ping: 30, jobStatus: 1, heartbeat: 30 } });
    const { pool } = startPool(server, { disconnectAfterIdleTimeout: 1 });
    expect(await within(15_000, pool.done)).toEqual({ exitCode: 0 });
    expect(server.requests().filter((r) => r.route === "ping")).toHaveLength(1);
  });

  it("disconnect-after-idle-timeout: exits once every worker has been idle that long", async () => {
    const server = await startServer();
    const { pool } = startPool(server, { spawn: 2, disconnectAfterIdleTimeout: 1 });
    const started = Date.now();
    expect(await pool.done).toEqual({ exitCode: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it("spawn 3: three workers named by %spawn run three jobs at once", async () => {
    const server = await startServer();
    const build = server.createBuild();
    const jobs = [1, 2, 3].map(() => server.createJob(build.id, { command: "sleep 1" }));
    const { pool } = startPool(server, { spawn: 3, name: "box-%spawn" });
    await Promise.all(jobs.map((job) => jobFinished(server, job.id)));
    expect(server.agents().map((a) => a.name).sort()).toEqual(["box-1", "box-2", "box-3"]);
    const records = jobs.map((job) => server.job(job.id)!);
    expect(new Set(records.map((r) => r.agentId)).size).toBe(3);
    // All three ran at the same time: each started before any finished.
    const lastStart = Math.max(...records.map((r) => r.startedAt!));
    const firstFinish = Math.min(...records.map((r) => r.finishedAt!));
    expect(lastStart).toBeLessThan(firstFinish);
    await pool.stop("graceful");
  });

  it("sends heartbeats every heartbeat_interval", async () => {
    const server = await startServer({ intervals: { ping: 1, jobStatus: 1, heartbeat: 1 } });
    const { pool } = startPool(server);
    let beats = 0;
    const twoBeats = new Promise<void>((resolve) => pool.on("heartbeat", () => ++beats === 2 && resolve()));
    await pool.ready;
    const first = await server.waitForEvent("agent.heartbeat", { signal: AbortSignal.timeout(5000) });
    await server.waitForEvent("agent.heartbeat", { match: (e) => e.seq > first.seq, signal: AbortSignal.timeout(5000) });
    expect(await within(5000, twoBeats)).toBeUndefined();
    // Each beat the agent counts is one the server recorded (a later one may still be on its way back).
    expect(server.events().filter((e) => e.type === "agent.heartbeat").length).toBeGreaterThanOrEqual(beats);
  });
});
