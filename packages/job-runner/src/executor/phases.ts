import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { ApiClient } from "@agent/api-client";
import {
  BUILDKITE_REPO_MIRROR,
  checkoutWithRetries,
  configureRepositoryCredentials,
  defaultCheckout,
  removeCheckoutDir,
  sendCommitMetadata,
  splitShellWords,
  sshKeyscan,
  type MirrorProvider,
} from "../checkout/index.js";
import { JobRunnerError } from "../errors.js";
import type { JobLog } from "../job-log.js";
import type { ProcessRunner } from "../process-runner.js";
import { checkoutPlugins, parsePlugins, resolveVendoredPlugin, type Plugin } from "../plugins/index.js";
import { planCommand } from "./default-command.js";
import { runHookPoint, runSingleHookPoint } from "./hook-points.js";
import type { JobState } from "./job-state.js";
import { PhaseFailure } from "./phase-failure.js";
import { signalText } from "./signal-text.js";

/** What the artifact phase asks an {@link ArtifactUploader} to do. */
export interface ArtifactUploadRequest {
  /** `BUILDKITE_ARTIFACT_PATHS`: globs separated by `;`. */
  readonly paths: string;
  /** `BUILDKITE_ARTIFACT_UPLOAD_DESTINATION`; empty for Buildkite's own storage. */
  readonly destination: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Runs a child process with its output in the job log (the real agent runs `buildkite-agent artifact upload`). */
  readonly runner: ProcessRunner;
  readonly log: JobLog;
  /** Aborts at the end of the signal grace period after a cancel. */
  readonly signal?: AbortSignal;
}

/**
 * Uploads the job's artifacts; `@agent/artifact-store` implements it, and the
 * `bootstrap` command runs `buildkite-agent artifact upload` as the real agent does.
 */
export interface ArtifactUploader {
  /** Resolves when every matching file is uploaded; rejects otherwise (an `exitStatus` on the error sets the job's). */
  upload(request: ArtifactUploadRequest): Promise<void>;
}

/** What the phases need from outside the job. */
export interface PhaseServices {
  /** The Agent API client for the job (commit meta-data, secrets); created lazily. */
  readonly apiClient: () => Promise<ApiClient>;
  readonly mirrorProvider?: MirrorProvider;
  readonly artifactUploader?: ArtifactUploader;
  /** This executable, for `git-credentials-helper`. */
  readonly agentPath?: string;
}

/** The plugins of the job, parsed once (vendored and not). */
export function jobPlugins(state: JobState): Plugin[] {
  const json = state.config.plugins.trim();
  if (json === "") return [];
  try {
    return parsePlugins(json, {
      pluginsEnabled: state.config.pluginsEnabled,
      localHooksEnabled: state.config.localHooksEnabled,
      commandEval: state.config.commandEval,
      pluginValidation: state.config.pluginValidation === true,
    });
  } catch (error) {
    throw new PhaseFailure(`failed to parse a plugin definition: ${PhaseFailure.from(error).message}`, 1, { cause: error });
  }
}

/** Plugin phase: check out non-vendored plugins, then run their `environment` hooks. */
export async function pluginPhase(state: JobState, plugins: readonly Plugin[]): Promise<void> {
  const remote = plugins.filter((plugin) => !plugin.vendored);
  if (plugins.length === 0) return;
  state.log.header("Preparing plugins");
  if (remote.length > 0) {
    state.activePlugins = await checkoutPlugins(remote, {
      pluginsPath: state.config.pluginsPath,
      agentName: state.config.agent,
      runProcess: state.runner,
      log: state.log,
      env: state.environment.toObject(),
      alwaysCloneFresh: state.settings.pluginsAlwaysCloneFresh,
      gitSubmodules: state.settings.gitSubmodules,
      zipPlugins: state.config.experiment.includes("zip-plugins"),
      sshKeyscan: state.sshKeyscan,
      keyscan: (host, { port, signal }) =>
        sshKeyscan(port === undefined ? `ssh://${host}` : `ssh://${host}:${port}`, {
          runner: state.runner,
          log: state.log,
          cwd: state.cwd,
          env: () => state.environment.toObject(),
          ...(signal === undefined ? {} : { signal }),
        }),
      signal: state.signal,
      logger: state.logger,
    });
  }
  await runHookPoint(state, "environment", ["plugin"]);
}

