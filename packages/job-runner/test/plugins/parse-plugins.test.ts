import { describe, expect, it } from "@jest/globals";
import { createPlugin, parsePlugins } from "../../src/plugins/index.js";
import { plain } from "./json-value.js";

describe("parsePlugins errors", () => {
  it.each([
    ["not JSON", "blah", "PLUGIN_INVALID_JSON", "invalid character 'b' looking for beginning of value"],
    ["truncated JSON", '[{"a#v1": {', "PLUGIN_INVALID_JSON", "unexpected EOF"],
    ["whitespace only", "  ", "PLUGIN_INVALID_JSON", "EOF"],
    ["bad literal", "[tru]", "PLUGIN_INVALID_JSON", "invalid character ']' in literal true (expecting 'e')"],
    ["missing comma", '["a" "b"]', "PLUGIN_INVALID_JSON", "invalid character '\"' after array element"],
    ["an object", '{"foo": "bar"}', "PLUGIN_INVALID_JSON", "JSON structure was not an array"],
    ["a number element", "[42]", "PLUGIN_INVALID_JSON", "unknown type in plugin definition (42)"],
    ["a boolean element", "[true]", "PLUGIN_INVALID_JSON", "unknown type in plugin definition (%!s(bool=true))"],
    ["a null element", "[null]", "PLUGIN_INVALID_JSON", "unknown type in plugin definition (%!s(<nil>))"],
    ["config a string", '[{"docker#v1": "image"}]', "PLUGIN_INVALID_CONFIG", 'configuration for "docker#v1" is not a hash'],
    ["config an array", '[{"docker#v1": [1]}]', "PLUGIN_INVALID_CONFIG", 'configuration for "docker#v1" is not a hash'],
    ["config a number", '[{"docker#v1": 1.50}]', "PLUGIN_INVALID_CONFIG", 'configuration for "docker#v1" is not a hash'],
    ["two #s", '["github.com/a/b#v1#v2"]', "PLUGIN_INVALID_SOURCE", "too many '#'s in \"github.com/a/b#v1#v2\""],
    [
      // Go's url.Parse refuses scp-style sources; the agent fails the job the same way.
      "scp-style source",
      '["git@github.com:org/x.git"]',
      "PLUGIN_INVALID_SOURCE",
      'parse "git@github.com:org/x.git": first path segment in URL cannot contain colon',
    ],
    ["bad port", '["ssh://git@github.com:org/x.git"]', "PLUGIN_INVALID_SOURCE", 'parse "ssh://git@github.com:org/x.git": invalid port ":org" after host'],
    ["bad escape", '["github.com/a/b%zz"]', "PLUGIN_INVALID_SOURCE", 'parse "github.com/a/b%zz": invalid URL escape "%zz"'],
    [
      "a token in a source that does not parse",
      '["https://ghp_TOKEN42@github.com/a/b%zz"]',
      "PLUGIN_INVALID_SOURCE",
      'parse "https://xxxxx@github.com/a/b%zz": invalid URL escape "%zz"',
    ],
    ["a password in a source with two #s", '["ssh://u:pw123456@host/x#1#2"]', "PLUGIN_INVALID_SOURCE", "too many '#'s in \"ssh://u:xxxxx@host/x#1#2\""],
    // Regression: these two messages quoted the source raw, token and all.
    [
      "a token in a source whose config is not a hash",
      '[{"https://x-access-token:ghp_TOKEN42@github.com/a/b": 1}]',
      "PLUGIN_INVALID_CONFIG",
      'configuration for "https://xxxxx@github.com/a/b" is not a hash',
    ],
    [
      "a token in an element of an unknown type",
      '[["https://ghp_TOKEN42@github.com/a/b"]]',
      "PLUGIN_INVALID_JSON",
      'unknown type in plugin definition (["https://xxxxx@github.com/a/b"])',
    ],
    ["control character", '["github.com/a/\\u0001b"]', "PLUGIN_INVALID_SOURCE", 'parse "github.com/a/\\x01b": net/url: invalid control character in URL'],
  ])("%s", (_, json, code, message) => {
    expect(() => parsePlugins(json)).toThrow(expect.objectContaining({ name: "JobRunnerError", code, message }));
  });

  it.each([
    [{ pluginsEnabled: false }, "--no-plugins"],
    [{ pluginsEnabled: false, commandEval: false }, "--no-command-eval"],
    [{ pluginsEnabled: false, commandEval: false, localHooksEnabled: false }, "--no-local-hooks"],
  ])("refuses plugins when disabled (%j)", (options, flag) => {
    expect(() => parsePlugins('["docker#v1"]', options)).toThrow(
      expect.objectContaining({ code: "PLUGIN_DISABLED", message: `plugins have been disabled on this agent with \`${flag}\`` }),
    );
  });

  it("refuses plugins with PLUGIN_VALIDATION_UNSUPPORTED when validation is on, after reporting parse errors", () => {
    expect(() => parsePlugins('["docker#v1"]', { pluginValidation: true })).toThrow(
      expect.objectContaining({ code: "PLUGIN_VALIDATION_UNSUPPORTED", message: expect.stringContaining("BUILDKITE_PLUGIN_VALIDATION") }),
    );
    expect(() => parsePlugins("[42]", { pluginValidation: true })).toThrow(expect.objectContaining({ code: "PLUGIN_INVALID_JSON" }));
    expect(parsePlugins("[]", { pluginValidation: true })).toEqual([]);
  });

  it("accepts no plugins at all even when disabled", () => {
    expect(parsePlugins("", { pluginsEnabled: false })).toEqual([]);
  });
});

