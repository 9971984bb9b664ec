import { defineCommand, defineSettings } from "../setting.js";
import { jobSetting } from "./job-flags.js";
import { apiSettings, globalSettings } from "./shared.js";

export const oidcRequestTokenCommand = defineCommand({
  path: ["oidc", "request-token"],
  summary: "Print an OIDC token for the job",
  description: `Asks Buildkite for an OpenID Connect token that identifies the job (its
pipeline, build, step, …) to a cloud provider, and prints it. The token is
added to the job's log redactor first, which needs the Job API unless
--skip-redaction. With \`--format gcp\` it prints the JSON that Google Cloud's
workload identity federation expects.

Example:

    $ buildkite-agent oidc request-token --audience sts.amazonaws.com --lifetime 900`,
  args: [],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    {
      name: "audience",
      type: "string",
      env: [],
      description: "Who will accept the token (the `aud` claim); Buildkite picks a default when empty",
    },
    {
      name: "lifetime",
      type: "int",
      env: [],
      minimum: 0,
      description: "Seconds until the token expires; Buildkite's default when 0",
    },
    jobSetting({ required: true, description: "The job the token is for" }),
    {
      name: "subject-claim",
      type: "string",
      env: ["BUILDKITE_OIDC_TOKEN_SUBJECT_CLAIM"],
      description: "A fixed claim to use as the token's subject (e.g. `pipeline_id`) instead of the default compound one",
    },
    {
      name: "claim",
      type: "list",
      env: ["BUILDKITE_OIDC_TOKEN_CLAIMS"],
      description: "Optional claims to add to the token",
    },
    {
      name: "aws-session-tag",
      type: "list",
      env: ["BUILDKITE_OIDC_TOKEN_AWS_SESSION_TAGS"],
      description: "Claims to add as AWS session tags",
    },
    {
      name: "skip-redaction",
      type: "bool",
      env: ["BUILDKITE_AGENT_OIDC_REQUEST_TOKEN_SKIP_TOKEN_REDACTION"],
      description: "Don't add the token to the log redactor (it will show in the log if printed there)",
    },
    {
      name: "format",
      type: "string",
      env: [],
      default: "jwt",
      choices: ["jwt", "gcp"],
      description: "`jwt` prints the bare token, `gcp` the JSON for Google Cloud workload identity federation",
    },
  ]),
});
