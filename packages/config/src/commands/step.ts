import { defineCommand, defineSettings } from "../setting.js";
import { buildSetting, stepSetting } from "./job-flags.js";
import { redactedVarsSetting } from "./redacted-vars.js";
import { apiSettings, globalSettings } from "./shared.js";

const targetStepSetting = stepSetting({ required: true, description: "The step's ID or key; the current step by default" });

const stepBuildDescription = "The build the step is in; only needed to find a step by its key";

export const stepGetCommand = defineCommand({
  path: ["step", "get"],
  summary: "Print an attribute of a step",
  description: `Prints one attribute of a step, or the whole step when no attribute is given.
Objects and arrays need \`--format json\`.

Example:

    $ buildkite-agent step get state --step integration-tests
    $ buildkite-agent step get --format json`,
  args: [{ name: "attribute", description: "The attribute to print; the whole step when omitted" }],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    targetStepSetting,
    buildSetting({ description: stepBuildDescription }),
    {
      name: "format",
      type: "string",
      env: ["BUILDKITE_STEP_GET_FORMAT"],
      description: "How to print the value; only `json` is supported",
    },
  ]),
});

export const stepUpdateCommand = defineCommand({
  path: ["step", "update"],
  summary: "Change an attribute of a step",
  description: `Changes an attribute of a step of the build, such as its label or priority. The
value is the second argument, or stdin when omitted; secrets from the
environment are redacted from it first. Relabelling a running step can leave a
commit status behind under the old label.

Example:

    $ buildkite-agent step update label ":rocket: Deploying to staging"
    $ buildkite-agent step update notify '[{"slack": "acme#deploys"}]' --append`,
  args: [
    { name: "attribute", required: true, missingLabel: "attribute", description: "The attribute to change" },
    { name: "value", description: "Its new value; read from stdin when omitted" },
  ],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    targetStepSetting,
    buildSetting({ description: stepBuildDescription }),
    {
      name: "append",
      type: "bool",
      env: ["BUILDKITE_STEP_UPDATE_APPEND"],
      description: "Add to the attribute's current value instead of replacing it",
    },
    redactedVarsSetting,
  ]),
});

export const stepCancelCommand = defineCommand({
  path: ["step", "cancel"],
  summary: "Cancel a step's unfinished jobs",
  description: `Cancels every unfinished job of a step. Jobs get to finish uploading their
artifacts first; with --force they are marked cancelled after
--force-grace-period-seconds instead.

Example:

    $ buildkite-agent step cancel --step flaky-tests --force --force-grace-period-seconds 30`,
  args: [],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    targetStepSetting,
    buildSetting({ hidden: true, description: stepBuildDescription }),
    {
      name: "force",
      type: "bool",
      env: ["BUILDKITE_STEP_CANCEL_FORCE"],
      description: "Mark the jobs cancelled without waiting for their artifact uploads",
    },
    {
      name: "force-grace-period-seconds",
      type: "int",
      env: ["BUILDKITE_STEP_CANCEL_FORCE_GRACE_PERIOD_SECONDS", "BUILDKITE_CANCEL_GRACE_PERIOD"],
      default: 10,
      description: "With --force, seconds to give the jobs' artifact uploads before marking them cancelled",
    },
  ]),
});
