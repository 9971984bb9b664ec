import { defineCommand, defineSetting, defineSettings } from "../setting.js";
import { jobSetting } from "./job-flags.js";
import { redactedVarsSetting } from "./redacted-vars.js";
import { apiSettings, globalSettings } from "./shared.js";

/** Reading commands may name another build; note its env var is not BUILDKITE_BUILD_ID. */
const readBuildSetting = defineSetting({
  name: "build",
  type: "string",
  env: ["BUILDKITE_METADATA_BUILD_ID"],
  description: "The build to read from; wins over --job",
});

const readJobSetting = jobSetting({ description: "A job whose build to read from; the current job by default" });

const writeJobSetting = jobSetting({ required: true, description: "The job whose build gets the meta-data" });

export const metaDataSetCommand = defineCommand({
  path: ["meta-data", "set"],
  summary: "Store a value in the build's meta-data",
  description: `Stores a key/value pair on the build, for later steps to read. The value is the
second argument, or stdin when omitted; neither key nor value may be empty or
only whitespace. Secrets from the environment are redacted from the value first.

Example:

    $ buildkite-agent meta-data set release-version "2.4.1"
    $ ./bin/changelog | buildkite-agent meta-data set release-notes`,
  args: [
    { name: "key", required: true, missingLabel: "meta-data key", description: "The key to store under" },
    { name: "value", description: "The value; read from stdin when omitted" },
  ],
  settings: defineSettings([...globalSettings, ...apiSettings, writeJobSetting, redactedVarsSetting]),
});

export const metaDataSetBatchCommand = defineCommand({
  path: ["meta-data", "set-batch"],
  summary: "Store several values in the build's meta-data at once",
  description: `Stores several key=value pairs on the build in one request. Keys and values may
not be empty or only whitespace; secrets from the environment are redacted from
the values first.

Example:

    $ buildkite-agent meta-data set-batch release-version=2.4.1 "release-name=Spring release"`,
  args: [{ name: "pair", required: true, variadic: true, description: "key=value pairs" }],
  settings: defineSettings([...globalSettings, ...apiSettings, writeJobSetting, redactedVarsSetting]),
});

export const metaDataGetCommand = defineCommand({
  path: ["meta-data", "get"],
  summary: "Print a value from the build's meta-data",
  description: `Prints the value stored under the key, without a trailing newline. When the key
does not exist it fails, unless --default is given, which is printed instead.

Example:

    $ buildkite-agent meta-data get release-version --default 0.0.0`,
  args: [{ name: "key", required: true, missingLabel: "meta-data key", description: "The key to read" }],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    {
      name: "default",
      type: "string",
      env: [],
      description: "What to print when the key does not exist",
    },
    readJobSetting,
    readBuildSetting,
  ]),
});

export const metaDataExistsCommand = defineCommand({
  path: ["meta-data", "exists"],
  summary: "Check whether the build's meta-data has a key",
  description: `Exits 0 when the key has been set on the build, and 100 when it has not.

Example:

    $ if buildkite-agent meta-data exists release-version; then echo "already released"; fi`,
  args: [{ name: "key", required: true, missingLabel: "meta-data key", description: "The key to look for" }],
  settings: defineSettings([...globalSettings, ...apiSettings, readJobSetting, readBuildSetting]),
});

export const metaDataKeysCommand = defineCommand({
  path: ["meta-data", "keys"],
  summary: "List the keys of the build's meta-data",
  description: `Prints every key set on the build, one per line.

Example:

    $ buildkite-agent meta-data keys`,
  args: [],
  settings: defineSettings([...globalSettings, ...apiSettings, readJobSetting, readBuildSetting]),
});
