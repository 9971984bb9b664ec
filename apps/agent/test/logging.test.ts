import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { AgentApiServer } from "@agent/agent-api-server";
import { createSandbox, expectNoStack, type Sandbox } from "./run-agent.js";

let sandbox: Sandbox;
let server: AgentApiServer;
let endpoint: string;
beforeAll(async () => {
  sandbox = createSandbox();
  // A real Agent API server that refuses the token: `start` logs while it
  // loads its config and registers, then stops with the registration error.
  server = new AgentApiServer({ registrationToken: "the-right-token" });
  ({ endpoint } = await server.listen());
});
afterAll(async () => {
  sandbox.remove();
  await server.close();
});

const start = (...extra: string[]): string[] => [
  "start", "--token", "s3cr3t-registration-token", "--endpoint", endpoint, "--build-path", sandbox.buildPath,
  "--config", sandbox.emptyConfig, ...extra,
];
const REFUSED = /^buildkite-agent: fatal: POST \/v3\/register: 401 Unauthorized/m;
const TEXT_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (DEBUG |INFO  |NOTICE|WARN  |ERROR |FATAL ) \S/;

describe("--log-format json", () => {
  it("writes one JSON object per line on stdout, with ts, level and msg first", async () => {
    const run = await sandbox.runAsync(start("--log-format", "json", "--debug"));
    expect(run.status).toBe(1);
    const lines = run.stdout.split("\n").filter((line) => line !== "");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(entry).slice(0, 3)).toEqual(["ts", "level", "msg"]);
      expect(entry.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
      for (const value of Object.values(entry)) expect(typeof value).toBe("string");
    }
    const loaded = lines.map((line) => JSON.parse(line) as Record<string, string>).find((entry) => entry.msg === "Loaded config");
    expect(loaded).toMatchObject({ level: "DEBUG", command: "start" });
    expect(loaded!.agent_version).toMatch(/^3\.137\.0\+ts\./);
    expect(run.stderr).toMatch(REFUSED);
  });
});

describe("text format", () => {
  it("writes the agent's console lines on stderr, plain with --no-color", async () => {
    const run = await sandbox.runAsync(start("--debug", "--no-color"));
    expect(run.stdout).toBe("");
    const lines = run.stderr.split("\n").filter((line) => line !== "");
    expect(lines.at(-1)).toMatch(REFUSED);
    const logLines = lines.slice(0, -1);
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(line).toMatch(TEXT_LINE);
    expect(logLines.join("\n")).toMatch(/ DEBUG  Loaded config command=start /);
    expect(run.stderr).not.toContain("\x1b[");
  });

  it("is coloured without --no-color, as the Go agent colours it even off a terminal", async () => {
    const run = await sandbox.runAsync(start("--debug"));
    expect(run.stderr).toContain("\x1b[38;5;251m");
  });

  it("BUILDKITE_AGENT_NO_COLOR turns colours off too", async () => {
    const run = await sandbox.runAsync(start("--debug"), { BUILDKITE_AGENT_NO_COLOR: "true" });
    expect(run.stderr).not.toContain("\x1b[");
  });
});

describe("levels", () => {
  it("logs no DEBUG lines by default", async () => {
    const run = await sandbox.runAsync(start("--no-color"));
    expect(run.stderr).toMatch(REFUSED);
    expect(run.stderr).not.toContain(" DEBUG ");
  });

  it("--debug forces DEBUG over --log-level", async () => {
    const run = await sandbox.runAsync(start("--no-color", "--log-level", "error", "--debug"));
    expect(run.stderr).toContain(" DEBUG  Loaded config");
  });

  it("a bool flag given as `--debug=1` is true, parsed like Go's ParseBool", async () => {
    const run = await sandbox.runAsync(start("--no-color", "--debug=1"));
    expect(run.stderr).toContain(" DEBUG  Loaded config");
  });

  it("config warnings are logged at WARN, and hidden by --log-level error", async () => {
    // `meta-data` is the old name of `tags`: loading warns about the rename.
    const warned = await sandbox.runAsync(start("--no-color", "--meta-data", "queue=x"));
    expect(warned.stderr).toMatch(/^\S+ \S+ WARN   .*meta-data.*tags/m);
    const quiet = await sandbox.runAsync(start("--no-color", "--meta-data", "queue=x", "--log-level", "error"));
    expect(quiet.stderr).toMatch(REFUSED);
    expect(quiet.stderr).not.toMatch(/ (WARN|INFO|NOTICE) /);
  });
});

describe("bootstrap", () => {
  // A job of one command, no checkout, no Agent API calls; its log goes to stdout.
  // Each run its own agent name, so side-by-side runs use their own build dirs.
  const jobEnv = (agent: string): Record<string, string> => ({
    BUILDKITE_JOB_ID: "job-1",
    BUILDKITE_COMMAND: "echo hi",
    BUILDKITE_COMMAND_EVAL: "true",
    BUILDKITE_SKIP_CHECKOUT: "true",
    BUILDKITE_REPO: "https://example.invalid/app.git",
    BUILDKITE_COMMIT: "HEAD",
    BUILDKITE_BRANCH: "main",
    BUILDKITE_PIPELINE_PROVIDER: "git",
    BUILDKITE_AGENT_NAME: agent,
    BUILDKITE_ORGANIZATION_SLUG: "acme",
    BUILDKITE_PIPELINE_SLUG: "app",
    BUILDKITE_BUILD_PATH: sandbox.buildPath,
    BUILDKITE_SOCKETS_PATH: `${sandbox.dir}/sockets`,
    BUILDKITE_AGENT_ACCESS_TOKEN: "unused",
    BUILDKITE_PTY: "false",
  });

  it("shows the executor's own lines at --log-level debug as with --debug, and hides them by default", async () => {
    const [byLevel, byDebug, quiet] = await Promise.all([
      sandbox.runAsync(["bootstrap", "--log-level", "debug"], jobEnv("by-level")),
      sandbox.runAsync(["bootstrap", "--debug"], jobEnv("by-debug")),
      sandbox.runAsync(["bootstrap"], jobEnv("quiet")),
    ]);
    for (const run of [byLevel, byDebug, quiet]) {
      expect(run.status).toBe(0);
      expect(run.stdout).toContain("hi\n");
    }
    expect(byLevel.stderr).toMatch(/ INFO .*process started/);
    expect(byDebug.stderr).toMatch(/ INFO .*process started/);
    expect(quiet.stderr).toBe("");
  });
});

describe("secrets", () => {
  it("never logs a secret setting's value, even with --debug", async () => {
    for (const format of ["text", "json"]) {
      const run = await sandbox.runAsync(start("--debug", "--log-format", format));
      expect(run.stdout + run.stderr).not.toContain("s3cr3t-registration-token");
      expectNoStack(run);
    }
  });
});
