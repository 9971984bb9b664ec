import { defineCommand, defineSettings } from "../setting.js";
import { apiSettings, globalSettings } from "./shared.js";

/** The flags of `cache save` and `cache restore`, an unreleased feature (clicommand/cache_shared.go). */
const cacheSettings = defineSettings([
  ...globalSettings,
  ...apiSettings,
  {
    name: "name",
    type: "list",
    env: ["BUILDKITE_CACHE_NAMES"],
    description: "Caches to handle, by name (repeatable); all of the config file's when empty",
  },
  {
    name: "registry",
    type: "string",
    env: ["BUILDKITE_AGENT_CACHE_REGISTRY"],
    // Not a path: `~` names the cluster's default registry.
    default: "~",
    description: "The slug of the cache registry; `~` is the cluster's default one",
  },
  {
    name: "cache-store-url",
    type: "string",
    env: ["BUILDKITE_AGENT_CACHE_STORE_URL"],
    description: "Where caches are stored (e.g. `s3://bucket`), reached with the machine's own credentials",
  },
  {
    name: "cache-config-file",
    type: "string",
    env: ["BUILDKITE_CACHE_CONFIG_FILE"],
    description: "The cache config file; .buildkite/cache.yml or .buildkite/cache.yaml when empty",
  },
  {
    name: "concurrency",
    type: "int",
    env: ["BUILDKITE_CACHE_CONCURRENCY"],
    default: 2,
    description: "How many cache transfers to run at once",
  },
]);

export const cacheSaveCommand = defineCommand({
  path: ["cache", "save"],
  summary: "Save files to the build cache",
  description: `Saves the files of each cache in the cache config file under a key built from
its \`cache_key\` parts (literals, agent OS or architecture, file checksums, env
vars). An entry already stored under the same key is kept. Experimental.

Example:

    $ buildkite-agent cache save --name node_modules`,
  args: [],
  settings: cacheSettings,
  hidden: true,
});

export const cacheRestoreCommand = defineCommand({
  path: ["cache", "restore"],
  summary: "Restore files from the build cache",
  description: `Restores each cache in the cache config file: an exact key match if there is
one, else the closest entry allowed by a part marked \`fallback_limit\`, and
reports a hit, a fallback or a miss for each. Experimental.

Example:

    $ buildkite-agent cache restore --name node_modules`,
  args: [],
  settings: cacheSettings,
  hidden: true,
});
