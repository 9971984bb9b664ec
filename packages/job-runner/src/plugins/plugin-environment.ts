import type { JobLog } from "../job-log.js";
import { goQuote } from "@agent/log-redactor";
import { compareBytes } from "../byte-order.js";
import { JsonNumber, type JsonValue } from "../go-json-parse.js";
import { stringifyJson } from "./config-json.js";
import { goUpperCase, type Plugin } from "./plugin.js";

/** A flattened name that also gets its old, collapsed-`_` alias (agent v3.48.0 changed the rule). */
export interface DeprecatedPluginEnvName {
  /** The pre-v3.48 name, consecutive `_` collapsed: `BUILDKITE_PLUGIN_X_A_B`. */
  readonly old: string;
  /** The current name: `BUILDKITE_PLUGIN_X_A___B`. */
  readonly new: string;
}

/** The env a plugin's hooks get, and what the job log should say about it. */
export interface PluginEnvironment {
  /** `BUILDKITE_PLUGIN_NAME`, `BUILDKITE_PLUGIN_CONFIGURATION` and the flattened config; empty when `error` is set. */
  readonly env: Readonly<Record<string, string>>;
  /** Aliases exported alongside, sorted by old then new name; both names are in `env`. */
  readonly deprecated: readonly DeprecatedPluginEnvName[];
  /** Why no env could be made (a `null` inside the config): `Unknown type <nil> <nil>`, as the real agent says. */
  readonly error?: string;
}

/** An env key from a config key: upper-cased, each `-` and whitespace character → `_`, nothing else touched. */
function envKey(key: string): string {
  return goUpperCase(key).replace(/[-\t\n\f\r ]/g, "_");
}

class UnknownConfigType extends Error {}

function flatten(into: Map<string, string>, value: JsonValue, prefix: string): void {
  if (typeof value === "string") into.set(prefix, value);
  else if (typeof value === "boolean") into.set(prefix, value ? "true" : "false");
  else if (value instanceof JsonNumber) into.set(prefix, value.text);
  else if (value === null) throw new UnknownConfigType("Unknown type <nil> <nil>");
  else if (Array.isArray(value)) (value as readonly JsonValue[]).forEach((item, index) => flatten(into, item, `${prefix}_${index}`));
  else for (const [key, item] of Object.entries(value)) flatten(into, item as JsonValue, `${prefix}_${envKey(key)}`);
}

/**
 * The env vars for one plugin's hooks (`ConfigurationToEnvironment`): `BUILDKITE_PLUGIN_NAME`,
 * `BUILDKITE_PLUGIN_CONFIGURATION` (compact JSON, keys sorted, numbers as written) and one
 * `BUILDKITE_PLUGIN_<NAME>_<KEY…>` per scalar (arrays add `_0`, `_1`…; objects add `_KEY`),
 * plus the deprecated collapsed-`_` aliases. Pure; never throws: a `null` in the config
 * gives `error` and no env, and the hook still runs (as the real agent).
 */
export function pluginEnvironment(plugin: Plugin): PluginEnvironment {
  const name = envKey(plugin.name);
  const env = new Map<string, string>([
    ["BUILDKITE_PLUGIN_NAME", name],
    ["BUILDKITE_PLUGIN_CONFIGURATION", stringifyJson(plugin.configuration)],
  ]);
  try {
    flatten(env, plugin.configuration, `BUILDKITE_PLUGIN_${name}`);
  } catch (error) {
    if (!(error instanceof UnknownConfigType)) throw error;
    return { env: {}, deprecated: [], error: error.message };
  }
  const deprecated: DeprecatedPluginEnvName[] = [];
  for (const [current, value] of [...env]) {
    const old = current.replace(/_+/g, "_");
    if (old === current) continue;
    // The alias wins over a generated name it collides with, as in the real agent's map.
    env.set(old, value);
    deprecated.push({ old, new: current });
  }
  deprecated.sort((a, b) => (a.old === b.old ? compareBytes(a.new, b.new) : compareBytes(a.old, b.old)));
  return { env: Object.fromEntries(env), deprecated };
}

/** The job-log text the real agent prints before a plugin hook when its env has deprecated names. */
export const DEPRECATED_ENV_EXPLANATION =
  "The way that environment variables are derived from the plugin configuration is changing. " +
  "We'll export both the deprecated and the replacement names for now, " +
  "You may be able to avoid this by removing consecutive underscore, hyphen, or whitespace " +
  "characters in your plugin configuration.";

/**
 * Prints what the real agent prints before running one of `plugin`'s hooks: for
 * deprecated names, header `~~~ Deprecated environment variables for plugin <name>`,
 * the explanation and each old/new pair; for a config that cannot be flattened,
 * the warning `Error configuring plugin environment: …`. Prints nothing otherwise.
 */
export function reportPluginEnvironment(log: JobLog, plugin: Plugin, environment: PluginEnvironment): void {
  if (environment.error !== undefined) {
    log.warning(`Error configuring plugin environment: ${environment.error}`);
    return;
  }
  if (environment.deprecated.length === 0) return;
  log.header(`Deprecated environment variables for plugin ${plugin.name}`);
  log.line(DEPRECATED_ENV_EXPLANATION);
  for (const name of environment.deprecated) log.line(` deprecated: "${goQuote(name.old)}"\nreplacement: "${goQuote(name.new)}"\n`);
}
