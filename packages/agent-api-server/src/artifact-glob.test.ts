import { artifactQueryMatcher } from "./artifact-glob.js";

describe("artifactQueryMatcher", () => {
  it.each([
    ["*", "a/b/c.log", true],
    ["*.log", "deep/dir/x.log", true],
    ["pkg/*.tar.gz", "pkg/app.tar.gz", true],
    ["pkg/*.tar.gz", "pkg/app.tgz", false],
    ["?.txt", "a.txt", true],
    ["?.txt", "ab.txt", false],
    ["a.log", "aXlog", false],
    ["(x)+", "(x)+", true],
  ])("%s vs %s → %s", (query, path, expected) => {
    expect(artifactQueryMatcher(query)(path)).toBe(expected);
  });
});
