import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Environment } from "../environment.js";
import { JobRunnerError, type JobRunnerErrorCode } from "../errors.js";
import type { JobLog } from "../job-log.js";
import type { ProcessRunner } from "../process-runner.js";
import { createCheckoutDir } from "./checkout-path.js";
import { fetchPlan } from "./fetch-plan.js";
import { displayUrl, gitFailure, lastLine, runCommand, runGit, type GitContext } from "./git-command.js";
import { runFetchPlan } from "./git-fetch.js";
import { isValidGitRef } from "./git-ref-format.js";
import { writeGitSshKey, type GitSshKey } from "./git-ssh-key.js";
import { pathExists } from "./path-exists.js";
import { BUILDKITE_REPO_MIRROR, type MirrorProvider, type MirrorReference, type MirrorRequest } from "./mirror-provider.js";
import { splitShellWords } from "./shell-words.js";
import { sleep as realSleep, type Sleep } from "./sleep.js";
import { sshKeyscan, type Keyscan } from "./ssh-keyscan.js";

/** Everything one default checkout attempt needs; each git setting has the agent's default. */
export interface DefaultCheckoutOptions {
  /** Runs git (and ssh) so output lands in the job log and cancellation works. */
  readonly runner: ProcessRunner;
  readonly log: JobLog;
  /** The job's live environment: git runs with it; `BUILDKITE_REPO_MIRROR` and `BUILDKITE_COMMIT` may be set in it. */
  readonly env: Environment;
  /** `BUILDKITE_BUILD_CHECKOUT_PATH`; created if missing. */
  readonly checkoutPath: string;
  /** `BUILDKITE_REPO`. */
  readonly repository: string;
  /** `BUILDKITE_COMMIT` as read at bootstrap start (a sha, a short sha, or `HEAD`). */
  readonly commit: string;
  /** `BUILDKITE_BRANCH`. */
  readonly branch: string;
  /** `BUILDKITE_REFSPEC`, shell-split into several refspecs. @default "" */
  readonly refspec?: string;
  /** `BUILDKITE_PULL_REQUEST`. @default "false" */
  readonly pullRequest?: string;
  /** `BUILDKITE_PULL_REQUEST_USING_MERGE_REFSPEC`: fetch `refs/pull/N/merge`. @default false */
  readonly pullRequestUsingMergeRefspec?: boolean;
  /** `BUILDKITE_PIPELINE_PROVIDER`; PR refs are fetched only when it contains `github`. @default "" */
  readonly pipelineProvider?: string;
  /** `BUILDKITE_PIPELINE_SLUG`, part of the temporary SSH key's directory name. @default "" */
  readonly pipelineSlug?: string;
  /** `git-clone-flags`. @default "-v" */
  readonly cloneFlags?: string;
  /** `git-clean-flags`. @default "-ffxdq" */
  readonly cleanFlags?: string;
  /** `git-fetch-flags`. @default "-v --prune" */
  readonly fetchFlags?: string;
  /** `git-checkout-flags`. @default "-f" */
  readonly checkoutFlags?: string;
  /** `BUILDKITE_GIT_SUBMODULES` (off with `no-git-submodules`). @default true */
  readonly submodules?: boolean;
  /**
   * `git-submodule-clone-config`: `key=value` pairs passed as `git -c` to
   * `submodule update` (and so to the clones it makes). Local `file://` or path
   * submodules need `protocol.file.allow=always` here with git ≥ 2.38.1.
   * @default []
   */
  readonly submoduleCloneConfig?: readonly string[];
  /** Keyscan the repository's (and submodules') SSH hosts; off with `no-ssh-keyscan` or the https rewrite. @default true */
  readonly sshKeyscan?: boolean;
  /** How hosts get into known_hosts. @default {@link sshKeyscan} */
  readonly keyscan?: Keyscan;
  /** @default `$HOME/.ssh/known_hosts` */
  readonly knownHostsPath?: string;
  /** `BUILDKITE_GIT_SSH_KEY`: a private key used (via `GIT_SSH_COMMAND`) only by this checkout's git commands. @default "" */
  readonly gitSshKey?: string;
  /** `git-skip-fetch-existing-commits`: no fetch when the commit is already in the clone. @default false */
  readonly skipFetchExistingCommits?: boolean;
  /** Experiment `resolve-commit-after-checkout`: set `BUILDKITE_COMMIT` to the full sha checked out. @default false */
  readonly resolveCommitAfterCheckout?: boolean;
  /** Git mirrors (`@agent/git-mirror`); none by default. */
  readonly mirrorProvider?: MirrorProvider;
  /** `BUILDKITE_GIT_LFS_ENABLED`: not supported yet (`CHECKOUT_NOT_SUPPORTED`). @default false */
  readonly gitLfsEnabled?: boolean;
  /** `git-sparse-checkout-paths`: not supported yet (`CHECKOUT_NOT_SUPPORTED`). @default [] */
  readonly sparseCheckoutPaths?: readonly string[];
  /** `git-commit-verification`: not supported yet (`CHECKOUT_NOT_SUPPORTED`). @default "" */
  readonly commitVerification?: string;
  /** For git's own fetch retries. @default real timers */
  readonly sleep?: Sleep;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Aborting kills the running git command and fails the attempt with `CHECKOUT_INTERRUPTED`. */
  readonly signal?: AbortSignal;
}

