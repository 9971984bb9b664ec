import path from "node:path";
import type { AgentConfig, startCommand } from "@agent/config";
import type { CommandContext } from "../command-context.js";
import { ExitError } from "../errors.js";
import { COMPATIBLE_AGENT_VERSION } from "../version.js";

type StartContext = CommandContext<typeof startCommand>;

// Forwarded to the pool: SIGTERM/SIGINT stop gracefully (a second one escalates), SIGQUIT forcefully.
const FORWARDED: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP"];

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
 */
function jobSettings(config: AgentConfig): Record<string, string> {
  const settings: Record<string, string> = {
    BUILDKITE_SSH_KEYSCAN: flag(!config.noSshKeyscan),
    BUILDKITE_CHECKOUT_OVERRIDE_MODE: config.checkoutOverrideMode,
    BUILDKITE_CHECKOUT_ATTEMPTS: String(config.checkoutAttempts),
    BUILDKITE_GIT_CLONE_MIRROR_FLAGS: config.gitCloneMirrorFlags,
    BUILDKITE_GIT_MIRROR_CHECKOUT_MODE: config.gitMirrorCheckoutMode,
    BUILDKITE_GIT_MIRRORS_LOCK_TIMEOUT: String(config.gitMirrorsLockTimeout),
    BUILDKITE_GIT_MIRRORS_SKIP_UPDATE: flag(config.gitMirrorsSkipUpdate),
    BUILDKITE_GIT_SUBMODULE_CLONE_CONFIG: config.gitSubmoduleCloneConfig.join(","),
    BUILDKITE_STRICT_SINGLE_HOOKS: flag(config.strictSingleHooks),
    BUILDKITE_TRACE_CONTEXT_ENCODING: config.traceContextEncoding,
    BUILDKITE_PLUGIN_VALIDATION: flag(!config.noPluginValidation),
    BUILDKITE_JOB_LOGS_OTLP: flag(config.jobLogsOtlp),
    BUILDKITE_AGENT_DISABLE_WARNINGS_FOR: config.disableWarningsFor.join(","),
  };
  if (config.pluginsAlwaysCloneFresh) settings.BUILDKITE_PLUGINS_ALWAYS_CLONE_FRESH = "true";
  if (config.noMultipartArtifactUpload) settings.BUILDKITE_NO_MULTIPART_ARTIFACT_UPLOAD = "true";
  // Checkout-scoped settings: in mode `none` the job's own values win, so the
  // agent's are not sent.
  if (config.checkoutOverrideMode !== "none") {
    Object.assign(settings, {
      BUILDKITE_GIT_CHECKOUT_FLAGS: config.gitCheckoutFlags,
      BUILDKITE_GIT_CLONE_FLAGS: config.gitCloneFlags,
      BUILDKITE_GIT_FETCH_FLAGS: config.gitFetchFlags,
      BUILDKITE_GIT_CLEAN_FLAGS: config.gitCleanFlags,
      BUILDKITE_GIT_COMMIT_VERIFICATION: config.gitCommitVerification,
    });
    const strict = config.checkoutOverrideMode === "strict";
    if (strict || config.noGitSubmodules) settings.BUILDKITE_GIT_SUBMODULES = flag(!config.noGitSubmodules);
    if (strict || config.skipCheckout) settings.BUILDKITE_SKIP_CHECKOUT = flag(config.skipCheckout);
    if (strict || config.gitSkipFetchExistingCommits) {
      settings.BUILDKITE_GIT_SKIP_FETCH_EXISTING_COMMITS = flag(config.gitSkipFetchExistingCommits);
    }
    if (strict || config.gitCheckoutTimeout > 0) settings.BUILDKITE_GIT_CHECKOUT_TIMEOUT = String(config.gitCheckoutTimeout);
  }
  return settings;
}

/**
 * `buildkite-agent start`: maps the configuration onto @agent/agent-worker's
 * pool, forwards signals to it, and exits with the pool's exit code.
 */
export async function run(context: StartContext): Promise<number> {
  const { config, logger } = context;
  const { startAgentPool } = await import("@agent/agent-worker");
  const pool = startAgentPool({
    token: config.token,
    endpoint: config.endpoint,
    name: config.name,
    tags: config.tags,
    tagsFromHost: config.tagsFromHost,
    priority: config.priority,
    spawn: config.spawn,
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
    healthCheckAddr: config.healthCheckAddr,
    executor: await executor(context),
    env: await agentEnvironment(context),
    jobContextDir: config.jobContextDir,
    binPath: path.dirname(context.executablePath),
    configPath: context.configFile ?? "",
    jobSettings: jobSettings(config),
    version: COMPATIBLE_AGENT_VERSION,
    logger,
  });
  const forward = (signal: NodeJS.Signals): void => pool.handleSignal(signal);
  for (const signal of FORWARDED) process.on(signal, forward);
  try {
    const { exitCode, error } = await pool.done;
    // As the real agent: the error ends the command as `buildkite-agent: fatal: <message>`.
    if (error !== undefined) throw new ExitError(exitCode === 0 ? 1 : exitCode, error.message, { cause: error });
    return exitCode;
  } finally {
    for (const signal of FORWARDED) process.removeListener(signal, forward);
  }
}
