import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Writable } from "node:stream";
import type { ApiClient } from "@agent/api-client";
import { effectiveSignalGracePeriod, type BootstrapConfig } from "@agent/config";
import { redactUrlCredentials, shortRedactedVarsWarning } from "@agent/log-redactor";
import { defaultCheckoutPath, type MirrorProvider } from "../checkout/index.js";
import { Environment } from "../environment.js";
import { JobApiServer } from "../job-api/index.js";
import { silentLogger, type Logger } from "../logger.js";
import { createProcessRunner } from "../process-runner.js";
import type { CheckoutOverrideMode } from "../protected-env.js";
import { runHookPoint } from "./hook-points.js";
import { JobOutput } from "./job-output.js";
import { JobState } from "./job-state.js";
import { PhaseFailure } from "./phase-failure.js";
import {
  artifactPhase,
  checkoutPhase,
  configureCredentials,
  commandPhase,
  jobPlugins,
  pluginPhase,
  vendoredPluginPhase,
  type ArtifactUploader,
  type PhaseServices,
} from "./phases.js";
import { prepareSecrets } from "./secrets.js";
import { initialSettings } from "./settings.js";

/** Options for {@link runJob}. */
export interface RunJobOptions {
  /** The job's environment (for `bootstrap`: the process environment the agent gave it). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where the redacted job log goes (for `bootstrap`: stdout). Not ended. */
  readonly output: Writable;
  /**
   * Aborting cancels the job, as the bootstrap's signal trap does: the running
   * process gets the cancel signal, then SIGKILL after the signal grace period;
   * post-command, the artifact upload and pre-exit still run within that period.
   */
  readonly signal?: AbortSignal;
  /** The Agent API client for the job. @default one made from `BUILDKITE_AGENT_ENDPOINT` and `BUILDKITE_AGENT_ACCESS_TOKEN` */
  readonly apiClient?: ApiClient;
  /** Uploads `BUILDKITE_ARTIFACT_PATHS`; without one, a job with artifact paths fails its upload. */
  readonly artifactUploader?: ArtifactUploader;
  /** Git mirrors for the checkout (`@agent/git-mirror`). */
  readonly mirrorProvider?: MirrorProvider;
  /** Path of `buildkite-agent`, for the `git-credentials-helper` wiring. */
  readonly agentPath?: string;
  /** Parent of the job's temporary files (hook wrappers, the repository-less checkout). @default os.tmpdir() */
  readonly tempDir?: string;
  /** The executor's own diagnostics (never the job log). @default silent */
  readonly logger?: Logger;
}

/** How a job ended. */
export interface JobOutcome {
  /**
   * The executor's exit status (job-executor.md §2): the command's, a failing
   * hook's, 125 for a set-up failure; -1 when the command was killed by a signal.
   */
  readonly exitCode: number;
  /** Whether the job was cancelled while it ran. */
  readonly cancelled: boolean;
}

async function defaultApiClient(environment: Environment, logger: Logger): Promise<ApiClient> {
  const { ApiClient } = await import("@agent/api-client");
  return new ApiClient({
    endpoint: environment.get("BUILDKITE_AGENT_ENDPOINT") ?? "https://agent.buildkite.com/v3",
    token: environment.get("BUILDKITE_AGENT_ACCESS_TOKEN") ?? "",
    env: environment.toObject(),
    logger,
  });
}

function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (signal === undefined) return () => {};
  if (signal.aborted) {
    listener();
    return () => {};
  }
  signal.addEventListener("abort", listener, { once: true });
  return () => signal.removeEventListener("abort", listener);
}

/**
 * Runs one job as `buildkite-agent bootstrap` does (job-executor.md): set-up,
 * the plugin, checkout and command phases selected by `config.phases`, the
 * artifact phase, and tear-down, in the real agent's order, with every output
 * stream redacted into `options.output`. Resolves with the exit status; never
 * rejects for anything the job did.
 */
