import { compileGlob, diffBaseCandidates, filterIfChanged, IF_CHANGED_SKIP_MESSAGE, parsePipeline, type Pipeline } from "../src/index.js";

const pipelineOf = (yaml: string): Pipeline => parsePipeline(yaml).documents[0]!.pipeline;

describe("compileGlob (zzglob syntax)", () => {
  it.each([
    ["*.go", "main.go", true],
    ["*.go", "cmd/main.go", false],
    ["**/*.go", "main.go", true],
    ["**/*.go", "a/b/c.go", true],
    ["src/**", "src/a/b.ts", true],
    ["src/**", "srcx/a", false],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["?.md", "a.md", true],
    ["?.md", "ab.md", false],
    ["?", "/", false],
    ["[abc].txt", "b.txt", true],
    ["[abc].txt", "d.txt", false],
    ["[a-c].txt", "c.txt", true],
    ["[^a-c].txt", "d.txt", true],
    ["[!a-c].txt", "a.txt", false],
    ["{docs,site}/**", "site/index.html", true],
    ["{docs,site}/**", "src/index.html", false],
    ["file.{js,{ts,tsx}}", "file.tsx", true],
    ["\\*.md", "*.md", true],
    ["\\*.md", "a.md", false],
    ["my-dir/x+y (1).txt", "my-dir/x+y (1).txt", true],
  ])("%s vs %s → %s", (pattern, path, expected) => {
    expect(compileGlob(pattern).match(path)).toBe(expected);
  });

  it.each(["[abc", "{a,b", "a\\", "[z-a]"])("rejects the malformed pattern %s", (pattern) => {
    expect(() => compileGlob(pattern)).toThrow(SyntaxError);
  });

  // A backtracking matcher tries every way to split the path among the stars: for this
  // pattern and path that is C(60, 30) ≈ 10^17 ways.
  it("matches patterns with many stars in linear time", () => {
    const glob = compileGlob(`${"*a".repeat(30)}b`);
    expect(glob.match("a".repeat(60))).toBe(false);
    expect(glob.match(`${"a".repeat(60)}b`)).toBe(true);
    expect(compileGlob(`**/${"*a".repeat(30)}**b`).match(`x/y/${"a".repeat(60)}/c`)).toBe(false);
  }, 20_000);
});

describe("filterIfChanged", () => {
  const yaml = `steps:
  - command: docs
    if_changed: "docs/**"
  - command: app
    if_changed: ["src/**", "package.json"]
  - command: not-tests
    if_changed: { include: "src/**", exclude: ["src/**/*.test.ts"] }
  - group: g
    if_changed: "infra/**"
    steps:
      - command: nested
        if_changed: "*.md"
  - trigger: deploy
    if_changed: "deploy/**"
  - wait
  - command: always
`;

  it("skips steps whose globs match no (unexcluded) changed file and always removes the key", () => {
    const { pipeline, skipped, warnings } = filterIfChanged(pipelineOf(yaml), ["src/a.test.ts", "README.md"]);
    expect(warnings).toEqual([]);
    expect(skipped).toEqual(["steps[0]", "steps[2]", "steps[3]", "steps[4]"]);
    const steps = pipeline.steps as Record<string, unknown>[];
    expect(steps[0]).toEqual({ command: "docs", skip: IF_CHANGED_SKIP_MESSAGE });
    expect(steps[1]).toEqual({ command: "app" });
    expect(steps[2]!["skip"]).toBe(IF_CHANGED_SKIP_MESSAGE);
    expect((steps[3]!["steps"] as unknown[])[0]).toEqual({ command: "nested" });
    expect(steps[4]).toEqual({ trigger: "deploy", skip: IF_CHANGED_SKIP_MESSAGE });
    expect(steps[6]).toEqual({ command: "always" });
    expect(JSON.stringify(pipeline)).not.toContain(`"if_changed":`);
  });

  it("only removes the keys when changed files are unknown or applying is off", () => {
    for (const result of [filterIfChanged(pipelineOf(yaml), undefined), filterIfChanged(pipelineOf(yaml), [], { apply: false })]) {
      expect(result.skipped).toEqual([]);
      expect(JSON.stringify(result.pipeline)).not.toContain(`"if_changed":`);
      expect(JSON.stringify(result.pipeline)).not.toContain("skip");
    }
  });

  it("warns and does not skip for values it cannot use", () => {
    const { skipped, warnings } = filterIfChanged(
      pipelineOf("steps:\n  - command: a\n    if_changed: { exclude: x }\n  - command: b\n    if_changed: [1]\n  - command: c\n    if_changed: '[oops'\n"),
      ["z"],
    );
    expect(skipped).toEqual([]);
    expect(warnings).toEqual([
      "The value for if_changed was a mapping, but it didn't have an `include` key. The step will not be skipped.",
      "Couldn't parse if_changed patterns: at index 0, the item had unsupported type int. The step will not be skipped.",
      'Couldn\'t parse if_changed patterns: while parsing glob pattern "[oops": unterminated [ at offset 0. The step will not be skipped.',
    ]);
  });

  it("does not modify its input", () => {
    const input = pipelineOf(yaml);
    const before = JSON.stringify(input);
    filterIfChanged(input, []);
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe("diffBaseCandidates", () => {
  it("orders the flag, the PR base branch, the default branch, then origin/main", () => {
    const env = { BUILDKITE_PULL_REQUEST_BASE_BRANCH: "release", BUILDKITE_PIPELINE_DEFAULT_BRANCH: "trunk" };
    expect(diffBaseCandidates(env, { gitDiffBase: "upstream/dev" })).toEqual(["upstream/dev", "origin/release", "origin/trunk", "origin/main"]);
    expect(diffBaseCandidates({ BUILDKITE_PULL_REQUEST_BASE_BRANCH: "", BUILDKITE_PIPELINE_DEFAULT_BRANCH: "trunk" })).toEqual(["origin/trunk", "origin/main"]);
    expect(diffBaseCandidates({})).toEqual(["origin/main"]);
  });
});
