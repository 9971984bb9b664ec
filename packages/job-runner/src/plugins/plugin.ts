import { JobRunnerError } from "../errors.js";
import { goQuote } from "@agent/log-redactor";
import { isJsonObject, parseJson, JsonSyntaxError, type JsonObject, type JsonValue } from "../go-json-parse.js";
import { stringifyJson } from "./config-json.js";
import { parseSourceUrl } from "./source-url.js";

/**
 * One entry of `BUILDKITE_PLUGINS`, with every value the real agent derives
 * from its source (agent/plugin/plugin.go). Plain data: safe to log, except
 * `authentication` and `configuration`, which may hold secrets.
 */
export interface Plugin {
  /** The source as written in `BUILDKITE_PLUGINS`, e.g. `github.com/buildkite-plugins/docker-buildkite-plugin#v5.12.0`. */
  readonly source: string;
  /** Lower-cased URL scheme (`https`, `ssh`, `file`, `zip+https`), `""` when none was written. */
  readonly scheme: string;
  /** Host and path, without scheme, credentials or `#version`: `github.com/org/x-buildkite-plugin`. */
  readonly location: string;
  /** The part after `#`, `""` when none. */
  readonly version: string;
  /** The URL's `user[:password]`, `""` when none. A secret: never log it. */
  readonly authentication: string;
  /** A path inside the build checkout (`location` starts with `.`), not cloned. */
  readonly vendored: boolean;
  /** The plugin's configuration object (`{}` when none); numbers keep their literal text. */
  readonly configuration: JsonObject;
  /** `location` or `location#version`: duplicates with the same label share one checkout. */
  readonly label: string;
  /** The checkout directory name: `label` with runs of non-alphanumerics as one `-`. */
  readonly identifier: string;
  /** The short name used in env var names: `docker-compose`. */
  readonly name: string;
  /** The name in log headers: the repository name plus any subdirectory (`docker-compose-buildkite-plugin`). */
  readonly displayName: string;
  /** A `zip+https`, `zip+http` or `zip+file` source (experiment `zip-plugins`). */
  readonly zip: boolean;
}

const nonIdCharacters = /[^a-zA-Z0-9]/gu;

/** Go's `strings.ToLower`/`ToUpper` map one code point to one; JS may map `ß` to `SS`. */
function mapCase(text: string, upper: boolean): string {
  let out = "";
  for (const char of text) {
    const mapped = upper ? char.toUpperCase() : char.toLowerCase();
    out += [...mapped].length === 1 ? mapped : char;
  }
  return out;
}

/** Go's `strings.ToUpper`. */
export function goUpperCase(text: string): string {
  return mapCase(text, true);
}

/** The short plugin name derived from a location (`Plugin.Name`): `docker-compose`. */
export function pluginName(location: string): string {
  if (location === "") return "";
  // Windows paths arrive with backslashes; a trailing slash would leave an empty last segment.
  const segments = location.replaceAll("\\", "/").replace(/\/+$/, "").split("/");
  let name = (segments[segments.length - 1] ?? "").replace(/^\.+/, "");
  name = mapCase(name, false)
    .replace(/[\t\n\f\r ]+/g, " ")
    .replace(nonIdCharacters, "-")
    .replaceAll("-buildkite-plugin-git", "")
    .replaceAll("-buildkite-plugin", "");
  return name;
}

/** `location` or `location#version` (`Plugin.Label`). */
export function pluginLabel(location: string, version: string): string {
  return version === "" ? location : `${location}#${version}`;
}

/** The directory name for a plugin checkout (`Plugin.Identifier`). */
export function pluginIdentifier(location: string, version: string): string {
  return pluginLabel(location, version).replace(nonIdCharacters, "-").replace(/-+/g, "-").replace(/^-+|-+$/g, "");
}

/** The host part of the repository: where the clone URL stops and the subdirectory starts. */
function repositoryHost(location: string): string {
  if (location === "") throw new JobRunnerError("PLUGIN_INVALID_LOCATION", "missing plugin location");
  const parts = location.split("/");
  const incomplete = () => new JobRunnerError("PLUGIN_INVALID_LOCATION", `incomplete plugin path "${goQuote(location)}"`);
  if (parts.length < 2) throw incomplete();
  switch (parts[0]) {
    case "github.com":
    case "bitbucket.org":
      if (parts.length < 3) throw incomplete();
      return parts.slice(0, 3).join("/");
    case "gitlab.com":
      // GitLab groups nest, so the whole path is the repository.
      if (parts.length < 3) throw incomplete();
      return location;
    default: {
      const end = parts.findIndex((part) => part.endsWith(".git"));
      return (end < 0 ? parts : parts.slice(0, end + 1)).join("/");
    }
  }
}

