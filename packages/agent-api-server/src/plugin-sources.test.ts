import { fullSource, normalisePlugins } from "./plugin-sources.js";

describe("fullSource", () => {
  it.each([
    ["docker#v5.12.0", "github.com/buildkite-plugins/docker-buildkite-plugin#v5.12.0"],
    ["acme/thing#v1", "github.com/acme/thing-buildkite-plugin#v1"],
    ["github.com/org/repo#v1", "github.com/org/repo#v1"],
    ["./.buildkite/plugins/mine", "./.buildkite/plugins/mine"],
    ["https://example.com/p.git#v1", "https://example.com/p.git#v1"],
    ["git@host:org/repo", "git@host:org/repo"],
  ])("%s → %s", (source, expected) => {
    expect(fullSource(source)).toBe(expected);
  });
});

describe("normalisePlugins", () => {
  it("turns a map, strings and empty configs into one-key objects with null for no config", () => {
    expect(normalisePlugins({ "docker#v1": { image: "x" }, "a#v2": {} })).toEqual([
      { "github.com/buildkite-plugins/docker-buildkite-plugin#v1": { image: "x" } },
      { "github.com/buildkite-plugins/a-buildkite-plugin#v2": null },
    ]);
    expect(normalisePlugins(["s#v1", { "t#v1": [] }])).toEqual([
      { "github.com/buildkite-plugins/s-buildkite-plugin#v1": null },
      { "github.com/buildkite-plugins/t-buildkite-plugin#v1": null },
    ]);
    expect(normalisePlugins(undefined)).toBeUndefined();
  });
});
