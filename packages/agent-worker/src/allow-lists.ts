import { compileGoRegExp, type GoRegExp } from "./go-regexp.js";
import { allowedBy } from "./job-environment.js";
import type { ResolvedOptions } from "./options.js";

// Always allowed when the env allow-list is on: the server's own variables.
const IMPLICIT_ENV = ["^BUILDKITE$", "^BUILDKITE_.*$", "^CI$"].map(compileGoRegExp);

/** Masks a URL's password (`@agent/log-redactor`'s `redactUrlCredentials`, loaded with the job). */
export type UrlCredentialsRedactor = (url: string) => string;

// Go prints a []*regexp.Regexp as `[a b]`; refusal messages keep that shape.
function noMatch(value: string, patterns: readonly GoRegExp[]): string {
  // The patterns as written, not their JavaScript translation.
  return `${value} has no match in [${patterns.map((p) => p.goSource).join(" ")}]`;
}

/**
 * Each plugin's full source (go-pipeline `FullSource`) from `BUILDKITE_PLUGINS`,
 * read as go-pipeline's `Plugins` reads it; `undefined` when it is not a valid
 * plugins list. @agent/pipeline is loaded only here, when an allow-list needs it.
 */
async function pluginFullSources(json: string): Promise<string[] | undefined> {
  const { readPlugins } = await import("@agent/pipeline");
  try {
    return (readPlugins(JSON.parse(json)) ?? []).map((plugin) => plugin.fullSource);
  } catch {
    // The parser's own message quotes the input, which may hold a credential: not shown.
    return undefined;
  }
}

/**
 * Checks a job against `allowed-repositories`, `allowed-environment-variables`
 * and `allowed-plugins`. Returns the refusal the agent writes into the job log
 * (then finishes it with -1 / `agent_refused`), or `undefined` when allowed.
 * Repository and plugin URLs in it have their password masked.
 */
export async function checkAllowLists(
  jobEnv: Readonly<Record<string, string>>,
  options: ResolvedOptions,
  redactUrlCredentials: UrlCredentialsRedactor,
): Promise<string | undefined> {
  const repo = jobEnv["BUILDKITE_REPO"] ?? "";
  if (!allowedBy(options.allowedRepositories, repo)) {
    return `failed to validate repo: ${noMatch(redactUrlCredentials(repo), options.allowedRepositories)}`;
  }
  if (options.allowedEnvironmentVariables.length > 0) {
    const patterns = [...options.allowedEnvironmentVariables, ...IMPLICIT_ENV];
    for (const name of Object.keys(jobEnv)) {
      if (!allowedBy(patterns, name)) return `failed to validate environment variables: ${noMatch(name, patterns)}`;
    }
  }
  const plugins = jobEnv["BUILDKITE_PLUGINS"] ?? "";
  if (options.pluginsEnabled && options.allowedPlugins.length > 0 && plugins !== "") {
    const sources = await pluginFullSources(plugins);
    if (sources === undefined) {
      return "failed to validate plugins: failed to unmarshal plugins for validation: BUILDKITE_PLUGINS is not a valid JSON list of plugins";
    }
    for (const full of sources) {
      if (!allowedBy(options.allowedPlugins, full)) {
        return `failed to validate plugins: ${noMatch(redactUrlCredentials(full), options.allowedPlugins)}`;
      }
    }
  }
  return undefined;
}
