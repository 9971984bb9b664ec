import { afterAll, afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ApiClient } from "@agent/api-client";
import { runProcess, startJobApi, type Declarations, type JobApiFixture } from "./job-api-harness.js";
import { fatalLine, recordingProxy, runCliInProcess, startJob, type JobFixture } from "./job-command-harness.js";

// What the job's environment holds at the start of each test.
const JOB_ENV = { FOO: "bar", BAZ: "qux", BUILDKITE_JOB_ID: "job-1", BUILDKITE_AGENT_ACCESS_TOKEN: "agent-token-123" } as const;

// The promise-failure declarer's answers: 1 is accepted, the others refused as Buildkite would.
const DECLARATIONS: Declarations = {
  2: { accepted: false, upstreamStatus: 409, error: "a different exit status was promised" },
  3: { accepted: false, upstreamStatus: 422, error: "job is finished" },
  4: { accepted: false, upstreamStatus: 503, error: "service unavailable" },
};

const scratch = mkdtempSync(path.join(tmpdir(), "bk-job-cmds-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let api: JobApiFixture;
beforeEach(async () => {
  api = await startJobApi({ ...JOB_ENV }, DECLARATIONS);
});
afterEach(async () => {
  await api.close();
});

/** The environment a command inside the job sees: the Job API's socket and token. */
function jobEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: scratch, ...JOB_ENV, ...api.jobEnv, ...extra };
}

/** Runs `buildkite-agent <args>` in-process in the job: its status, stdout, and the message of its fatal line. */
async function run(args: readonly string[], options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}) {
  const result = await runCliInProcess(args, { env: options.env ?? jobEnv(), stdin: options.stdin, cwd: options.cwd ?? scratch });
  return { status: result.status, stdout: result.stdout, fatal: fatalLine(result.stderr) };
}

describe("env get", () => {
  it.each([
    ["one name prints just its value", ["FOO"], "bar\n"],
    ["several names print sorted NAME=value lines", ["FOO", "BAZ"], "BAZ=qux\nFOO=bar\n"],
    ["json prints an object with sorted keys", ["--format", "json", "FOO", "BAZ"], '{"BAZ":"qux","FOO":"bar"}\n'],
    ["json-pretty indents by two spaces", ["--format=json-pretty", "FOO"], '{\n  "FOO": "bar"\n}\n'],
  ])("%s", async (_name, args, expected) => {
    expect(await run(["env", "get", ...args])).toEqual({ status: 0, stdout: expected, fatal: undefined });
  });

  it("with no names prints the job's whole environment, sorted", async () => {
    const lines = Object.entries(api.environment.toObject())
      .map(([name, value]) => `${name}=${value}\n`)
      .sort();
    expect(await run(["env", "get"])).toEqual({ status: 0, stdout: lines.join(""), fatal: undefined });
  });

  it("reads the live environment, so it sees what env set and env unset just changed", async () => {
    await run(["env", "set", "FOO=changed", "NEW=1"]);
    await run(["env", "unset", "BAZ"]);
    expect((await run(["env", "get", "--format", "json", "FOO", "NEW"])).stdout).toBe('{"FOO":"changed","NEW":"1"}\n');
    expect(await run(["env", "get", "BAZ"])).toEqual({ status: 1, stdout: "", fatal: undefined });
  });

  it("a missing name: a warning, the other names printed, exit 1 with no fatal line (real process)", async () => {
    const result = await runProcess(["env", "get", "FOO", "MISSING"], { env: jobEnv() });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("FOO=bar\n");
    expect(result.stderr).toMatch(/WARN.*"MISSING" is not set/);
    expect(result.stderr).not.toContain("fatal");
  });

  it("prints the value through the real executable", async () => {
    expect(await runProcess(["env", "get", "FOO"], { env: jobEnv() })).toEqual({ status: 0, stdout: "bar\n", stderr: "" });
  });

  it("a wrong token is the server's 401, wrapped", async () => {
    const result = await run(["env", "get", "FOO"], { env: jobEnv({ BUILDKITE_AGENT_JOB_API_TOKEN: "nope" }) });
    expect(result.fatal).toBe("couldn't fetch the job executor environment variables: API status 401: invalid authorization token");
  });
});

