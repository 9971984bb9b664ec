import { describe, expect, it } from "@jest/globals";
import { fetchPlan, type FetchTarget } from "./fetch-plan.js";

const base: FetchTarget = {
  commit: "abc123",
  branch: "main",
  refspec: "",
  pullRequest: "false",
  pullRequestUsingMergeRefspec: false,
  pipelineProvider: "github",
};

describe("fetchPlan", () => {
  it.each([
    ["a custom refspec wins, shell-split", { refspec: "refs/a 'refs/b c'", pullRequest: "7" }, "custom", ["refs/a", "refs/b c"], false, false],
    ["a quoted refspec with an apostrophe stays one word", { refspec: `"refs/heads/it's"` }, "custom", ["refs/heads/it's"], false, false],
    ["a GitHub PR with a known commit: ref plus sha, with fallback", { pullRequest: "7" }, "pull-request-head", ["refs/pull/7/head", "abc123"], true, false],
    ["a GitHub PR at HEAD: the ref alone, retried", { pullRequest: "7", commit: "HEAD" }, "pull-request-head", ["refs/pull/7/head"], false, true],
    ["a merge ref at HEAD: not retried (a failure is usually a conflict)", { pullRequest: "7", commit: "HEAD", pullRequestUsingMergeRefspec: true }, "pull-request-merge", ["refs/pull/7/merge"], false, false],
    ["a PR on a provider that is not GitHub: the commit", { pullRequest: "7", pipelineProvider: "bitbucket" }, "commit", ["abc123"], true, false],
    ["HEAD: the branch", { commit: "HEAD", branch: "feature/x" }, "branch", ["feature/x"], false, false],
    ["otherwise the commit, with fallback", {}, "commit", ["abc123"], true, false],
  ] as const)("%s", (_name, target, kind, refspecs, fallback, retry) => {
    expect(fetchPlan({ ...base, ...target })).toMatchObject({ kind, refspecs, fallback, retry });
  });

  it("names the merge ref for GitHub Enterprise providers too", () => {
    expect(fetchPlan({ ...base, pullRequest: "12", pullRequestUsingMergeRefspec: true, pipelineProvider: "github_enterprise" })).toMatchObject({
      refspecs: ["refs/pull/12/merge", "abc123"],
      comment: "Fetch and checkout pull request merge commit from GitHub",
      showFetchHead: true,
    });
  });
});
