import os from "node:os";
import path from "node:path";
import type { AgentConfig, CheckoutOverrideMode, startCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { ExitError } from "../errors.js";
import { COMPATIBLE_AGENT_VERSION, fullVersion } from "../version.js";
import { holdYoungGenerationSize } from "../young-generation.js";
import { checkUnsupportedSettings } from "./unsupported-start-settings.js";

type StartContext = CommandContext<typeof startCommand>;

// Forwarded to the pool: SIGTERM/SIGINT stop gracefully (a second one escalates), SIGQUIT forcefully.
const FORWARDED: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP"];
const IMMEDIATE_EXITS: ReadonlySet<string> = new Set(["AGENT_INTERRUPTED", "AGENT_STOP_TIMEOUT"]);

/**
 * The agent's environment for its jobs: its own, minus the start flags' env vars
 * (the registration token above all), which the real agent unsets at start-up.
 */
async function agentEnvironment(context: StartContext): Promise<Record<string, string>> {
  const { settingEnvNames } = await import("@agent/config");
  const hidden = new Set(settingEnvNames(context.command));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(context.env)) {
    if (value !== undefined && !hidden.has(name)) env[name] = value;
  }
  return env;
}

/** The executor command line: `bootstrap-script`, or this executable's own `bootstrap`. */
async function executor(context: StartContext): Promise<{ command: string; args: string[] }> {
  if (context.config.bootstrapScript !== "") {
    const { splitShellWords } = await import("@agent/job-runner");
    const [command = "", ...args] = splitShellWords(context.config.bootstrapScript);
    return { command, args };
  }
  return { command: process.execPath, args: [context.executablePath, "bootstrap"] };
}

/**
 * The agent's shellwords rules for splitting `hooks-shell` (or `shell`) into the
 * words hooks run with; loaded only when there is a hooks directory to run hooks from.
 */
async function hookShellSplitter(config: AgentConfig): Promise<{ splitShellWords?: (setting: string) => string[] }> {
  if (config.hooksPath === "" && config.additionalHooksPaths.length === 0) return {};
  const { splitShellWords } = await import("@agent/job-runner");
  return { splitShellWords };
}

const flag = (value: boolean): string => (value ? "true" : "false");

/**
 * Settings the agent hands every job as env vars (lifecycle.md §4.1) that the
 * pool does not set itself: git flags, checkout policy, and the like.
 * `overrides` replace the job's own values; `defaults` are the checkout settings
 * the checkout-override mode leaves to the job env from Buildkite
 * (agent/job_runner.go `createEnvironment`).
 */