describe("env set", () => {
  it("reports added and updated names and changes the job's environment", async () => {
    expect(await run(["env", "set", "NEW=1", "FOO=changed", "EMPTY="])).toEqual({
      status: 0,
      stdout: "Added:\n+ EMPTY\n+ NEW\nUpdated:\n~ FOO\n",
      fatal: undefined,
    });
    expect(api.environment.toObject()).toMatchObject({ NEW: "1", FOO: "changed", EMPTY: "" });
  });

  it("splits at the first = only", async () => {
    await run(["env", "set", "URL=a=b=c"]);
    expect(api.environment.get("URL")).toBe("a=b=c");
  });

  it("reads NAME=value lines from stdin for `-`", async () => {
    const result = await run(["env", "set", "-"], { stdin: "A=1\nB=two words\n" });
    expect(result).toEqual({ status: 0, stdout: "Added:\n+ A\n+ B\n", fatal: undefined });
    expect(api.environment.get("B")).toBe("two words");
  });

  it("reads JSON objects from stdin with --input-format json", async () => {
    const result = await run(["env", "set", "--input-format", "json", "-"], { stdin: '{"J":"x","FOO":"y"}\n' });
    expect(result.stdout).toBe("Added:\n+ J\nUpdated:\n~ FOO\n");
    expect(api.environment.toObject()).toMatchObject({ J: "x", FOO: "y" });
  });

  it.each([
    ["quiet", ""],
    ["json", '{"added":["X"],"updated":["FOO"]}\n'],
    ["json-pretty", '{\n  "added": [\n    "X"\n  ],\n  "updated": [\n    "FOO"\n  ]\n}\n'],
  ])("--output-format %s", async (format, expected) => {
    expect((await run(["env", "set", "--output-format", format, "X=1", "FOO=bar"])).stdout).toBe(expected);
  });

  it("with nothing to set says so", async () => {
    expect((await run(["env", "set"])).stdout).toBe("No variables added or updated.\n");
  });

  it("a protected variable is refused and nothing changes", async () => {
    const result = await run(["env", "set", "OK=1", "BUILDKITE_AGENT_ACCESS_TOKEN=stolen"]);
    expect(result).toEqual({
      status: 1,
      stdout: "",
      fatal:
        "couldn't update the job executor environment: API status 422: the following environment variables are protected, and cannot be modified: [BUILDKITE_AGENT_ACCESS_TOKEN]",
    });
    expect(api.environment.has("OK")).toBe(false);
    expect(api.environment.get("BUILDKITE_AGENT_ACCESS_TOKEN")).toBe("agent-token-123");
  });

  it("a protected variable: one fatal line, exit 1, from the real executable fed on stdin", async () => {
    const result = await runProcess(["env", "set", "-"], { env: jobEnv(), stdin: "BUILDKITE_BUILD_PATH=/tmp\n" });
    expect(result).toEqual({
      status: 1,
      stdout: "",
      stderr:
        "buildkite-agent: fatal: couldn't update the job executor environment: API status 422: the following environment variables are protected, and cannot be modified: [BUILDKITE_BUILD_PATH]\n",
    });
  });

  it("sets from stdin through the real executable", async () => {
    const result = await runProcess(["env", "set", "--output-format=json", "-"], { env: jobEnv(), stdin: "PIPED=yes\n" });
    expect(result).toEqual({ status: 0, stdout: '{"added":["PIPED"],"updated":[]}\n', stderr: "" });
    expect(api.environment.get("PIPED")).toBe("yes");
  });

  it.each([
    ["an argument without =", ["NOEQUALS"], undefined, 'couldn\'t parse the command-line argument "NOEQUALS": "NOEQUALS" is not in key=value format'],
    ["a stdin line without =", ["-"], "A=1\nnope\n", 'couldn\'t parse input line 2: "nope" is not in key=value format'],
  ])("%s is refused before anything is sent", async (_name, args, stdin, message) => {
    const result = await run(["env", "set", ...args], { stdin });
    expect(result.fatal).toBe(message);
    expect(api.environment.has("A")).toBe(false);
  });
});

