import { defineCommand, defineSettings } from "../setting.js";
import { apiSettings, globalSettings } from "./shared.js";

/**
 * `pause`, `resume` and `stop`: run from a job, they act on the agent running it,
 * which the access token identifies (clicommand/agent_pause.go, agent_resume.go,
 * agent_stop.go).
 */

export const pauseCommand = defineCommand({
  path: ["pause"],
  summary: "Pause the agent running this job",
  description: `Pauses the agent that runs the current job: it finishes this job, then takes no
more until resumed, or until --timeout-in-minutes passes.

Example:

    $ buildkite-agent pause --note "disk full, cleaning up" --timeout-in-minutes 30`,
  args: [],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    {
      name: "note",
      type: "string",
      env: ["BUILDKITE_AGENT_PAUSE_NOTE"],
      description: "Why the agent is paused, shown in Buildkite",
    },
    {
      name: "timeout-in-minutes",
      type: "int",
      env: ["BUILDKITE_AGENT_PAUSE_TIMEOUT_MINUTES"],
      description: "Minutes after which the agent resumes by itself",
    },
  ]),
});

export const resumeCommand = defineCommand({
  path: ["resume"],
  summary: "Resume the agent running this job",
  description: `Lets a paused agent take jobs again.

Example:

    $ buildkite-agent resume`,
  args: [],
  settings: defineSettings([...globalSettings, ...apiSettings]),
});

export const stopCommand = defineCommand({
  path: ["stop"],
  summary: "Stop the agent running this job",
  description: `Asks the agent that runs the current job to stop: by default once its running
job has finished; with --force it cancels that job first.

Example:

    $ buildkite-agent stop --force`,
  args: [],
  settings: defineSettings([
    ...globalSettings,
    ...apiSettings,
    {
      name: "force",
      type: "bool",
      env: [],
      description: "Cancel the running job instead of waiting for it to finish",
    },
  ]),
});