function jobSettings(config: AgentConfig, lockedForJobEnv: (name: string) => boolean) {
  const overrides: Record<string, string> = {
    BUILDKITE_SSH_KEYSCAN: flag(!config.noSshKeyscan),
    BUILDKITE_GIT_MIRRORS_SKIP_UPDATE: flag(config.gitMirrorsSkipUpdate),
    BUILDKITE_CHECKOUT_OVERRIDE_MODE: config.checkoutOverrideMode,
    BUILDKITE_CHECKOUT_ATTEMPTS: String(config.checkoutAttempts),
    BUILDKITE_GIT_CLONE_MIRROR_FLAGS: config.gitCloneMirrorFlags,
    BUILDKITE_GIT_MIRROR_CHECKOUT_MODE: config.gitMirrorCheckoutMode,
    BUILDKITE_GIT_MIRRORS_LOCK_TIMEOUT: String(config.gitMirrorsLockTimeout),
    BUILDKITE_GIT_SUBMODULE_CLONE_CONFIG: config.gitSubmoduleCloneConfig.join(","),
    BUILDKITE_STRICT_SINGLE_HOOKS: flag(config.strictSingleHooks),
    BUILDKITE_TRACE_CONTEXT_ENCODING: config.traceContextEncoding,
    BUILDKITE_JOB_LOGS_OTLP: flag(config.jobLogsOtlp),
    BUILDKITE_AGENT_DISABLE_WARNINGS_FOR: config.disableWarningsFor.join(","),
  };
  if (config.pluginsAlwaysCloneFresh) overrides.BUILDKITE_PLUGINS_ALWAYS_CLONE_FRESH = "true";
  if (config.noMultipartArtifactUpload) overrides.BUILDKITE_NO_MULTIPART_ARTIFACT_UPLOAD = "true";
  if (config.artifactUploadConcurrency > 0) overrides.BUILDKITE_ARTIFACT_UPLOAD_CONCURRENCY = String(config.artifactUploadConcurrency);
  if (config.profile !== "") overrides.BUILDKITE_AGENT_PROFILE = config.profile;
  // Pipelines this agent's jobs upload are signed with its key.
  if (config.signingAwsKmsKey !== "") overrides.BUILDKITE_AGENT_AWS_KMS_KEY = config.signingAwsKmsKey;
  if (config.signingGcpKmsKey !== "") overrides.BUILDKITE_AGENT_GCP_KMS_KEY = config.signingGcpKmsKey;
  if (config.signingJwksFile !== "") overrides.BUILDKITE_AGENT_JWKS_FILE = config.signingJwksFile;
  if (config.signingJwksKeyId !== "") overrides.BUILDKITE_AGENT_JWKS_KEY_ID = config.signingJwksKeyId;
  if (config.debugSigning) overrides.BUILDKITE_AGENT_DEBUG_SIGNING = "true";

  const defaults: Record<string, string> = {};
  const checkout = (name: string, value: string): void => {
    if (lockedForJobEnv(name)) overrides[name] = value;
    else defaults[name] = value;
  };
  // Strict sends these four whatever their value, so a job cannot bring back
  // what the agent left at its default; the other modes send each only on its
  // non-default side.
  if (config.checkoutOverrideMode === "strict") {
    overrides.BUILDKITE_GIT_SUBMODULES = flag(!config.noGitSubmodules);
    overrides.BUILDKITE_SKIP_CHECKOUT = flag(config.skipCheckout);
    overrides.BUILDKITE_GIT_SKIP_FETCH_EXISTING_COMMITS = flag(config.gitSkipFetchExistingCommits);
    overrides.BUILDKITE_GIT_CHECKOUT_TIMEOUT = String(config.gitCheckoutTimeout);
  } else {
    if (config.noGitSubmodules) checkout("BUILDKITE_GIT_SUBMODULES", "false");
    if (config.skipCheckout) checkout("BUILDKITE_SKIP_CHECKOUT", "true");
    if (config.gitSkipFetchExistingCommits) checkout("BUILDKITE_GIT_SKIP_FETCH_EXISTING_COMMITS", "true");
    if (config.gitCheckoutTimeout > 0) checkout("BUILDKITE_GIT_CHECKOUT_TIMEOUT", String(config.gitCheckoutTimeout));
  }
  checkout("BUILDKITE_GIT_CHECKOUT_FLAGS", config.gitCheckoutFlags);
  checkout("BUILDKITE_GIT_CLONE_FLAGS", config.gitCloneFlags);
  checkout("BUILDKITE_GIT_FETCH_FLAGS", config.gitFetchFlags);
  checkout("BUILDKITE_GIT_SPARSE_CHECKOUT_PATHS", config.gitSparseCheckoutPaths.join(","));
  checkout("BUILDKITE_GIT_SPARSE_CHECKOUT_MODE", config.gitSparseCheckoutMode);
  checkout("BUILDKITE_GIT_CLEAN_FLAGS", config.gitCleanFlags);
  checkout("BUILDKITE_GIT_COMMIT_VERIFICATION", config.gitCommitVerification);
  return { overrides, defaults };
}

/**
 * `buildkite-agent start`: maps the configuration onto @agent/agent-worker's
 * pool, forwards signals to it, and exits with the pool's exit code.
 */