/** After checkout: vendored plugins join, and their `environment` hooks run. */
export async function vendoredPluginPhase(state: JobState, plugins: readonly Plugin[]): Promise<void> {
  const vendored = plugins.filter((plugin) => plugin.vendored);
  if (vendored.length === 0) return;
  const root = state.checkoutRoot ?? state.cwd;
  const resolved = [];
  for (const plugin of vendored) resolved.push(await resolveVendoredPlugin(plugin, root));
  const before = state.activePlugins;
  state.activePlugins = resolved;
  try {
    await runHookPoint(state, "environment", ["plugin"]);
  } finally {
    state.activePlugins = [...before, ...resolved];
  }
}

/**
 * Repository-provider (or GitHub App) git credentials (job-executor.md §2 row 3),
 * as executor.go `configureRepositoryProviderGitCredentials(afterSetUp)`.
 * Before set-up (so environment hooks and plugins clone with them): the
 * credential helper, and for the legacy GitHub App flag the unconditional
 * `git@github.com:` rewrite with keyscan off for the job. After set-up and again
 * after pre-checkout hooks (either may change `BUILDKITE_REPO`): for the
 * provider-neutral flag alone, the rewrite only when the repository is a
 * `git@github.com:` URL, which then skips that repository's keyscan.
 */
export async function configureCredentials(state: JobState, services: PhaseServices, afterSetUp: boolean): Promise<void> {
  const provider = state.environment.get("BUILDKITE_USE_REPOSITORY_PROVIDER_GIT_CREDENTIALS") === "true";
  const githubApp = state.environment.get("BUILDKITE_USE_GITHUB_APP_GIT_CREDENTIALS") === "true";
  if (!provider && !githubApp) return;
  if (afterSetUp) {
    // With both flags the legacy behaviour wins, as upstream keeps it while the neutral flag rolls out.
    if (githubApp) return;
    state.skipRepositorySshKeyscan = state.settings.repository.startsWith("git@github.com:");
    // The rewrite stays once made (it is global git config), as upstream's does.
    if (!state.skipRepositorySshKeyscan) return;
  } else if (githubApp) {
    state.sshKeyscan = false;
  }
  if (services.agentPath === undefined) {
    throw new JobRunnerError("JOB_CREDENTIALS", "repository credentials need the path of buildkite-agent (agentPath)");
  }
  await configureRepositoryCredentials({
    runner: state.runner,
    log: state.log,
    env: state.environment,
    cwd: state.cwd,
    agentPath: services.agentPath,
    // Before set-up only the legacy flag rewrites; the repository-dependent decision waits for set-up's BUILDKITE_REPO.
    repository: afterSetUp ? state.settings.repository : "",
    githubApp,
    signal: state.signal,
  });
}