describe("env unset", () => {
  it("reports the names that existed and removes them", async () => {
    expect(await run(["env", "unset", "FOO", "MISSING"])).toEqual({ status: 0, stdout: "Unset:\n- FOO\n", fatal: undefined });
    expect(api.environment.has("FOO")).toBe(false);
  });

  it("says so when nothing was set", async () => {
    expect((await run(["env", "unset", "MISSING"])).stdout).toBe("No variables unset.\n");
  });

  it.each([
    ["plain lines", ["-"], "FOO\nBAZ\n"],
    ["a JSON array", ["--input-format", "json", "-"], '["FOO","BAZ"]\n'],
  ])("reads names from stdin as %s", async (_name, args, stdin) => {
    expect((await run(["env", "unset", ...args], { stdin })).stdout).toBe("Unset:\n- BAZ\n- FOO\n");
    expect(api.environment.has("BAZ") || api.environment.has("FOO")).toBe(false);
  });

  it.each([
    ["json", '["BAZ","FOO"]\n'],
    ["json-pretty", '[\n  "BAZ",\n  "FOO"\n]\n'],
    ["quiet", ""],
  ])("--output-format %s", async (format, expected) => {
    expect((await run(["env", "unset", `--output-format=${format}`, "FOO", "BAZ"])).stdout).toBe(expected);
  });

  it("a protected variable is refused and nothing is removed", async () => {
    const result = await run(["env", "unset", "FOO", "BUILDKITE_AGENT_ACCESS_TOKEN"]);
    expect(result.fatal).toBe(
      "couldn't unset the job executor environment variables: API status 422: the following environment variables are protected, and cannot be modified: [BUILDKITE_AGENT_ACCESS_TOKEN]",
    );
    expect(api.environment.get("FOO")).toBe("bar");
  });
});

describe("env dump", () => {
  // Keys in byte order even when JavaScript would put integer-like ones first;
  // no HTML escaping; U+2028 escaped as Go does.
  const env = { B: "2", A: "<&>", "10": "ten", Z: "line\nsep\u2028" };

  it("prints the process environment as compact JSON, without the Job API", async () => {
    expect(await run(["env", "dump"], { env })).toEqual({
      status: 0,
      stdout: '{"10":"ten","A":"<&>","B":"2","Z":"line\\nsep\\u2028"}\n',
      fatal: undefined,
    });
  });

  it("json-pretty indents by two spaces (real process, its own environment)", async () => {
    const result = await runProcess(["env", "dump", "--format", "json-pretty"], { env: { ONLY: "me" } });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ ONLY: "me", PATH: process.env.PATH ?? "/usr/bin:/bin" });
    expect(result.stdout).toMatch(/^\{\n {2}"ONLY": "me",\n {2}"PATH": ".*"\n\}\n$/);
  });

  it("any other format prints compact JSON, as the real agent does", async () => {
    expect((await run(["env", "dump", "--format", "yaml"], { env: { A: "1" } })).stdout).toBe('{"A":"1"}\n');
  });
});

describe("without a usable Job API", () => {
  const envCommands = [
    ["env", "get", "FOO"],
    ["env", "set", "A=1"],
    ["env", "unset", "FOO"],
    ["workdir", "set", "."],
  ];

  it.each(envCommands)("%s %s: the missing socket or token is named", async (...args) => {
    const noSocket = jobEnv({ BUILDKITE_AGENT_JOB_API_SOCKET: "" });
    const noToken = jobEnv();
    delete noToken.BUILDKITE_AGENT_JOB_API_TOKEN;
    expect((await run(args, { env: noSocket })).fatal).toBe("could not create Job API client: BUILDKITE_AGENT_JOB_API_SOCKET empty or undefined");
    expect((await run(args, { env: noToken })).fatal).toBe("could not create Job API client: BUILDKITE_AGENT_JOB_API_TOKEN empty or undefined");
  });

  it("a path that is not a socket is refused before any request", async () => {
    const file = path.join(scratch, "not-a-socket");
    writeFileSync(file, "");
    const result = await run(["env", "get", "FOO"], { env: jobEnv({ BUILDKITE_AGENT_JOB_API_SOCKET: file }) });
    expect(result.fatal).toBe(`could not create Job API client: "${file}" is not a socket`);
  });

  it("a socket nobody listens on fails the test dial", async () => {
    const result = await run(["env", "get"], { env: jobEnv({ BUILDKITE_AGENT_JOB_API_SOCKET: path.join(scratch, "gone.sock") }) });
    expect(result.fatal).toMatch(/^could not create Job API client: stat socket: /);
  });

  it("one fatal line and exit 1 from the real executable", async () => {
    const env = jobEnv();
    delete env.BUILDKITE_AGENT_JOB_API_SOCKET;
    expect(await runProcess(["env", "get"], { env })).toEqual({
      status: 1,
      stdout: "",
      stderr: "buildkite-agent: fatal: could not create Job API client: BUILDKITE_AGENT_JOB_API_SOCKET empty or undefined\n",
    });
  });

  it("redactor add words it its own way", async () => {
    const result = await run(["redactor", "add"], { env: jobEnv({ BUILDKITE_AGENT_JOB_API_SOCKET: "" }), stdin: "s3cret-value" });
    expect(result.fatal).toBe("failed to create Job API client: BUILDKITE_AGENT_JOB_API_SOCKET empty or undefined");
  });
});

