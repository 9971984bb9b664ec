import { defineCommand, defineSettings } from "../setting.js";
import { globalSettings } from "./shared.js";

export const workdirSetCommand = defineCommand({
  path: ["workdir", "set"],
  summary: "Change the working directory for the rest of the job",
  description: `Sets the directory the job's later hooks and command run in, through the Job
API. Meant for binary and non-shell hooks, whose own \`cd\` is lost when they
exit; shell hooks can just \`cd\`. A relative path is taken from the current
directory, and it must be an existing directory.

Example:

    $ buildkite-agent workdir set ./services/api`,
  args: [{ name: "dir", required: true, description: "The new working directory" }],
  settings: defineSettings([
    ...globalSettings,
    {
      name: "output-format",
      type: "string",
      env: ["BUILDKITE_AGENT_WORKDIR_SET_OUTPUT_FORMAT"],
      default: "plain",
      choices: ["plain", "json", "quiet"],
      description: "How to report the new directory: `plain`, `json` or `quiet` (nothing)",
    },
  ]),
});
