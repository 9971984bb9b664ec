import { describe, expect, it } from "@jest/globals";
import { jobPerTest, runJobCommand } from "./job-command-harness.js";

const job = jobPerTest();

describe("meta-data set / get / exists / keys", () => {
  it("stores a value that get prints without a newline, through the job and through --build", async () => {
    const { env, server, buildId } = await job();
    expect(await runJobCommand("meta-data set", ["release", "2.4.1"], { env })).toMatchObject({ status: 0, stdout: "" });
    expect(server.metaData(buildId)).toEqual({ release: "2.4.1" });
    expect(await runJobCommand("meta-data get", ["release"], { env })).toMatchObject({ status: 0, stdout: "2.4.1" });
    const viaBuild = await runJobCommand("meta-data get", ["release"], { env: { ...env, BUILDKITE_JOB_ID: "" }, flags: { build: buildId } });
    expect(viaBuild).toMatchObject({ status: 0, stdout: "2.4.1" });
  });

  it("reads the value from stdin when only the key is given", async () => {
    const { env, server, buildId } = await job();
    const run = await runJobCommand("meta-data set", ["notes"], { env, stdin: "line 1\nline 2\n" });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("Reading meta-data value from STDIN");
    expect(server.metaData(buildId)).toEqual({ notes: "line 1\nline 2\n" });
  });

  it("an empty key is the missing required argument, printed bare as config errors are (cli.md §1)", async () => {
    const { env, server, buildId } = await job();
    expect(await runJobCommand("meta-data set", ["", "v"], { env })).toEqual({
      status: 1,
      stdout: "",
      stderr: "Missing meta-data key. See: `buildkite-agent meta-data set --help`\n",
    });
    expect(server.metaData(buildId)).toEqual({});
  });

  it.each([
    ["a whitespace key", ["  ", "v"], "key cannot be empty, or composed of only whitespace characters"],
    ["an empty value", ["k", ""], "value cannot be empty, or composed of only whitespace characters"],
    ["a whitespace value", ["k", " \n\t"], "value cannot be empty, or composed of only whitespace characters"],
  ])("refuses %s before calling Buildkite", async (_name, args, message) => {
    const { env, server, buildId } = await job();
    const run = await runJobCommand("meta-data set", args, { env });
    expect(run).toMatchObject({ status: 1, stdout: "" });
    expect(run.stderr).toBe(`buildkite-agent: fatal: ${message}\n`);
    expect(server.metaData(buildId)).toEqual({});
  });

  it("redacts the job's secrets from the value, with a warning naming the key", async () => {
    const { env, server, buildId } = await job();
    const run = await runJobCommand("meta-data set", ["deploy", "token is hunter2hunter2 ok"], {
      env: { ...env, DEPLOY_TOKEN: "hunter2hunter2" },
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('Meta-data value for key "deploy" contained one or more secrets');
    expect(server.metaData(buildId)).toEqual({ deploy: "token is [REDACTED] ok" });
  });

  it("sends the value as given when --redacted-vars is empty", async () => {
    const { env, server, buildId } = await job();
    await runJobCommand("meta-data set", ["deploy", "hunter2hunter2"], {
      env: { ...env, DEPLOY_TOKEN: "hunter2hunter2", BUILDKITE_REDACTED_VARS: "" },
    });
    expect(server.metaData(buildId)).toEqual({ deploy: "hunter2hunter2" });
  });

  it("fails rather than send an unredacted value when a pattern is malformed", async () => {
    const { env, server, buildId } = await job();
    const run = await runJobCommand("meta-data set", ["k", "v"], { env, flags: { "redacted-vars": ["[oops"] } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^buildkite-agent: fatal: finding env vars to redact: .*\[oops/);
    expect(server.metaData(buildId)).toEqual({});
  });

  it("get of a key that does not exist fails with the server's 404, one line", async () => {
    const { env } = await job();
    const run = await runJobCommand("meta-data get", ["nope"], { env });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^buildkite-agent: fatal: failed to get meta-data: POST \S*jobs\/\S+\/data\/get: 404 Not Found: /);
  });

  it("get prints --default (even an empty one) for a missing key, with a warning, exit 0", async () => {
    const { env } = await job();
    const run = await runJobCommand("meta-data get", ["nope"], { env, flags: { default: "0.0.0" } });
    expect(run).toMatchObject({ status: 0, stdout: "0.0.0" });
    expect(run.stderr).toContain('No meta-data value exists with key "nope", returning the supplied default "0.0.0"');
    expect(await runJobCommand("meta-data get", ["nope"], { env, flags: { default: "" } })).toMatchObject({ status: 0, stdout: "" });
  });

  it("get ignores --default when the key exists", async () => {
    const { env } = await job();
    await runJobCommand("meta-data set", ["k", "real"], { env });
    expect(await runJobCommand("meta-data get", ["k"], { env, flags: { default: "fallback" } })).toMatchObject({ status: 0, stdout: "real" });
  });

  it("exists exits 0 for a key that is set and 100, silently, for one that is not", async () => {
    const { env } = await job();
    await runJobCommand("meta-data set", ["present", "yes"], { env });
    expect(await runJobCommand("meta-data exists", ["present"], { env })).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(await runJobCommand("meta-data exists", ["absent"], { env })).toEqual({ status: 100, stdout: "", stderr: "" });
  });

  it("set-batch stores every pair in one request; keys lists them one per line", async () => {
    const { env, server, buildId } = await job();
    const run = await runJobCommand("meta-data set-batch", ["a=1", "b=x=y", "c= spaced "], { env });
    expect(run.status).toBe(0);
    expect(server.metaData(buildId)).toEqual({ a: "1", b: "x=y", c: " spaced " });
    expect(server.requests().filter((request) => request.route.startsWith("meta_data")).map((r) => r.route)).toEqual([
      expect.stringMatching(/batch/),
    ]);
    expect(await runJobCommand("meta-data keys", [], { env })).toMatchObject({ status: 0, stdout: "a\nb\nc\n" });
  });

  it.each([
    ["no =", ["a=1", "novalue"], 'invalid argument "novalue": must be in key=value format'],
    ["an empty key", ["=v"], 'invalid argument "=v": key cannot be empty, or composed of only whitespace characters'],
    ["an empty value", ["k= "], 'invalid argument "k= ": value cannot be empty, or composed of only whitespace characters'],
  ])("set-batch with %s sets nothing", async (_name, args, message) => {
    const { env, server, buildId } = await job();
    const run = await runJobCommand("meta-data set-batch", args, { env });
    expect(run).toMatchObject({ status: 1, stderr: `buildkite-agent: fatal: ${message}\n` });
    expect(server.metaData(buildId)).toEqual({});
  });

  it("set-batch redacts each value that holds a secret", async () => {
    const { env, server, buildId } = await job();
    const run = await runJobCommand("meta-data set-batch", ["a=my s3cr3tvalue", "b=plain"], { env: { ...env, DB_PASSWORD: "s3cr3tvalue" } });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('Meta-data value for key "a" contained one or more secrets');
    expect(run.stderr).not.toContain('key "b"');
    expect(server.metaData(buildId)).toEqual({ a: "my [REDACTED]", b: "plain" });
  });

  it("keys of a build without meta-data prints nothing", async () => {
    const { env } = await job();
    expect(await runJobCommand("meta-data keys", [], { env })).toMatchObject({ status: 0, stdout: "" });
  });

  it("a wrong token is a one-line fatal error, not a retry loop", async () => {
    const { env, server } = await job();
    const run = await runJobCommand("meta-data exists", ["k"], { env: { ...env, BUILDKITE_AGENT_ACCESS_TOKEN: "bkaj_wrong" } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^buildkite-agent: fatal: failed to see if meta-data exists: .*401/m);
    expect(run.stderr).not.toContain("bkaj_wrong");
    // A 401 is not retryable: one request, however slow the machine.
    expect(server.requests().filter((request) => request.route === "meta_data.exists")).toHaveLength(1);
  });
});

describe("through the real command line", () => {
  it("an unknown flag is a usage error, and nothing is stored", async () => {
    const { env, server, buildId } = await job();
    const run = await runJobCommand("meta-data set", ["k", "v"], { env, flags: { bogus: "1" } });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^Incorrect Usage: flag provided but not defined: -bogus\n/);
    expect(run.stderr).toBe("buildkite-agent: fatal: flag provided but not defined: -bogus\n");
    expect(server.metaData(buildId)).toEqual({});
  });

  it("log lines follow --log-level: INFO by default, none at error", async () => {
    const { env } = await job();
    const shown = await runJobCommand("meta-data set", ["k"], { env, stdin: "v" });
    expect(shown.stderr).toMatch(/^\S+ \S+ INFO {3}Reading meta-data value from STDIN\n$/);
    const hidden = await runJobCommand("meta-data set", ["k"], { env, stdin: "v", flags: { "log-level": "error" } });
    expect(hidden).toEqual({ status: 0, stdout: "", stderr: "" });
  });
});
