import { readFileSync } from "node:fs";
import { normalisePlugins } from "./plugin-sources.js";

interface PluginCases {
  marshalCanonicalisationCases: { name: string; source: string; config: unknown; expectedJSON: string }[];
}

// go-pipeline's own vectors (../shared/conformance/plugins): the server must send
// jobs the plugin sources buildkite.com would.
const cases = JSON.parse(
  readFileSync(new URL("../../../../shared/conformance/plugins/cases.json", import.meta.url), "utf8"),
) as PluginCases;

describe("normalisePlugins (conformance marshalCanonicalisationCases)", () => {
  it.each(cases.marshalCanonicalisationCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(JSON.stringify(normalisePlugins([{ [c.source]: c.config }])![0])).toBe(c.expectedJSON);
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

describe("normalisePlugins: shapes go-pipeline refuses", () => {
  // Regression: a list item that was neither a string nor a map (a number, a list)
  // was silently dropped, so the job ran without a plugin the pipeline named.
  it.each([
    ["a number in the list", [1]],
    ["a list in the list", [["docker#v1"]]],
    ["a bare string", "docker#v1"],
  ])("%s", (_name, plugins) => {
    expect(() => normalisePlugins(plugins)).toThrow(
      expect.objectContaining({ code: "SERVER_OPTION_INVALID", message: expect.stringMatching(/^plugins: unmarshaling plugins/) }),
    );
  });
});
