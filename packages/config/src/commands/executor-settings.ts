import { defineSetting } from "../setting.js";

/**
 * Settings that `start` passes to each job and `bootstrap` reads back from the
 * job's env: directories, how commands and hooks run, cancellation and tracing
 * (clicommand/global.go, cancel_signal.go). A few are also taken by other
 * commands (`lock …`: sockets-path; `kubernetes-bootstrap`: job-context-dir;
 * `artifact upload`: no-multipart-artifact-upload).
 */

/** Not required here: `start` requires it, `bootstrap` does not. */
export const buildPathSetting = defineSetting({
  name: "build-path",
  type: "string",
  env: ["BUILDKITE_BUILD_PATH"],
  path: true,
  description: "Directory that jobs' checkouts and builds live in",
});

export const hooksPathSetting = defineSetting({
  name: "hooks-path",
  type: "string",
  env: ["BUILDKITE_HOOKS_PATH"],
  path: true,
  description: "Directory of the agent's hook scripts",
});

export const additionalHooksPathsSetting = defineSetting({
  name: "additional-hooks-paths",
  type: "list",
  env: ["BUILDKITE_ADDITIONAL_HOOKS_PATHS"],
  description: "More directories of agent hooks, searched after --hooks-path",
});

export const socketsPathSetting = defineSetting({
  name: "sockets-path",
  type: "string",
  env: ["BUILDKITE_SOCKETS_PATH"],
  // The loader expands `~`; the real agent falls back to `<tmp>/buildkite-sockets` without a home dir.
  default: "~/.buildkite-agent/sockets",
  path: true,
  description: "Directory for the agent's Unix sockets (Job API, Agent API)",
});

export const pluginsPathSetting = defineSetting({
  name: "plugins-path",
  type: "string",
  env: ["BUILDKITE_PLUGINS_PATH"],
  path: true,
  description: "Directory plugins are checked out into",
});

export const shellSetting = defineSetting({
  name: "shell",
  type: "string",
  env: ["BUILDKITE_SHELL"],
  // The Unix default; the real one depends on the OS and on /bin/bash existing (job-executor.md §6).
  default: "/bin/bash -e -c",
  description: "The command line that runs a job's command, given the command as its last argument",
});

export const hooksShellSetting = defineSetting({
  name: "hooks-shell",
  type: "string",
  env: ["BUILDKITE_HOOKS_SHELL"],
  description: "The command line that runs hook scripts, such as `pwsh -Command`",
});

export const cancelGracePeriodSetting = defineSetting({
  name: "cancel-grace-period",
  type: "int",
  env: ["BUILDKITE_CANCEL_GRACE_PERIOD"],
  default: 10,
  description: "Seconds a cancelled or timed-out job has to wrap up (upload artifacts, the log) before it is killed",
});

export const cancelSignalSetting = defineSetting({
  name: "cancel-signal",
  type: "string",
  env: ["BUILDKITE_CANCEL_SIGNAL"],
  default: "SIGTERM",
  choices: ["SIGHUP", "SIGINT", "SIGQUIT", "SIGKILL", "SIGUSR1", "SIGUSR2", "SIGTERM"],
  // process.ParseSignal upper-cases the name before looking it up.
  caseInsensitive: true,
  description: "The signal sent to a job's processes to cancel it",
});

export const signalGracePeriodSecondsSetting = defineSetting({
  name: "signal-grace-period-seconds",
  type: "int",
  env: ["BUILDKITE_SIGNAL_GRACE_PERIOD_SECONDS"],
  // Negative on purpose: it counts back from cancel-grace-period, so no minimum.
  default: -1,
  description:
    "Seconds between the cancel signal and SIGKILL; a negative value counts back from --cancel-grace-period " +
    "(the default -1 leaves a second to finish the job)",
});

export const pluginsAlwaysCloneFreshSetting = defineSetting({
  name: "plugins-always-clone-fresh",
  type: "bool",
  env: ["BUILDKITE_PLUGINS_ALWAYS_CLONE_FRESH"],
  description: "Clone every plugin afresh for each job, even when a copy is already there",
});

export const strictSingleHooksSetting = defineSetting({
  name: "strict-single-hooks",
  type: "bool",
  env: ["BUILDKITE_STRICT_SINGLE_HOOKS"],
  description: "Run at most one checkout hook and one command hook",
});

export const jobLogsOtlpSetting = defineSetting({
  name: "job-logs-otlp",
  type: "bool",
  env: ["BUILDKITE_JOB_LOGS_OTLP"],
  description: "Also export job logs as OpenTelemetry log records, set up by the usual OTEL_EXPORTER_OTLP_* env vars",
});

export const disableWarningsForSetting = defineSetting({
  name: "disable-warnings-for",
  type: "list",
  env: ["BUILDKITE_AGENT_DISABLE_WARNINGS_FOR"],
  description: "IDs of the optional warnings not to show",
});

/** No choices here: `bootstrap` takes any value (unknown ones trace nothing); `start` checks it. */
export const tracingBackendSetting = defineSetting({
  name: "tracing-backend",
  type: "string",
  env: ["BUILDKITE_TRACING_BACKEND"],
  description: "Trace jobs with this backend: `datadog` or `opentelemetry`; no tracing when empty",
});

export const tracingServiceNameSetting = defineSetting({
  name: "tracing-service-name",
  type: "string",
  env: ["BUILDKITE_TRACING_SERVICE_NAME"],
  default: "buildkite-agent",
  description: "The service name traces are reported under",
});

export const tracingPropagateTraceparentSetting = defineSetting({
  name: "tracing-propagate-traceparent",
  type: "bool",
  env: ["BUILDKITE_TRACING_PROPAGATE_TRACEPARENT"],
  description: "Continue the trace Buildkite sends with each job (OpenTelemetry only)",
});

export const traceContextEncodingSetting = defineSetting({
  name: "trace-context-encoding",
  type: "string",
  env: ["BUILDKITE_TRACE_CONTEXT_ENCODING"],
  default: "gob",
  // Empty is accepted and means gob (tracetools.ParseEncoding).
  choices: ["", "gob", "json"],
  description: "How the trace context in BUILDKITE_TRACE_CONTEXT is encoded: `gob` or `json`",
});

export const jobContextDirSetting = defineSetting({
  name: "job-context-dir",
  type: "string",
  env: ["BUILDKITE_JOB_CONTEXT_DIR"],
  path: true,
  description:
    "Directory for the files the agent shares with a job's processes (env files, timeout marker, the Kubernetes " +
    "socket); the system temp dir when empty",
});

export const noMultipartArtifactUploadSetting = defineSetting({
  name: "no-multipart-artifact-upload",
  type: "bool",
  env: ["BUILDKITE_NO_MULTIPART_ARTIFACT_UPLOAD"],
  description: "Upload each artifact to Buildkite's storage in one request rather than in parts (other destinations are unaffected)",
});
