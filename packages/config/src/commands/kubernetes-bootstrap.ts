import { defineCommand, defineSettings } from "../setting.js";
import { jobContextDirSetting } from "./executor-settings.js";
import { harnessGlobalSettings } from "./shared.js";

export const kubernetesBootstrapCommand = defineCommand({
  path: ["kubernetes-bootstrap"],
  summary: "Run a job's part in one container of a Kubernetes pod (used internally)",
  description: `Used by agent-stack-k8s in each container of a job's pod: connects to the
agent's socket in the job context directory, receives the job's environment,
then runs the bootstrap for this container. Not meant to be run by hand.

Example:

    $ BUILDKITE_CONTAINER_ID=1 buildkite-agent kubernetes-bootstrap`,
  args: [],
  settings: defineSettings([
    {
      name: "kubernetes-container-id",
      type: "int",
      env: ["BUILDKITE_CONTAINER_ID"],
      description: "For agent-stack-k8s only: the number identifying this container within the pod",
    },
    jobContextDirSetting,
    {
      name: "kubernetes-bootstrap-connection-timeout",
      type: "duration",
      env: ["BUILDKITE_KUBERNETES_BOOTSTRAP_CONNECTION_TIMEOUT"],
      // 0 means the command's own limit of 120s (clicommand/kubernetes_bootstrap.go).
      description: "For agent-stack-k8s only: how long to keep trying to connect to the agent; 2 minutes when 0",
    },
    ...harnessGlobalSettings,
  ]),
});