describe("redactor add", () => {
  it("adds all of stdin, trimmed, as one secret; prints nothing", async () => {
    expect(await run(["redactor", "add"], { stdin: "  multi word secret \n" })).toEqual({ status: 0, stdout: "", fatal: undefined });
    expect(api.redactions).toEqual(["multi word secret"]);
  });

  it("reads stdin through the real executable", async () => {
    // Quiet: its INFO line is the next test's subject.
    const result = await runProcess(["redactor", "add"], { env: jobEnv({ BUILDKITE_AGENT_LOG_LEVEL: "error" }), stdin: "piped-secret\n" });
    expect(result).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(api.redactions).toEqual(["piped-secret"]);
  });

  it("logs where it reads from at info, as the real agent does", async () => {
    const result = await runProcess(["redactor", "add"], { env: jobEnv({ BUILDKITE_AGENT_LOG_LEVEL: "info" }), stdin: "x-secret" });
    expect(result.stderr).toMatch(/INFO.*Reading secrets from \(stdin\) for redaction/);
  });

  it.each([
    ["every value with --format json", ["--format", "json"], ["abcdefgh", "plain-value", "short"]],
    ["only long values of matching keys with --apply-vars-filter", ["--format", "json", "--apply-vars-filter"], ["abcdefgh"]],
    ["the keys --redacted-vars names", ["--format=json", "--apply-vars-filter", "--redacted-vars", "PLAIN"], ["plain-value"]],
  ])("reads a file: %s", async (_name, flags, expected) => {
    const file = path.join(scratch, "secrets.json");
    writeFileSync(file, JSON.stringify({ API_TOKEN: "abcdefgh", MY_SECRET: "short", PLAIN: "plain-value" }));
    const result = await run(["redactor", "add", ...flags, file]);
    expect(result.status).toBe(0);
    expect(api.redactions.sort()).toEqual(expected);
  });

  it("input that does not parse: a generic message, or the detail with --debug", async () => {
    expect((await run(["redactor", "add", "--format", "json"], { stdin: '["not an object"]' })).fatal).toBe("failed to parse secrets");
    // A real process: --debug logs, and that should not land in the test's own stderr.
    const debug = await runProcess(["redactor", "add", "--format", "json", "--debug"], { env: jobEnv(), stdin: '["not an object"]' });
    expect(debug.status).toBe(1);
    expect(debug.stderr).toMatch(/\nbuildkite-agent: fatal: redactor add: JSON input must be an object of string values\n$/);
    expect(api.redactions).toEqual([]);
  });

  it("a file that cannot be opened is named", async () => {
    expect((await run(["redactor", "add", "nope.txt"])).fatal).toBe("failed to open file nope.txt: open nope.txt: no such file or directory");
  });
});