export async function run(context: StartContext): Promise<number> {
  const { config, logger } = context;
  holdYoungGenerationSize(context.env, process.execArgv);
  logger.notice(`Starting buildkite-agent v${fullVersion()} with PID: ${process.pid}`);
  if (context.configFile !== undefined) logger.info("Configuration loaded", { path: context.configFile });
  checkUnsupportedSettings(config, context.sources, logger);
  if (config.verificationJwksFile !== "") {
    throw new ExitError(
      1,
      "--verification-jwks-file is set, but this agent cannot verify job signatures yet: refusing to start rather than run jobs unverified",
    );
  }
  const spawn = config.spawnPerCpu > 0 ? config.spawnPerCpu * os.availableParallelism() : config.spawn;
  const { isCheckoutLockedForJobEnv } = await import("@agent/config");
  const mode = config.checkoutOverrideMode as CheckoutOverrideMode;
  const settings = jobSettings(config, (name) => isCheckoutLockedForJobEnv(name, mode));
  const { startAgentPool } = await import("@agent/agent-worker");
  const pool = startAgentPool({
    token: config.token,
    endpoint: config.endpoint,
    name: config.name,
    tags: config.tags,
    tagsFromHost: config.tagsFromHost,
    priority: config.priority,
    spawn,
    acquireJob: config.acquireJob,
    reflectExitStatus: config.reflectExitStatus,
    noFeatureReporting: config.noFeatureReporting,
    spawnWithPriority: config.spawnWithPriority,
    buildPath: config.buildPath,
    hooksPath: config.hooksPath,
    additionalHooksPaths: config.additionalHooksPaths,
    pluginsPath: config.pluginsPath,
    socketsPath: config.socketsPath,
    gitMirrorsPath: config.gitMirrorsPath,
    shell: config.shell,
    hooksShell: config.hooksShell,
    ...(await hookShellSplitter(config)),
    cancelGracePeriod: config.cancelGracePeriod,
    signalGracePeriodSeconds: config.signalGracePeriodSeconds,
    cancelSignal: config.cancelSignal as NodeJS.Signals,
    noPty: config.noPty,
    ansiTimestamps: !config.noAnsiTimestamps,
    timestampLines: config.timestampLines,
    disconnectAfterJob: config.disconnectAfterJob,
    disconnectAfterIdleTimeout: config.disconnectAfterIdleTimeout,
    disconnectAfterUptime: config.disconnectAfterUptime,
    allowedRepositories: config.allowedRepositories,
    allowedPlugins: config.allowedPlugins,
    allowedEnvironmentVariables: config.allowedEnvironmentVariables,
    enableEnvironmentVariableAllowlist: config.enableEnvironmentVariableAllowlist,
    noPlugins: config.noPlugins,
    noCommandEval: config.noCommandEval,
    noLocalHooks: config.noLocalHooks,
    redactedVars: config.redactedVars,
    experiments: config.experiment,
    debug: config.debug,
    debugHttp: config.debugHttp,
    noHttp2: config.noHttp2,
    pluginValidation: !config.noPluginValidation,
    tracing: {
      backend: config.tracingBackend,
      serviceName: config.tracingServiceName,
      propagateTraceparent: config.tracingPropagateTraceparent,
    },
    // What a signed job gets, as there is no key to check it with; any value but
    // `warn` (config checks it only with a key file, as Go does) blocks.
    verificationFailureBehavior: config.verificationFailureBehavior === "warn" ? "warn" : "block",
    writeJobLogsToStdout: config.writeJobLogsToStdout,
    stdout: context.stdout,
    logFormat: config.logFormat === "json" ? "json" : "text",
    jobLogTmpfile: config.enableJobLogTmpfile,
    ...(config.jobLogPath !== "" ? { jobLogPath: config.jobLogPath } : {}),
    healthCheckAddr: config.healthCheckAddr,
    executor: await executor(context),
    env: await agentEnvironment(context),
    jobContextDir: config.jobContextDir,
    binPath: path.dirname(context.executablePath),
    configPath: context.configFile ?? "",
    jobSettings: settings.overrides,
    jobSettingDefaults: settings.defaults,
    version: COMPATIBLE_AGENT_VERSION,
    logger,
  });
  const forward = (signal: NodeJS.Signals): void => pool.handleSignal(signal);
  for (const signal of FORWARDED) process.on(signal, forward);
  // After registration and the agent-startup hook, as the real agent logs them.
  pool.ready.then(
    () => {
      logger.info(`Starting ${spawn} Agent(s)`);
      logger.info("You can press Ctrl-C to stop the agents");
    },
    () => undefined,
  );
  try {
    const { exitCode, error } = await pool.done;
    // As the real agent: the error ends the command as `buildkite-agent: fatal: <message>`.
    // A third interrupt, or a forceful stop that did not finish in time, ends the
    // process there and then (lifecycle.md §5.3, §7), whatever is still running.
    if (error !== undefined) {
      const immediate = IMMEDIATE_EXITS.has((error as { code?: string }).code ?? "");
      throw new ExitError(exitCode === 0 ? 1 : exitCode, error.message, { cause: error, immediate });
    }
    return exitCode;
  } finally {
    for (const signal of FORWARDED) process.removeListener(signal, forward);
  }
}
