import { goJson, type Job } from "@agent/api-client";
import type { ResolvedOptions } from "./options.js";

/** Longest `BUILDKITE_MESSAGE` value passed on; longer ones are cut (as the agent, for exec's limits). */
const MAX_MESSAGE_BYTES = 65_536;

/** What {@link createJobEnvironment} needs besides the options. */
export interface JobEnvironmentInput {
  /** The job's `env` from the accept answer. */
  readonly jobEnv: Readonly<Record<string, string>>;
  /** What else of the accepted job reaches its env: the step's secrets and cache, the trace context. */
  readonly job: Pick<Job, "traceparent" | "tracestate"> & { readonly step: Pick<Job["step"], "secrets" | "cache"> };
  readonly options: ResolvedOptions;
  /** The token the job uses (its own, else the agent's). */
  readonly accessToken: string;
  /** The endpoint the job calls. */
  readonly endpoint: string;
  /** `BUILDKITE_REQUEST_HEADER_*` entries for the server-specified headers. */
  readonly requestHeaderEnv: Readonly<Record<string, string>>;
  readonly envFile: string;
  readonly envJsonFile: string;
  readonly timeoutFile: string;
  readonly agentPid: number;
  /** `redacted-vars` as in effect (the option, else the library's defaults). */
  readonly redactedVars: readonly string[];
}

/** The job's environment and what goes in its env files. */
export interface JobEnvironment {
  /** The job env the executor gets on top of the agent's env. */
  readonly env: Record<string, string>;
  /** The job's own env (minus the registration token), as written to the env files. */
  readonly fileEnv: Readonly<Record<string, string>>;
}

/** True when `value` matches one of `patterns`, or there are none. */
export function allowedBy(patterns: readonly RegExp[], value: string): boolean {
  return patterns.length === 0 || patterns.some((pattern) => pattern.test(value));
}

function cutMessage(value: string): string {
  const bytes = Buffer.byteLength(value);
  if (bytes <= MAX_MESSAGE_BYTES) return value;
  const keep = MAX_MESSAGE_BYTES - "BUILDKITE_MESSAGE".length - 2;
  const marker = `[value truncated ${bytes} -> ${keep} bytes]`;
  const utf8 = Buffer.from(value);
  let end = keep - Buffer.byteLength(marker);
  // Go cuts at the byte; a JS string cannot hold half a character (decoding would
  // add a 3-byte U+FFFD and overshoot the limit), so cut before the character.
  while (end > 0 && (utf8[end]! & 0xc0) === 0x80) end--;
  return utf8.subarray(0, end).toString("utf8") + marker;
}

/**
 * The cache paths of a step's `cache:` (a path, a list of paths, or a map with
 * `paths`), for `BUILDKITE_AGENT_CACHE_PATHS`.
 */
function cachePaths(cache: unknown): string[] {
  const paths =
    typeof cache === "string"
      ? [cache]
      : cache !== null && typeof cache === "object" && !Array.isArray(cache)
        ? (cache as Record<string, unknown>)["paths"]
        : cache;
  if (typeof paths === "string") return [paths];
  return Array.isArray(paths) ? paths.filter((path): path is string => typeof path === "string") : [];
}

/** `BUILDKITE_SECRETS_CONFIG`: the step's secrets as the executor reads them. */
function secretsConfig(secrets: Job["step"]["secrets"]): string {
  return JSON.stringify(
    secrets.map(({ key, environmentVariable }) => (environmentVariable === "" ? { key } : { key, environment_variable: environmentVariable })),
  );
}

const ENABLING_VALUES: ReadonlySet<string> = new Set(["true", "1", "on"]);

/**
 * Builds the environment the executor gets (lifecycle.md §4.1): the job's env
 * minus `BUILDKITE_AGENT_TOKEN`, then the agent's settings on top (its
 * `jobSettingDefaults` only where the job has no value); names the job already
 * had that a setting replaced are listed in `BUILDKITE_IGNORED_ENV` (the
 * bootstrap warns about them). `BUILDKITE_REQUEST_HEADER_*` are written without
 * being counted. The env files get the job's own env, before any of that.
 */