describe("workdir set", () => {
  const sub = path.join(scratch, "sub dir");
  mkdirSync(sub, { recursive: true });
  writeFileSync(path.join(scratch, "a-file"), "");

  it("resolves a relative path against the caller's directory, sends it, prints it", async () => {
    expect(await run(["workdir", "set", "./sub dir/../sub dir"])).toEqual({ status: 0, stdout: `${sub}\n`, fatal: undefined });
    expect(api.server.takePendingWorkdir()).toBe(sub);
  });

  it.each([
    ["json", `{"workdir":${JSON.stringify(sub)}}\n`],
    ["quiet", ""],
  ])("--output-format %s", async (format, expected) => {
    expect((await run(["workdir", "set", "--output-format", format, sub])).stdout).toBe(expected);
    expect(api.server.takePendingWorkdir()).toBe(sub);
  });

  it.each([
    ["a path that does not exist", "missing", `checking working directory "${path.join(scratch, "missing")}": stat ${path.join(scratch, "missing")}: no such file or directory`],
    ["a file", "a-file", `working directory "${path.join(scratch, "a-file")}" is not a directory`],
  ])("%s is refused and nothing is sent", async (_name, dir, message) => {
    expect((await run(["workdir", "set", dir])).fatal).toBe(message);
    expect(api.server.takePendingWorkdir()).toBeUndefined();
  });

  it("more than one directory is refused", async () => {
    expect((await run(["workdir", "set", "a", "b"])).fatal).toBe("expected exactly one argument (the working directory), got 2");
  });

  it("no directory is fatal, exit 1 (real process)", async () => {
    expect(await runProcess(["workdir", "set"], { env: jobEnv() })).toEqual({
      status: 1,
      stdout: "",
      stderr: "buildkite-agent: fatal: expected exactly one argument (the working directory), got 0\n",
    });
  });
});