export async function runJob(config: BootstrapConfig, options: RunJobOptions): Promise<JobOutcome> {
  const logger = options.logger ?? silentLogger;
  const environment = new Environment(options.env);
  const mode: CheckoutOverrideMode = config.commandEval
    ? (config.checkoutOverrideMode as CheckoutOverrideMode)
    : "strict";
  const output = new JobOutput(options.output, {
    redactedVars: config.redactedVars,
    disabledWarnings: config.disableWarningsFor,
  });
  const log = output.log;
  const short = output.refreshFromEnv(environment);
  if (short.length > 0) log.warning(shortRedactedVarsWarning(short));

  const graceMs = effectiveSignalGracePeriod(config.cancelGracePeriod, config.signalGracePeriodSeconds) * 1000;
  const cancel = new AbortController();
  const grace = new AbortController();
  let graceTimer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const stopListening = onAbort(options.signal, () => {
    cancelled = true;
    environment.set("BUILDKITE_JOB_CANCELLED", "true");
    const timeoutFile = environment.get("BUILDKITE_AGENT_JOB_TIMEOUT_FILE");
    if (timeoutFile !== undefined && timeoutFile !== "" && existsSync(timeoutFile)) {
      environment.set("BUILDKITE_JOB_TIMED_OUT", "true");
    }
    log.comment("Received cancellation signal, interrupting");
    cancel.abort();
    graceTimer = setTimeout(() => grace.abort(), graceMs);
  });

  const tempDir = await mkdtemp(path.join(options.tempDir ?? tmpdir(), "buildkite-job-"));
  const runner = createProcessRunner({
    output: output.stream,
    pty: config.pty,
    cancelSignal: config.cancelSignal as NodeJS.Signals,
    signalGracePeriodMs: graceMs,
    logger,
  });
  const state = new JobState({
    config,
    settings: initialSettings(config),
    environment,
    output,
    runner,
    mode,
    tempDir,
    logger,
    signal: cancel.signal,
    cwd: process.cwd(),
  });
  let apiClient: Promise<ApiClient> | undefined;
  const services: PhaseServices = {
    apiClient: () => (apiClient ??= Promise.resolve(options.apiClient ?? defaultApiClient(environment, logger))),
    ...(options.mirrorProvider === undefined ? {} : { mirrorProvider: options.mirrorProvider }),
    ...(options.artifactUploader === undefined ? {} : { artifactUploader: options.artifactUploader }),
    ...(options.agentPath === undefined ? {} : { agentPath: options.agentPath }),
  };

  let exitCode: number;
  try {
    exitCode = await runPhases(state, services, grace.signal);
  } finally {
    stopListening();
    clearTimeout(graceTimer);
    await state.jobApi?.close();
    await rm(tempDir, { recursive: true, force: true });
  }
  await output.close();
  return { exitCode, cancelled };
}

function includes(config: BootstrapConfig, phase: string): boolean {
  return config.phases.length === 0 || config.phases.includes(phase);
}

async function runPhases(state: JobState, services: PhaseServices, graceSignal: AbortSignal): Promise<number> {
  const { config, log } = state;
  if (!config.noJobApi) {
    try {
      await startJobApi(state, services);
    } catch (error) {
      log.error(`Error setting up Job API: ${PhaseFailure.from(error).message}`);
      return 1;
    }
  } else {
    log.optionalWarning(
      "job-api-disabled",
      "The Job API has been disabled. Features like automatic redaction of secrets and polyglot hooks will either not work or have degraded functionality",
    );
  }
  let exitCode: number;
  try {
    await configureCredentials(state, services, false);
    exitCode = await runMainPhases(state, services, graceSignal);
  } catch (error) {
    const failure = PhaseFailure.from(error);
    log.error(`Error configuring repository credentials: ${failure.message}`);
    exitCode = failure.exitStatus;
  }
  if (includes(config, "command")) {
    try {
      await runHookPoint(state, "pre-exit", ["agent", "repository", "plugin"], graceSignal);
    } catch (error) {
      const failure = PhaseFailure.from(error);
      log.error(`Error tearing down job executor: ${failure.message}`);
      exitCode = failure.exitStatus;
    }
  }
  return exitCode;
}

async function runMainPhases(state: JobState, services: PhaseServices, graceSignal: AbortSignal): Promise<number> {
  const { config, log } = state;
  try {
    await setUp(state, services);
  } catch (error) {
    const failure = PhaseFailure.from(error);
    log.error(`Error setting up job executor: ${failure.message}`);
    // An environment hook's own exit status; anything else is the set-up failure code.
    return error instanceof PhaseFailure ? failure.exitStatus : 125;
  }
  await configureCredentials(state, services, true);
  let phaseFailure: PhaseFailure | undefined;
  const plugins = (() => {
    try {
      return includes(config, "plugin") ? jobPlugins(state) : [];
    } catch (error) {
      phaseFailure = PhaseFailure.from(error);
      return [];
    }
  })();
  const attempt = async (phase: () => Promise<void>): Promise<void> => {
    if (phaseFailure !== undefined) return;
    try {
      await phase();
    } catch (error) {
      phaseFailure = PhaseFailure.from(error);
    }
  };
  if (includes(config, "plugin")) await attempt(() => pluginPhase(state, plugins));
  if (phaseFailure === undefined && includes(config, "checkout")) {
    await attempt(() => checkoutPhase(state, services));
  } else {
    const checkoutPath = state.checkoutPath();
    if (checkoutPath !== "" && existsSync(checkoutPath)) {
      state.chdir(checkoutPath);
      state.checkoutRoot = checkoutPath;
    }
  }
  if (includes(config, "plugin")) await attempt(() => vendoredPluginPhase(state, plugins));

  if (phaseFailure === undefined && includes(config, "command")) {
    const outcome = await commandPhase(state, graceSignal);
    phaseFailure = outcome.hookFailure;
    const uploadFailure = await artifactPhase(state, services, graceSignal);
    if (uploadFailure !== undefined) {
      log.error(uploadFailure.message);
      if (!outcome.commandFailed) return uploadFailure.exitStatus;
    }
  }
  const failure: PhaseFailure | undefined = phaseFailure;
  if (failure !== undefined) {
    log.error(failure.message);
    return failure.exitStatus;
  }
  const status = Number.parseInt(state.environment.get("BUILDKITE_COMMAND_EXIT_STATUS") ?? "0", 10);
  return Number.isNaN(status) ? 0 : status;
}