/** Checkout phase (job-executor.md §5). */
export async function checkoutPhase(state: JobState, services: PhaseServices): Promise<void> {
  await runHookPoint(state, "pre-checkout", ["agent", "plugin"]);
  try {
    await configureCredentials(state, services, true);
  } catch (error) {
    const failure = PhaseFailure.from(error);
    throw new PhaseFailure(`refreshing repository credentials before checkout: ${failure.message}`, failure.exitStatus, { cause: error });
  }
  let checkoutPath = state.checkoutPath();
  if (state.settings.cleanCheckout) {
    state.log.header("Cleaning pipeline checkout");
    await removeCheckoutDir(checkoutPath, { log: state.log, signal: state.signal });
  }
  state.log.header("Preparing working directory");
  if (state.settings.repository === "") {
    checkoutPath = path.join(state.tempDir, `buildkite-job-${state.config.job}`);
    state.environment.set("BUILDKITE_BUILD_CHECKOUT_PATH", checkoutPath);
  }
  await mkdir(checkoutPath, { recursive: true });
  state.chdir(checkoutPath);
  state.checkoutRoot = checkoutPath;
  let checkedOut = false;
  if (state.settings.skipCheckout) {
    state.log.comment("Skipping checkout, BUILDKITE_SKIP_CHECKOUT is set");
  } else if (!(await runSingleHookPoint(state, "checkout"))) {
    if (state.settings.repository === "") {
      state.log.comment("Skipping checkout, BUILDKITE_REPO is empty");
    } else {
      await defaultCheckoutWithRetries(state, services, checkoutPath);
      checkedOut = true;
    }
  }
  if (checkedOut) {
    await sendCommitMetadata({
      runner: state.runner,
      log: state.log,
      cwd: state.cwd,
      env: state.environment,
      commit: state.config.commit,
      jobId: state.config.job,
      client: await services.apiClient(),
      skipCheckout: state.settings.skipCheckout,
      signal: state.signal,
    });
  }
  const before = state.checkoutPath();
  await runHookPoint(state, "post-checkout", ["agent", "repository", "plugin"]);
  const after = state.checkoutPath();
  if (after !== before && after !== "") {
    state.log.header(`A post-checkout hook has changed the working directory to "${after}"`);
    state.chdir(after);
  }
}

async function defaultCheckoutWithRetries(
  state: JobState,
  services: PhaseServices,
  checkoutPath: string,
): Promise<void> {
  const settings = state.settings;
  const result = await checkoutWithRetries(
    ({ signal }) =>
      defaultCheckout({
        runner: state.runner,
        log: state.log,
        env: state.environment,
        checkoutPath,
        repository: settings.repository,
        commit: state.config.commit,
        branch: state.config.branch,
        refspec: settings.refspec,
        pullRequest: state.config.pullrequest === "" ? "false" : state.config.pullrequest,
        pullRequestUsingMergeRefspec: state.config.pullRequestUsingMergeRefspec,
        pipelineProvider: state.config.pipelineProvider,
        pipelineSlug: state.config.pipeline,
        cloneFlags: settings.gitCloneFlags,
        cleanFlags: settings.gitCleanFlags,
        fetchFlags: settings.gitFetchFlags,
        checkoutFlags: settings.gitCheckoutFlags,
        submodules: settings.gitSubmodules,
        submoduleCloneConfig: settings.gitSubmoduleCloneConfig,
        sshKeyscan: state.sshKeyscan,
        // Only the repository itself skips its keyscan after the https rewrite;
        // submodules are still scanned (checkout.go checks e.SSHKeyscan alone for them).
        keyscan: (repository, context) =>
          state.skipRepositorySshKeyscan && repository === settings.repository ? Promise.resolve() : sshKeyscan(repository, context),
        gitSshKey: settings.gitSshKey,
        skipFetchExistingCommits: settings.gitSkipFetchExistingCommits,
        resolveCommitAfterCheckout: state.config.experiment.includes("resolve-commit-after-checkout"),
        ...(services.mirrorProvider === undefined ? {} : { mirrorProvider: services.mirrorProvider }),
        gitLfsEnabled: settings.gitLfsEnabled,
        sparseCheckoutPaths: settings.gitSparseCheckoutPaths,
        commitVerification: settings.gitCommitVerification,
        ...(signal === undefined ? {} : { signal }),
      }),
    {
      log: state.log,
      checkoutPath,
      attempts: state.config.checkoutAttempts,
      attemptTimeoutMs: settings.gitCheckoutTimeout * 1000,
      signal: state.signal,
    },
  );
  if (result.mirror !== undefined) state.environment.set(BUILDKITE_REPO_MIRROR, result.mirror);
  if (result.commit !== state.config.commit) state.environment.set("BUILDKITE_COMMIT", result.commit);
}

/** The result of the command phase: `hookFailure` stops the job; `commandFailed` is the user's command failing. */
export interface CommandPhaseOutcome {
  readonly hookFailure?: PhaseFailure;
  readonly commandFailed: boolean;
}