describe("parsePlugins values", () => {
  it("reads strings, objects, null config and multi-key objects in order", () => {
    const plugins = parsePlugins(
      '["shellcheck#v1.3.0", {"github.com/org/a-buildkite-plugin#v2": {"x": 1}}, {"b#v1": null, "./.buildkite/plugins/c": {"y": true}}]',
    );
    expect(plugins.map((p) => [p.source, p.vendored, plain(p.configuration)])).toEqual([
      ["shellcheck#v1.3.0", false, {}],
      ["github.com/org/a-buildkite-plugin#v2", false, { x: 1 }],
      ["b#v1", false, {}],
      ["./.buildkite/plugins/c", true, { y: true }],
    ]);
  });

  it("keeps number literals", () => {
    const [plugin] = parsePlugins('[{"x#v1": {"price": 2.50, "big": 12345678901234567890, "exp": 1e3, "neg": -0}}]');
    const config = plugin!.configuration as Record<string, { text: string }>;
    expect([config.price!.text, config.big!.text, config.exp!.text, config.neg!.text]).toEqual(["2.50", "12345678901234567890", "1e3", "-0"]);
  });

  it("treats __proto__ as a plain key", () => {
    const [plugin] = parsePlugins('[{"x#v1": {"__proto__": {"polluted": "yes"}}}]');
    expect(Object.keys(plugin!.configuration)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    [
      "github.com/buildkite-plugins/docker-compose-buildkite-plugin#v4.16.0",
      {
        label: "github.com/buildkite-plugins/docker-compose-buildkite-plugin#v4.16.0",
        identifier: "github-com-buildkite-plugins-docker-compose-buildkite-plugin-v4-16-0",
        name: "docker-compose",
        displayName: "docker-compose-buildkite-plugin",
        version: "v4.16.0",
        scheme: "",
        vendored: false,
        zip: false,
      },
    ],
    [
      "https://github.com/org/mono/plugins/foo#main",
      { name: "foo", displayName: "mono/plugins/foo", label: "github.com/org/mono/plugins/foo#main", scheme: "https" },
    ],
    ["./.buildkite/plugins/mine", { name: "mine", displayName: "mine", vendored: true, identifier: "buildkite-plugins-mine" }],
    ["/srv/plugins/local-thing.git", { name: "local-thing-git", displayName: "local-thing-git", vendored: false }],
    ["ssh://git:secret@example.com:2222/team/x.git#v1", { authentication: "git:secret", location: "example.com:2222/team/x.git", displayName: "x" }],
    ["zip+https://example.com/p.zip#sha256:ab", { zip: true, scheme: "zip+https", version: "sha256:ab" }],
    ["github.com/a%20b/c-buildkite-plugin", { location: "github.com/a b/c-buildkite-plugin", name: "c" }],
  ])("derives the values of %s", (source, expected) => {
    expect(createPlugin(source)).toMatchObject(expected);
  });
});
