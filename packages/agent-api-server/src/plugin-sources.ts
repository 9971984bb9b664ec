import { canonicalPluginSource } from "@agent/pipeline";

/**
 * Turns a step's `plugins` (a list of one-key maps or bare strings, or one map) into
 * the `BUILDKITE_PLUGINS` array the agent reads: one `{"<full source>": config|null}`
 * object per plugin, sources expanded the way `pipeline upload` expands them
 * (plugins.md §1). `undefined` when there are no plugins.
 */
export function normalisePlugins(plugins: unknown): unknown[] | undefined {
  if (plugins === undefined || plugins === null) return undefined;
  const entries: [string, unknown][] = [];
  const addMap = (map: Record<string, unknown>) => {
    for (const [source, config] of Object.entries(map)) entries.push([source, config]);
  };
  if (Array.isArray(plugins)) {
    for (const item of plugins) {
      if (typeof item === "string") entries.push([item, null]);
      else if (typeof item === "object" && item !== null) addMap(item as Record<string, unknown>);
    }
  } else if (typeof plugins === "object") {
    addMap(plugins as Record<string, unknown>);
  }
  if (entries.length === 0) return undefined;
  return entries.map(([source, config]) => ({ [canonicalPluginSource(source)]: emptyToNull(config) }));
}

function emptyToNull(config: unknown): unknown {
  if (config === undefined || config === null) return null;
  if (Array.isArray(config) && config.length === 0) return null;
  if (typeof config === "object" && !Array.isArray(config) && Object.keys(config).length === 0) return null;
  return config;
}
