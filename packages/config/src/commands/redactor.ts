import { defineCommand, defineSettings } from "../setting.js";
import { redactedVarsSetting } from "./redacted-vars.js";
import { apiSettings, globalSettings } from "./shared.js";

export const redactorAddCommand = defineCommand({
  path: ["redactor", "add"],
  summary: "Hide more values from the job's log",
  description: `Adds secrets to the job's log redactor through the Job API, so later output
shows [REDACTED] in their place. Use it for secrets fetched during the job
(those from \`secret get\` are already added). The input is the file given, or
stdin: with \`--format none\` all of it, trimmed, is one secret; with
\`--format json\` it is an object whose string values are each a secret.

Example:

    $ vault read -field=password secret/db | buildkite-agent redactor add
    $ buildkite-agent redactor add --format json secrets.json`,
  args: [{ name: "file", description: "The file holding the secrets; stdin when omitted" }],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    {
      name: "format",
      type: "string",
      env: ["BUILDKITE_AGENT_REDACT_ADD_FORMAT"],
      default: "none",
      choices: ["none", "json"],
      description: "How to read the input: `none` (it is one secret) or `json` (an object of secrets)",
    },
    {
      name: "apply-vars-filter",
      type: "bool",
      env: ["BUILDKITE_AGENT_REDACT_VARS_FILTER"],
      description: "With `--format json`, keep only values of at least 6 bytes whose key matches --redacted-vars",
    },
    redactedVarsSetting,
  ]),
});
