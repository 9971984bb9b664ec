import { defineCommand, defineSettings } from "../setting.js";
import { buildSetting } from "./job-flags.js";
import { apiSettings, globalSettings } from "./shared.js";

export const buildCancelCommand = defineCommand({
  path: ["build", "cancel"],
  summary: "Cancel a build",
  description: `Cancels a running build, the current one unless --build names another.

Example:

    $ buildkite-agent build cancel`,
  args: [],
  settings: defineSettings([...globalSettings, ...apiSettings, buildSetting({ required: true, description: "The ID of the build to cancel" })]),
});
