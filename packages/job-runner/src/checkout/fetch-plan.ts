import { splitShellWords } from "./shell-words.js";

/** The job fields that decide what `git fetch` asks for. */
export interface FetchTarget {
  /** `BUILDKITE_COMMIT`: a sha (full or short) or `HEAD`. */
  readonly commit: string;
  /** `BUILDKITE_BRANCH`. */
  readonly branch: string;
  /** `BUILDKITE_REFSPEC`; empty for none. */
  readonly refspec: string;
  /** `BUILDKITE_PULL_REQUEST`: the PR number, or `false`. */
  readonly pullRequest: string;
  /** `BUILDKITE_PULL_REQUEST_USING_MERGE_REFSPEC`. */
  readonly pullRequestUsingMergeRefspec: boolean;
  /** `BUILDKITE_PIPELINE_PROVIDER`, e.g. `github`. */
  readonly pipelineProvider: string;
}

/** Which fetch form applies, in the real agent's order of precedence. */
export type FetchKind = "custom" | "pull-request-merge" | "pull-request-head" | "branch" | "commit";

/** What one checkout attempt fetches (job-executor.md §5.1, fetch forms). */
export interface FetchPlan {
  readonly kind: FetchKind;
  /** The comment printed before the fetch. */
  readonly comment: string;
  /** The refspecs after `git fetch <flags> -- origin`, each one argument (never split again). */
  readonly refspecs: readonly string[];
  /** On a "couldn't find remote ref" failure, fall back to all heads and tags. */
  readonly fallback: boolean;
  /** Retry the fetch itself (10 × ExponentialSubsecond(1 s) + jitter). */
  readonly retry: boolean;
  /** Print what `FETCH_HEAD` resolved to afterwards. */
  readonly showFetchHead: boolean;
}

/**
 * Decides the fetch: a custom refspec (shell-split into several, here only, so
 * `"refs/heads/it's"` stays one refspec) wins; then a
 * GitHub pull request (`refs/pull/N/head` or `/merge`, plus the commit when it is
 * known); then `HEAD` ⇒ the branch; otherwise the commit itself.
 *
 * @throws JobRunnerError `CHECKOUT_FLAGS_INVALID` when the refspec has an unterminated quote.
 */
export function fetchPlan(target: FetchTarget): FetchPlan {
  if (target.refspec !== "") {
    return {
      kind: "custom",
      comment: "Fetch and checkout custom refspec",
      refspecs: splitShellWords(target.refspec),
      fallback: false,
      retry: false,
      showFetchHead: false,
    };
  }
  if (target.pullRequest !== "false" && target.pipelineProvider.includes("github")) {
    const merge = target.pullRequestUsingMergeRefspec;
    const ref = `refs/pull/${target.pullRequest}/${merge ? "merge" : "head"}`;
    const known = target.commit !== "HEAD";
    return {
      kind: merge ? "pull-request-merge" : "pull-request-head",
      comment: merge ? "Fetch and checkout pull request merge commit from GitHub" : "Fetch and checkout pull request head from GitHub",
      // The commit may have left the PR's history after a force push: fetch it too.
      refspecs: known ? [ref, target.commit] : [ref],
      // Without a known commit a fallback would leave FETCH_HEAD at whatever
      // branch sorts first, so only the direct fetch is allowed, retried when it
      // is the head ref (a merge ref that fails is usually a real conflict).
      fallback: known,
      retry: !known && !merge,
      showFetchHead: true,
    };
  }
  if (target.commit === "HEAD") {
    return {
      kind: "branch",
      comment: "Fetch and checkout remote branch HEAD commit",
      refspecs: [target.branch],
      fallback: false,
      retry: false,
      showFetchHead: false,
    };
  }
  return {
    kind: "commit",
    comment: "Fetch and checkout commit",
    refspecs: [target.commit],
    fallback: true,
    retry: false,
    showFetchHead: false,
  };
}
