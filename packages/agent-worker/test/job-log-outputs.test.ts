import { describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { startAgentPool, type AgentPoolOptions } from "../src/index.js";

/** How long queued chunks get after the job's end (README: "What a job gets"). */
const LOG_DRAIN_DEADLINE_MS = 10 * 60 * 1000;import { captureLogger, jobFinished, startPool, startServer, stripTimestamps, tempDir } from "./harness.js";

/** A real stream standing in for the agent's stdout; returns what reached it. */
function stdoutSink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const parts: Buffer[] = [];
  stream.on("data", (part: Buffer) => parts.push(part));
  return { stream, text: () => Buffer.concat(parts).toString("utf8") };
}

/** Waits (bounded) until `file` exists. */
async function fileAppears(file: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A shell command printing `count` numbered lines of about 70 bytes, and the exact text it prints. */
function numberedLines(count: number): { command: string; text: string } {
  const pad = "x".repeat(56);
  const command = `awk 'BEGIN { for (i = 1; i <= ${count}; i++) printf "line %06d ${pad}\\n", i }'`;
  let text = "";
  for (let i = 1; i <= count; i++) text += `line ${String(i).padStart(6, "0")} ${pad}\n`;
  return { command, text };
}

describe("write-job-logs-to-stdout", () => {
  it.each([
    ["ANSI timestamps", {}, /^\x1b_bk;t=\d+\x07hello/],
    ["timestamp-lines", { ansiTimestamps: false, timestampLines: true }, /^\[\d{4}-\d\d-\d\dT[\d:]+Z\] hello/],
  ])("copies the raw output, before %s, to the agent's stdout in text format", async (_mode, overrides, uploadedStart) => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, {
      command: ["printf 'hello <&>\\nworld'", 'echo " tmp=${BUILDKITE_JOB_LOG_TMPFILE:-none}"'],
    });
    const stdout = stdoutSink();
    startPool(server, { writeJobLogsToStdout: true, stdout: stdout.stream, ...overrides });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0 });
    expect(await server.jobLog(job.id)).toMatch(uploadedStart);
    expect(stdout.text()).toBe("hello <&>\nworld tmp=none\n");
  });

  it("wraps each write as a JSON record with the job's fields in json log format", async () => {
    const server = await startServer();
    const build = server.createBuild({ pipelineSlug: "app", branch: "feature/x" });
    const job = server.createJob(build.id, {
      key: "unit",
      // One printf is one write: one record, its trailing CR/LF trimmed as Go does.
      command: "printf 'hello <&>\\r\\nworld\\r\\n'",
      env: { BUILDKITE_AGENT_META_DATA_QUEUE: "builders" },
    });
    const stdout = stdoutSink();
    startPool(server, { writeJobLogsToStdout: true, stdout: stdout.stream, logFormat: "json" });
    await jobFinished(server, job.id);
    const lines = stdout.text().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("");
    // Go's json.Marshal escapes HTML characters.
    expect(lines[0]).toContain('"msg":"hello \\u003c\\u0026\\u003e\\r\\nworld"');
    const record = JSON.parse(lines[0]!) as Record<string, string>;
    const buildUrl = `${new URL(server.endpoint).origin}/local/app/builds/${server.build(build.id)!.number}`;
    expect(Object.keys(record)).toEqual([
      "ts", "level", "msg", "source", "org", "pipeline", "branch", "queue", "build_id", "build_number", "job_url", "build_url", "job_id", "step_key",
    ]);
    expect(record).toEqual({
      ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/),
      level: "INFO",
      msg: "hello <&>\r\nworld",
      source: "job",
      org: "local",
      pipeline: "app",
      branch: "feature/x",
      queue: "builders",
      build_id: build.id,
      build_number: String(server.build(build.id)!.number),
      job_url: `${buildUrl}#${job.id}`,
      build_url: buildUrl,
      job_id: job.id,
      step_key: "unit",
    });
  });

  it("never makes the job wait for a stuck stdout: the copy drops output and says so", async () => {
    const server = await startServer();
    const { command, text } = numberedLines(80_000); // 5.5 MB, beyond the copy's 4 MiB
    const job = server.createJob(server.createBuild().id, { command });
    const stuck = new Writable({ write() {} }); // never calls back, as a pipe nobody reads
    const { logger, lines } = captureLogger();
    startPool(server, { writeJobLogsToStdout: true, stdout: stuck, logger });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0, chunksFailedCount: 0 });
    expect(stripTimestamps(await server.jobLog(job.id))).toBe(text);
    expect(stuck.writableLength).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(stuck.writableLength).toBeGreaterThan(4 * 1024 * 1024 - 65_536);
    const dropped = lines.map((line) => /^warn: (\d+) bytes of job output were not copied to stdout/.exec(line)?.[1]).filter(Boolean);
    expect(dropped).toEqual([String(text.length - stuck.writableLength)]);
    expect(lines.filter((line) => line.startsWith("warn: stdout is not keeping up"))).toHaveLength(1);
  });
});

