import { PassThrough } from "node:stream";
import { describe, expect, it } from "@jest/globals";
import { JobLog } from "../../src/job-log.js";
import { DEPRECATED_ENV_EXPLANATION, parsePlugins, pluginEnvironment, reportPluginEnvironment } from "../../src/plugins/index.js";

const envOf = (config: string, source = "docker-compose#v4") => pluginEnvironment(parsePlugins(`[{"${source}": ${config}}]`)[0]!);

describe("pluginEnvironment", () => {
  it("flattens the spec's example", () => {
    const { env, deprecated } = envOf('{"run": "app", "config": ["a.yml", "b.yml"], "env": {"RAILS_ENV": "test"}, "skip-checkout": true}');
    expect(env).toEqual({
      BUILDKITE_PLUGIN_NAME: "DOCKER_COMPOSE",
      BUILDKITE_PLUGIN_CONFIGURATION: '{"config":["a.yml","b.yml"],"env":{"RAILS_ENV":"test"},"run":"app","skip-checkout":true}',
      BUILDKITE_PLUGIN_DOCKER_COMPOSE_RUN: "app",
      BUILDKITE_PLUGIN_DOCKER_COMPOSE_CONFIG_0: "a.yml",
      BUILDKITE_PLUGIN_DOCKER_COMPOSE_CONFIG_1: "b.yml",
      BUILDKITE_PLUGIN_DOCKER_COMPOSE_ENV_RAILS_ENV: "test",
      BUILDKITE_PLUGIN_DOCKER_COMPOSE_SKIP_CHECKOUT: "true",
    });
    expect(deprecated).toEqual([]);
  });

  it.each([
    ["deep nesting", '{"a": {"b": [{"c": [1.50, false]}]}}', { BUILDKITE_PLUGIN_DOCKER_COMPOSE_A_B_0_C_0: "1.50", BUILDKITE_PLUGIN_DOCKER_COMPOSE_A_B_0_C_1: "false" }],
    ["empty containers give no vars", '{"a": {}, "b": []}', {}],
    ["keeps dots and other characters", '{"a.b/c": "x"}', { "BUILDKITE_PLUGIN_DOCKER_COMPOSE_A.B/C": "x" }],
    ["tabs and newlines in keys become _", '{"a\\tb\\nc": "x"}', { BUILDKITE_PLUGIN_DOCKER_COMPOSE_A_B_C: "x" }],
    ["one code point per code point when upper-casing", '{"straße": "x"}', { "BUILDKITE_PLUGIN_DOCKER_COMPOSE_STRAßE": "x" }],
    ["strings stay raw", '{"s": "has \\"quotes\\" and <html> & é"}', { BUILDKITE_PLUGIN_DOCKER_COMPOSE_S: 'has "quotes" and <html> & é' }],
  ])("%s", (_, config, vars) => {
    const { env } = envOf(config);
    const { BUILDKITE_PLUGIN_NAME, BUILDKITE_PLUGIN_CONFIGURATION, ...rest } = env;
    expect(BUILDKITE_PLUGIN_NAME).toBe("DOCKER_COMPOSE");
    expect(BUILDKITE_PLUGIN_CONFIGURATION).toBeDefined();
    expect(rest).toEqual(vars);
  });

  it("writes the configuration as Go does: sorted keys, HTML-escaped, literal numbers", () => {
    const { env } = envOf('{"b": "<a&b>", "a": [1e3, 2.50], "\\u2028": "x", "c": "\\u0007"}');
    expect(env.BUILDKITE_PLUGIN_CONFIGURATION).toBe('{"a":[1e3,2.50],"b":"\\u003ca\\u0026b\\u003e","c":"\\u0007","\\u2028":"x"}');
  });

  it("gives no vars and an error when the config holds a null", () => {
    const result = envOf('{"a": {"b": null}, "c": "d"}');
    expect(result).toEqual({ env: {}, deprecated: [], error: "Unknown type <nil> <nil>" });
  });

  it("adds collapsed aliases for names with consecutive underscores, sorted", () => {
    const result = envOf('{"z--z": 1, "a - b": 2}');
    expect(result.env).toMatchObject({
      BUILDKITE_PLUGIN_DOCKER_COMPOSE_Z__Z: "1",
      BUILDKITE_PLUGIN_DOCKER_COMPOSE_Z_Z: "1",
      BUILDKITE_PLUGIN_DOCKER_COMPOSE_A___B: "2",
      BUILDKITE_PLUGIN_DOCKER_COMPOSE_A_B: "2",
    });
    expect(result.deprecated).toEqual([
      { old: "BUILDKITE_PLUGIN_DOCKER_COMPOSE_A_B", new: "BUILDKITE_PLUGIN_DOCKER_COMPOSE_A___B" },
      { old: "BUILDKITE_PLUGIN_DOCKER_COMPOSE_Z_Z", new: "BUILDKITE_PLUGIN_DOCKER_COMPOSE_Z__Z" },
    ]);
  });

  it("names the plugin from a repeated hyphen too", () => {
    const result = envOf('{"k": "v"}', "github.com/org/my--thing-buildkite-plugin#v1");
    expect(result.env).toMatchObject({ BUILDKITE_PLUGIN_NAME: "MY__THING", BUILDKITE_PLUGIN_MY__THING_K: "v", BUILDKITE_PLUGIN_MY_THING_K: "v" });
  });
});

describe("reportPluginEnvironment", () => {
  const report = (config: string) => {
    const sink = new PassThrough();
    let text = "";
    sink.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const plugin = parsePlugins(`[{"docker-compose#v4": ${config}}]`)[0]!;
    reportPluginEnvironment(new JobLog(sink, { ansi: false }), plugin, pluginEnvironment(plugin));
    return text;
  };

  it("prints the deprecation header, explanation and each pair", () => {
    expect(report('{"a__b": 1}')).toBe(
      "~~~ Deprecated environment variables for plugin docker-compose\n" +
        `${DEPRECATED_ENV_EXPLANATION}\n` +
        ' deprecated: "BUILDKITE_PLUGIN_DOCKER_COMPOSE_A_B"\nreplacement: "BUILDKITE_PLUGIN_DOCKER_COMPOSE_A__B"\n\n',
    );
  });

  it("prints the warning for a null in the config", () => {
    expect(report('{"a": null}')).toBe("⚠️ Warning: Error configuring plugin environment: Unknown type <nil> <nil>\n^^^ +++\n");
  });

  it("prints nothing for a clean config", () => {
    expect(report('{"a": 1}')).toBe("");
  });
});
