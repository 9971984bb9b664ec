import { defineCommand } from "../setting.js";

export const acknowledgementsCommand = defineCommand({
  path: ["acknowledgements"],
  summary: "Print the licences of the open source software in this program",
  description: `Prints the licences and notices of the open source software this program
includes.

Example:

    $ buildkite-agent acknowledgements | less`,
  args: [],
  // None, not even the global flags (clicommand/acknowledgements.go).
  settings: [],
});
