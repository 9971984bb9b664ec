import { TERMINAL_STATES } from "./job-states.js";
import { cancelJob } from "./job-transitions.js";
import type { ServerCore } from "./server-core.js";
import type { BuildRecord } from "./store.js";

/**
 * Cancels a build: jobs no agent holds end at once, held ones become `canceling`
 * (their agents find out by polling); the build is `canceled` when none is left.
 */
export function cancelBuild(core: ServerCore, build: BuildRecord): void {
  if (build.state !== "running") return;
  build.state = "canceling";
  core.store.builds.set(build.id, build);
  for (const job of [...core.store.jobs.values()]) {
    if (job.buildId === build.id && !TERMINAL_STATES.has(job.state)) cancelJob(core, job);
  }
  const open = [...core.store.jobs.values()].some((job) => job.buildId === build.id && !TERMINAL_STATES.has(job.state));
  if (!open) {
    build.state = "canceled";
    core.store.builds.set(build.id, build);
  }
  core.emit("build.canceled", { buildId: build.id });
}
