import { ACTIVE_STATES } from "./job-states.js";
import { cancelJob } from "./job-transitions.js";
import type { ServerCore } from "./server-core.js";
import type { AgentRecord } from "./store.js";

/**
 * Makes the agent's next ping answer `disconnect`. A forced stop does not wait for
 * the running job: it is cancelled, as the agent itself does on an ungraceful stop.
 */
export function stopAgent(core: ServerCore, agent: AgentRecord, force: boolean): void {
  agent.stopRequested = { force };
  core.store.agents.set(agent.id, agent);
  if (force) {
    for (const job of core.store.jobs.values()) {
      if (job.agentId === agent.id && ACTIVE_STATES.has(job.state)) cancelJob(core, job);
    }
  }
  core.emit("agent.stop_requested", { agentId: agent.id, force });
}

/** Makes the agent's pings answer `pause` until resumed or, with a timeout, until it passes. */
export function pauseAgent(
  core: ServerCore,
  agent: AgentRecord,
  note: string | undefined,
  timeoutInMinutes: number | undefined,
): void {
  agent.paused = {
    note,
    until: timeoutInMinutes === undefined || timeoutInMinutes === 0 ? undefined : core.now() + timeoutInMinutes * 60_000,
  };
  core.store.agents.set(agent.id, agent);
  core.emit("agent.paused", { agentId: agent.id, note, timeoutInMinutes });
}

/** Ends a pause. */
export function resumeAgent(core: ServerCore, agent: AgentRecord): void {
  agent.paused = undefined;
  core.store.agents.set(agent.id, agent);
  core.emit("agent.resumed", { agentId: agent.id });
}