describe("job promise-failure", () => {
  it("declares once; a repeat with the same status is debounced and succeeds", async () => {
    expect(await run(["job", "promise-failure", "1", "--reason", "3 tests failed"])).toEqual({ status: 0, stdout: "", fatal: undefined });
    expect(await run(["job", "promise-failure", "1"])).toEqual({ status: 0, stdout: "", fatal: undefined });
    expect(api.declared).toEqual([{ exitStatus: 1, reason: "3 tests failed" }]);
  });

  it("logs the declaration at info (real process)", async () => {
    const result = await runProcess(["job", "promise-failure", "1"], { env: jobEnv({ BUILDKITE_AGENT_LOG_LEVEL: "info" }) });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/INFO.*Declared promised exit status 1 for job job-1/);
  });

  it.each([
    [2, "a different promised exit status has already been declared for this job: a different exit status was promised"],
    [3, "the job is no longer running and cannot accept a promised failure: job is finished"],
    [4, "failed to declare promised job failure: service unavailable"],
  ])("a refusal of status %d is fatal", async (status, message) => {
    expect(await run(["job", "promise-failure", String(status)])).toEqual({ status: 1, stdout: "", fatal: message });
  });

  it.each([
    ["abc", 'exit status must be an integer: strconv.Atoi: parsing "abc": invalid syntax'],
    ["99999999999999999999", 'exit status must be an integer: strconv.Atoi: parsing "99999999999999999999": value out of range'],
    ["0", "exit status must be a positive integer: a promised failure cannot have a zero (successful) or negative exit status"],
    ["-1", "exit status must be a positive integer: a promised failure cannot have a zero (successful) or negative exit status"],
  ])("exit status %s is refused before anything is sent", async (status, message) => {
    expect((await run(["job", "promise-failure", "--", status])).fatal).toBe(message);
    expect(api.declared).toEqual([]);
  });

  it("needs BUILDKITE_JOB_ID", async () => {
    const result = await run(["job", "promise-failure", "1"], { env: jobEnv({ BUILDKITE_JOB_ID: "" }) });
    expect(result.fatal).toBe("BUILDKITE_JOB_ID is not set: this command must be run from within a job");
  });

  it("redacts secrets from the environment in the reason", async () => {
    await run(["job", "promise-failure", "1", "--reason", "deploy with hunter2-secret failed"], { env: jobEnv({ DEPLOY_PASSWORD: "hunter2-secret" }) });
    expect(api.declared).toEqual([{ exitStatus: 1, reason: "deploy with [REDACTED] failed" }]);
  });

  it("warns when it redacted the reason (real process)", async () => {
    const env = jobEnv({ DEPLOY_PASSWORD: "hunter2-secret" });
    const result = await runProcess(["job", "promise-failure", "1", "--reason", "hunter2-secret"], { env });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/WARN.*The promise-failure reason for job "job-1" contained one or more secrets/);
    expect(result.stderr).not.toContain("hunter2-secret");
    expect(api.declared).toEqual([{ exitStatus: 1, reason: "[REDACTED]" }]);
  });

  describe("without the Job API, directly on the Agent API", () => {
    let fixture: JobFixture | undefined;
    afterEach(async () => {
      await fixture?.server.close();
      fixture = undefined;
    });

    /** Runs `job promise-failure <args>` in a job on a real Agent API server, with no Job API socket. */
    const promiseDirectly = (job: JobFixture, args: readonly string[], endpoint = job.endpoint) =>
      run(["job", "promise-failure", ...args], {
        env: { HOME: scratch, ...job.env, BUILDKITE_AGENT_ENDPOINT: endpoint, BUILDKITE_AGENT_JOB_API_SOCKET: "" },
      });

    it("declares the failure, with the agent's User-Agent", async () => {
      const job = (fixture = await startJob());
      const proxy = await recordingProxy(job.endpoint);
      try {
        const result = await promiseDirectly(job, ["3", "--reason", "flaky"], proxy.endpoint);
        expect(result).toEqual({ status: 0, stdout: "", fatal: undefined });
        expect(job.server.job(job.jobId)?.promisedFailure).toEqual({ exitStatus: 3, reason: "flaky" });
        // Dev builds of the Go agent send build `x` (agent-api.md §1).
        expect(proxy.userAgents).toEqual([expect.stringMatching(/^buildkite-agent\/3\.137\.0\.x \(\w+; \w+\)$/)]);
      } finally {
        await proxy.close();
      }
    });

    // Go wraps the whole API error (`PUT <url>: 409 Conflict: <message>`); ours names the path without the host.
    // Regression: an error status from the Job API (here a stale token's 401) was
    // fatal; the real agent declares directly on any Job API error.
    it("declares directly, with a warning, when the Job API answers with an error status", async () => {
      const job = (fixture = await startJob());
      const env = { HOME: scratch, ...job.env, ...api.jobEnv, BUILDKITE_AGENT_JOB_API_TOKEN: "stale" };
      const result = await runCliInProcess(["job", "promise-failure", "5"], { env, cwd: scratch });
      expect(result).toMatchObject({ status: 0, stdout: "" });
      expect(result.stderr).toMatch(
        /WARN.*Couldn't reach the Job API to declare the promised failure; declaring it directly: API status 401: invalid authorization token/,
      );
      expect(api.declared).toEqual([]);
      expect(job.server.job(job.jobId)?.promisedFailure).toEqual({ exitStatus: 5, reason: undefined });
    });

    it("a 409 is a different promised status, worded as the Job API's refusal around the API error", async () => {
      const job = (fixture = await startJob());
      job.server.injectFault({
        route: "jobs.promise_failure",
        fault: { kind: "status", status: 409, message: "a different exit status was promised" },
      });
      expect(await promiseDirectly(job, ["2"])).toEqual({
        status: 1,
        stdout: "",
        fatal: `a different promised exit status has already been declared for this job: PUT /v3/jobs/${job.jobId}/promise_failure: 409 Conflict: a different exit status was promised`,
      });
    });

    it("a 422 (the job has finished) is worded as the Job API's refusal around the API error", async () => {
      const job = (fixture = await startJob());
      const client = new ApiClient({ endpoint: job.endpoint, token: job.env.BUILDKITE_AGENT_ACCESS_TOKEN! });
      try {
        await client.finishJob(job.jobId, { exitStatus: "0", chunksFailedCount: 0 });
      } finally {
        client.close();
      }
      expect(await promiseDirectly(job, ["1"])).toEqual({
        status: 1,
        stdout: "",
        fatal: `the job is no longer running and cannot accept a promised failure: PUT /v3/jobs/${job.jobId}/promise_failure: 422 Unprocessable Entity: Job ${job.jobId} is finished; only a running job can promise failure`,
      });
      expect(job.server.job(job.jobId)?.promisedFailure).toBeUndefined();
    });
  });
});
