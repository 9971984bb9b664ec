import fs from "node:fs";
import { describe, expect, it } from "@jest/globals";
import {
  createPlugin,
  isZipScheme,
  parsePlugins,
  pluginEnvironment,
  pluginIdentifier,
  pluginName,
  pluginRepository,
  pluginSubdirectory,
  zipBaseScheme,
} from "../../src/plugins/index.js";
import { plain } from "./json-value.js";

// Buildkite's own vectors (../shared/conformance/plugins, from agent v3.137.0 and go-pipeline).
const file = new URL("../../../../../shared/conformance/plugins/cases.json", import.meta.url);
const cases = JSON.parse(fs.readFileSync(file, "utf8")) as {
  createFromJSONCases: {
    name: string;
    json: string;
    expectedPlugins?: { location: string; version: string; scheme: string; authentication: string; vendored: boolean; configuration: unknown }[];
    error?: boolean;
    errorContains?: string;
  }[];
  nameCases: { name: string; location: string; expectedName: string }[];
  identifierCases: { name: string; location: string; version: string; expectedIdentifier: string }[];
  repositoryCases: {
    name: string;
    location: string;
    scheme: string;
    authentication: string;
    expectedRepository?: string;
    expectedSubdirectory?: string;
    error?: boolean;
    errorContains?: string;
  }[];
  zipSchemeCases: { name: string; scheme: string; expectedIsZip: boolean; expectedBaseScheme: string }[];
  configurationToEnvCases: {
    name: string;
    pluginsJSON: string;
    expectedEnv?: Record<string, string>;
    expectedEnvPerPlugin?: Record<string, string>[];
    expectedDeprecatedNames: { old: string; new: string }[];
  }[];
  pluginsUnmarshalCases: { name: string; json: string; expectedPlugins: { source: string; config: unknown }[] }[];
  definitionCases: { name: string; pluginYAML: string; expectedName: string; expectedRequirements: string[] }[];
};

const named = <T extends { name: string }>(list: T[]) => list.map((c) => [c.name, c] as const);

describe("conformance: BUILDKITE_PLUGINS parsing", () => {
  it.each(named(cases.createFromJSONCases))("%s", (_, c) => {
    if (c.error === true) {
      expect(() => parsePlugins(c.json)).toThrow(expect.objectContaining({ message: c.errorContains }));
      return;
    }
    const plugins = parsePlugins(c.json);
    expect(
      plugins.map((p) => ({
        location: p.location,
        version: p.version,
        scheme: p.scheme,
        authentication: p.authentication,
        vendored: p.vendored,
        configuration: plain(p.configuration),
      })),
    ).toEqual(c.expectedPlugins);
  });

  it.each(named(cases.pluginsUnmarshalCases))("%s (sources kept as written, in order)", (_, c) => {
    expect(parsePlugins(c.json).map((p) => ({ source: p.source, config: plain(p.configuration) }))).toEqual(c.expectedPlugins);
  });
});

describe("conformance: derived values", () => {
  it.each(named(cases.nameCases))("name %s", (_, c) => {
    expect(pluginName(c.location)).toBe(c.expectedName);
  });

  it.each(named(cases.identifierCases))("identifier %s", (_, c) => {
    expect(pluginIdentifier(c.location, c.version)).toBe(c.expectedIdentifier);
  });

  it.each(named(cases.repositoryCases))("repository %s", (_, c) => {
    if (c.error === true) {
      expect(() => pluginRepository(c)).toThrow(expect.objectContaining({ message: c.errorContains, code: "PLUGIN_INVALID_LOCATION" }));
      expect(() => pluginSubdirectory(c.location)).toThrow(expect.objectContaining({ message: c.errorContains }));
      return;
    }
    expect(pluginRepository(c)).toBe(c.expectedRepository);
    expect(pluginSubdirectory(c.location)).toBe(c.expectedSubdirectory);
  });

  it.each(named(cases.zipSchemeCases))("zip scheme %s", (_, c) => {
    expect(isZipScheme(c.scheme)).toBe(c.expectedIsZip);
    expect(zipBaseScheme(c.scheme)).toBe(c.expectedBaseScheme);
  });
});

describe("conformance: plugin env vars", () => {
  it.each(named(cases.configurationToEnvCases))("%s", (_, c) => {
    const plugins = parsePlugins(c.pluginsJSON);
    const expected = c.expectedEnvPerPlugin ?? [c.expectedEnv];
    expect(plugins).toHaveLength(expected.length);
    plugins.forEach((plugin, index) => {
      const result = pluginEnvironment(plugin);
      expect(result.env).toEqual(expected[index]);
      expect(result.error).toBeUndefined();
      if (index === 0) expect(result.deprecated).toEqual([...c.expectedDeprecatedNames].sort((a, b) => (a.old < b.old ? -1 : 1)));
    });
  });

  it("derives the same env from createPlugin as from parsePlugins", () => {
    const plugin = createPlugin("github.com/buildkite-plugins/docker-compose-buildkite-plugin");
    expect(pluginEnvironment(plugin).env).toEqual({ BUILDKITE_PLUGIN_NAME: "DOCKER_COMPOSE", BUILDKITE_PLUGIN_CONFIGURATION: "{}" });
  });
});

// plugin.yml definitions are read only for plugin validation, which job-runner
// refuses (PLUGIN_VALIDATION_UNSUPPORTED): parsing them needs a YAML parser and
// the config check a JSON-schema validator, neither of which it depends on.
describe("conformance: plugin definitions (plugin.yml)", () => {
  it("has the one upstream vector, so a new one is noticed", () => {
    expect(cases.definitionCases).toHaveLength(1);
  });

  it.skip.each(named(cases.definitionCases))("%s (skipped: plugin validation is not supported, no YAML parser)", () => undefined);
});