/** The fields the clone URL is built from. */
export type PluginRepositoryFields = Pick<Plugin, "location" | "scheme" | "authentication">;

/**
 * The URL `git clone` is given (`Plugin.Repository`): `https://github.com/org/x-buildkite-plugin`,
 * `ssh://git@host/org/x`, or a local absolute path unchanged. Contains `authentication`: never log it.
 * Throws `PLUGIN_INVALID_LOCATION` (`missing plugin location`, `incomplete plugin path "…"`).
 */
export function pluginRepository(plugin: PluginRepositoryFields): string {
  let url = repositoryHost(plugin.location);
  if (plugin.authentication !== "") url = `${plugin.authentication}@${url}`;
  if (!url.startsWith("/")) url = `${plugin.scheme === "" ? "https" : plugin.scheme}://${url}`;
  return url;
}

/**
 * The directory inside the repository that holds the plugin (`Plugin.RepositorySubdirectory`):
 * `""` for a whole-repository plugin, `plugins/foo` for `github.com/org/mono/plugins/foo`.
 * Throws `PLUGIN_INVALID_LOCATION` as {@link pluginRepository}.
 */
export function pluginSubdirectory(location: string): string {
  const host = repositoryHost(location);
  return location.slice(host.length).replace(/^\//, "").replace(/\.git$/, "");
}

function displayNameOf(location: string, name: string): string {
  if (location.startsWith("/") || location.startsWith(".") || location.includes("\\")) return name;
  let host: string;
  let subdirectory: string;
  try {
    host = repositoryHost(location);
    subdirectory = pluginSubdirectory(location);
  } catch {
    // As the real agent: a location we cannot split is still displayed, by its name.
    return name;
  }
  const repo = (host.split("/").pop() ?? "").replace(/\.git$/, "");
  return subdirectory === "" ? repo : `${repo}/${subdirectory}`;
}

/** Whether a scheme names a zip plugin (`zip+https`, `zip+http`, `zip+file`). */
export function isZipScheme(scheme: string): boolean {
  return scheme.startsWith("zip+");
}

/** The transport of a zip scheme (`zip+https` → `https`); other schemes unchanged. */
export function zipBaseScheme(scheme: string): string {
  return isZipScheme(scheme) ? scheme.slice("zip+".length) : scheme;
}

/**
 * Hides credentials in a message quoting a source, which may not parse as a URL
 * (so `displayUrl` cannot help) or sit inside JSON: a password, and over http(s)
 * a user name, which there is usually a token; an ssh login such as `git@` stays.
 */
function maskSourceCredentials(message: string): string {
  return message
    .replace(/(https?:\/\/)[^/@\s"]*@/giu, "$1xxxxx@")
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^/:@\s"]*):[^/@\s"]*@/giu, "$1:xxxxx@");
}

/**
 * Builds a {@link Plugin} from one source and its configuration (`CreatePlugin`).
 * Throws `PLUGIN_INVALID_SOURCE` when the source is not a URL Go would parse or
 * has a second `#`.
 */
export function createPlugin(source: string, configuration: JsonObject = {}): Plugin {
  let url;
  try {
    url = parseSourceUrl(source);
  } catch (error) {
    throw new JobRunnerError("PLUGIN_INVALID_SOURCE", maskSourceCredentials((error as Error).message));
  }
  if (url.fragment.includes("#")) {
    throw new JobRunnerError("PLUGIN_INVALID_SOURCE", maskSourceCredentials(`too many '#'s in "${goQuote(source)}"`));
  }
  const location = url.host + url.path;
  const name = pluginName(location);
  return {
    source,
    scheme: url.scheme,
    location,
    version: url.fragment,
    authentication: url.userinfo ?? "",
    vendored: location.startsWith("."),
    configuration,
    label: pluginLabel(location, url.fragment),
    identifier: pluginIdentifier(location, url.fragment),
    name,
    displayName: displayNameOf(location, name),
    zip: isZipScheme(url.scheme),
  };
}

/** Which agent settings allow plugins; the first one off names the flag in the error. */
export interface PluginsAllowed {
  /** `BUILDKITE_PLUGINS_ENABLED` (`--no-plugins` turns it off). @default true */
  readonly pluginsEnabled?: boolean;
  /** `--no-local-hooks` off. @default true */
  readonly localHooksEnabled?: boolean;
  /** `--no-command-eval` off. @default true */
  readonly commandEval?: boolean;
}

/** Options for {@link parsePlugins}. */
export interface ParsePluginsOptions extends PluginsAllowed {
  /**
   * `plugin-validation` (`BUILDKITE_PLUGIN_VALIDATION`): not supported, so any
   * plugin with it on fails with `PLUGIN_VALIDATION_UNSUPPORTED` rather than
   * running unvalidated. @default false
   */
  readonly pluginValidation?: boolean;
}

/** The element as Go's `%s` prints it, for the scalars; containers as JSON. */
function describe(value: JsonValue): string {
  if (value === null) return "%!s(<nil>)";
  if (typeof value === "boolean") return `%!s(bool=${value})`;
  return typeof value === "string" ? value : stringifyJson(value);
}

/**
 * Parses `BUILDKITE_PLUGINS` (a JSON array of source strings and
 * `{ "<source>": <config object | null> }` objects) into plugins, in order.
 * An empty string means no plugins. Errors (all `JobRunnerError`, messages as
 * the real agent's, which the executor prefixes with `failed to parse a plugin definition: `):
 * - `PLUGIN_DISABLED`: plugins requested but switched off: ``plugins have been disabled on this agent with `--no-plugins` ``
 *   (or `--no-local-hooks` / `--no-command-eval`, whichever setting is off);
 * - `PLUGIN_INVALID_JSON`: Go's decoder message (`invalid character 'b' looking for beginning of value`),
 *   `JSON structure was not an array`, `unknown type in plugin definition (…)`;
 * - `PLUGIN_INVALID_CONFIG`: `configuration for "<source>" is not a hash`;
 * - `PLUGIN_INVALID_SOURCE`: see {@link createPlugin};
 * - `PLUGIN_VALIDATION_UNSUPPORTED`: plugins requested with `pluginValidation` on.
 */
export function parsePlugins(json: string, options: ParsePluginsOptions = {}): Plugin[] {
  if (json === "") return [];
  if (options.pluginsEnabled === false) {
    const flag = options.localHooksEnabled === false ? "--no-local-hooks" : options.commandEval === false ? "--no-command-eval" : "--no-plugins";
    throw new JobRunnerError("PLUGIN_DISABLED", `plugins have been disabled on this agent with \`${flag}\``);
  }
  let parsed: JsonValue;
  try {
    parsed = parseJson(json);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw new JobRunnerError("PLUGIN_INVALID_JSON", error.message, { cause: error });
  }
  if (!Array.isArray(parsed)) throw new JobRunnerError("PLUGIN_INVALID_JSON", "JSON structure was not an array");
  const plugins: Plugin[] = [];
  for (const entry of parsed as readonly JsonValue[]) {
    if (typeof entry === "string") {
      plugins.push(createPlugin(entry));
    } else if (isJsonObject(entry)) {
      // Several sources in one object run in key order; the real agent's order is random here.
      for (const [source, config] of Object.entries(entry)) {
        if (config === null) plugins.push(createPlugin(source));
        else if (isJsonObject(config)) plugins.push(createPlugin(source, config));
        else throw new JobRunnerError("PLUGIN_INVALID_CONFIG", maskSourceCredentials(`configuration for "${source}" is not a hash`));
      }
    } else {
      throw new JobRunnerError("PLUGIN_INVALID_JSON", maskSourceCredentials(`unknown type in plugin definition (${describe(entry)})`));
    }
  }
  if (options.pluginValidation === true && plugins.length > 0) {
    // Validating needs plugin.yml parsed (YAML) and the config checked against its
    // JSON schema; job-runner has neither, and skipping it silently would run
    // plugins the agent was told to check first.
    throw new JobRunnerError(
      "PLUGIN_VALIDATION_UNSUPPORTED",
      "plugin validation (plugin-validation, BUILDKITE_PLUGIN_VALIDATION) is not supported by this agent yet; turn it off to run plugins",
    );
  }
  return plugins;
}