/** What a successful checkout left behind. */
export interface CheckoutResult {
  /** `BUILDKITE_COMMIT` afterwards: the full sha when resolve-commit-after-checkout changed it, else the input. */
  readonly commit: string;
  /** The mirror used as `--reference`, when there was one. */
  readonly mirror?: string;
}

// git prints "fatal: reference is not a tree" last; 64 KiB bounds what a long
// list of overwritten files makes us keep.
const CHECKOUT_OUTPUT_TAIL_BYTES = 64 * 1024;

/**
 * What a failed `git checkout` means, in the real agent's order (git.go
 * `gitCheckout`): "reference is not a tree" first — the commit has not arrived
 * yet, so retry without re-cloning, though git exits 128 — then exit 128
 * (broad: wipe and re-clone), then anything else (retry as is).
 */
export function checkoutFailureCode(exitCode: number, output: string): JobRunnerErrorCode {
  if (output.includes("fatal: reference is not a tree")) return "CHECKOUT_REFERENCE_NOT_A_TREE";
  return exitCode === 128 ? "CHECKOUT_GIT_CHECKOUT_BROKEN" : "CHECKOUT_GIT_CHECKOUT_FAILED";
}

function refuseUnsupported(options: DefaultCheckoutOptions): void {
  const unsupported: string[] = [];
  if (options.gitLfsEnabled === true) unsupported.push("Git LFS (BUILDKITE_GIT_LFS_ENABLED)");
  if ((options.sparseCheckoutPaths ?? []).some((path) => path !== "")) unsupported.push("sparse checkout (BUILDKITE_GIT_SPARSE_CHECKOUT_PATHS)");
  if ((options.commitVerification ?? "") !== "") unsupported.push("commit verification (BUILDKITE_GIT_COMMIT_VERIFICATION)");
  if (unsupported.length > 0) {
    throw new JobRunnerError(
      "CHECKOUT_NOT_SUPPORTED",
      `The default checkout does not support ${unsupported.join(", ")} yet; unset it or use a checkout hook`,
    );
  }
}

function splitFlags(setting: string, value: string): string[] {
  try {
    return splitShellWords(value);
  } catch (cause) {
    throw new JobRunnerError("CHECKOUT_FLAGS_INVALID", `Invalid ${setting}: ${(cause as Error).message}`, { cause });
  }
}

/** The per-step bits of an attempt that the helpers below share. */
interface Attempt {
  readonly options: DefaultCheckoutOptions;
  readonly git: GitContext;
  readonly keyscan: (repository: string) => Promise<void>;
  readonly cleanFlags: readonly string[];
}