/** Pre-command, the command, post-command (executor.go `CommandPhase`). */
export async function commandPhase(state: JobState, graceSignal: AbortSignal): Promise<CommandPhaseOutcome> {
  try {
    await runHookPoint(state, "pre-command", ["agent", "repository", "plugin"]);
  } catch (error) {
    return { hookFailure: PhaseFailure.from(error), commandFailed: false };
  }
  let commandFailed = false;
  let hookFailure: PhaseFailure | undefined;
  try {
    commandFailed = await runCommand(state);
  } catch (error) {
    // A `command` hook exiting non-zero is the command failing, as in the real
    // agent; any other error is printed and recorded as 1, but is not a failure.
    const hookExit = error instanceof PhaseFailure;
    const status = hookExit ? error.exitStatus : 1;
    state.environment.set("BUILDKITE_COMMAND_EXIT_STATUS", String(status));
    state.log.line("^^^ +++");
    state.log.error(hookExit ? `The command exited with status ${status}` : PhaseFailure.from(error).message);
    commandFailed = hookExit;
  }
  try {
    await runHookPoint(state, "post-command", ["agent", "repository", "plugin"], graceSignal);
  } catch (error) {
    hookFailure = PhaseFailure.from(error);
  }
  return { ...(hookFailure === undefined ? {} : { hookFailure }), commandFailed };
}

/** Runs the command hook or the default command; returns whether the command failed. */
async function runCommand(state: JobState): Promise<boolean> {
  if (await runSingleHookPoint(state, "command")) {
    state.environment.set("BUILDKITE_COMMAND_EXIT_STATUS", "0");
    return false;
  }
  let plan;
  try {
    plan = await planCommand(state.config.command, {
      interpreter: splitShellWords(state.config.shell),
      cwd: state.cwd,
      commandEval: state.config.commandEval,
      comment: (text) => state.log.comment(text),
    });
  } catch (error) {
    // Not an exit error: printed, recorded as 1, but not counted as the command failing.
    // Like every command error upstream (CommandPhase), it first expands the section.
    state.environment.set("BUILDKITE_COMMAND_EXIT_STATUS", "1");
    state.log.line("^^^ +++");
    state.log.error(error instanceof Error ? error.message : String(error));
    return false;
  }
  state.log.header(plan.header);
  state.log.prompt(state.config.debug ? [plan.file, ...plan.args].join(" ") : plan.prompt);
  const result = await state.runner(plan.file, plan.args, {
    cwd: state.cwd,
    env: state.environment.toObject(),
    pty: state.config.pty,
    signal: state.signal,
  });
  state.output.stream.flush();
  state.environment.set("BUILDKITE_COMMAND_EXIT_STATUS", String(result.exitCode));
  if (result.exitCode === 0) return false;
  state.log.line("^^^ +++");
  if (result.signal !== undefined) state.log.error(`The command was interrupted by a signal: signal: ${signalText(result.signal)}`);
  else state.log.error(`The command exited with status ${result.exitCode}`);
  return true;
}

/**
 * Artifact phase: pre-artifact hooks, the upload, post-artifact hooks, each only
 * if the one before succeeded. Returns the failure, if any.
 */
export async function artifactPhase(
  state: JobState,
  services: PhaseServices,
  graceSignal: AbortSignal,
): Promise<PhaseFailure | undefined> {
  const paths = state.settings.artifactUploadPaths;
  if (paths === "") return undefined;
  try {
    await runHookPoint(state, "pre-artifact", ["agent", "repository", "plugin"], graceSignal);
    state.log.header("Uploading artifacts");
    if (services.artifactUploader === undefined) {
      throw new JobRunnerError(
        "JOB_NO_ARTIFACT_UPLOADER",
        "artifacts can't be uploaded: this executor has no artifact uploader",
      );
    }
    await services.artifactUploader.upload({
      paths,
      destination: state.settings.artifactUploadDestination,
      cwd: state.cwd,
      env: state.environment.toObject(),
      runner: state.runner,
      log: state.log,
      signal: graceSignal,
    });
    await runHookPoint(state, "post-artifact", ["agent", "repository", "plugin"], graceSignal);
    return undefined;
  } catch (error) {
    return PhaseFailure.from(error);
  }
}
