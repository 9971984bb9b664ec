import type { Environment } from "../environment.js";
import { JobRunnerError } from "../errors.js";
import type { JobLog } from "../job-log.js";
import type { ProcessRunner } from "../process-runner.js";
import { lastLine, runCommand, type GitContext } from "./git-command.js";
import { singleQuote } from "./shell-words.js";

/** Options for {@link configureRepositoryCredentials}. */
export interface RepositoryCredentialsOptions {
  readonly runner: ProcessRunner;
  readonly log: JobLog;
  /** The job env; `git config --global` writes where its `HOME`/`GIT_CONFIG_GLOBAL` point. */
  readonly env: Environment;
  /** Where git runs (any existing directory). */
  readonly cwd: string;
  /** This agent's executable, which implements `git-credentials-helper`. */
  readonly agentPath: string;
  /** `BUILDKITE_REPO`, to decide the `git@github.com:` → https rewrite. */
  readonly repository: string;
  /**
   * The legacy `BUILDKITE_USE_GITHUB_APP_GIT_CREDENTIALS=true`: always rewrite
   * GitHub SSH URLs to https. Otherwise (the provider-neutral flag) only when
   * the repository itself is a `git@github.com:` URL. @default false
   */
  readonly githubApp?: boolean;
  readonly signal?: AbortSignal;
}

/** What {@link configureRepositoryCredentials} configured. */
export interface RepositoryCredentialsResult {
  /**
   * `git@github.com:` URLs now go over https: skip the SSH keyscan (entirely
   * with `githubApp`, else for this repository).
   */
  readonly httpsRewrite: boolean;
}

/**
 * When the job uses repository-provider (or GitHub App) credentials: point git
 * at `buildkite-agent git-credentials-helper` (`credential.useHttpPath true`,
 * `credential.helper = !'<agent>' git-credentials-helper`) and, where needed,
 * rewrite `git@github.com:` to `https://github.com/`, all with `git config
 * --global`. Idempotent: call it again after pre-checkout hooks changed
 * `BUILDKITE_REPO` to refresh the rewrite decision.
 *
 * @throws JobRunnerError `CHECKOUT_CREDENTIALS_FAILED`: the job fails.
 */
export async function configureRepositoryCredentials(options: RepositoryCredentialsOptions): Promise<RepositoryCredentialsResult> {
  const git: GitContext = {
    runner: options.runner,
    log: options.log,
    cwd: options.cwd,
    env: () => options.env.toObject(),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const httpsRewrite = options.githubApp === true || options.repository.startsWith("git@github.com:");
  const settings: Array<[string, string]> = [
    ["credential.useHttpPath", "true"],
    ["credential.helper", `!${singleQuote(options.agentPath)} git-credentials-helper`],
    ...(httpsRewrite ? ([["url.https://github.com/.insteadOf", "git@github.com:"]] as Array<[string, string]>) : []),
  ];
  for (const [key, value] of settings) {
    // No prompt line, as the real agent: this is the agent's set-up, not the job's.
    const result = await runCommand(git, "git", ["config", "--global", key, value], { capture: true, prompt: false });
    if (result.exitCode !== 0) {
      throw new JobRunnerError(
        "CHECKOUT_CREDENTIALS_FAILED",
        `Cannot configure git credentials: git config --global ${key} exited ${result.exitCode}: ${lastLine(result.output)}`,
      );
    }
  }
  return { httpsRewrite };
}