export function createJobEnvironment(input: JobEnvironmentInput): JobEnvironment {
  const { options, job } = input;
  const fileEnv: Record<string, string> = { ...input.jobEnv };
  delete fileEnv["BUILDKITE_AGENT_TOKEN"];
  // The mirror URL is only honoured for repositories the agent allows.
  const mirror = fileEnv["BUILDKITE_GIT_REMOTE_MIRROR_URL"] ?? "";
  fileEnv["BUILDKITE_GIT_REMOTE_MIRROR_URL"] = mirror !== "" && allowedBy(options.allowedRepositories, mirror) ? mirror : "";

  const env: Record<string, string> = { ...fileEnv };
  const fromJob = new Set(Object.keys(input.jobEnv));
  const ignored: string[] = [];
  const set = (name: string, value: string): void => {
    if (fromJob.has(name) && !ignored.includes(name)) ignored.push(name);
    env[name] = value;
  };
  const bool = (value: boolean): string => (value ? "true" : "false");

  set("BUILDKITE_ENV_FILE", input.envFile);
  set("BUILDKITE_ENV_JSON_FILE", input.envJsonFile);
  set("BUILDKITE_AGENT_JOB_TIMEOUT_FILE", input.timeoutFile);
  const paths = cachePaths(job.step.cache);
  if (paths.length > 0) set("BUILDKITE_AGENT_CACHE_PATHS", paths.join(","));
  if (job.step.secrets.length > 0) set("BUILDKITE_SECRETS_CONFIG", secretsConfig(job.step.secrets));
  set("BUILDKITE_AGENT_ENDPOINT", input.endpoint);
  set("BUILDKITE_AGENT_ACCESS_TOKEN", input.accessToken);
  set("BUILDKITE_NO_HTTP2", bool(options.noHttp2));
  for (const [name, value] of Object.entries(input.requestHeaderEnv)) env[name] = value;
  set("BUILDKITE_AGENT_DEBUG", bool(options.debug));
  set("BUILDKITE_AGENT_DEBUG_HTTP", bool(options.debugHttp));
  set("BUILDKITE_AGENT_PID", String(input.agentPid));
  set("BUILDKITE_BIN_PATH", options.binPath);
  set("BUILDKITE_CONFIG_PATH", options.configPath);
  set("BUILDKITE_BUILD_PATH", options.buildPath);
  set("BUILDKITE_SOCKETS_PATH", options.socketsPath);
  set("BUILDKITE_GIT_MIRRORS_PATH", options.gitMirrorsPath);
  set("BUILDKITE_HOOKS_PATH", options.hooksPath);
  set("BUILDKITE_ADDITIONAL_HOOKS_PATHS", options.additionalHooksPaths.join(","));
  set("BUILDKITE_PLUGINS_PATH", options.pluginsPath);
  set("BUILDKITE_COMMAND_EVAL", bool(options.commandEval));
  set("BUILDKITE_PLUGINS_ENABLED", bool(options.pluginsEnabled));
  set("BUILDKITE_LOCAL_HOOKS_ENABLED", bool(options.localHooksEnabled));
  set("BUILDKITE_SHELL", options.shell);
  set("BUILDKITE_HOOKS_SHELL", options.hooksShell);
  set("BUILDKITE_AGENT_EXPERIMENT", options.experiments.join(","));
  set("BUILDKITE_REDACTED_VARS", input.redactedVars.join(","));
  set("BUILDKITE_CANCEL_GRACE_PERIOD", String(options.cancelGracePeriod));
  set("BUILDKITE_SIGNAL_GRACE_PERIOD_SECONDS", String(options.signalGracePeriod));
  if (options.cancelSignal !== "SIGTERM") set("BUILDKITE_CANCEL_SIGNAL", options.cancelSignal);
  if (options.noPty) set("BUILDKITE_PTY", "false");
  // A pipeline may turn plugin validation on for itself, without a warning.
  let pluginValidation = options.pluginValidation;
  if (ENABLING_VALUES.has(input.jobEnv["BUILDKITE_PLUGIN_VALIDATION"] ?? "")) {
    fromJob.delete("BUILDKITE_PLUGIN_VALIDATION");
    pluginValidation = true;
  }
  set("BUILDKITE_PLUGIN_VALIDATION", bool(pluginValidation));
  const { tracing } = options;
  if (tracing.backend !== "") {
    set("BUILDKITE_TRACING_BACKEND", tracing.backend);
    set("BUILDKITE_TRACING_SERVICE_NAME", tracing.serviceName);
    if (tracing.propagateTraceparent) {
      if (job.traceparent !== "") set("BUILDKITE_TRACING_TRACEPARENT", job.traceparent);
      if (job.tracestate !== "") set("BUILDKITE_TRACING_TRACESTATE", job.tracestate);
      set("BUILDKITE_TRACING_PROPAGATE_TRACEPARENT", "true");
    }
  }
  // The long tail (git flags, checkout mode, keyscan…) is mapped by apps/agent.
  for (const [name, value] of Object.entries(options.jobSettings)) set(name, value);
  for (const [name, value] of Object.entries(options.jobSettingDefaults)) {
    if (!fromJob.has(name)) env[name] = value;
  }
  if (env["BUILDKITE_MESSAGE"] !== undefined) env["BUILDKITE_MESSAGE"] = cutMessage(env["BUILDKITE_MESSAGE"]);
  if (ignored.length > 0) env["BUILDKITE_IGNORED_ENV"] = ignored.join(",");
  return { env, fileEnv };
}

