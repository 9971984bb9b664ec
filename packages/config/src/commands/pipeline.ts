import { defineCommand, defineSettings } from "../setting.js";
import { jobSetting } from "./job-flags.js";
import { redactedVarsSetting } from "./redacted-vars.js";
import { apiSettings, globalSettings } from "./shared.js";
import { pipelineSigningSettings } from "./signing-settings.js";

export const pipelineUploadCommand = defineCommand({
  path: ["pipeline", "upload"],
  summary: "Add steps to the running build",
  description: `Reads pipeline steps (YAML or JSON), interpolates environment variables into
them and adds them to the build after the current job. The steps come from the
files given, else from stdin when it is piped, else from the one file present
among buildkite.yml, buildkite.yaml, buildkite.json and the same names under
.buildkite/ (pipeline.yml, …) and buildkite/. Steps with \`if_changed\` are
skipped when no file they name changed. A file may hold at most 500 steps.

Exits 1 when the pipeline can't be read or parsed, or the upload fails.

Example:

    $ buildkite-agent pipeline upload .buildkite/deploy.yml
    $ ./bin/generate-steps | buildkite-agent pipeline upload --replace`,
  args: [{ name: "file", variadic: true, description: "Pipeline files to upload, each on its own" }],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    {
      name: "replace",
      type: "bool",
      env: ["BUILDKITE_PIPELINE_REPLACE"],
      description: "Replace the build's steps that have not started with the uploaded ones",
    },
    // Only needed for a real upload; --dry-run works without it.
    jobSetting({ description: "The job adding the steps; the current one by default" }),
    {
      name: "dry-run",
      type: "bool",
      env: ["BUILDKITE_PIPELINE_UPLOAD_DRY_RUN"],
      description: "Print the processed pipeline instead of uploading it",
    },
    {
      name: "format",
      type: "string",
      env: ["BUILDKITE_PIPELINE_UPLOAD_DRY_RUN_FORMAT"],
      default: "json",
      // No choices: the real agent checks it (json or yaml) only with --dry-run.
      description: "With --dry-run, print the pipeline as `json` or `yaml`",
    },
    {
      name: "no-interpolation",
      type: "bool",
      env: ["BUILDKITE_PIPELINE_NO_INTERPOLATION"],
      description: "Leave `$VAR` references in the pipeline as they are",
    },
    {
      name: "reject-secrets",
      type: "bool",
      env: ["BUILDKITE_AGENT_PIPELINE_UPLOAD_REJECT_SECRETS"],
      description: "Fail, rather than warn, when the pipeline contains a secret value",
    },
    {
      name: "reject-parse-warnings",
      type: "bool",
      env: ["BUILDKITE_AGENT_PIPELINE_UPLOAD_REJECT_PARSE_WARNINGS"],
      description: "Fail, rather than log, when parsing or interpolating the pipeline gives warnings",
    },
    {
      name: "apply-if-changed",
      type: "bool",
      // The second name is the flag's older one.
      env: ["BUILDKITE_AGENT_APPLY_IF_CHANGED", "BUILDKITE_AGENT_APPLY_SKIP_IF_UNCHANGED"],
      // A BoolT flag: on unless --apply-if-changed=false.
      default: true,
      description: "Skip steps whose `if_changed` globs match none of the build's changed files; set to false to keep them all",
    },
    {
      name: "git-diff-base",
      type: "string",
      env: ["BUILDKITE_GIT_DIFF_BASE"],
      description:
        "What to diff against to find changed files; by default origin/<pull request base branch>, " +
        "else origin/<pipeline default branch>, else origin/main",
    },
    {
      name: "fetch-diff-base",
      type: "bool",
      env: ["BUILDKITE_FETCH_DIFF_BASE"],
      description: "Fetch the diff base before diffing",
    },
    {
      name: "changed-files-path",
      type: "string",
      env: ["BUILDKITE_CHANGED_FILES_PATH"],
      description: "A file listing the changed files, one per line, to use instead of asking git",
    },
    ...pipelineSigningSettings,
    redactedVarsSetting,
  ]),
});
