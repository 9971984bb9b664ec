import type { BootstrapConfig } from "@agent/config";
import { goQuote } from "@agent/log-redactor";
import { EXECUTOR_SETTING_VARS, VALUE_HIDDEN_SETTINGS } from "../hooks/index.js";
import { Environment } from "../environment.js";
import type { JobApiServer } from "../job-api/index.js";
import type { JobLog } from "../job-log.js";
import type { Logger } from "../logger.js";
import type { PluginCheckout } from "../plugins/index.js";
import type { ProcessRunner } from "../process-runner.js";
import type { CheckoutOverrideMode } from "../protected-env.js";
import type { JobOutput } from "./job-output.js";
import { rereadSettings, type ExecutorSettings } from "./settings.js";

/** Everything one job's phases share while it runs. */
export class JobState {
  readonly config: BootstrapConfig;
  readonly settings: ExecutorSettings;
  readonly environment: Environment;
  readonly output: JobOutput;
  readonly log: JobLog;
  readonly runner: ProcessRunner;
  readonly mode: CheckoutOverrideMode;
  readonly tempDir: string;
  readonly logger: Logger;
  /** Aborted when the job is cancelled: stops the running process and every later phase. */
  readonly signal: AbortSignal;
  /** The agent hooks directories: `hooks-path`, then each additional one. */
  readonly hookPaths: readonly string[];
  jobApi: JobApiServer | undefined;
  cwd: string;
  /** The checkout directory, once the checkout phase (or its stand-in) has run. */
  checkoutRoot: string | undefined;
  /** Plugins whose hooks take part in hook points now: non-vendored, then vendored once resolved. */
  activePlugins: PluginCheckout[] = [];
  /**
   * Whether SSH hosts (repository, submodules, plugins) are keyscanned:
   * `config.sshKeyscan`, switched off for the whole job by the legacy GitHub App
   * credentials flag, whose https rewrite covers every GitHub URL (executor.go).
   */
  sshKeyscan: boolean;
  /**
   * The provider-neutral credentials flag rewrote this `git@github.com:`
   * repository to https: no keyscan for it, while submodules and plugins still
   * follow {@link sshKeyscan} (executor.go `skipRepositorySSHKeyscan`).
   */
  skipRepositorySshKeyscan = false;

  constructor(init: {
    config: BootstrapConfig;
    settings: ExecutorSettings;
    environment: Environment;
    output: JobOutput;
    runner: ProcessRunner;
    mode: CheckoutOverrideMode;
    tempDir: string;
    logger: Logger;
    signal: AbortSignal;
    cwd: string;
  }) {
    this.config = init.config;
    this.settings = init.settings;
    this.environment = init.environment;
    this.output = init.output;
    this.log = init.output.log;
    this.runner = init.runner;
    this.mode = init.mode;
    this.tempDir = init.tempDir;
    this.logger = init.logger;
    this.signal = init.signal;
    this.cwd = init.cwd;
    this.hookPaths = [init.config.hooksPath, ...init.config.additionalHooksPaths].filter((dir) => dir !== "");
    this.jobApi = undefined;
    this.checkoutRoot = undefined;
    this.sshKeyscan = init.config.sshKeyscan;
  }

  /** Changes the working directory of every later hook and command. */
  chdir(dir: string): void {
    this.cwd = dir;
    this.environment.set("PWD", dir);
  }

  /**
   * After hooks or the Job API changed the environment: settings re-read,
   * redactors refreshed, LFS smudge kept off when LFS is on.
   */
  afterEnvironmentChange(): void {
    const changedThroughApi = this.jobApi?.takeChangedNames() ?? [];
    // Redactors first: a value logged below must already be a secret if it is one.
    this.output.refreshFromEnv(this.environment);
    rereadSettings(this.settings, this.environment, this.logger);
    for (const name of changedThroughApi) {
      const value = this.environment.get(name);
      if (!EXECUTOR_SETTING_VARS.has(name) || value === undefined) continue;
      this.log.comment(VALUE_HIDDEN_SETTINGS.has(name) ? `${name} changed` : `${name} is now "${goQuote(value)}"`);
    }
    if (this.settings.gitLfsEnabled) this.environment.set("GIT_LFS_SKIP_SMUDGE", "1");
  }

  /**
   * Teaches the redactors the values a hook's env changes are about to set,
   * before those changes are applied and logged.
   */
  learnSecretsIn(changes: { added: Readonly<Record<string, string>>; changed: Readonly<Record<string, { new: string }>> }): void {
    const values: Record<string, string> = { ...changes.added };
    for (const [name, change] of Object.entries(changes.changed)) values[name] = change.new;
    this.output.refreshFromEnv(new Environment(values));
  }

  /** The live checkout path (hooks may relocate it). */
  checkoutPath(): string {
    return this.environment.get("BUILDKITE_BUILD_CHECKOUT_PATH") ?? "";
  }
}
