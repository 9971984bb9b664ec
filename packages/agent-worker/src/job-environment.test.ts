import { describe, expect, it } from "@jest/globals";
import { goQuote } from "@agent/log-redactor";
import { createJobEnvironment, formatEnvFile } from "./job-environment.js";
import { resolveOptions } from "./options.js";

const options = resolveOptions({
  token: "t",
  buildPath: "/tmp/builds",
  executor: { command: "/bin/true", args: [] },
  cancelSignal: "SIGINT",
  noPty: true,
  allowedRepositories: ["^git@github\\.com:acme/"],
});

function build(jobEnv: Record<string, string>, withOptions = options) {
  return createJobEnvironment({
    jobEnv,
    options: withOptions,
    accessToken: "job-token",
    endpoint: "http://127.0.0.1/v3",
    requestHeaderEnv: { BUILDKITE_REQUEST_HEADER_BUILDKITE_X: "1" },
    envFile: "/tmp/e",
    envJsonFile: "/tmp/j",
    timeoutFile: "/tmp/t",
    agentPid: 42,
    redactedVars: ["*_TOKEN", "MY_SECRET"],
  });
}

describe("the job environment", () => {
  it("drops the registration token, overrides with agent settings and lists the ignored names", () => {
    const { env, fileEnv } = build({ BUILDKITE_AGENT_TOKEN: "reg", BUILDKITE_SHELL: "zsh", BUILDKITE_REQUEST_HEADER_BUILDKITE_X: "0", A: "1" });
    expect(env["BUILDKITE_AGENT_TOKEN"]).toBeUndefined();
    expect(fileEnv).not.toHaveProperty("BUILDKITE_AGENT_TOKEN");
    expect(env["BUILDKITE_AGENT_ACCESS_TOKEN"]).toBe("job-token");
    expect(env["BUILDKITE_SHELL"]).toBe("/bin/bash -e -c");
    // Request headers are written without being counted as ignored.
    expect(env["BUILDKITE_IGNORED_ENV"]).toBe("BUILDKITE_SHELL");
    expect(env).toMatchObject({
      BUILDKITE_CANCEL_SIGNAL: "SIGINT",
      BUILDKITE_PTY: "false",
      BUILDKITE_CANCEL_GRACE_PERIOD: "10",
      BUILDKITE_SIGNAL_GRACE_PERIOD_SECONDS: "9",
      BUILDKITE_AGENT_PID: "42",
      BUILDKITE_AGENT_JOB_TIMEOUT_FILE: "/tmp/t",
      BUILDKITE_REDACTED_VARS: "*_TOKEN,MY_SECRET",
      A: "1",
    });
  });

  it("sets a jobSettings value over the job's, and a jobSettingDefaults value only where the job has none", () => {
    const withSettings = resolveOptions({
      token: "t",
      buildPath: "/tmp/builds",
      executor: { command: "/bin/true", args: [] },
      jobSettings: { BUILDKITE_GIT_CLONE_FLAGS: "-v --depth 1" },
      jobSettingDefaults: { BUILDKITE_GIT_SPARSE_CHECKOUT_PATHS: "src", BUILDKITE_GIT_FETCH_FLAGS: "-v" },
    });
    const { env } = build(
      { BUILDKITE_GIT_CLONE_FLAGS: "--upload-pack=evil", BUILDKITE_GIT_SPARSE_CHECKOUT_PATHS: "docs" },
      withSettings,
    );
    expect(env).toMatchObject({
      BUILDKITE_GIT_CLONE_FLAGS: "-v --depth 1",
      BUILDKITE_GIT_SPARSE_CHECKOUT_PATHS: "docs",
      BUILDKITE_GIT_FETCH_FLAGS: "-v",
      BUILDKITE_IGNORED_ENV: "BUILDKITE_GIT_CLONE_FLAGS",
    });
  });

  it("keeps a mirror URL only for allowed repositories", () => {
    expect(build({ BUILDKITE_GIT_REMOTE_MIRROR_URL: "git@github.com:acme/x" }).env["BUILDKITE_GIT_REMOTE_MIRROR_URL"]).toBe("git@github.com:acme/x");
    expect(build({ BUILDKITE_GIT_REMOTE_MIRROR_URL: "git@evil:x" }).env["BUILDKITE_GIT_REMOTE_MIRROR_URL"]).toBe("");
  });

  it("cuts a BUILDKITE_MESSAGE over 64 KiB and says so", () => {
    const message = build({ BUILDKITE_MESSAGE: "x".repeat(70_000) }).env["BUILDKITE_MESSAGE"]!;
    expect(Buffer.byteLength(message)).toBe(65_536 - "BUILDKITE_MESSAGE".length - 2);
    expect(message.endsWith("[value truncated 70000 -> 65517 bytes]")).toBe(true);
  });

  it("writes the env file with Go %q quoting", () => {
    // ESC, a quote, a newline, printable non-ASCII (kept) and a non-printable one (NBSP, escaped), as Go's %q.
    const value = '\x1b[31m say "hi"\nnaïve 日本 \u00a0 😀';
    expect(formatEnvFile({ A: value, B: "" }, goQuote)).toBe(
      'A="\\x1b[31m say \\"hi\\"\\nnaïve 日本 \\u00a0 😀"\nB=""\n',
    );
  });
});
