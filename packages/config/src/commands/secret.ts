import { defineCommand, defineSettings } from "../setting.js";
import { jobSetting } from "./job-flags.js";
import { apiSettings, globalSettings } from "./shared.js";

export const secretGetCommand = defineCommand({
  path: ["secret", "get"],
  summary: "Print Buildkite secrets",
  description: `Fetches secrets by key (case-insensitive) from Buildkite and prints them. One key
prints just its value; several print a JSON object; \`--format env\` prints
KEY='value' lines for a shell. The values are added to the job's log redactor
first, which needs the Job API unless --skip-redaction.

Exits 1 when any secret can't be fetched, after listing the failures.

Example:

    $ export DEPLOY_KEY="$(buildkite-agent secret get deploy_key)"
    $ eval "$(buildkite-agent secret get --format env npm_token github_token)"`,
  args: [{ name: "key", required: true, variadic: true, description: "Keys of the secrets to fetch" }],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    jobSetting({ required: true, description: "The job the secrets are for" }),
    {
      name: "format",
      type: "string",
      env: ["BUILDKITE_AGENT_SECRET_GET_FORMAT"],
      default: "default",
      choices: ["default", "json", "env"],
      description: "`default` (a lone value, or JSON for several keys), `json` or `env`",
    },
    {
      name: "skip-redaction",
      type: "bool",
      env: ["BUILDKITE_AGENT_SECRET_GET_SKIP_SECRET_REDACTION"],
      description: "Don't add the values to the log redactor (they will show in the log if printed there)",
    },
  ]),
});
