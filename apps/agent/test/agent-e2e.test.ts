// End to end: the real `buildkite-agent start` process against a real Agent API
// server on 127.0.0.1, running real jobs through the real `bootstrap`. Each test
// has its own server, temp dir and marker, and fails if any process it started
// is left behind (agent-e2e-harness.ts). Tests run concurrently: each waits on
// server events, not on the others.
import { describe, expect, it } from "@jest/globals";
import net from "node:net";
import os from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import { REGISTRATION_TOKEN, withE2e } from "./agent-e2e-harness.js";

/** The agent's ANSI timestamp: APC `bk;t=<unix ms>` BEL before every line (logs-and-redaction.md §2). */
const TIMESTAMP = /^\x1b_bk;t=(\d+)\x07/;
/** A header line, colours removed first (logs-and-redaction.md §3). */
const HEADER = /^(---|\+\+\+|~~~)\s/;
const stripColour = (line: string): string => line.replace(/\x1b\[[0-9;]*[mK]/g, "");
// A PTY ends lines with CRLF; the command's own PTY inside the bootstrap's adds a
// second CR (onlcr twice), as with the real agent unless experiment pty-raw is on.
const logLines = (log: string): string[] => log.split(/\r*\n/).filter((line, i, all) => i < all.length - 1 || line !== "");

// A job that says it is ready, and on SIGTERM says so and exits: a well-behaved job.
const TRAPS_TERM = `trap 'echo got-sigterm; exit 130' TERM\necho ready\nsleep 30 & wait`;
// A job that ignores SIGTERM (its shell and the sleep): only SIGKILL ends it.
// (`not-$word` so that the command line the bootstrap echoes does not contain the output.)
const IGNORES_TERM = `trap '' TERM\necho ready\nsleep 30\nword=reached; echo "not-$word"`;

describe("buildkite-agent start, end to end", () => {
  it.concurrent.each([
    ["--no-pty", false],
    ["a PTY", true],
  ])("runs a job (%s): every log line gets an ANSI timestamp from the run, exit status 0, then stops on SIGTERM with exit 0", async (_, pty) => {
    await withE2e(async ({ server, createJob, startAgent, finished, agentId, record }) => {
      const job = createJob('echo "hello from e2e"\necho "second line"');
      const agent = startAgent([], { pty });
      const id = await agentId();
      const result = await finished(job.id);
      expect(result).toMatchObject({ state: "finished", exitStatus: 0, signal: undefined, signalReason: undefined });

      const snapshot = record(job.id);
      expect(snapshot.chunksFailedCount).toBe(0);
      const log = await server.jobLog(job.id);
      const lines = logLines(log);
      expect(lines.map((line) => line.replace(TIMESTAMP, ""))).toEqual(expect.arrayContaining(["hello from e2e", "second line"]));
      for (const line of lines) {
        const match = TIMESTAMP.exec(line);
        expect(match).not.toBeNull();
        // Stamped while the job ran, by the agent (same host clock as the server).
        const ms = Number(match![1]);
        expect(ms).toBeGreaterThanOrEqual(snapshot.startedAt! - 1000);
        expect(ms).toBeLessThanOrEqual(snapshot.finishedAt!);
      }

      agent.child.kill("SIGTERM");
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
      expect(server.events().some((e) => e.type === "agent.disconnected" && e.agentId === id)).toBe(true);
    });
  });

  it.concurrent("--no-ansi-timestamps: the log is the raw output and each header's time is recorded on the server", async () => {
    await withE2e(async ({ server, createJob, startAgent, finished, record }) => {
      const job = createJob('echo "--- first header"\necho plain\necho "+++ second header"\necho done');
      const agent = startAgent(["--no-ansi-timestamps", "--disconnect-after-job"]);
      expect((await finished(job.id)).exitStatus).toBe(0);
      const snapshot = record(job.id);
      const log = await server.jobLog(job.id);
      expect(log).not.toContain("\x1b_bk;t=");
      const lines = logLines(log);
      expect(lines).toEqual(expect.arrayContaining(["--- first header", "plain", "+++ second header", "done"]));

      // One time per header line (the bootstrap's own `~~~` ones too), indexes from 0.
      const headers = lines.filter((line) => HEADER.test(stripColour(line)));
      expect(headers.length).toBeGreaterThanOrEqual(2);
      expect(Object.keys(snapshot.headerTimes).sort((a, b) => Number(a) - Number(b))).toEqual(headers.map((_, i) => String(i)));
      for (const time of Object.values(snapshot.headerTimes)) {
        const ms = Date.parse(time);
        expect(ms).toBeGreaterThanOrEqual(snapshot.startedAt! - 1000);
        expect(ms).toBeLessThanOrEqual(snapshot.finishedAt!);
      }
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
    });
  });

  it.concurrent.each([0, 1, 3])("reports the command's exit status %i", async (status) => {
    await withE2e(async ({ server, createJob, startAgent, finished }) => {
      const job = createJob(`echo "exiting with ${status}"\nexit ${status}`);
      const agent = startAgent(["--disconnect-after-job"]);
      expect(await finished(job.id)).toMatchObject({ state: "finished", exitStatus: status, signal: undefined, signalReason: undefined });
      expect(await server.jobLog(job.id)).toContain(`exiting with ${status}`);
      // The agent's own exit does not reflect the job's (no --acquire-job).
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
    });
  });

  it.concurrent("cancels a job that exits on SIGTERM: it cleans up and is reported as SIGTERM / cancel", async () => {
    await withE2e(async ({ server, createJob, startAgent, finished, logIncludes }) => {
      const job = createJob(TRAPS_TERM);
      const agent = startAgent(["--disconnect-after-job"]);
      await logIncludes(job.id, "ready");
      server.cancelJob(job.id);
      const result = await finished(job.id);
      // The bootstrap re-raises the SIGTERM it got on itself (lifecycle.md §4.2);
      // a SIGKILL after the grace period would be reported as SIGKILL instead.
      expect(result).toMatchObject({ state: "canceled", exitStatus: -1, signal: "SIGTERM", signalReason: "cancel" });
      expect(await server.jobLog(job.id)).toContain("got-sigterm");
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
    });
  });

  it.concurrent("cancels a job that ignores SIGTERM: SIGKILL after the signal grace period, reported as SIGKILL / cancel", async () => {
    await withE2e(async ({ server, createJob, startAgent, finished, logIncludes, processes }) => {
      const job = createJob(IGNORES_TERM);
      const agent = startAgent(["--disconnect-after-job", "--cancel-grace-period", "2", "--signal-grace-period-seconds", "1"]);
      await logIncludes(job.id, "ready");
      const cancelledAt = Date.now();
      server.cancelJob(job.id);
      const result = await finished(job.id);
      expect(result).toMatchObject({ state: "canceled", exitStatus: -1, signal: "SIGKILL", signalReason: "cancel" });
      // Not before the 1 s signal grace period; that the sleep's 30 s did not run
      // out shows in the missing "not-reached" and the SIGKILL reported.
      expect(result.time - cancelledAt).toBeGreaterThanOrEqual(1000);
      expect(await server.jobLog(job.id)).not.toContain("not-reached");
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
      // The SIGKILL reached the job's command too, not only the bootstrap: nothing
      // of the job is still running once the agent reported it and exited.
      expect(processes().map((p) => p.cmdline)).toEqual([]);
    });
  });

  it.concurrent("redacts secret env vars (*_TOKEN, *_PASSWORD) from the uploaded log", async () => {
    const token = "tok-9f8e7d6c5b4a-e2e";
    const password = "pw-correct-horse-e2e";
    await withE2e(async ({ server, createJob, startAgent, finished }) => {
      const job = createJob('echo "token=$DEPLOY_TOKEN"\necho "password=$DB_PASSWORD"\necho "public=$PUBLIC_VALUE"', {
        DEPLOY_TOKEN: token,
        DB_PASSWORD: password,
        PUBLIC_VALUE: "visible-e2e",
      });
      const agent = startAgent(["--disconnect-after-job"]);
      expect((await finished(job.id)).exitStatus).toBe(0);
      const log = await server.jobLog(job.id);
      expect(log).not.toContain(token);
      expect(log).not.toContain(password);
      expect(log).toContain("token=[REDACTED]");
      expect(log).toContain("password=[REDACTED]");
      expect(log).toContain("public=visible-e2e");
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
      expect(agent.stdout() + agent.stderr()).not.toContain(token);
    });
  });

  it.concurrent("ping action pause: runs nothing while paused, keeps pinging, runs the job once resumed", async () => {
    await withE2e(async ({ server, createJob, startAgent, finished, agentId, record }) => {
      const agent = startAgent(["--disconnect-after-job"]);
      const id = await agentId();
      await server.waitForEvent("agent.connected", { match: (e) => e.agentId === id, signal: AbortSignal.timeout(20_000) });
      server.pauseAgent(id, { note: "e2e pause" });
      const job = createJob("echo resumed-job");
      const createdAt = Date.now();
      // A ping answered once the job exists would have offered it to an agent
      // that is not paused; the agent pings every 1 s + jitter. The poll is
      // bounded: `delay` rejects when the signal times out.
      const answered = () => server.requests().some((r) => r.route === "ping" && r.time >= createdAt && r.status === 200);
      const signal = AbortSignal.timeout(20_000);
      while (!answered()) await delay(100, undefined, { signal });
      expect(record(job.id).state).toBe("scheduled");
      expect(agent.child.exitCode).toBeNull();

      server.resumeAgent(id);
      expect(await finished(job.id)).toMatchObject({ state: "finished", exitStatus: 0 });
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
    });
  });

  it.concurrent("ping action disconnect (server stopAgent): the idle agent disconnects and exits 0", async () => {
    await withE2e(async ({ server, startAgent, agentId }) => {
      const agent = startAgent();
      const id = await agentId();
      await server.waitForEvent("agent.connected", { match: (e) => e.agentId === id, signal: AbortSignal.timeout(20_000) });
      server.stopAgent(id);
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
      expect(server.events().some((e) => e.type === "agent.disconnected" && e.agentId === id)).toBe(true);
    });
  });

  it.concurrent("SIGTERM during a job: the job runs to its end, then the agent disconnects and exits 0", async () => {
    await withE2e(async ({ server, createJob, startAgent, finished, logIncludes, agentId, record }) => {
      const job = createJob("echo started\nsleep 2\necho finished-normally");
      const agent = startAgent();
      const id = await agentId();
      await logIncludes(job.id, "started");
      agent.child.kill("SIGTERM");
      // A job created now is not taken: the agent stopped asking for work.
      const later = createJob("echo never");
      expect(await finished(job.id)).toMatchObject({ state: "finished", exitStatus: 0, signal: undefined, signalReason: undefined });
      expect(await server.jobLog(job.id)).toContain("finished-normally");
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
      const events = server.events();
      const finishedSeq = events.find((e) => e.type === "job.finished" && e.jobId === job.id)!.seq;
      const disconnected = events.find((e) => e.type === "agent.disconnected" && e.agentId === id);
      expect(disconnected).toBeDefined();
      expect(disconnected!.seq).toBeGreaterThan(finishedSeq);
      expect(record(later.id).state).toBe("scheduled");
    });
  });

  it.concurrent("SIGQUIT during a job: the job is cancelled with signal_reason agent_stop, then the agent exits", async () => {
    await withE2e(async ({ server, createJob, startAgent, finished, logIncludes, agentId }) => {
      const job = createJob(TRAPS_TERM);
      const agent = startAgent(["--cancel-grace-period", "3", "--signal-grace-period-seconds", "2"]);
      const id = await agentId();
      await logIncludes(job.id, "ready");
      agent.child.kill("SIGQUIT");
      const result = await finished(job.id);
      expect(result).toMatchObject({ exitStatus: -1, signal: "SIGTERM", signalReason: "agent_stop" });
      expect(await server.jobLog(job.id)).toContain("got-sigterm");
      // Workers stopped normally within the grace period: exit 0 (lifecycle.md §7).
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
      expect(server.events().some((e) => e.type === "agent.disconnected" && e.agentId === id)).toBe(true);
    });
  });

  it.concurrent.each([
    ["from-job", "clone=[--agent-clone] fetch=[--agent-fetch] sparse=[docs]"],
    ["none", "clone=[--job-clone] fetch=[--agent-fetch] sparse=[docs]"],
    ["strict", "clone=[--agent-clone] fetch=[--agent-fetch] sparse=[]"],
  ])("--checkout-override-mode %s: which of the agent's checkout settings win over the job env from Buildkite", async (mode, expected) => {
    await withE2e(async ({ server, createJob, startAgent, finished }) => {
      const job = createJob('echo "clone=[$BUILDKITE_GIT_CLONE_FLAGS] fetch=[$BUILDKITE_GIT_FETCH_FLAGS] sparse=[$BUILDKITE_GIT_SPARSE_CHECKOUT_PATHS]"', {
        BUILDKITE_GIT_CLONE_FLAGS: "--job-clone",
        BUILDKITE_GIT_SPARSE_CHECKOUT_PATHS: "docs",
      });
      startAgent([
        `--checkout-override-mode=${mode}`,
        "--skip-checkout",
        "--git-clone-flags=--agent-clone",
        "--git-fetch-flags=--agent-fetch",
        "--disconnect-after-job",
      ]);
      expect((await finished(job.id)).exitStatus).toBe(0);
      expect(logLines(await server.jobLog(job.id)).map((line) => line.replace(TIMESTAMP, ""))).toContain(expected);
    });
  });

  it.concurrent("step secrets: the agent hands them to the bootstrap, which fetches, exports and redacts them", async () => {
    await withE2e(async ({ server, createJob, startAgent, finished }) => {
      const job = createJob('word=done; echo "deploy key is $DEPLOY_KEY, $word"', {}, { secrets: { DEPLOY_KEY: "deploy/key" } });
      server.setSecret("deploy/key", "s3cr3t-deploy-value", { buildId: job.buildId });
      startAgent(["--disconnect-after-job"]);
      expect((await finished(job.id)).exitStatus).toBe(0);
      const lines = logLines(await server.jobLog(job.id)).map((line) => stripColour(line.replace(TIMESTAMP, "")));
      expect(lines).toContain("# Secret deploy/key added as environment variable DEPLOY_KEY");
      expect(lines).toContain("deploy key is [REDACTED], done");
      expect(lines.join("\n")).not.toContain("s3cr3t-deploy-value");
    });
  });

  it.concurrent("a third SIGTERM ends the agent at once with exit 1, though its finish call is still being retried", async () => {
    await withE2e(async ({ server, createJob, startAgent, logIncludes }) => {
      const job = createJob(TRAPS_TERM);
      const agent = startAgent(["--cancel-grace-period", "30", "--signal-grace-period-seconds", "2"]);
      await logIncludes(job.id, "ready");
      // Every finish fails: without the immediate exit the agent would retry for minutes.
      server.injectFault({ route: "jobs.finish", fault: { kind: "status", status: 503, message: "e2e outage" } });
      // Signals sent together may arrive as one: send each once the agent has acted on the last.
      const sendAndSee = async (text: string): Promise<void> => {
        agent.child.kill("SIGTERM");
        const deadline = Date.now() + 10_000;
        while (!agent.stderr().includes(text) && Date.now() < deadline) await delay(50);
        expect(agent.stderr()).toContain(text);
      };
      await sendAndSee("Gracefully stopping agent");
      await sendAndSee("finish: 503 Service Unavailable");
      agent.child.kill("SIGTERM");
      expect(await agent.exitWithin(5_000)).toEqual({ code: 1, signal: null });
      expect(agent.stderr()).toMatch(/buildkite-agent: fatal: the agent was interrupted a third time/);
      server.clearFaults();
    });
  });

  it.concurrent("start-up: the notice line, a warning for each setting with no effect yet, and --spawn-per-cpu", async () => {
    await withE2e(async ({ server, startAgent, agentId }) => {
      const perCpu = os.availableParallelism();
      const agent = startAgent(["--spawn-per-cpu", "1", "--kubernetes-exec", "--metrics-datadog=false"]);
      await agentId(perCpu);
      const deadline = Date.now() + 10_000;
      while (!agent.stderr().includes("Agent(s)") && Date.now() < deadline) await delay(50);
      const log = agent.stderr();
      expect(log).toMatch(new RegExp(`NOTICE Starting buildkite-agent v3\\.137\\.0\\S* with PID: ${agent.pid}`));
      expect(log).toContain("--kubernetes-exec is not supported by this agent yet and has no effect");
      // Off, or left at a default (metrics-datadog-host has one): nothing to warn about.
      expect(log).not.toMatch(/--metrics-datadog\S* is not supported/);
      expect(log).toContain(`Starting ${perCpu} Agent(s)`);
      expect(server.agents()).toHaveLength(perCpu);
      agent.child.kill("SIGTERM");
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
    });
  });

  it.concurrent("cloud tags with --fail-on-missing-tags: refuses to start, since this agent cannot fetch them yet", async () => {
    await withE2e(async ({ server, startAgent }) => {
      const agent = startAgent(["--tags-from-gcp-labels", "--fail-on-missing-tags"]);
      expect(await agent.exitWithin(10_000)).toEqual({ code: 1, signal: null });
      expect(agent.stderr().trimEnd().split("\n").at(-1)).toBe(
        "buildkite-agent: fatal: --tags-from-gcp-labels is not supported by this agent yet, and --fail-on-missing-tags is set: refusing to start without those tags",
      );
      expect(server.agents()).toHaveLength(0);
    });
  });

  it.concurrent("--acquire-job with --reflect-exit-status: runs that one job, though others wait, and exits with its status", async () => {
    await withE2e(async ({ server, createJob, startAgent, finished }) => {
      const other = createJob("echo other");
      const job = createJob("echo acquired; exit 3");
      const agent = startAgent(["--acquire-job", job.id, "--reflect-exit-status"]);
      expect(await finished(job.id)).toMatchObject({ exitStatus: 3 });
      expect(await agent.exitWithin(10_000)).toEqual({ code: 3, signal: null });
      expect(server.job(other.id)?.state).toBe("scheduled");
    });
  });

  it.concurrent("--acquire-job for a job that cannot be acquired: exit 27", async () => {
    await withE2e(async ({ server, createJob, startAgent }) => {
      const job = createJob("true");
      server.cancelJob(job.id);
      const agent = startAgent(["--acquire-job", job.id]);
      expect(await agent.exitWithin(15_000)).toEqual({ code: 27, signal: null });
    });
  });

  it.concurrent("--verification-jwks-file: refuses to start rather than run jobs unverified", async () => {
    await withE2e(async ({ server, startAgent }) => {
      const agent = startAgent(["--verification-jwks-file", "/nonexistent/keys.json"]);
      expect(await agent.exitWithin(10_000)).toEqual({ code: 1, signal: null });
      expect(agent.stderr()).toContain("buildkite-agent: fatal: --verification-jwks-file is set, but this agent cannot verify job signatures yet");
      expect(server.agents()).toHaveLength(0);
    });
  });

  it.concurrent("--write-job-logs-to-stdout and --enable-job-log-tmpfile: the raw output on the agent's stdout, the log in a file the job can read", async () => {
    await withE2e(async ({ server, createJob, startAgent, finished }) => {
      // The file is written as the log streams: give it a moment before reading.
      const job = createJob('echo "hello stdout"\nsleep 1\nif grep -q "hello stdout" "$BUILDKITE_JOB_LOG_TMPFILE"; then word=has; echo "tmpfile $word it"; fi');
      const agent = startAgent(["--write-job-logs-to-stdout", "--enable-job-log-tmpfile", "--disconnect-after-job"]);
      expect((await finished(job.id)).exitStatus).toBe(0);
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
      // Raw: no ANSI timestamps on the copy.
      expect(agent.stdout()).toContain("hello stdout\n");
      expect(agent.stdout()).not.toContain("\x1b_bk;t=");
      expect(logLines(await server.jobLog(job.id)).map((line) => line.replace(TIMESTAMP, ""))).toContain("tmpfile has it");
    });
  });

  it.concurrent("--disconnect-after-job: runs one job, asks not to be dispatched again, and exits 0 leaving the next job queued", async () => {
    await withE2e(async ({ server, createJob, startAgent, finished, agentId, record }) => {
      const first = createJob("echo first");
      const second = createJob("echo second");
      const agent = startAgent(["--disconnect-after-job"]);
      const id = await agentId();
      expect((await finished(first.id)).exitStatus).toBe(0);
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
      expect(record(second.id).state).toBe("scheduled");
      // finish said ignore_agent_in_dispatches (the server then offers it nothing), and it disconnected.
      expect(server.agent(id)).toMatchObject({ connectionState: "disconnected", ignoreInDispatches: true });
    });
  });

  it.concurrent("--spawn 3 runs 3 jobs at the same time, one per registered worker", async () => {
    await withE2e(async ({ server, createJob, startAgent, finished, record }) => {
      const jobs = [1, 2, 3].map((n) => createJob(`echo "job ${n} running"\nsleep 2\necho "job ${n} done"`));
      const agent = startAgent(["--spawn", "3", "--name", "e2e-%spawn"]);
      for (const job of jobs) expect((await finished(job.id, 30_000)).exitStatus).toBe(0);
      const snapshots = jobs.map((job) => record(job.id));
      // Every job started before any finished: they overlapped.
      expect(Math.max(...snapshots.map((s) => s.startedAt!))).toBeLessThan(Math.min(...snapshots.map((s) => s.finishedAt!)));
      expect(new Set(snapshots.map((s) => s.agentId)).size).toBe(3);
      expect(server.agents().map((a) => a.name).sort()).toEqual(["e2e-1", "e2e-2", "e2e-3"]);
      agent.child.kill("SIGTERM");
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
    });
  });

  it.concurrent("heartbeats on the server's interval, also while a job runs", async () => {
    await withE2e(
      async ({ server, createJob, startAgent, finished, agentId, record }) => {
        const job = createJob("echo working\nsleep 3");
        const agent = startAgent(["--disconnect-after-job"]);
        const id = await agentId();
        expect((await finished(job.id)).exitStatus).toBe(0);
        const { startedAt, finishedAt } = record(job.id);
        const beats = server.events().filter((e) => e.type === "agent.heartbeat" && e.agentId === id);
        // 1 s interval over a 3 s job: at least two inside it.
        expect(beats.filter((e) => e.time >= startedAt! && e.time <= finishedAt!).length).toBeGreaterThanOrEqual(2);
        expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
      },
      { intervals: { ping: 1, jobStatus: 1, heartbeat: 1 } },
    );
  });

  it.concurrent("a third of chunk uploads and the first finish fail with 5xx: the log arrives complete, each line once, in order", async () => {
    await withE2e(
      async ({ server, createJob, startAgent, finished }) => {
        const LINES = 300;
        // After every two chunks received, the next chunk request fails once with 503.
        let received = 0;
        const unsubscribe = server.onEvent((event) => {
          if (event.type === "chunk.received" && ++received % 2 === 0) {
            server.injectFault({ route: "chunks.upload", times: 1, fault: { kind: "status", status: 503, message: "e2e outage" } });
          }
        });
        server.injectFault({ route: "chunks.upload", times: 1, fault: { kind: "status", status: 503, message: "e2e outage" } });
        server.injectFault({ route: "jobs.finish", times: 1, fault: { kind: "status", status: 502, message: "e2e outage" } });
        try {
          const job = createJob(`i=0; while [ $i -lt ${LINES} ]; do i=$((i+1)); echo "line $i"; done`);
          const agent = startAgent(["--disconnect-after-job"]);
          expect(await finished(job.id, 40_000)).toMatchObject({ state: "finished", exitStatus: 0, chunksFailedCount: 0 });
          // The request log records an answer once it is sent, after the event: read it once the agent is gone.
          expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
          const requests = server.requests();
          const failedChunks = requests.filter((r) => r.route === "chunks.upload" && r.status === 503).length;
          const chunkRequests = requests.filter((r) => r.route === "chunks.upload").length;
          expect(failedChunks).toBeGreaterThanOrEqual(3);
          expect(failedChunks / chunkRequests).toBeGreaterThan(0.2);
          expect(requests.filter((r) => r.route === "jobs.finish").map((r) => r.status)).toEqual([502, 200]);

          const numbered = logLines(await server.jobLog(job.id))
            .map((line) => line.replace(TIMESTAMP, ""))
            .filter((line) => /^line \d+$/.test(line));
          expect(numbered).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i + 1}`));
        } finally {
          unsubscribe();
        }
      },
      // Small chunks, so that the lines (about 9 KB with timestamps) make about ten.
      { chunksMaxSizeBytes: 1024 },
    );
  });

  it.concurrent("malformed and HTML ping answers: the agent survives them and then runs a job", async () => {
    await withE2e(async ({ server, createJob, startAgent, finished, agentId }) => {
      server.injectFault({ route: "ping", times: 2, fault: { kind: "malformed" } });
      server.injectFault({ route: "ping", times: 1, fault: { kind: "html", status: 502 } });
      const agent = startAgent(["--disconnect-after-job"]);
      await agentId();
      const job = createJob("echo after-bad-pings");
      expect(await finished(job.id, 30_000)).toMatchObject({ state: "finished", exitStatus: 0 });
      const pings = server.requests().filter((r) => r.route === "ping");
      expect(pings.filter((r) => r.fault !== undefined)).toHaveLength(3);
      expect(await agent.exitWithin(10_000)).toEqual({ code: 0, signal: null });
    });
  });

  it.concurrent("a bad registration token: the real agent's one fatal line, exit 1, nothing registered", async () => {
    await withE2e(async ({ server, startAgent }) => {
      const agent = startAgent([], { token: "not-the-registration-token" });
      const exit = await agent.exitWithin(10_000);
      expect(exit).toEqual({ code: 1, signal: null });
      // clicommand/errors.go prints the error returned by start: api/client.go's
      // `<METHOD> <URL>: <status>: <message>` (ours shows the path only: api-client README).
      const lines = agent.stderr().trimEnd().split("\n");
      expect(lines.at(-1)).toMatch(/^buildkite-agent: fatal: POST (http:\/\/127\.0\.0\.1:\d+)?\/v3\/register: 401 Unauthorized: Invalid registration token$/);
      expect(lines.filter((line) => line.includes("401 Unauthorized"))).toHaveLength(1);
      expect(agent.stdout() + agent.stderr()).not.toContain("not-the-registration-token");
      expect(server.agents()).toHaveLength(0);
      // Not retried: a 401 is not retryable (agent-api.md §1.1).
      expect(server.requests().filter((r) => r.route === "agents.register")).toHaveLength(1);
    });
  });

  // The whole budget (30 attempts 10 s apart, agent-api.md §2) would take five
  // minutes here, and `start` has no flag to shorten it: the pool's own tests run it
  // with an injected sleep. This checks what the CLI shows and that it can be stopped.
  it.concurrent("an unreachable endpoint: a warning per attempt with the budget, no crash, and SIGTERM stops it at once", async () => {
    await withE2e(async ({ startAgent }) => {
      const closed = net.createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const { port } = closed.address() as net.AddressInfo;
      await new Promise((resolve) => closed.close(resolve));

      const agent = startAgent([], { endpoint: `http://127.0.0.1:${port}/v3` });
      const deadline = Date.now() + 10_000;
      while (!agent.stderr().includes("attempt 1 of 30") && Date.now() < deadline) await delay(50);
      expect(agent.stderr()).toMatch(/WARN +POST \/v3\/register: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(attempt 1 of 30, retrying in 10s\)/);
      expect(agent.stdout() + agent.stderr()).not.toContain(REGISTRATION_TOKEN);
      agent.child.kill("SIGTERM");
      expect(await agent.exitWithin(5_000)).toEqual({ code: 0, signal: null });
      expect(agent.stderr()).not.toMatch(/fatal|Error:|\n +at /);
    });
  });
});
