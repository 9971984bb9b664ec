import os from "node:os";
import path from "node:path";
import { systemClock, type Clock } from "./clock.js";
import { AgentWorkerError } from "./errors.js";
import { compileGoRegExp, type GoRegExp } from "./go-regexp.js";
import { silentLogger, type Logger } from "./logger.js";

/** The job executor the agent starts for every job (`buildkite-agent bootstrap`). */
export interface Executor {
  /** The program, e.g. `process.execPath`. Found on the `PATH` of `env` when it has no `/`. */
  readonly command: string;
  /** Its arguments, e.g. `["/path/to/cli.js", "bootstrap"]`. */
  readonly args: readonly string[];
}


/**
 * Settings of {@link startAgentPool}: the values of `buildkite-agent start` that the
 * agent loop uses, with the same defaults (apps/agent maps `AgentConfig` onto them).
 * Durations are in seconds, as the flags.
 */
/** How jobs are traced; see {@link AgentPoolOptions.tracing}. */
export interface TracingOptions {
  /** `datadog`, `opentelemetry`, or `""` for none. */
  readonly backend: string;
  readonly serviceName: string;
  readonly propagateTraceparent: boolean;
}

export interface AgentPoolOptions {
  /** Registration token (already resolved from `file://`/`fd://`). Never reaches a job. */
  readonly token: string;
  /** Agent API endpoint. @default "https://agent-edge.buildkite.com/v3" */
  readonly endpoint?: string;
  /**
   * Agent name; every `%spawn` becomes the worker's 1-based index. Other
   * placeholders (`%hostname`, `%random`, `%pid`) are sent as they are, for the
   * server to expand, as the real agent does. @default ""
   */
  readonly name?: string;
  /** Tags, `key=value`. @default [] */
  readonly tags?: readonly string[];
  /** Add `hostname=`, `os=`, `arch=` and `machine-id=` tags. @default false */
  readonly tagsFromHost?: boolean;
  /** Opaque priority sent at registration. @default "" */
  readonly priority?: string;
  /** Workers in this process. @default 1 */
  readonly spawn?: number;
  /**
   * Each worker's priority is its 1-based index (negated with the experiment
   * `descending-spawn-priority`). @default false
   */
  readonly spawnWithPriority?: boolean;
  /**
   * `--acquire-job`: register with `ignore_in_dispatches`, acquire this job
   * (`PUT jobs/{id}/acquire`), run it, then end the pool. Needs `spawn` 1. A 422
   * on acquire ends the pool with exit code 27 (`AGENT_JOB_REJECTED`). @default ""
   */
  readonly acquireJob?: string;
  /**
   * `--reflect-exit-status`: with `acquireJob`, the pool's exit code is the job's
   * exit status (mod 256, so -1 is 255) instead of 0. @default false
   */
  readonly reflectExitStatus?: boolean;
  /** `--no-feature-reporting`: register with an empty feature list. @default false */
  readonly noFeatureReporting?: boolean;
  /** Where jobs run; created (mode 0777 & umask) when missing. Required. */
  readonly buildPath: string;
  /** Agent hooks directory (`agent-startup`, `agent-shutdown`, `pre-bootstrap`). @default "" */
  readonly hooksPath?: string;
  /** More directories searched for `agent-startup`/`agent-shutdown`. @default [] */
  readonly additionalHooksPaths?: readonly string[];
  /** @default "" */
  readonly pluginsPath?: string;
  /** @default "<home>/.buildkite-agent/sockets" */
  readonly socketsPath?: string;
  /** @default "" */
  readonly gitMirrorsPath?: string;
  /** The shell jobs' commands run in. @default "/bin/bash -e -c" */
  readonly shell?: string;
  /**
   * Shell for hooks, exported to jobs as `BUILDKITE_HOOKS_SHELL`. Empty, as in Go's
   * agent (which does not fall back to `shell` here): an agent hook with a `#!` line
   * runs directly, a `.ps1` with `pwsh -file`, any other with `bash` (else `sh`). @default ""
   */
  readonly hooksShell?: string;
  /**
   * Splits a non-empty `hooksShell` into the words agent hooks run with
   * (`<words> <hook file>`); apps/agent passes @agent/job-runner's `splitShellWords`,
   * the agent's own quoting rules. @default the setting is parsed by `/bin/sh`
   */
  readonly splitShellWords?: (setting: string) => readonly string[];
  /** Seconds a cancelled job has to finish before the agent gives up on it. @default 10 */
  readonly cancelGracePeriod?: number;
  /** Seconds between the cancel signal and SIGKILL; negative is relative to `cancelGracePeriod`. @default -1 */
  readonly signalGracePeriodSeconds?: number;
  /** First signal of a cancellation. @default "SIGTERM" */
  readonly cancelSignal?: NodeJS.Signals;
  /** Run the executor on pipes instead of a PTY. @default false */
  readonly noPty?: boolean;
  /** ANSI timestamps in the log; `false` = `--no-ansi-timestamps` (header times are sent). @default true */
  readonly ansiTimestamps?: boolean;
  /** With `ansiTimestamps: false`, prefix each line with `[<UTC time>] `. @default false */
  readonly timestampLines?: boolean;
  /** Each worker runs one job, then disconnects. @default false */
  readonly disconnectAfterJob?: boolean;
  /** Seconds all workers may be idle before the agent disconnects; 0 = never. @default 0 */
  readonly disconnectAfterIdleTimeout?: number;
  /** Seconds of uptime after which a worker disconnects at its next idle moment; 0 = never. @default 0 */
  readonly disconnectAfterUptime?: number;
  /** Regexes; when set, a job's `BUILDKITE_REPO` must match one. @default [] */
  readonly allowedRepositories?: readonly string[];
  /** Regexes; when set, each plugin's full source must match one. @default [] */
  readonly allowedPlugins?: readonly string[];
  /** Regexes for job env names; needs `enableEnvironmentVariableAllowlist`. @default [] */
  readonly allowedEnvironmentVariables?: readonly string[];
  /** @default false */
  readonly enableEnvironmentVariableAllowlist?: boolean;
  /** `--no-plugins`. @default false */
  readonly noPlugins?: boolean;
  /** `--no-command-eval`. @default false */
  readonly noCommandEval?: boolean;
  /** `--no-local-hooks`. @default false */
  readonly noLocalHooks?: boolean;
  /** Name patterns whose values are redacted. @default @agent/log-redactor's DEFAULT_REDACTED_VARS */
  readonly redactedVars?: readonly string[];
  /** Enabled experiments, passed to jobs and reported as features. @default [] */
  readonly experiments?: readonly string[];
  /** `BUILDKITE_AGENT_DEBUG` for jobs and hooks (`--debug`). @default false */
  readonly debug?: boolean;
  /** `BUILDKITE_AGENT_DEBUG_HTTP` for jobs and hooks (`--debug-http`). @default false */
  readonly debugHttp?: boolean;
  /** `BUILDKITE_NO_HTTP2` for jobs and hooks (`--no-http2`). @default false */
  readonly noHttp2?: boolean;
  /**
   * `BUILDKITE_PLUGIN_VALIDATION` for jobs; a job env value of `true`, `1` or `on`
   * turns it on for that job. @default false
   */
  readonly pluginValidation?: boolean;
  /**
   * `--verification-jwks-file`. Job signature verification is not implemented yet,
   * so setting it makes {@link startAgentPool} throw `AGENT_INVALID_OPTION` rather than
   * run jobs an operator believes verified. @default ""
   */
  readonly verificationJwksFile?: string;
  /**
   * `--verification-failure-behavior`: what a job with a `signature` gets, as this
   * agent cannot verify it (Go's "no verification key" case): `block` refuses it
   * (-1, `signature_rejected`), `warn` logs the failure and runs it. @default "block"
   */
  readonly verificationFailureBehavior?: "block" | "warn";
  /**
   * Job tracing (`--tracing-backend`, `--tracing-service-name`,
   * `--tracing-propagate-traceparent`): with a backend, jobs get
   * `BUILDKITE_TRACING_*` and, when propagating, the job's traceparent and tracestate.
   * @default { backend: "", serviceName: "buildkite-agent", propagateTraceparent: false }
   */
  readonly tracing?: Readonly<TracingOptions>;
  /** `host:port` for the health-check HTTP server; empty = none. @default "" */
  readonly healthCheckAddr?: string;
  /** The job executor. Required. */
  readonly executor: Executor;
  /**
   * The agent's own environment, passed to the executor and hooks (after it the
   * job's env). apps/agent passes `process.env` already scrubbed of start flags;
   * `BUILDKITE_AGENT_TOKEN` is dropped here as well. @default {}
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the per-job env files and timeout marker go. @default os.tmpdir() */
  readonly jobContextDir?: string;
  /**
   * `--write-job-logs-to-stdout`: copy each job's raw output (no timestamps) to
   * `stdout`. The copy never makes the job wait: beyond 4 MiB not yet written,
   * output is dropped from the copy (a warning says how much). @default false
   */
  readonly writeJobLogsToStdout?: boolean;
  /**
   * The agent's stdout, for `writeJobLogsToStdout` (required with it); apps/agent
   * passes `process.stdout` and handles its errors. @default none
   */
  readonly stdout?: NodeJS.WritableStream;
  /**
   * `--log-format`: with `json`, each write of job output copied to `stdout` is one
   * JSON record (`ts`, `level`, `msg`, `source: "job"`, org, pipeline, branch,
   * queue, build and job ids and URLs, step key, trace ids), as Go's agent writes it.
   * @default "text"
   */
  readonly logFormat?: "text" | "json";
  /**
   * `--enable-job-log-tmpfile`: write each job's log (the bytes uploaded as
   * chunks) to `buildkite_job_log<random>` in `jobLogPath` (mode 0644, as Go),
   * exported as `BUILDKITE_JOB_LOG_TMPFILE`, deleted after the job. @default false
   */
  readonly jobLogTmpfile?: boolean;
  /** `--job-log-path`: directory of the job log tmpfile and of upload spill files. @default os.tmpdir() */
  readonly jobLogPath?: string;
  /**
   * Bytes of a job's log kept in memory while chunk uploads lag behind (an API
   * outage); further chunks are spilled to a 0600 file in `jobLogPath`, deleted
   * after the job, so the job never waits for uploads. @default 16 MiB
   */
  readonly jobLogBufferBytes?: number;
  /** `BUILDKITE_BIN_PATH`: the directory of the agent executable. @default "" */
  readonly binPath?: string;
  /** `BUILDKITE_CONFIG_PATH`. @default "" */
  readonly configPath?: string;
  /** Extra settings exported to jobs verbatim (git flags, checkout mode…), as apps/agent maps them. @default {} */
  readonly jobSettings?: Readonly<Record<string, string>>;
  /**
   * Settings exported to jobs only where the job env from Buildkite lacks them:
   * the checkout settings the checkout-override mode leaves to the job. @default {}
   */
  readonly jobSettingDefaults?: Readonly<Record<string, string>>;
  /** Agent version for the User-Agent and registration. @default "3.137.0" */
  readonly version?: string;
  /** Build number. @default "x" */
  readonly build?: string;
  /** @default silent */
  readonly logger?: Logger;
  /** Timers, jitter and wall clock. @default real ones */
  readonly clock?: Partial<Clock>;
  /** The wait between API retries (tests make it instant). @default clock.sleep */
  readonly retrySleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Options after validation and defaults. */
export interface ResolvedOptions {
  readonly token: string;
  readonly endpoint: string | undefined;
  readonly name: string;
  readonly tags: readonly string[];
  readonly tagsFromHost: boolean;
  readonly priority: string;
  readonly spawn: number;
  readonly spawnWithPriority: boolean;
  readonly acquireJob: string;
  readonly reflectExitStatus: boolean;
  readonly noFeatureReporting: boolean;
  readonly buildPath: string;
  readonly hooksPath: string;
  readonly additionalHooksPaths: readonly string[];
  readonly pluginsPath: string;
  readonly socketsPath: string;
  readonly gitMirrorsPath: string;
  readonly shell: string;
  readonly hooksShell: string;
  /** The words a hook file is appended to (from `hooksShell`); `undefined` without one. */
  readonly hookShellWords: readonly string[] | undefined;
  readonly cancelGracePeriod: number;
  /** Effective (already made absolute) seconds. */
  readonly signalGracePeriod: number;
  readonly cancelSignal: NodeJS.Signals;
  readonly noPty: boolean;
  readonly ansiTimestamps: boolean;
  readonly timestampLines: boolean;
  readonly disconnectAfterJob: boolean;
  readonly disconnectAfterIdleTimeout: number;
  readonly disconnectAfterUptime: number;
  readonly allowedRepositories: readonly GoRegExp[];
  readonly allowedPlugins: readonly GoRegExp[];
  readonly allowedEnvironmentVariables: readonly GoRegExp[];
  readonly pluginsEnabled: boolean;
  readonly commandEval: boolean;
  readonly localHooksEnabled: boolean;
  /** `undefined`: the defaults, read once @agent/log-redactor is loaded with the first job. */
  readonly redactedVars: readonly string[] | undefined;
  readonly experiments: readonly string[];
  readonly debug: boolean;
  readonly debugHttp: boolean;
  readonly noHttp2: boolean;
  readonly pluginValidation: boolean;
  readonly verificationFailureBehavior: "block" | "warn";
  readonly tracing: Readonly<TracingOptions>;
  readonly healthCheckAddr: string;
  readonly executor: Executor;
  readonly env: Readonly<Record<string, string>>;
  readonly jobContextDir: string;
  /** The agent's stdout when `write-job-logs-to-stdout` is on, else undefined. */
  readonly jobLogStdout: NodeJS.WritableStream | undefined;
  readonly logFormat: "text" | "json";
  readonly jobLogTmpfile: boolean;
  readonly jobLogPath: string;
  readonly jobLogBufferBytes: number;
  readonly binPath: string;
  readonly configPath: string;
  readonly jobSettings: Readonly<Record<string, string>>;
  readonly jobSettingDefaults: Readonly<Record<string, string>>;
  readonly version: string;
  readonly build: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly retrySleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Default of `jobLogBufferBytes`: a long outage of a chatty job before anything goes to disk. */
const JOB_LOG_BUFFER_BYTES = 16 * 1024 * 1024;

const CANCEL_SIGNALS = new Set(["SIGHUP", "SIGINT", "SIGQUIT", "SIGKILL", "SIGUSR1", "SIGUSR2", "SIGTERM"]);

function invalid(message: string): AgentWorkerError {
  return new AgentWorkerError("AGENT_INVALID_OPTION", message);
}

function seconds(name: string, value: number | undefined, fallback: number, allowNegative = false): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || (!allowNegative && value < 0)) {
    throw invalid(`agent option ${name} must be a number of seconds${allowNegative ? "" : " >= 0"}, got ${value}`);
  }
  return value;
}

