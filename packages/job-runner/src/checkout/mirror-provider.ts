import type { JobLog } from "../job-log.js";
import type { ProcessRunner } from "../process-runner.js";

/** The env var naming the mirror the checkout used as `--reference`, for hooks that want it. */
export const BUILDKITE_REPO_MIRROR = "BUILDKITE_REPO_MIRROR";

/** What the checkout asks a {@link MirrorProvider} for. */
export interface MirrorRequest {
  /** The repository URL (`BUILDKITE_REPO`, or a submodule's URL). */
  readonly repository: string;
  /** `BUILDKITE_COMMIT` (may be `HEAD`); for a submodule, `""`. */
  readonly commit: string;
  /** `BUILDKITE_BRANCH`; for a submodule, `""`. */
  readonly branch: string;
  /** `BUILDKITE_REFSPEC`, `""` for none. */
  readonly refspec: string;
  /** `BUILDKITE_PULL_REQUEST` (`false` when not a PR build). */
  readonly pullRequest: string;
  readonly pullRequestUsingMergeRefspec: boolean;
  /** True for a submodule's repository: fetch everything, no commit to look for. */
  readonly submodule: boolean;
  /** For the provider's own git commands and messages. */
  readonly runner: ProcessRunner;
  readonly log: JobLog;
  readonly env: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** A local repository to borrow objects from. */
export interface MirrorReference {
  /** A (bare) repository directory for `git clone --reference`. */
  readonly referencePath: string;
  /** Copy the objects (`--dissociate`, `git-mirror-checkout-mode=dissociate`) instead of borrowing them. */
  readonly dissociate: boolean;
}

/**
 * The seam for git mirrors (`@agent/git-mirror` implements it): before cloning or
 * fetching, the checkout asks for a local mirror of the repository, up to date
 * for the request. `undefined` means "no mirror for this one" (the checkout then
 * also dissociates an existing clone from any old mirror). To fail the checkout
 * without retries (a mirror lock timeout), throw an error with `exitStatus: 94`.
 */
export interface MirrorProvider {
  prepare(request: MirrorRequest): Promise<MirrorReference | undefined>;
}