describe("enable-job-log-tmpfile", () => {
  it.each([
    ["ANSI timestamps", {}, "\x1b_bk;t="],
    ["timestamp-lines", { ansiTimestamps: false, timestampLines: true }, "Z] tmpfile="],
  ])("writes exactly the uploaded bytes (with %s) to a file named as Go names it, exported to the job, deleted after it", async (_mode, overrides, staged) => {
    const server = await startServer();
    const logDir = tempDir();
    const keep = path.join(logDir, "kept");
    const job = server.createJob(server.createBuild().id, {
      command: [
        // A hard link keeps the file's content readable after the agent deletes its name.
        'ln "$BUILDKITE_JOB_LOG_TMPFILE" "$KEEP"',
        'echo "tmpfile=$BUILDKITE_JOB_LOG_TMPFILE"',
        "printf 'second line\\nno newline'",
      ],
      env: { KEEP: keep },
    });
    startPool(server, { jobLogTmpfile: true, jobLogPath: logDir, ...overrides });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0 });
    const uploaded = await server.jobLog(job.id);
    const tmpfile = /tmpfile=(\S+)/.exec(uploaded)![1]!;
    expect(path.dirname(tmpfile)).toBe(logDir);
    expect(path.basename(tmpfile)).toMatch(/^buildkite_job_log\d+$/);
    // The file has what was uploaded, timestamps and all.
    expect(uploaded).toContain(staged);
    expect(readFileSync(keep, "utf8")).toBe(uploaded);
    // As Go: made world-readable for log collectors.
    expect(statSync(keep).mode & 0o777).toBe(0o644);
    expect(existsSync(tmpfile)).toBe(false);
    expect(readdirSync(logDir)).toEqual(["kept"]);
  });
});

describe("chunk uploads during an outage", () => {
  it("lets the job finish its command while uploads fail, spilling to disk, then uploads the whole log in order", async () => {
    const server = await startServer();
    const logDir = tempDir();
    const marker = path.join(tempDir(), "command-ended");
    const { command, text } = numberedLines(60_000); // 4.1 MB: far beyond what backpressure lets through
    const job = server.createJob(server.createBuild().id, { command: `${command}; : > "$MARKER"`, env: { MARKER: marker } });
    const fault = server.injectFault({ route: "chunks.upload", fault: { kind: "status", status: 503 } });
    // Upload retries wait for the end of the outage, so nothing gets through (or is dropped) before it.
    let outageOver!: () => void;
    const outage = new Promise<void>((resolve) => (outageOver = resolve));
    startPool(server, {
      jobLogPath: logDir,
      jobLogBufferBytes: 256 * 1024,
      retrySleep: () => outage.then(() => new Promise((resolve) => setImmediate(resolve))),
    });

    let commandEnded: number;
    try {
      await fileAppears(marker, 10_000);
      commandEnded = Date.now();
      expect(fault.hits).toBeGreaterThan(0);
      expect(server.chunks(job.id)).toEqual([]);
      const [spill] = readdirSync(logDir);
      expect(spill).toMatch(/^job-log-spill-/);
      expect(statSync(path.join(logDir, spill!)).mode & 0o777).toBe(0o600);
    } finally {
      // Also when the test failed: the stopping pool must be able to finish its uploads.
      fault.remove();
      outageOver();
    }
    const uploadsResumed = Date.now();
    expect(commandEnded).toBeLessThanOrEqual(uploadsResumed);
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: 0, chunksFailedCount: 0 });
    expect(stripTimestamps(await server.jobLog(job.id))).toBe(text);
    const chunks = server.chunks(job.id).sort((a, b) => a.sequence - b.sequence);
    let offset = 0;
    chunks.forEach((chunk, index) => {
      expect(chunk).toMatchObject({ sequence: index + 1, offset });
      expect(chunk.size).toBeLessThanOrEqual(102_400);
      offset += chunk.size;
    });
    expect(readdirSync(logDir)).toEqual([]);
  });
});

describe("job log options", () => {
  it.each([
    ["writeJobLogsToStdout without stdout", { writeJobLogsToStdout: true }, "agent option writeJobLogsToStdout needs the agent's stdout: pass it as the stdout option"],
    ["an unknown logFormat", { logFormat: "xml" as "json" }, 'agent option logFormat must be "text" or "json", got "xml"'],
    ["a fractional jobLogBufferBytes", { jobLogBufferBytes: 1.5 }, "agent option jobLogBufferBytes must be a whole number of bytes >= 0, got 1.5"],
  ])("refuses %s with AGENT_INVALID_OPTION at start", (_name, overrides: Partial<AgentPoolOptions>, message) => {
    expect(() =>
      startAgentPool({ token: "t", buildPath: tempDir(), executor: { command: "/bin/true", args: [] }, ...overrides }),
    ).toThrow(expect.objectContaining({ code: "AGENT_INVALID_OPTION", message }));
  });

  it("finishes the job when the drain deadline passes, counting the chunks it could not upload", async () => {
    const server = await startServer();
    const logDir = tempDir();
    const { command } = numberedLines(20_000);
    const job = server.createJob(server.createBuild().id, { command });
    server.injectFault({ route: "chunks.upload", fault: { kind: "status", status: 503 } });
    let deadlineAsked = false;
    startPool(server, {
      jobLogPath: logDir,
      jobLogBufferBytes: 64 * 1024,
      // Upload retries would take minutes per chunk; the drain deadline (10 min
      // after the job's end) passes at once here, and is the only wait that does.
      retrySleep: () => new Promise(() => undefined),
      clock: {
        sleep: (ms, signal) => {
          if (ms === LOG_DRAIN_DEADLINE_MS) {
            deadlineAsked = true;
            return Promise.resolve();
          }
          return new Promise((resolve, reject) => {
            const timer = setTimeout(resolve, ms);
            signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
          });
        },
      },
    });
    const finished = await jobFinished(server, job.id);
    expect(deadlineAsked).toBe(true);
    expect(finished.exitStatus).toBe(0);
    expect(finished.chunksFailedCount).toBeGreaterThan(0);
    expect(server.chunks(job.id)).toEqual([]);
    expect(readdirSync(logDir)).toEqual([]);
  });
});
