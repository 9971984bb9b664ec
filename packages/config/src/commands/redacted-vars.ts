import { defineSetting } from "../setting.js";

/**
 * `--redacted-vars`: glob patterns (Go `path.Match`, case-sensitive, whole name)
 * of env var names whose values are secrets. Shared by `start`, `bootstrap` and
 * the job commands that redact before sending (logs-and-redaction.md §4.2, §4.4).
 * An empty env var (`BUILDKITE_REDACTED_VARS=""`) turns env-based redaction off.
 */
export const redactedVarsSetting = defineSetting({
  name: "redacted-vars",
  type: "list",
  env: ["BUILDKITE_REDACTED_VARS"],
  default: [
    "*_PASSWORD",
    "*_SECRET",
    "*_TOKEN",
    "*_PRIVATE_KEY",
    "*_SSH_KEY",
    "*_ACCESS_KEY",
    "*_SECRET_KEY",
    "*_CONNECTION_STRING",
    "*_API_KEY",
  ],
  description: "Patterns of environment variable names whose values are secrets, to be redacted from output",
});
