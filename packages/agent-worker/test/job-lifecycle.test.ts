import { describe, expect, it } from "@jest/globals";
import { DEFAULT_REDACTED_VARS } from "@agent/log-redactor";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REGISTRATION_TOKEN, captureLogger, jobFinished, startPool, startServer, stripTimestamps, tempDir } from "./harness.js";

describe("running a job end to end", () => {
  it("runs the command, uploads its timestamped log and finishes with its exit status", async () => {
    const server = await startServer();
    const build = server.createBuild();
    const job = server.createJob(build.id, { command: "echo hello; echo world" });
    const before = Date.now();
    const { pool } = startPool(server, { noPty: false });
    const finished = await jobFinished(server, job.id);
    expect(finished).toMatchObject({ state: "finished", exitStatus: 0, signal: undefined, chunksFailedCount: 0 });
    const log = await server.jobLog(job.id);
    const stamps = [...log.matchAll(/\x1b_bk;t=(\d+)\x07/g)].map((m) => Number(m[1]));
    expect(stamps.length).toBe(2);
    for (const stamp of stamps) {
      expect(stamp).toBeGreaterThanOrEqual(before);
      expect(stamp).toBeLessThanOrEqual(Date.now());
    }
    // PTY: the line discipline turns \n into \r\n.
    expect(stripTimestamps(log)).toBe("hello\r\nworld\r\n");
    expect(server.job(job.id)?.headerTimes).toEqual({});
    await pool.stop("graceful");
    expect(await pool.done).toEqual({ exitCode: 0 });
  });

  it.each([
    ["success", "true", 0],
    ["failure", "exit 1", 1],
    ["another status", "exit 3", 3],
  ])("reports the exit status of a %s", async (_name, command, status) => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, { command });
    startPool(server);
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: status, signalReason: undefined });
  });

  it("gives the job its token and env files, never the registration token, and cleans up after it", async () => {
    const server = await startServer();
    const contextDir = tempDir();
    const job = server.createJob(server.createBuild().id, {
      command: [
        'echo "token=$BUILDKITE_AGENT_ACCESS_TOKEN"',
        'echo "reg=${BUILDKITE_AGENT_TOKEN:-none}"',
        'echo "ignored=$BUILDKITE_IGNORED_ENV"',
        'echo "build=$BUILDKITE_BUILD_PATH"',
        'grep -cF \'MY_VAR="a \\"quoted\\" value"\' "$BUILDKITE_ENV_FILE"',
        'grep -cF \'"MY_VAR":"a \\"quoted\\" value"\' "$BUILDKITE_ENV_JSON_FILE"',
        'echo "endpoint=$BUILDKITE_AGENT_ENDPOINT"',
      ],
      env: { BUILDKITE_AGENT_TOKEN: "from-the-job", BUILDKITE_BUILD_PATH: "/elsewhere", MY_VAR: 'a "quoted" value' },
    });
    const { pool } = startPool(server, {
      jobContextDir: contextDir,
      env: { PATH: "/usr/bin:/bin", BUILDKITE_AGENT_TOKEN: REGISTRATION_TOKEN },
    });
    await jobFinished(server, job.id);
    const log = await server.jobLog(job.id).then(stripTimestamps);
    const lines = log.trimEnd().split("\n");
    expect(lines[0]).toBe(`token=${job.token}`);
    expect(lines[1]).toBe("reg=none");
    expect(lines[2]).toBe("ignored=BUILDKITE_BUILD_PATH");
    expect(lines[3]).toMatch(/^build=\/.*\/builds$/);
    expect(lines.slice(4, 6)).toEqual(["1", "1"]);
    expect(lines[6]).toBe(`endpoint=${server.endpoint}`);
    expect(log).not.toContain(REGISTRATION_TOKEN);
    expect(readdirSync(contextDir)).toEqual([]);
    expect(server.job(job.id)?.exitStatus).toBe(0);
    await pool.stop("graceful");
  });

  it("exports redacted-vars to the job: the option, else the library's defaults", async () => {
    const server = await startServer();
    const build = server.createBuild();
    const first = server.createJob(build.id, { command: 'echo "$BUILDKITE_REDACTED_VARS"' });
    startPool(server, { disconnectAfterJob: true });
    await jobFinished(server, first.id);
    expect(stripTimestamps(await server.jobLog(first.id))).toBe(`${DEFAULT_REDACTED_VARS.join(",")}\n`);
    const second = server.createJob(build.id, { command: 'echo "$BUILDKITE_REDACTED_VARS"' });
    startPool(server, { redactedVars: ["*_KEY", "MINE"] });
    await jobFinished(server, second.id);
    expect(stripTimestamps(await server.jobLog(second.id))).toBe("*_KEY,MINE\n");
  });

  it("sends header times and a raw log with ansiTimestamps off", async () => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, { command: 'echo "--- a header"; echo body; echo "+++ another"' });
    startPool(server, { ansiTimestamps: false });
    await jobFinished(server, job.id);
    expect(await server.jobLog(job.id)).toBe("--- a header\nbody\n+++ another\n");
    expect(Object.keys(server.job(job.id)?.headerTimes ?? {}).sort()).toEqual(["0", "1"]);
  });

  it("prefixes lines with timestampLines", async () => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, { command: 'echo "--- a header"; echo body' });
    startPool(server, { ansiTimestamps: false, timestampLines: true });
    await jobFinished(server, job.id);
    expect(await server.jobLog(job.id)).toMatch(/^--- a header\n\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\] body\n$/);
  });
});

