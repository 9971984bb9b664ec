import type { ResolvedOptions } from "./options.js";

/** Longest `BUILDKITE_MESSAGE` value passed on; longer ones are cut (as the agent, for exec's limits). */
const MAX_MESSAGE_BYTES = 65_536;

/** What {@link createJobEnvironment} needs besides the options. */
export interface JobEnvironmentInput {
  /** The job's `env` from the accept answer. */
  readonly jobEnv: Readonly<Record<string, string>>;
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
  const head = Buffer.from(value).subarray(0, keep - Buffer.byteLength(marker)).toString("utf8");
  return head + marker;
}

/**
 * Builds the environment the executor gets (lifecycle.md §4.1): the job's env
 * minus `BUILDKITE_AGENT_TOKEN`, then the agent's settings on top (its
 * `jobSettingDefaults` only where the job has no value); names the job already
 * had that a setting replaced are listed in `BUILDKITE_IGNORED_ENV` (the
 * bootstrap warns about them). `BUILDKITE_REQUEST_HEADER_*` are written without being counted.
 */
export function createJobEnvironment(input: JobEnvironmentInput): JobEnvironment {
  const { options } = input;
  const fileEnv: Record<string, string> = { ...input.jobEnv };
  delete fileEnv["BUILDKITE_AGENT_TOKEN"];
  // The mirror URL is only honoured for repositories the agent allows.
  const mirror = fileEnv["BUILDKITE_GIT_REMOTE_MIRROR_URL"] ?? "";
  fileEnv["BUILDKITE_GIT_REMOTE_MIRROR_URL"] = mirror !== "" && allowedBy(options.allowedRepositories, mirror) ? mirror : "";
  if (fileEnv["BUILDKITE_MESSAGE"] !== undefined) fileEnv["BUILDKITE_MESSAGE"] = cutMessage(fileEnv["BUILDKITE_MESSAGE"]);

  const env: Record<string, string> = { ...fileEnv };
  const ignored: string[] = [];
  const set = (name: string, value: string): void => {
    if (Object.hasOwn(input.jobEnv, name) && !ignored.includes(name)) ignored.push(name);
    env[name] = value;
  };
  const bool = (value: boolean): string => (value ? "true" : "false");

  set("BUILDKITE_ENV_FILE", input.envFile);
  set("BUILDKITE_ENV_JSON_FILE", input.envJsonFile);
  set("BUILDKITE_AGENT_JOB_TIMEOUT_FILE", input.timeoutFile);
  set("BUILDKITE_AGENT_ENDPOINT", input.endpoint);
  set("BUILDKITE_AGENT_ACCESS_TOKEN", input.accessToken);
  set("BUILDKITE_NO_HTTP2", "false");
  for (const [name, value] of Object.entries(input.requestHeaderEnv)) env[name] = value;
  set("BUILDKITE_AGENT_DEBUG", "false");
  set("BUILDKITE_AGENT_DEBUG_HTTP", "false");
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
  // The long tail (git flags, checkout mode, keyscan…) is mapped by apps/agent.
  for (const [name, value] of Object.entries(options.jobSettings)) set(name, value);
  for (const [name, value] of Object.entries(options.jobSettingDefaults)) {
    if (!Object.hasOwn(input.jobEnv, name)) env[name] = value;
  }
  if (ignored.length > 0) env["BUILDKITE_IGNORED_ENV"] = ignored.join(",");
  return { env, fileEnv };
}

/**
 * The shell-format env file: one `KEY="value"` line per variable, the value
 * quoted as Go's `%q` does (`goQuote` gives the inside of the quotes).
 */
export function formatEnvFile(env: Readonly<Record<string, string>>, goQuote: (value: string) => string): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}="${goQuote(value)}"\n`)
    .join("");
}