function mirrorRequest(options: DefaultCheckoutOptions, git: GitContext, repository: string, submodule: boolean): MirrorRequest {
  return {
    repository,
    commit: submodule ? "" : options.commit,
    branch: submodule ? "" : options.branch,
    refspec: submodule ? "" : (options.refspec ?? ""),
    pullRequest: submodule ? "false" : (options.pullRequest ?? "false"),
    pullRequestUsingMergeRefspec: !submodule && options.pullRequestUsingMergeRefspec === true,
    submodule,
    runner: options.runner,
    log: options.log,
    env: git.env(),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

/** Step d for an existing clone: follow a renamed repository, then match the mirror mode. */
async function reuseClone(attempt: Attempt, mirror: MirrorReference | undefined): Promise<void> {
  const { git, options } = attempt;
  const configured = await runCommand(git, "git", ["config", "--get-all", "remote.origin.url"], { capture: true });
  let current = (configured.output ?? "").trim();
  if (current.includes("\n")) {
    // Several URLs (`remote set-url --add`): git's own answer for the fetch URL.
    current = ((await runGit(git, ["remote", "get-url", "origin"], "CHECKOUT_GIT_FAILED", "git remote get-url origin", { capture: true })).output ?? "").trim();
  }
  if (current !== options.repository) {
    git.log.comment(`Remote URL for git directory ${git.cwd} has changed (${displayUrl(current)} -> ${displayUrl(options.repository)})!`);
    git.log.comment("This is usually because the repository has been renamed.");
    git.log.comment("If this is unexpected, you may see failures.");
    // `set-url` fails when there is no origin at all; then add it.
    const verb = configured.exitCode === 0 ? "set-url" : "add";
    await runGit(git, ["remote", verb, "origin", options.repository], "CHECKOUT_GIT_FAILED", `git remote ${verb} origin`);
  }
  if (options.mirrorProvider === undefined) return;
  const alternates = join(git.cwd, ".git", "objects", "info", "alternates");
  if (mirror === undefined || mirror.dissociate) {
    // Borrowed objects vanish when the mirror is pruned: copy them in and cut the link.
    if (await pathExists(alternates)) {
      await runGit(git, ["repack", "-a", "-d"], "CHECKOUT_GIT_FAILED", "git repack -a -d");
      await rm(alternates, { force: true });
    }
  } else if (!(await pathExists(alternates))) {
    const bareObjects = join(mirror.referencePath, "objects");
    const objects = (await pathExists(bareObjects)) ? bareObjects : join(mirror.referencePath, ".git", "objects");
    await writeFile(alternates, `${objects}\n`);
  }
}

/** Step d for a fresh directory: `git clone <flags> [--reference m [--dissociate]] -- <repo> .` */
async function clone(attempt: Attempt, cloneFlags: readonly string[], mirror: MirrorReference | undefined): Promise<void> {
  const reference = mirror === undefined ? [] : ["--reference", mirror.referencePath, ...(mirror.dissociate ? ["--dissociate"] : [])];
  await runGit(
    attempt.git,
    ["clone", ...cloneFlags, ...reference, "--", attempt.options.repository, "."],
    "CHECKOUT_CLONE_FAILED",
    `git clone of ${displayUrl(attempt.options.repository)}`,
  );
}

/** `git clean` of the repository itself. */
async function cleanRepository(attempt: Attempt): Promise<void> {
  await runGit(attempt.git, ["clean", ...attempt.cleanFlags], "CHECKOUT_CLEAN_FAILED", "git clean");
}

/** `git clean` inside every submodule. */
async function cleanSubmodules(attempt: Attempt): Promise<void> {
  await runGit(
    attempt.git,
    ["submodule", "foreach", "--recursive", ["git", "clean", ...attempt.cleanFlags].join(" ")],
    "CHECKOUT_SUBMODULE_CLEAN_FAILED",
    "git submodule foreach git clean",
  );
}

/**
 * `hasGitCommit` of the real agent (git.go): whether `commit` names a commit
 * object already in the clone. `rev-parse` also resolves a branch, a tag, `HEAD`
 * or a short sha, which may be stale or ambiguous locally, so only an answer
 * equal to `commit` (a full sha) counts. GIT_NO_LAZY_FETCH keeps a partial clone
 * from fetching the object just to answer.
 */
async function hasCommit(git: GitContext, commit: string): Promise<boolean> {
  const local: GitContext = { ...git, env: () => ({ ...git.env(), GIT_NO_LAZY_FETCH: "1" }) };
  const result = await runCommand(local, "git", ["rev-parse", "--verify", "--quiet", `${commit}^{commit}`], { capture: true });
  return result.exitCode === 0 && (result.output ?? "").trim() === commit;
}

/** URLs from `.gitmodules` (NUL-separated `key\nvalue` records, so odd URLs survive). */
async function submoduleUrls(git: GitContext): Promise<string[] | undefined> {
  const result = await runCommand(git, "git", ["config", "--file", ".gitmodules", "--null", "--get-regexp", "submodule\\..+\\.url"], {
    capture: true,
  });
  if (result.exitCode !== 0) {
    git.log.warning(`Failed to enumerate git submodules: git config exited ${result.exitCode}: ${lastLine(result.output)}`);
    return undefined;
  }
  return (result.output ?? "")
    .split("\0")
    .filter((record) => record.includes("\n"))
    .map((record) => record.slice(record.indexOf("\n") + 1));
}

/** Step k: sync, keyscan, update (per-submodule mirrors when there is a provider), reset. */
async function updateSubmodules(attempt: Attempt): Promise<boolean> {
  const { git, options } = attempt;
  const sync = await runCommand(git, "git", ["submodule", "sync", "--recursive"]);
  if (sync.exitCode !== 0) {
    const version = await runCommand(git, "git", ["--version"], { capture: true });
    git.log.warning(
      `Failed to recursively sync git submodules. This is most likely because you have an older version of git installed (${(version.output ?? "").trim()}) and you need version 1.8.1 and above. If you're using submodules, it's highly recommended you upgrade if you can.`,
    );
  }
  const config = (options.submoduleCloneConfig ?? []).filter((pair) => pair !== "").flatMap((pair) => ["-c", pair]);
  const urls = await submoduleUrls(git);
  if (urls === undefined) return false;
  for (const url of urls) await attempt.keyscan(url);
  const update = [...config, "submodule", "update", "--init", "--recursive", "--force"];
  if (options.mirrorProvider === undefined) {
    await runGit(git, update, "CHECKOUT_SUBMODULE_FAILED", "git submodule update");
  } else {
    for (const url of urls) {
      // Relative URLs resolve against origin inside git; there is nothing to mirror.
      const mirror = url.startsWith(".") ? undefined : await options.mirrorProvider.prepare(mirrorRequest(options, git, url, true));
      const reference = mirror === undefined ? [] : ["--reference", mirror.referencePath, ...(mirror.dissociate ? ["--dissociate"] : [])];
      await runGit(git, [...update, ...reference], "CHECKOUT_SUBMODULE_FAILED", `git submodule update for ${displayUrl(url)}`);
    }
  }
  await runGit(git, ["submodule", "foreach", "--recursive", "git reset --hard"], "CHECKOUT_SUBMODULE_FAILED", "git submodule foreach git reset --hard");
  return true;
}

/** Step n: `git rev-parse <BUILDKITE_COMMIT>`; a different answer replaces it (a short sha or `HEAD`). */
async function resolveCommit(attempt: Attempt): Promise<string> {
  const { git, options } = attempt;
  const commit = options.env.get("BUILDKITE_COMMIT") ?? options.commit;
  if (commit === "") {
    git.log.warning("BUILDKITE_COMMIT was empty");
    return options.commit;
  }
  const result = await runCommand(git, "git", ["rev-parse", commit], { capture: true });
  if (result.exitCode !== 0) {
    git.log.warning(`Error running git rev-parse "${commit}": exit status ${result.exitCode}`);
    return commit;
  }
  const resolved = (result.output ?? "").trim();
  if (resolved !== commit) {
    git.log.comment(`Updating BUILDKITE_COMMIT from "${commit}" to "${resolved}"`);
    options.env.set("BUILDKITE_COMMIT", resolved);
  }
  return resolved;
}

/**
 * One attempt of the default git checkout (job-executor.md §5.1 a–n) in
 * `checkoutPath`: keyscan, SSH key, mirror, clone or reuse, clean, fetch by
 * refspec kind, `git checkout`, submodules, clean again, resolve the commit.
 * Wrap it in {@link checkoutWithRetries} for the real agent's retries.
 *
 * @throws JobRunnerError with a `CHECKOUT_*` code; `checkoutRetryAction` maps the
 *   code to the retry decision.
 */
export async function defaultCheckout(options: DefaultCheckoutOptions): Promise<CheckoutResult> {
  refuseUnsupported(options);
  const cloneFlags = splitFlags("git-clone-flags (BUILDKITE_GIT_CLONE_FLAGS)", options.cloneFlags ?? "-v");
  const cleanFlags = splitFlags("git-clean-flags (BUILDKITE_GIT_CLEAN_FLAGS)", options.cleanFlags ?? "-ffxdq");
  const fetchFlags = splitFlags("git-fetch-flags (BUILDKITE_GIT_FETCH_FLAGS)", options.fetchFlags ?? "-v --prune");
  const checkoutFlags = splitFlags("git-checkout-flags (BUILDKITE_GIT_CHECKOUT_FLAGS)", options.checkoutFlags ?? "-f");
  const plan = fetchPlan({
    commit: options.commit,
    branch: options.branch,
    refspec: options.refspec ?? "",
    pullRequest: options.pullRequest ?? "false",
    pullRequestUsingMergeRefspec: options.pullRequestUsingMergeRefspec ?? false,
    pipelineProvider: options.pipelineProvider ?? "",
  });

  await createCheckoutDir(options.checkoutPath, options.log);
  const extraEnv: Record<string, string> = {};
  const git: GitContext = {
    runner: options.runner,
    log: options.log,
    cwd: options.checkoutPath,
    env: () => options.env.with(extraEnv),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const keyscanner = options.keyscan ?? sshKeyscan;
  const attempt: Attempt = {
    options,
    git,
    cleanFlags,
    keyscan: async (repository) => {
      if (options.sshKeyscan === false) return;
      try {
        await keyscanner(repository, { ...git, ...(options.knownHostsPath === undefined ? {} : { knownHostsPath: options.knownHostsPath }) });
      } catch (error) {
        if ((error as JobRunnerError).code === "CHECKOUT_INTERRUPTED" || options.signal?.aborted === true) throw error;
        options.log.warning(`Error adding to known_hosts: ${(error as Error).message}`);
      }
    },
  };

  await attempt.keyscan(options.repository);
  let sshKey: GitSshKey | undefined;
  if ((options.gitSshKey ?? "") !== "") {
    sshKey = await writeGitSshKey(options.gitSshKey!, options.checkoutPath, options.pipelineSlug ?? "", options.env.get("GIT_SSH_COMMAND"));
    extraEnv["GIT_SSH_COMMAND"] = sshKey.sshCommand;
  }
  try {
    let mirror: MirrorReference | undefined;
    if (options.mirrorProvider !== undefined) {
      mirror = await options.mirrorProvider.prepare(mirrorRequest(options, git, options.repository, false));
      if (mirror !== undefined) options.env.set(BUILDKITE_REPO_MIRROR, mirror.referencePath);
    }

    if (await pathExists(join(options.checkoutPath, ".git"))) await reuseClone(attempt, mirror);
    else await clone(attempt, cloneFlags, mirror);

    // Submodules first, even when they are switched off, so a previous job's
    // submodule leftovers go too (the real agent's order).
    const gitmodules = join(options.checkoutPath, ".gitmodules");
    if (await pathExists(gitmodules)) await cleanSubmodules(attempt);
    await cleanRepository(attempt);

    const skipFetch = options.skipFetchExistingCommits === true && options.commit !== "HEAD" && (await hasCommit(git, options.commit));
    if (skipFetch) options.log.comment(`Commit "${options.commit}" already exists locally, skipping fetch`);
    else await runFetchPlan(git, plan, fetchFlags, { sleep: options.sleep ?? realSleep, random: options.random ?? Math.random });

    const ref = options.commit === "HEAD" ? "FETCH_HEAD" : options.commit;
    if (!isValidGitRef(ref)) {
      throw new JobRunnerError("CHECKOUT_INVALID_REF", `Cannot check out ${JSON.stringify(ref)}: it is not a valid git ref format (check BUILDKITE_COMMIT)`);
    }
    const checkout = await runCommand(git, "git", ["-c", "advice.detachedHead=false", "checkout", ...checkoutFlags, ref], {
      tail: CHECKOUT_OUTPUT_TAIL_BYTES,
    });
    if (checkout.exitCode !== 0) {
      throw gitFailure(
        checkoutFailureCode(checkout.exitCode, checkout.output ?? ""),
        ref === "FETCH_HEAD" ? "git checkout of FETCH_HEAD" : `git checkout of commit "${ref}"`,
        checkout,
      );
    }

    let submodulesUpdated = false;
    if (await pathExists(gitmodules)) {
      if (options.submodules === false) {
        options.log.optionalWarning("submodules-disabled", "This repository has submodules, but submodules are disabled");
      } else {
        options.log.comment("Git submodules detected");
        submodulesUpdated = await updateSubmodules(attempt);
      }
    }

    // Submodules may have changed since the last checkout; here the real agent
    // cleans the repository before its submodules.
    options.log.comment("Cleaning again to catch any post-checkout changes");
    await cleanRepository(attempt);
    if (submodulesUpdated) await cleanSubmodules(attempt);

    let commit = options.commit;
    if (options.resolveCommitAfterCheckout === true) {
      options.log.comment("Using resolve-commit-after-checkout experiment 🧪");
      commit = await resolveCommit(attempt);
    }
    return { commit, ...(mirror === undefined ? {} : { mirror: mirror.referencePath }) };
  } finally {
    await sshKey?.remove();
  }
}
