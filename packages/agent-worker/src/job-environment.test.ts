import { describe, expect, it } from "@jest/globals";
import { goQuote } from "@agent/log-redactor";
import {
  AGENT_CONFIG_VAR_NAMES,
  createJobEnvironment,
  formatEnvFile,
  formatEnvJsonFile,
  type JobEnvironmentInput,
} from "./job-environment.js";
import { resolveOptions } from "./options.js";

const options = resolveOptions({
  token: "t",
  buildPath: "/tmp/builds",
  executor: { command: "/bin/true", args: [] },
  cancelSignal: "SIGINT",
  noPty: true,
  allowedRepositories: ["^git@github\\.com:acme/"],
});

const PLAIN_JOB = { traceparent: "", tracestate: "", step: { secrets: [], cache: undefined } };

function build(jobEnv: Record<string, string>, withOptions = options, job: JobEnvironmentInput["job"] = PLAIN_JOB) {
  return createJobEnvironment({
    jobEnv,
    job,
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

  it("cuts a BUILDKITE_MESSAGE over 64 KiB and says so, leaving the env files the whole message", () => {
    const { env, fileEnv } = build({ BUILDKITE_MESSAGE: "x".repeat(70_000) });
    const message = env["BUILDKITE_MESSAGE"]!;
    expect(Buffer.byteLength(message)).toBe(65_536 - "BUILDKITE_MESSAGE".length - 2);
    expect(message.endsWith("[value truncated 70000 -> 65517 bytes]")).toBe(true);
    expect(fileEnv["BUILDKITE_MESSAGE"]).toHaveLength(70_000);
  });

  // Regression: the cut fell inside a 3-byte character, whose decoded remains (a
  // U+FFFD, 3 bytes) made the value a U+FFFD longer than the limit.
  it("cuts a multi-byte BUILDKITE_MESSAGE before a character, never inside it", () => {
    const marker = "[value truncated 75000 -> 65517 bytes]";
    // 65517 - 38 marker bytes = 65479 = 3 × 21826 + 1: the cut would split a character.
    const message = build({ BUILDKITE_MESSAGE: "日".repeat(25_000) }).env["BUILDKITE_MESSAGE"]!;
    expect(message).toBe("日".repeat(21_826) + marker);
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(65_536 - "BUILDKITE_MESSAGE".length - 2);
  });

  it("hands the step's secrets and cache paths to the executor, and nothing when it has none", () => {
    const job = {
      ...PLAIN_JOB,
      step: {
        secrets: [
          { key: "DEPLOY_KEY", environmentVariable: "DEPLOY" },
          { key: "API", environmentVariable: "" },
        ],
        cache: { paths: ["node_modules", ".cache"], size: "20g" },
      },
    };
    const { env, fileEnv } = build({}, options, job);
    expect(JSON.parse(env["BUILDKITE_SECRETS_CONFIG"]!)).toEqual([{ key: "DEPLOY_KEY", environment_variable: "DEPLOY" }, { key: "API" }]);
    expect(env["BUILDKITE_AGENT_CACHE_PATHS"]).toBe("node_modules,.cache");
    expect(fileEnv).not.toHaveProperty("BUILDKITE_SECRETS_CONFIG");
    expect(build({}, options, { ...PLAIN_JOB, step: { secrets: [], cache: "vendor" } }).env["BUILDKITE_AGENT_CACHE_PATHS"]).toBe("vendor");
    expect(build({}, options, { ...PLAIN_JOB, step: { secrets: [], cache: false } }).env).not.toHaveProperty("BUILDKITE_AGENT_CACHE_PATHS");
    expect(build({}).env).not.toHaveProperty("BUILDKITE_SECRETS_CONFIG");
  });

  it("sets the debug, HTTP and tracing settings, with the job's trace context when propagating", () => {
    const traced = resolveOptions({
      token: "t",
      buildPath: "/tmp/builds",
      executor: { command: "/bin/true", args: [] },
      debug: true,
      debugHttp: true,
      noHttp2: true,
      tracing: { backend: "opentelemetry", serviceName: "ci", propagateTraceparent: true },
    });
    const { env } = build({}, traced, { ...PLAIN_JOB, traceparent: "00-abc-def-01", tracestate: "" });
    expect(env).toMatchObject({
      BUILDKITE_AGENT_DEBUG: "true",
      BUILDKITE_AGENT_DEBUG_HTTP: "true",
      BUILDKITE_NO_HTTP2: "true",
      BUILDKITE_TRACING_BACKEND: "opentelemetry",
      BUILDKITE_TRACING_SERVICE_NAME: "ci",
      BUILDKITE_TRACING_TRACEPARENT: "00-abc-def-01",
      BUILDKITE_TRACING_PROPAGATE_TRACEPARENT: "true",
    });
    expect(env).not.toHaveProperty("BUILDKITE_TRACING_TRACESTATE");
    const untraced = build({ BUILDKITE_TRACING_BACKEND: "datadog" }).env;
    expect(untraced["BUILDKITE_TRACING_BACKEND"]).toBe("datadog");
    expect(untraced).toMatchObject({ BUILDKITE_AGENT_DEBUG: "false", BUILDKITE_NO_HTTP2: "false" });
  });

  it("lets a job turn plugin validation on, without a warning, but never off", () => {
    for (const value of ["true", "1", "on"]) {
      const { env } = build({ BUILDKITE_PLUGIN_VALIDATION: value });
      expect(env["BUILDKITE_PLUGIN_VALIDATION"]).toBe("true");
      expect(env["BUILDKITE_IGNORED_ENV"]).toBeUndefined();
    }
    const refused = build({ BUILDKITE_PLUGIN_VALIDATION: "yes" }).env;
    expect(refused["BUILDKITE_PLUGIN_VALIDATION"]).toBe("false");
    expect(refused["BUILDKITE_IGNORED_ENV"]).toBe("BUILDKITE_PLUGIN_VALIDATION");
    const validating = resolveOptions({ token: "t", buildPath: "/b", executor: { command: "/bin/true", args: [] }, pluginValidation: true });
    expect(build({ BUILDKITE_PLUGIN_VALIDATION: "false" }, validating).env["BUILDKITE_PLUGIN_VALIDATION"]).toBe("true");
  });

  it("names the agent's config vars first in the env file under propagate-agent-config-vars", () => {
    const text = formatEnvFile({ A: "1" }, goQuote, true);
    expect(text.split("\n").slice(0, AGENT_CONFIG_VAR_NAMES.length)).toEqual([...AGENT_CONFIG_VAR_NAMES]);
    expect(text.endsWith('BUILDKITE_AGENT_JWKS_KEY_ID\nA="1"\n')).toBe(true);
  });

  it("writes the JSON env file as Go's encoder does: keys sorted, HTML characters escaped, a newline", () => {
    const text = formatEnvJsonFile({ b: "<a & b>", A: "1", a: 'say "hi"\n' });
    expect(text).toBe('{"A":"1","a":"say \\"hi\\"\\n","b":"\\u003ca \\u0026 b\\u003e"}\n');
    expect(JSON.parse(text)).toEqual({ A: "1", a: 'say "hi"\n', b: "<a & b>" });
    // UTF-8 byte order: U+FF5E (EF BD 9E) before U+1F600 (F0 9F 98 80), which UTF-16 order reverses.
    expect(formatEnvJsonFile({ "\u{1F600}": "x", "\uFF5E": "y" })).toBe('{"\uFF5E":"y","\u{1F600}":"x"}\n');
  });

  it("writes the env file with Go %q quoting", () => {
    // ESC, a quote, a newline, printable non-ASCII (kept) and a non-printable one (NBSP, escaped), as Go's %q.
    const value = '\x1b[31m say "hi"\nnaïve 日本 \u00a0 😀';
    expect(formatEnvFile({ A: value, B: "" }, goQuote)).toBe(
      'A="\\x1b[31m say \\"hi\\"\\nnaïve 日本 \\u00a0 😀"\nB=""\n',
    );
  });
});
