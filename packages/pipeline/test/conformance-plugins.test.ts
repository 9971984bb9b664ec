import { readFileSync } from "node:fs";
import { canonicalPluginSource, parsePipeline, PipelinePlugin, readPlugins } from "../src/index.js";

interface PluginCases {
  fullSourceCases: { name: string; source: string; expectedFullSource: string; idempotent: boolean }[];
  marshalCanonicalisationCases: { name: string; source: string; config: unknown; expectedJSON: string }[];
  pluginsUnmarshalCases: { name: string; json: string; expectedPlugins: { source: string; config: unknown }[] }[];
}

// go-pipeline's own vectors (../shared/conformance/plugins), the pipeline side only: the
// agent side (createFromJSON, names, env vars) belongs to the job runner.
const cases = JSON.parse(readFileSync(new URL("../../../../shared/conformance/plugins/cases.json", import.meta.url), "utf8")) as PluginCases;

describe("canonicalPluginSource (conformance fullSourceCases)", () => {
  it.each(cases.fullSourceCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(canonicalPluginSource(c.source)).toBe(c.expectedFullSource);
    if (c.idempotent) expect(canonicalPluginSource(canonicalPluginSource(c.source))).toBe(c.expectedFullSource);
  });
});

describe("PipelinePlugin JSON (conformance marshalCanonicalisationCases)", () => {
  it.each(cases.marshalCanonicalisationCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(JSON.stringify(new PipelinePlugin(c.source, c.config))).toBe(c.expectedJSON);
  });
});

describe("readPlugins (conformance pluginsUnmarshalCases)", () => {
  it.each(cases.pluginsUnmarshalCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const plugins = readPlugins(JSON.parse(c.json));
    expect(plugins!.map((p) => ({ source: p.source, config: p.config }))).toEqual(c.expectedPlugins);
  });
});

describe("plugin sources", () => {
  it.each([
    ["a bare name", "docker", "github.com/buildkite-plugins/docker-buildkite-plugin"],
    ["org/name with a ref", "acme/thing#v1.2.3", "github.com/acme/thing-buildkite-plugin#v1.2.3"],
    ["an escaped fragment is unescaped, as url.Parse does", "docker#v1%2B1", "github.com/buildkite-plugins/docker-buildkite-plugin#v1+1"],
    ["a query is dropped, as url.Parse puts it aside", "docker?x=1#v1", "github.com/buildkite-plugins/docker-buildkite-plugin#v1"],
    ["a bad escape leaves the source alone", "docker#v%zz", "docker#v%zz"],
    ["three segments are left alone", "gitlab.com/g/repo#v1", "gitlab.com/g/repo#v1"],
    ["a colon in the first segment is left alone", "git@github.com:org/repo.git", "git@github.com:org/repo.git"],
    ["an at-sign without a colon is a path", "me@host/name", "github.com/me@host/name-buildkite-plugin"],
    ["empty stays empty", "", ""],
  ])("%s", (_why, source, expected) => {
    expect(canonicalPluginSource(source)).toBe(expected);
  });

  it("normalises a map, bare strings and empty configs to one-key objects with null config", () => {
    const { documents } = parsePipeline(
      "steps:\n  - command: x\n    plugins:\n      docker#v1: { image: x }\n      a#v2: {}\n  - plugins: [s#v1, { t#v1: [] }]\n",
    );
    expect(JSON.parse(JSON.stringify(documents[0]!.pipeline.steps))).toEqual([
      {
        command: "x",
        plugins: [{ "github.com/buildkite-plugins/docker-buildkite-plugin#v1": { image: "x" } }, { "github.com/buildkite-plugins/a-buildkite-plugin#v2": null }],
      },
      {
        command: "",
        plugins: [{ "github.com/buildkite-plugins/s-buildkite-plugin#v1": null }, { "github.com/buildkite-plugins/t-buildkite-plugin#v1": null }],
      },
    ]);
  });

  it("expands a source after interpolation, not before", async () => {
    const { interpolatePipeline } = await import("../src/index.js");
    const { documents } = parsePipeline('steps:\n  - command: x\n    plugins: ["$SRC#v1"]\n');
    const result = interpolatePipeline(documents[0]!.pipeline, { SRC: "acme/thing" });
    expect(JSON.parse(JSON.stringify(result.steps[0]))).toEqual({
      command: "x",
      plugins: [{ "github.com/acme/thing-buildkite-plugin#v1": null }],
    });
  });

  it("writes plugin config keys sorted at every depth, as Go does", () => {
    expect(JSON.stringify(new PipelinePlugin("x", { b: 1, a: { d: 1, c: 2 } }))).toBe(
      '{"github.com/buildkite-plugins/x-buildkite-plugin":{"a":{"c":2,"d":1},"b":1}}',
    );
  });

  it("rejects a plugin list item that is neither a string nor a mapping", () => {
    expect(() => readPlugins([5])).toThrow("unmarshaling plugins: plugin type int, want *ordered.Map[string, any] or string");
  });
});