describe("jobs the agent refuses or cannot run", () => {
  it("refuses a repository outside allowed-repositories, redacting secrets in its own log line", async () => {
    const server = await startServer();
    // A token as the URL's user name: not a password, so only redacted-vars catch it.
    const build = server.createBuild({ repo: "https://hunter2hunter2@evil.example/x.git" });
    const job = server.createJob(build.id, { command: "echo should-not-run" });
    startPool(server, {
      allowedRepositories: ["^git@github\\.com:acme/"],
      env: { PATH: "/usr/bin:/bin", DEPLOY_PASSWORD: "hunter2hunter2" },
    });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: -1, signalReason: "agent_refused" });
    expect(stripTimestamps(await server.jobLog(job.id))).toBe(
      "failed to validate repo: https://[REDACTED]@evil.example/x.git has no match in [^git@github\\.com:acme/]\n",
    );
  });

  it("masks a repository URL's password in the refusal, in the job log and in the agent log", async () => {
    const server = await startServer();
    const build = server.createBuild({ repo: "https://x-access-token:ghs_SECRETSECRET@github.com/acme/app.git" });
    const job = server.createJob(build.id, { command: "echo should-not-run" });
    const { logger, lines } = captureLogger();
    // No env var holds the secret: only the URL masking can hide it.
    startPool(server, { allowedRepositories: ["^git@github\\.com:acme/"], logger });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: -1, signalReason: "agent_refused" });
    const refusal = "failed to validate repo: https://x-access-token:xxxxx@github.com/acme/app.git has no match in [^git@github\\.com:acme/]";
    expect(stripTimestamps(await server.jobLog(job.id))).toBe(`${refusal}\n`);
    expect(lines).toContain(`error: ${refusal} {"job":"${job.id}"}`);
    expect(lines.filter((line) => line.includes("ghs_SECRETSECRET"))).toEqual([]);
  });

  it("refuses a job env variable outside allowed-environment-variables", async () => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "true", env: { SNEAKY: "1" } });
    startPool(server, { enableEnvironmentVariableAllowlist: true, allowedEnvironmentVariables: ["^SAFE_"] });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: -1, signalReason: "agent_refused" });
    expect(stripTimestamps(await server.jobLog(job.id))).toMatch(/^failed to validate environment variables: SNEAKY has no match in \[\^SAFE_ /);
  });

  it("refuses a job its pre-bootstrap hook rejects, with the real message", async () => {
    const server = await startServer();
    const hooks = tempDir();
    writeFileSync(path.join(hooks, "pre-bootstrap"), '#!/bin/sh\necho "checking $BUILDKITE_JOB_ID"; test -f "$BUILDKITE_ENV_FILE"; exit 3\n', { mode: 0o755 });
    const lines: string[] = [];
    const job = server.createJob(server.createBuild().id, { command: "echo should-not-run" });
    startPool(server, {
      hooksPath: hooks,
      shell: "/bin/sh -e -c",
      logger: { debug() {}, info: (m) => lines.push(m), warn() {}, error: (m) => lines.push(m) },
    });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: -1, signalReason: "agent_refused" });
    expect(stripTimestamps(await server.jobLog(job.id))).toBe(
      "pre-bootstrap hook rejected this job, see the buildkite-agent logs for more details\n",
    );
    expect(lines).toContain(`pre-bootstrap: checking ${job.id}`);
    expect(lines).toContain("pre-bootstrap hook rejected this job: exit status 3");
  });

  it("fails a job whose build path is not a directory any more", async () => {
    const server = await startServer();
    const buildPath = path.join(tempDir(), "builds");
    const { pool } = startPool(server, { buildPath });
    await pool.ready;
    rmSync(buildPath, { recursive: true });
    writeFileSync(buildPath, "not a directory");
    const job = server.createJob(server.createBuild().id, { command: "echo should-not-run" });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: -1, signalReason: "process_run_error" });
    expect(stripTimestamps(await server.jobLog(job.id))).toBe(
      `Error running job: the build path ${buildPath} is not a directory; create it or set build-path to one\n`,
    );
  });

  it("fails a job whose executor cannot be started", async () => {
    const server = await startServer();
    const job = server.createJob(server.createBuild().id, { command: "true" });
    startPool(server, { executor: { command: "/nonexistent/bootstrap", args: [] } });
    expect(await jobFinished(server, job.id)).toMatchObject({ exitStatus: -1, signalReason: "process_run_error" });
    expect(stripTimestamps(await server.jobLog(job.id))).toMatch(/^Error running job: .*\/nonexistent\/bootstrap/);
  });

  it("creates a missing build path at start, and fails clearly when it cannot", async () => {
    const server = await startServer();
    const file = path.join(tempDir(), "a-file");
    writeFileSync(file, "");
    const { pool } = startPool(server, { buildPath: path.join(file, "builds") });
    const result = await pool.done;
    expect(result.exitCode).toBe(1);
    expect(result.error?.code).toBe("AGENT_BUILD_PATH");
    expect(result.error?.message).toMatch(/^could not create the build path .*a-file\/builds: ENOTDIR/);
    const ok = path.join(tempDir(), "x", "y");
    const { pool: second } = startPool(server, { buildPath: ok });
    await second.ready;
    expect(existsSync(ok)).toBe(true);
    mkdirSync(path.join(ok, "z"));
  });
});