/**
 * The agent settings the experiment `propagate-agent-config-vars` names at the
 * top of the shell-format env file, so that tools which pass the file's names on
 * (a Docker `--env-file`) pass these too; some may be unset in a given job.
 */
export const AGENT_CONFIG_VAR_NAMES: readonly string[] = [
  "BUILDKITE_GIT_CHECKOUT_FLAGS",
  "BUILDKITE_ARTIFACT_UPLOAD_CONCURRENCY",
  "BUILDKITE_GIT_CLEAN_FLAGS",
  "BUILDKITE_GIT_CLONE_FLAGS",
  "BUILDKITE_GIT_CLONE_MIRROR_FLAGS",
  "BUILDKITE_GIT_MIRROR_CHECKOUT_MODE",
  "BUILDKITE_GIT_FETCH_FLAGS",
  "BUILDKITE_GIT_MIRRORS_LOCK_TIMEOUT",
  "BUILDKITE_GIT_MIRRORS_PATH",
  "BUILDKITE_GIT_MIRRORS_SKIP_UPDATE",
  "BUILDKITE_GIT_SUBMODULES",
  "BUILDKITE_GIT_SUBMODULE_CLONE_CONFIG",
  "BUILDKITE_CHECKOUT_OVERRIDE_MODE",
  "BUILDKITE_CANCEL_GRACE_PERIOD",
  "BUILDKITE_COMMAND_EVAL",
  "BUILDKITE_LOCAL_HOOKS_ENABLED",
  "BUILDKITE_PLUGINS_ENABLED",
  "BUILDKITE_REDACTED_VARS",
  "BUILDKITE_SHELL",
  "BUILDKITE_HOOKS_SHELL",
  "BUILDKITE_SIGNAL_GRACE_PERIOD_SECONDS",
  "BUILDKITE_SSH_KEYSCAN",
  "BUILDKITE_STRICT_SINGLE_HOOKS",
  "BUILDKITE_TRACE_CONTEXT_ENCODING",
  "BUILDKITE_TRACING_BACKEND",
  "BUILDKITE_TRACING_SERVICE_NAME",
  "BUILDKITE_TRACING_TRACEPARENT",
  "BUILDKITE_TRACING_TRACESTATE",
  "BUILDKITE_TRACING_PROPAGATE_TRACEPARENT",
  "BUILDKITE_AGENT_AWS_KMS_KEY",
  "BUILDKITE_AGENT_GCP_KMS_KEY",
  "BUILDKITE_AGENT_JWKS_FILE",
  "BUILDKITE_AGENT_JWKS_KEY_ID",
];

/**
 * The shell-format env file: one `KEY="value"` line per variable, the value
 * quoted as Go's `%q` does (`goQuote` gives the inside of the quotes); with
 * `agentConfigVarNames`, {@link AGENT_CONFIG_VAR_NAMES} first, one per line.
 */
export function formatEnvFile(
  env: Readonly<Record<string, string>>,
  goQuote: (value: string) => string,
  agentConfigVarNames = false,
): string {
  const header = agentConfigVarNames ? AGENT_CONFIG_VAR_NAMES.map((name) => `${name}\n`).join("") : "";
  return header + Object.entries(env).map(([name, value]) => `${name}="${goQuote(value)}"\n`).join("");
}

/**
 * The JSON env file as Go's `json.Encoder` writes the map: keys sorted, strings
 * escaped as Go escapes them (`<`, `>`, `&` too), and a trailing newline.
 */
export function formatEnvJsonFile(env: Readonly<Record<string, string>>): string {
  return goJson(new Map(Object.entries(env)));
}