async function startJobApi(state: JobState, services: PhaseServices): Promise<void> {
  const server = new JobApiServer({
    environment: state.environment,
    mode: state.mode,
    socketsPath: state.config.socketsPath,
    onRedaction: (value) => state.output.add([value]),
    promiseFailure: async (exitStatus, reason, { signal }) => {
      try {
        const client = await services.apiClient();
        await client.promiseFailure(state.config.job, { exitStatus, ...(reason === undefined ? {} : { reason }) }, { signal });
        return { accepted: true };
      } catch (error) {
        const status = (error as { status?: unknown }).status;
        return {
          accepted: false,
          ...(typeof status === "number" ? { upstreamStatus: status } : {}),
          error: error instanceof Error ? error.message : String(error),
        };
      }
    },
    jobLog: state.log,
    debug: state.config.debug,
    logger: state.logger,
  });
  const endpoint = await server.start();
  state.jobApi = server;
  state.environment.set("BUILDKITE_AGENT_JOB_API_SOCKET", endpoint.socketPath);
  state.environment.set("BUILDKITE_AGENT_JOB_API_TOKEN", endpoint.token);
  state.output.refreshFromEnv(state.environment);
}

/**
 * One line of the debug environment listing, as executor.go's
 * formatDebugEnvironmentVariable writes it: the agent token masked, the mirror
 * URL's password masked (its value is not a redacted var, so the redactor would
 * print it), and newlines escaped so a value cannot forge log lines.
 */
function formatDebugEnvironmentVariable(entry: string): string {
  // Entries come from Environment.toSlice: each has its "=".
  const equals = entry.indexOf("=");
  const name = entry.slice(0, equals);
  let value = entry.slice(equals + 1);
  if (name === "BUILDKITE_AGENT_ACCESS_TOKEN") value = "******************";
  else if (name === "BUILDKITE_GIT_REMOTE_MIRROR_URL") value = redactUrlCredentials(value);
  return `${name}=${value.replaceAll("\n", "\\n")}`;
}

async function setUp(state: JobState, services: PhaseServices): Promise<void> {
  const { config, environment, log } = state;
  const binPath = environment.get("BUILDKITE_BIN_PATH");
  if (binPath !== undefined && binPath !== "") {
    environment.set("PATH", `${environment.get("PATH") ?? ""}:${binPath}`);
  }
  if (!environment.has("BUILDKITE_BUILD_CHECKOUT_PATH")) {
    if (config.buildPath === "") {
      throw new Error("Must set either a BUILDKITE_BUILD_PATH or a BUILDKITE_BUILD_CHECKOUT_PATH");
    }
    environment.set(
      "BUILDKITE_BUILD_CHECKOUT_PATH",
      defaultCheckoutPath(config.buildPath, config.agent, config.organization, config.pipeline),
    );
  }
  const ignored = environment.get("BUILDKITE_IGNORED_ENV") ?? "";
  if (ignored !== "") {
    log.header("Detected protected environment variables");
    log.comment(
      "Your pipeline environment has protected environment variables set. " +
        "These can only be set via hooks, plugins or the agent configuration.",
    );
    for (const name of ignored.split(",")) log.warning(`Ignored ${name}`);
    log.line("^^^ +++");
  }
  if (config.debug) {
    log.header("Buildkite environment variables");
    for (const entry of environment.toSlice()) {
      if (/^(BUILDKITE|CI|PATH)/u.test(entry)) log.line(formatDebugEnvironmentVariable(entry));
    }
  }
  environment.set("GIT_TERMINAL_PROMPT", "0");
  if (config.secrets !== "") {
    await prepareSecrets({
      configText: config.secrets,
      jobId: config.job,
      client: await services.apiClient(),
      environment,
      mode: state.mode,
      log,
      redact: (values) => state.output.add(values),
      signal: state.signal,
    });
    state.afterEnvironmentChange();
  }
  if (state.settings.gitLfsEnabled) environment.set("GIT_LFS_SKIP_SMUDGE", "1");
  await runHookPoint(state, "environment", ["agent"]);
}
