import { defineSetting, defineSettings } from "../setting.js";

const noColorSetting = defineSetting({
  name: "no-color",
  type: "bool",
  env: ["BUILDKITE_AGENT_NO_COLOR"],
  description: "Don't show colors in logging",
});

/**
 * The global flags without `--no-color`: the internal harnesses (`bootstrap`,
 * `kubernetes-bootstrap`) take only these (clicommand/bootstrap.go).
 */
export const harnessGlobalSettings = defineSettings([
  {
    name: "debug",
    type: "bool",
    env: ["BUILDKITE_AGENT_DEBUG"],
    description: "Enable debug mode. Synonym for `--log-level debug`. Takes precedence over `--log-level`",
  },
  {
    name: "log-level",
    type: "string",
    env: ["BUILDKITE_AGENT_LOG_LEVEL"],
    default: "notice",
    choices: ["debug", "info", "notice", "warn", "error", "fatal"],
    description: "Set the log level for the agent, making logging more or less verbose",
  },
  {
    name: "experiment",
    type: "list",
    env: ["BUILDKITE_AGENT_EXPERIMENT"],
    description: "Enable experimental features within the buildkite-agent",
  },
  {
    name: "profile",
    type: "string",
    env: ["BUILDKITE_AGENT_PROFILE"],
    choices: ["", "cpu", "mem", "memory", "mutex", "block", "thread", "trace"],
    description: "Enable a profiling mode, either cpu, memory, mutex or block",
  },
]);

/**
 * The global flags (G in the spec) that nearly every command takes
 * (clicommand/global.go).
 */
export const globalSettings = defineSettings([noColorSetting, ...harnessGlobalSettings]);

export const agentAccessTokenSetting = defineSetting({
  name: "agent-access-token",
  type: "string",
  env: ["BUILDKITE_AGENT_ACCESS_TOKEN"],
  required: true,
  secret: true,
  description: "The access token used to identify the agent",
});

export const endpointSetting = defineSetting({
  name: "endpoint",
  type: "string",
  env: ["BUILDKITE_AGENT_ENDPOINT"],
  default: "https://agent-edge.buildkite.com/v3",
  description: "The Agent API endpoint",
});

export const noHttp2Setting = defineSetting({
  name: "no-http2",
  type: "bool",
  env: ["BUILDKITE_NO_HTTP2"],
  description: "Disable HTTP2 when communicating with the Agent API",
});

export const debugHttpSetting = defineSetting({
  name: "debug-http",
  type: "bool",
  env: ["BUILDKITE_AGENT_DEBUG_HTTP"],
  description: "Enable HTTP debug mode, which dumps all request and response bodies to the log",
});

export const traceHttpSetting = defineSetting({
  name: "trace-http",
  type: "bool",
  env: ["BUILDKITE_AGENT_TRACE_HTTP"],
  description: "Enable HTTP trace mode, which logs timings for each HTTP request",
});

/** The Agent API flags (A in the spec) of every command that calls Buildkite from a job. */
export const apiSettings = defineSettings([agentAccessTokenSetting, endpointSetting, noHttp2Setting, debugHttpSetting, traceHttpSetting]);
