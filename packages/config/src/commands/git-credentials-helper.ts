import { defineCommand, defineSettings } from "../setting.js";
import { agentAccessTokenSetting, endpointSetting, globalSettings, noHttp2Setting } from "./shared.js";

export const gitCredentialsHelperCommand = defineCommand({
  path: ["git-credentials-helper"],
  summary: "Give git credentials for a job's HTTPS checkout (used internally)",
  description: `A git credential helper: for the \`get\` action it reads git's request on stdin
and, for an https remote, asks Buildkite for a token for the job's repository,
printing it in git's credential format. Other actions do nothing. Not meant to
be run by hand.

Exits 1 after printing placeholder credentials when Buildkite can't be asked.

Example:

    $ git -c credential.helper="buildkite-agent git-credentials-helper" clone https://github.com/acme/app.git`,
  args: [{ name: "action", description: "The git credential action: `get`, `store` or `erase`" }],
  settings: defineSettings([
    ...globalSettings,
    {
      name: "job-id",
      type: "string",
      env: ["BUILDKITE_JOB_ID"],
      required: true,
      description: "The job to get repository credentials for",
    },
    agentAccessTokenSetting,
    endpointSetting,
    // No --debug-http or --trace-http: they could log the repository token.
    noHttp2Setting,
  ]),
});