// Allow-lists are Go (RE2) patterns, translated where JavaScript reads them
// differently; the agent treats a bad one as fatal at start.
function regexes(name: string, sources: readonly string[] | undefined): GoRegExp[] {
  return (sources ?? []).map((source) => {
    try {
      return compileGoRegExp(source);
    } catch (error) {
      throw new AgentWorkerError("AGENT_INVALID_OPTION", `agent option ${name}: ${(error as Error).message}`, { cause: error });
    }
  });
}

/** The hooks shell as words: split by the embedder's rules, else left to `/bin/sh` (which then runs it with the file as `$0`). */
function hookShellWords(setting: string, split: AgentPoolOptions["splitShellWords"]): string[] {
  if (split === undefined) return ["/bin/sh", "-c", `${setting} "$0"`];
  let words: string[];
  try {
    words = [...split(setting)];
  } catch (error) {
    throw new AgentWorkerError("AGENT_INVALID_OPTION", `agent option hooksShell ${JSON.stringify(setting)} cannot be split into words: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (words.length === 0 || words[0] === "") throw invalid(`agent option hooksShell ${JSON.stringify(setting)} names no command`);
  return words;
}

/** `verificationFailureBehavior`, after refusing a JWKS file we could not honour. */
function verificationFailureBehavior(options: AgentPoolOptions): "block" | "warn" {
  if (options.verificationJwksFile) {
    throw invalid(
      "agent option verificationJwksFile is set, but job signature verification is not supported yet: unset it, or use an agent that verifies signatures",
    );
  }
  const behavior = options.verificationFailureBehavior ?? "block";
  if (behavior !== "block" && behavior !== "warn") {
    throw invalid(`agent option verificationFailureBehavior must be "block" or "warn", got ${JSON.stringify(behavior)}`);
  }
  return behavior;
}

/** The stream job logs are copied to, if `writeJobLogsToStdout`. */
function jobLogStdout(options: AgentPoolOptions): NodeJS.WritableStream | undefined {
  if (options.writeJobLogsToStdout !== true) return undefined;
  const stdout = options.stdout;
  if (stdout === undefined || stdout === null || typeof stdout.write !== "function") {
    throw invalid("agent option writeJobLogsToStdout needs the agent's stdout: pass it as the stdout option");
  }
  return stdout;
}

/** Checks the options and applies the defaults of `buildkite-agent start`. */
export function resolveOptions(options: AgentPoolOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") throw invalid("startAgentPool needs an options object");
  if (typeof options.token !== "string" || options.token === "") {
    throw invalid("agent option token is required: pass the agent registration token");
  }
  if (typeof options.buildPath !== "string" || options.buildPath === "") {
    throw invalid("agent option buildPath is required: pass the directory jobs run in");
  }
  const executor = options.executor;
  if (executor === undefined || typeof executor.command !== "string" || executor.command === "" || !Array.isArray(executor.args)) {
    throw invalid("agent option executor must be { command, args }, e.g. the agent's own `bootstrap` command");
  }
  const spawn = options.spawn ?? 1;
  if (!Number.isInteger(spawn) || spawn < 1) throw invalid(`agent option spawn must be an integer >= 1, got ${spawn}`);
  const acquireJob = options.acquireJob ?? "";
  if (acquireJob !== "" && spawn !== 1) {
    throw invalid(`agent option acquireJob needs spawn 1, got spawn ${spawn}: one agent acquires one job`);
  }
  const cancelGracePeriod = seconds("cancelGracePeriod", options.cancelGracePeriod, 10);
  const signalSetting = seconds("signalGracePeriodSeconds", options.signalGracePeriodSeconds, -1, true);
  const signalGracePeriod = signalSetting < 0 ? cancelGracePeriod + signalSetting : signalSetting;
  if (signalGracePeriod < 0 || cancelGracePeriod <= signalGracePeriod) {
    throw invalid(
      `cancel-grace-period (${cancelGracePeriod}) must be greater than signal-grace-period-seconds (${signalGracePeriod}) and that must not be negative`,
    );
  }
  const cancelSignal = (options.cancelSignal ?? "SIGTERM").toUpperCase() as NodeJS.Signals;
  if (!CANCEL_SIGNALS.has(cancelSignal)) {
    throw invalid(`agent option cancelSignal must be one of ${[...CANCEL_SIGNALS].join(", ")}, got ${options.cancelSignal}`);
  }
  const allowedEnvironmentVariables = regexes("allowedEnvironmentVariables", options.allowedEnvironmentVariables);
  if (allowedEnvironmentVariables.length > 0 && options.enableEnvironmentVariableAllowlist !== true) {
    throw invalid(
      "allowed-environment-variables is set but enable-environment-variable-allowlist is not: set both, or neither",
    );
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env ?? {})) {
    // The registration token never reaches a job or hook, whatever the embedder passes.
    if (value !== undefined && key !== "BUILDKITE_AGENT_TOKEN") env[key] = value;
  }
  const logFormat = options.logFormat ?? "text";
  if (logFormat !== "text" && logFormat !== "json") {
    throw invalid(`agent option logFormat must be "text" or "json", got ${JSON.stringify(logFormat)}`);
  }
  const jobLogBufferBytes = options.jobLogBufferBytes ?? JOB_LOG_BUFFER_BYTES;
  if (!Number.isSafeInteger(jobLogBufferBytes) || jobLogBufferBytes < 0) {
    throw invalid(`agent option jobLogBufferBytes must be a whole number of bytes >= 0, got ${jobLogBufferBytes}`);
  }
  const home = env["HOME"] || os.homedir();
  const clock: Clock = {
    sleep: options.clock?.sleep ?? systemClock.sleep,
    random: options.clock?.random ?? systemClock.random,
    now: options.clock?.now ?? systemClock.now,
    // A test that moves `now` moves the tickers and limits with it.
    monotonic: options.clock?.monotonic ?? options.clock?.now ?? systemClock.monotonic,
  };
  const shell = options.shell ?? "/bin/bash -e -c";
  const hooksShell = options.hooksShell ?? "";
  const noCommandEval = options.noCommandEval ?? false;
  const noLocalHooks = options.noLocalHooks ?? false;
  return {
    token: options.token,
    endpoint: options.endpoint || undefined,
    name: options.name ?? "",
    tags: [...(options.tags ?? [])],
    tagsFromHost: options.tagsFromHost ?? false,
    priority: options.priority ?? "",
    spawn,
    spawnWithPriority: options.spawnWithPriority ?? false,
    acquireJob,
    reflectExitStatus: options.reflectExitStatus ?? false,
    noFeatureReporting: options.noFeatureReporting ?? false,
    buildPath: path.resolve(options.buildPath),
    hooksPath: options.hooksPath ?? "",
    additionalHooksPaths: [...(options.additionalHooksPaths ?? [])],
    pluginsPath: options.pluginsPath ?? "",
    socketsPath: options.socketsPath ?? (home ? path.join(home, ".buildkite-agent", "sockets") : path.join(os.tmpdir(), "buildkite-sockets")),
    gitMirrorsPath: options.gitMirrorsPath ?? "",
    shell,
    hooksShell,
    hookShellWords: hooksShell === "" ? undefined : hookShellWords(hooksShell, options.splitShellWords),
    cancelGracePeriod,
    signalGracePeriod,
    cancelSignal,
    noPty: options.noPty ?? false,
    ansiTimestamps: options.ansiTimestamps ?? true,
    timestampLines: options.timestampLines ?? false,
    disconnectAfterJob: options.disconnectAfterJob ?? false,
    disconnectAfterIdleTimeout: seconds("disconnectAfterIdleTimeout", options.disconnectAfterIdleTimeout, 0),
    disconnectAfterUptime: seconds("disconnectAfterUptime", options.disconnectAfterUptime, 0),
    allowedRepositories: regexes("allowedRepositories", options.allowedRepositories),
    allowedPlugins: regexes("allowedPlugins", options.allowedPlugins),
    allowedEnvironmentVariables,
    // As the agent: no-command-eval or no-local-hooks imply no-plugins unless set explicitly.
    pluginsEnabled: !(options.noPlugins ?? (noCommandEval || noLocalHooks)),
    commandEval: !noCommandEval,
    localHooksEnabled: !noLocalHooks,
    // Not defaulted here: that would load @agent/log-redactor at start (it comes with the first job).
    redactedVars: options.redactedVars === undefined ? undefined : [...options.redactedVars],
    experiments: [...(options.experiments ?? [])],
    debug: options.debug ?? false,
    debugHttp: options.debugHttp ?? false,
    noHttp2: options.noHttp2 ?? false,
    pluginValidation: options.pluginValidation ?? false,
    verificationFailureBehavior: verificationFailureBehavior(options),
    tracing: { backend: "", serviceName: "buildkite-agent", propagateTraceparent: false, ...options.tracing },
    healthCheckAddr: options.healthCheckAddr ?? "",
    executor: { command: executor.command, args: [...executor.args] },
    env,
    jobContextDir: options.jobContextDir || os.tmpdir(),
    jobLogStdout: jobLogStdout(options),
    logFormat,
    jobLogTmpfile: options.jobLogTmpfile ?? false,
    jobLogPath: path.resolve(options.jobLogPath || os.tmpdir()),
    jobLogBufferBytes,
    binPath: options.binPath ?? "",
    configPath: options.configPath ?? "",
    jobSettings: { ...options.jobSettings },
    jobSettingDefaults: { ...options.jobSettingDefaults },
    version: options.version ?? "3.137.0",
    build: options.build ?? "x",
    logger: options.logger ?? silentLogger,
    clock,
    retrySleep: options.retrySleep ?? clock.sleep,
  };
}
