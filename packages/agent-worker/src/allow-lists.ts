import { allowedBy } from "./job-environment.js";
import type { ResolvedOptions } from "./options.js";

// Always allowed when the env allow-list is on: the server's own variables.
const IMPLICIT_ENV = [/^BUILDKITE$/, /^BUILDKITE_.*$/, /^CI$/];

// Go prints a []*regexp.Regexp as `[a b]`; refusal messages keep that shape.
function noMatch(value: string, patterns: readonly RegExp[]): string {
  // RegExp#source escapes "/", which the pattern as written did not have.
  return `${value} has no match in [${patterns.map((p) => p.source.replaceAll("\\/", "/")).join(" ")}]`;
}

/**
 * A plugin's full source as go-pipeline spells it: `docker#v5` is
 * `github.com/buildkite-plugins/docker-buildkite-plugin#v5`, `acme/x` is
 * `github.com/acme/x-buildkite-plugin`; anything with a host, scheme or path is kept.
 */
export function pluginFullSource(source: string): string {
  const hash = source.indexOf("#");
  const location = hash >= 0 ? source.slice(0, hash) : source;
  const version = hash >= 0 ? source.slice(hash) : "";
  if (location.includes("://") || location.startsWith(".") || location.startsWith("/")) return source;
  const parts = location.split("/");
  if (parts.length === 1) return `github.com/buildkite-plugins/${withSuffix(parts[0]!)}${version}`;
  if (parts.length === 2 && !parts[0]!.includes(".")) return `github.com/${parts[0]}/${withSuffix(parts[1]!)}${version}`;
  return source;
}

function withSuffix(name: string): string {
  return name.endsWith("-buildkite-plugin") ? name : `${name}-buildkite-plugin`;
}

/** Plugin sources from `BUILDKITE_PLUGINS` (a JSON list of `{source: config}` or strings). */
function pluginSources(json: string): string[] {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error("BUILDKITE_PLUGINS is not a JSON list");
  return parsed.flatMap((entry: unknown) =>
    typeof entry === "string" ? [entry] : entry !== null && typeof entry === "object" ? Object.keys(entry) : [],
  );
}

/**
 * Checks a job against `allowed-repositories`, `allowed-environment-variables`
 * and `allowed-plugins`. Returns the refusal the agent writes into the job log
 * (then finishes it with -1 / `agent_refused`), or `undefined` when allowed.
 */
export function checkAllowLists(jobEnv: Readonly<Record<string, string>>, options: ResolvedOptions): string | undefined {
  const repo = jobEnv["BUILDKITE_REPO"] ?? "";
  if (!allowedBy(options.allowedRepositories, repo)) {
    return `failed to validate repo: ${noMatch(repo, options.allowedRepositories)}`;
  }
  if (options.allowedEnvironmentVariables.length > 0) {
    const patterns = [...options.allowedEnvironmentVariables, ...IMPLICIT_ENV];
    for (const name of Object.keys(jobEnv)) {
      if (!allowedBy(patterns, name)) return `failed to validate environment variables: ${noMatch(name, patterns)}`;
    }
  }
  const plugins = jobEnv["BUILDKITE_PLUGINS"] ?? "";
  if (options.pluginsEnabled && options.allowedPlugins.length > 0 && plugins !== "") {
    let sources: string[];
    try {
      sources = pluginSources(plugins);
    } catch (error) {
      return `failed to validate plugins: failed to unmarshal plugins for validation: ${(error as Error).message}`;
    }
    for (const source of sources) {
      const full = pluginFullSource(source);
      if (!allowedBy(options.allowedPlugins, full)) return `failed to validate plugins: ${noMatch(full, options.allowedPlugins)}`;
    }
  }
  return undefined;
}
