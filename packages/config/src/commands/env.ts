import { defineCommand, defineSetting, defineSettings } from "../setting.js";
import { globalSettings } from "./shared.js";

/** How `env set` and `env unset` report what changed. */
function outputFormatSetting(env: string) {
  return defineSetting({
    name: "output-format",
    type: "string",
    env: [env],
    default: "plain",
    choices: ["quiet", "plain", "json", "json-pretty"],
    description: "How to report the changes: `quiet` (nothing), `plain`, `json` or `json-pretty`",
  });
}

export const envDumpCommand = defineCommand({
  path: ["env", "dump"],
  summary: "Print this process's environment as JSON",
  description: `Prints the environment of this process as one JSON object. Hook wrappers use it
to see which variables a hook changed. It does not need the Job API.

Example:

    $ buildkite-agent env dump --format json-pretty`,
  args: [],
  settings: defineSettings([
    ...globalSettings,
    {
      name: "format",
      type: "string",
      env: ["BUILDKITE_AGENT_ENV_DUMP_FORMAT"],
      default: "json",
      // No choices: any value but json-pretty prints compact JSON (clicommand/env_dump.go).
      description: "`json` (one line) or `json-pretty` (indented)",
    },
  ]),
});

export const envGetCommand = defineCommand({
  path: ["env", "get"],
  summary: "Print variables of the running job's environment",
  description: `Reads the job's current environment through the Job API, so it sees changes
made with \`env set\` and \`env unset\` in this phase. With one name and the plain
format it prints just the value; otherwise sorted NAME=value lines, or a JSON
object.

Exits 1 when a named variable is not set (after a warning).

Example:

    $ buildkite-agent env get BUILDKITE_BRANCH
    $ buildkite-agent env get --format json-pretty`,
  args: [{ name: "name", variadic: true, description: "Variables to print; all when omitted" }],
  settings: defineSettings([
    ...globalSettings,
    {
      name: "format",
      type: "string",
      env: ["BUILDKITE_AGENT_ENV_GET_FORMAT"],
      default: "plain",
      // The real agent only logs an error for another value (and prints nothing); refused here.
      choices: ["plain", "json", "json-pretty"],
      description: "`plain`, `json` or `json-pretty`",
    },
  ]),
});

export const envSetCommand = defineCommand({
  path: ["env", "set"],
  summary: "Set variables in the running job's environment",
  description: `Sets variables in the job's environment through the Job API; they apply to the
job's later hooks and phases, not to the current shell. Each argument is
NAME=value, or \`-\` to read them from stdin (one per line, or a JSON object with
--input-format json). Protected variables, like the agent's access token, can't
be changed.

Example:

    $ buildkite-agent env set DEPLOY_ENV=staging "RELEASE_NAME=Spring release"
    $ echo '{"DEPLOY_ENV":"staging"}' | buildkite-agent env set --input-format json -`,
  args: [{ name: "assignment", variadic: true, description: "NAME=value pairs, or `-` for stdin" }],
  settings: defineSettings([
    ...globalSettings,
    {
      name: "input-format",
      type: "string",
      env: ["BUILDKITE_AGENT_ENV_SET_INPUT_FORMAT"],
      default: "plain",
      choices: ["plain", "json"],
      description: "How stdin is read: `plain` (NAME=value lines) or `json` (an object of strings)",
    },
    outputFormatSetting("BUILDKITE_AGENT_ENV_SET_OUTPUT_FORMAT"),
  ]),
});

export const envUnsetCommand = defineCommand({
  path: ["env", "unset"],
  summary: "Remove variables from the running job's environment",
  description: `Removes variables from the job's environment through the Job API, for the job's
later hooks and phases. Each argument is a name, or \`-\` to read names from stdin
(one per line, or a JSON array with --input-format json). Protected variables
can't be removed.

Example:

    $ buildkite-agent env unset DEPLOY_ENV RELEASE_NAME`,
  args: [{ name: "name", variadic: true, description: "Variable names, or `-` for stdin" }],
  settings: defineSettings([
    ...globalSettings,
    {
      name: "input-format",
      type: "string",
      env: ["BUILDKITE_AGENT_ENV_UNSET_INPUT_FORMAT"],
      default: "plain",
      choices: ["plain", "json"],
      description: "How stdin is read: `plain` (a name per line) or `json` (an array of strings)",
    },
    outputFormatSetting("BUILDKITE_AGENT_ENV_UNSET_OUTPUT_FORMAT"),
  ]),
});
