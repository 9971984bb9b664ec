import { describe, expect, it } from "@jest/globals";
import { redactUrlCredentials } from "@agent/log-redactor";
import { readFileSync } from "node:fs";
import { checkAllowLists } from "./allow-lists.js";
import { resolveOptions, type AgentPoolOptions } from "./options.js";

const base: AgentPoolOptions = { token: "t", buildPath: "/tmp/b", executor: { command: "/bin/true", args: [] } };

interface FullSourceCase {
  readonly name: string;
  readonly source: string;
  readonly expectedFullSource: string;
}
const { fullSourceCases } = JSON.parse(
  readFileSync(new URL("../../../../shared/conformance/plugins/cases.json", import.meta.url), "utf8"),
) as { fullSourceCases: FullSourceCase[] };

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const check = (env: Record<string, string>, options: AgentPoolOptions) =>
  checkAllowLists(env, resolveOptions(options), redactUrlCredentials);

describe("allow-lists", () => {
  it("has every go-pipeline full-source vector", () => {
    expect(fullSourceCases).toHaveLength(14);
  });

  it.each(fullSourceCases.map((c) => [c.name, c] as const))(
    "matches allowed-plugins against the full source: %s",
    async (_name, { source, expectedFullSource }) => {
      const env = { BUILDKITE_PLUGINS: JSON.stringify([{ [source]: null }]) };
      // Exactly the full source is allowed…
      await expect(check(env, { ...base, allowedPlugins: [`^${escapeRegExp(expectedFullSource)}$`] })).resolves.toBeUndefined();
      // …and a refusal names it (password masked).
      await expect(check(env, { ...base, allowedPlugins: ["^nothing$"] })).resolves.toBe(
        `failed to validate plugins: ${redactUrlCredentials(expectedFullSource)} has no match in [^nothing$]`,
      );
    },
  );

  it("refuses plugins outside allowed-plugins, and skips the check when plugins are off", async () => {
    const env = { BUILDKITE_PLUGINS: JSON.stringify([{ "docker#v5": { image: "x" } }]) };
    await expect(check(env, { ...base, allowedPlugins: ["^github\\.com/acme/"] })).resolves.toBe(
      "failed to validate plugins: github.com/buildkite-plugins/docker-buildkite-plugin#v5 has no match in [^github\\.com/acme/]",
    );
    await expect(check(env, { ...base, allowedPlugins: ["^github\\.com/acme/"], noPlugins: true })).resolves.toBeUndefined();
  });

  it("masks credentials in refused repository and plugin URLs, and never quotes bad plugins JSON", async () => {
    const repo = { BUILDKITE_REPO: "https://x-access-token:ghs_SECRETSECRET@github.com/acme/app.git" };
    await expect(check(repo, { ...base, allowedRepositories: ["^git@"] })).resolves.toBe(
      "failed to validate repo: https://x-access-token:xxxxx@github.com/acme/app.git has no match in [^git@]",
    );
    const plugin = { BUILDKITE_PLUGINS: JSON.stringify(["https://u:ghs_SECRETSECRET@example.com/p.git#v1"]) };
    await expect(check(plugin, { ...base, allowedPlugins: ["^github"] })).resolves.toBe(
      "failed to validate plugins: https://u:xxxxx@example.com/p.git#v1 has no match in [^github]",
    );
    const broken = { BUILDKITE_PLUGINS: '[{"https://u:ghs_SECRETSECRET@example.com/p.git": ' };
    await expect(check(broken, { ...base, allowedPlugins: ["^github"] })).resolves.toBe(
      "failed to validate plugins: failed to unmarshal plugins for validation: BUILDKITE_PLUGINS is not a valid JSON list of plugins",
    );
  });

  it("always allows BUILDKITE_*, BUILDKITE and CI names with the env allow-list on", async () => {
    const options = { ...base, enableEnvironmentVariableAllowlist: true, allowedEnvironmentVariables: ["^MY_"] };
    await expect(check({ BUILDKITE: "true", CI: "true", BUILDKITE_X: "1", MY_Y: "2" }, options)).resolves.toBeUndefined();
    await expect(check({ OTHER: "1" }, options)).resolves.toMatch(/^failed to validate environment variables: OTHER has no match/);
  });

  it("reads patterns as Go (RE2) and quotes them as written in a refusal", async () => {
    const options = { ...base, allowedRepositories: ["\\Agit@github\\.com:org/.*\\z"] };
    await expect(check({ BUILDKITE_REPO: "git@github.com:org/repo.git" }, options)).resolves.toBeUndefined();
    await expect(check({ BUILDKITE_REPO: "Agit@github.com:org/x.gitz" }, options)).resolves.toBe(
      "failed to validate repo: Agit@github.com:org/x.gitz has no match in [\\Agit@github\\.com:org/.*\\z]",
    );
  });

  it("refuses at start a pattern using RE2 syntax that cannot be translated, naming option and pattern", () => {
    expect(() => resolveOptions({ ...base, allowedPlugins: ["^a(?=b)"] })).toThrow(
      expect.objectContaining({
        code: "AGENT_INVALID_OPTION",
        message: expect.stringMatching(/^agent option allowedPlugins: "\^a\(\?=b\)" is not a valid regular expression: a lookaround/),
      }),
    );
  });

  it("rejects a list of env patterns without the enable flag, and bad regexes", () => {
    expect(() => resolveOptions({ ...base, allowedEnvironmentVariables: ["^X"] })).toThrow(
      expect.objectContaining({ code: "AGENT_INVALID_OPTION" }),
    );
    expect(() => resolveOptions({ ...base, allowedRepositories: ["("] })).toThrow(/allowedRepositories: "\(" is not a valid regular expression/);
  });
});
