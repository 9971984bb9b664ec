import { defineCommand, defineSettings } from "../setting.js";
import { jobSetting } from "./job-flags.js";
import { redactedVarsSetting } from "./redacted-vars.js";
import { apiSettings, globalSettings } from "./shared.js";

export const jobUpdateCommand = defineCommand({
  path: ["job", "update"],
  summary: "Change an attribute of a job",
  description: `Changes an attribute of a command job that has not finished, such as its
timeout. The value is the second argument, or stdin when omitted; secrets from
the environment are redacted from it first.

Example:

    $ buildkite-agent job update timeout 45`,
  args: [
    { name: "attribute", required: true, missingLabel: "attribute", description: "The attribute to change" },
    { name: "value", description: "Its new value; read from stdin when omitted" },
  ],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    jobSetting({ required: true, description: "The job to change; the current one by default" }),
    redactedVarsSetting,
  ]),
});

export const jobPromiseFailureCommand = defineCommand({
  path: ["job", "promise-failure"],
  summary: "Declare that the current job will fail",
  description: `Tells Buildkite now that the current job will finish with this non-zero exit
status, so the build can start failing before the job ends. The promise stands:
if the job later reports success (or a soft failure where a hard one was
promised), the promised status is recorded instead. Calling it again with the
same status does nothing; a different status is refused. The job ID always
comes from BUILDKITE_JOB_ID.

Exits 1 when the promise is not accepted (the job is no longer running, or
another status was promised); add \`|| true\` to ignore that.

Example:

    $ buildkite-agent job promise-failure 1 --reason "3 integration tests failed"`,
  args: [{ name: "exit-status", required: true, missingLabel: "exit status", description: "The exit status the job will fail with, above 0" }],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    {
      name: "reason",
      type: "string",
      env: [],
      description: "Why the job will fail, shown to people",
    },
    redactedVarsSetting,
  ]),
  hidden: true,
});
