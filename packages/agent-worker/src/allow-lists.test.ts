import { describe, expect, it } from "@jest/globals";
import { checkAllowLists, pluginFullSource } from "./allow-lists.js";
import { resolveOptions, type AgentPoolOptions } from "./options.js";

const base: AgentPoolOptions = { token: "t", buildPath: "/tmp/b", executor: { command: "/bin/true", args: [] } };

describe("allow-lists", () => {
  it.each([
    ["docker#v5.12.0", "github.com/buildkite-plugins/docker-buildkite-plugin#v5.12.0"],
    ["acme/thing#v1", "github.com/acme/thing-buildkite-plugin#v1"],
    ["acme/thing-buildkite-plugin", "github.com/acme/thing-buildkite-plugin"],
    ["gitlab.com/acme/x#v2", "gitlab.com/acme/x#v2"],
    ["https://example.com/p.git#v1", "https://example.com/p.git#v1"],
  ])("full source of %s", (source, full) => {
    expect(pluginFullSource(source)).toBe(full);
  });

  it("refuses plugins outside allowed-plugins, and skips the check when plugins are off", () => {
    const env = { BUILDKITE_PLUGINS: JSON.stringify([{ "docker#v5": { image: "x" } }]) };
    const options = resolveOptions({ ...base, allowedPlugins: ["^github\\.com/acme/"] });
    expect(checkAllowLists(env, options)).toBe(
      "failed to validate plugins: github.com/buildkite-plugins/docker-buildkite-plugin#v5 has no match in [^github\\.com/acme/]",
    );
    expect(checkAllowLists(env, resolveOptions({ ...base, allowedPlugins: ["^github\\.com/acme/"], noPlugins: true }))).toBeUndefined();
  });

  it("always allows BUILDKITE_*, BUILDKITE and CI names with the env allow-list on", () => {
    const options = resolveOptions({ ...base, enableEnvironmentVariableAllowlist: true, allowedEnvironmentVariables: ["^MY_"] });
    expect(checkAllowLists({ BUILDKITE: "true", CI: "true", BUILDKITE_X: "1", MY_Y: "2" }, options)).toBeUndefined();
    expect(checkAllowLists({ OTHER: "1" }, options)).toMatch(/^failed to validate environment variables: OTHER has no match/);
  });

  it("rejects a list of env patterns without the enable flag, and bad regexes", () => {
    expect(() => resolveOptions({ ...base, allowedEnvironmentVariables: ["^X"] })).toThrow(
      expect.objectContaining({ code: "AGENT_INVALID_OPTION" }),
    );
    expect(() => resolveOptions({ ...base, allowedRepositories: ["("] })).toThrow(/allowedRepositories: "\(" is not a valid regular expression/);
  });
});
