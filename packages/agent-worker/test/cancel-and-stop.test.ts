import { describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import path from "node:path";
import type { AgentPoolOptions } from "../src/index.js";
import { jobFinished, startPool, startServer, stripTimestamps, tempDir } from "./harness.js";

// The command prints "ready" once its trap is set, so the test cancels a job that
// is really running (a cancel before that would race the shell's start-up).
async function waitForLog(server: Awaited<ReturnType<typeof startServer>>, jobId: string, text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await server.jobLog(jobId)).includes(text)) {
    if (Date.now() > deadline) throw new Error(`job log never contained ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A pool running one job whose command prints "ready" and sleeps (ignoring SIGTERM
 * with `ignoreTerm`), and the stop modes the pool announces, once the job is running.
 */
async function poolWithRunningJob(options: { ignoreTerm?: boolean } & Partial<AgentPoolOptions> = {}) {
  const { ignoreTerm = false, ...poolOptions } = options;
  const server = await startServer();
  const command = `${ignoreTerm ? "trap '' TERM; " : ""}echo ready; sleep 30`;
  const job = server.createJob(server.createBuild().id, { command });
  const { pool } = startPool(server, poolOptions);
  const modes: string[] = [];
  pool.on("stopping", ({ mode }) => modes.push(mode));
  await waitForLog(server, job.id, "ready");
  return { server, job, pool, modes };
}

describe("cancelling a job from the server", () => {
  it("sends SIGTERM to a job that exits on it, and reports the signal", async () => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "echo ready; sleep 30" });
    startPool(server);
    await waitForLog(server, job.id, "ready");
    server.cancelJob(job.id);
    expect(await jobFinished(server, job.id)).toMatchObject({
      state: "canceled",
      exitStatus: -1,
      signal: "SIGTERM",
      signalReason: "cancel",
    });
  });

  it("SIGKILLs a job that ignores SIGTERM after the signal grace period", async () => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "trap '' TERM; echo ready; sleep 30" });
    startPool(server, { cancelGracePeriod: 2, signalGracePeriodSeconds: 1 });
    await waitForLog(server, job.id, "ready");
    const cancelledAt = Date.now();
    server.cancelJob(job.id);
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: -1, signal: "SIGKILL", signalReason: "cancel" });
    // The poll (every 1 s) finds the cancel, then 1 s of grace before SIGKILL.
    const took = Date.now() - cancelledAt;
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(6000);
  });

  it("writes the timeout marker before cancelling a job that timed out", async () => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, {
      command: `trap 'echo "timed out: $(cat "$BUILDKITE_AGENT_JOB_TIMEOUT_FILE")"; exit 0' TERM; echo ready; while :; do sleep 0.05; done`,
    });
    startPool(server);
    await waitForLog(server, job.id, "ready");
    server.timeOutJob(job.id);
    expect(await jobFinished(server, job.id)).toMatchObject({ state: "timed_out", exitStatus: 0, signalReason: "cancel" });
    // (sh may also report the sleep it lost to the group's SIGTERM as "Terminated".)
    expect(stripTimestamps(await server.jobLog(job.id))).toMatch(/^ready\n(Terminated\n)?timed out: true\n$/);
  });
});

describe("stopping the agent", () => {
  it("graceful: lets the running job finish, then disconnects with exit 0", async () => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "echo ready; sleep 1; echo done" });
    const { pool } = startPool(server);
    await waitForLog(server, job.id, "ready");
    void pool.stop("graceful");
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0, signalReason: undefined });
    expect(stripTimestamps(await server.jobLog(job.id))).toBe("ready\ndone\n");
    expect(await pool.done).toEqual({ exitCode: 0 });
    expect(server.events().some((e) => e.type === "agent.disconnected")).toBe(true);
  });

  it("forceful: cancels the running job with agent_stop, then disconnects", async () => {
    const { server, job, pool } = await poolWithRunningJob();
    void pool.stop("forceful");
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: -1, signal: "SIGTERM", signalReason: "agent_stop" });
    expect(await pool.done).toEqual({ exitCode: 0 });
    expect(server.events().some((e) => e.type === "agent.disconnected")).toBe(true);
  });

  it("maps signals like the agent: SIGHUP ignored, a second SIGTERM escalates", async () => {
    const { server, job, pool, modes } = await poolWithRunningJob();
    pool.handleSignal("SIGHUP");
    pool.handleSignal("SIGTERM");
    expect(modes).toEqual(["graceful"]);
    pool.handleSignal("SIGTERM");
    expect(modes).toEqual(["graceful", "forceful"]);
    expect(await jobFinished(server, job.id)).toMatchObject({ signalReason: "agent_stop" });
    expect((await pool.done).exitCode).toBe(0);
  });

  // Regression: the supervisor's reason (the first cancel's) won over a later agent stop,
  // so a job cancelled from the server, then stopped with the agent, finished as `cancel`.
  it("forceful: agent_stop wins over cancel even when it arrives after the executor exited", async () => {
    const server = await startServer();
    const marker = path.join(tempDir(), "leader-gone");
    // On SIGTERM the executor leaves a process in a session of its own holding the output
    // open; it marks the leader's exit, then holds the output (and the job) a moment longer.
    const job = server.createJob(server.createBuild().id, {
      command: [
        "leader=$$",
        `trap 'setsid sh -c "while kill -0 $leader 2>/dev/null; do sleep 0.02; done; touch ${marker}; sleep 1" & exit 0' TERM`,
        "echo ready",
        "while :; do sleep 0.05; done",
      ].join("\n"),
    });
    const { pool } = startPool(server);
    await waitForLog(server, job.id, "ready");
    server.cancelJob(job.id);
    const deadline = Date.now() + 10_000;
    while (!existsSync(marker)) {
      if (Date.now() > deadline) throw new Error("the executor never exited");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    void pool.stop("forceful");
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0, signalReason: "agent_stop" });
    expect((await pool.done).exitCode).toBe(0);
  });

  it("a third interrupt ends the pool at once with exit 1", async () => {
    const { server, job, pool } = await poolWithRunningJob({ ignoreTerm: true, cancelGracePeriod: 2, signalGracePeriodSeconds: 1 });
    pool.handleSignal("SIGTERM");
    pool.handleSignal("SIGINT");
    const result = await pool.stop("graceful");
    expect(result.exitCode).toBe(1);
    expect(result.error?.code).toBe("AGENT_INTERRUPTED");
    // The cancellation already under way still ends the job.
    expect(await jobFinished(server, job.id)).toMatchObject({ signal: "SIGKILL", signalReason: "agent_stop" });
  });

  it("an unexpected failure ends the pool with AGENT_INTERNAL, not the third interrupt's code", async () => {
    // The CLI exits at once (skipping pending work) only on AGENT_INTERRUPTED/AGENT_STOP_TIMEOUT.
    const server = await startServer();
    const { pool } = startPool(server, {
      clock: {
        random: () => {
          throw new Error("random failed");
        },
      },
    });
    const result = await pool.done;
    expect(result).toMatchObject({ exitCode: 1, error: { code: "AGENT_INTERNAL" } });
    expect(result.error?.message).toContain("random failed");
  });

  it("SIGQUIT forces a stop without counting as an interrupt (lifecycle.md §5.3)", async () => {
    const { server, job, pool, modes } = await poolWithRunningJob();
    pool.handleSignal("SIGQUIT");
    pool.handleSignal("SIGTERM");
    // Two interrupts, not three: nothing ends the pool at once.
    pool.handleSignal("SIGTERM");
    expect(modes).toEqual(["forceful"]);
    expect(await jobFinished(server, job.id)).toMatchObject({ signal: "SIGTERM", signalReason: "agent_stop" });
    expect(await pool.done).toEqual({ exitCode: 0 });
  });
});
