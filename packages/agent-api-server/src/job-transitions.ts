import { AgentApiServerError, HttpError } from "./errors.js";
import { agentMatchesRules, dependenciesSatisfied } from "./dispatch.js";
import { ACTIVE_STATES, TERMINAL_STATES } from "./job-states.js";
import type { ServerCore } from "./server-core.js";
import type { AgentRecord, JobRecord, JobState } from "./store.js";

function illegal(job: JobRecord, action: string): AgentApiServerError {
  const reason = TERMINAL_STATES.has(job.state) ? `it is already ${job.state}` : `it is ${job.state}`;
  return new AgentApiServerError("SERVER_TRANSITION", `Job ${job.id} can't be ${action} because ${reason}`);
}

/** A ping hands the job to `agent`. */
export function assignJob(core: ServerCore, job: JobRecord, agent: AgentRecord): void {
  const from = job.state;
  job.state = "assigned";
  job.agentId = agent.id;
  core.saveJob(job, from);
  core.emit("job.assigned", { jobId: job.id, agentId: agent.id });
}

/**
 * `PUT jobs/{id}/accept`. Only the agent the job was offered to may accept it. A
 * repeated accept by that agent answers the job again (the agent retries accept
 * after a network error, when the first one may have landed).
 */
export function acceptJob(core: ServerCore, job: JobRecord, agent: AgentRecord): void {
  if (job.agentId === agent.id && job.state === "accepted") return;
  if (job.state !== "assigned" || job.agentId !== agent.id) {
    throw new AgentApiServerError(
      "SERVER_TRANSITION",
      job.state === "assigned" || job.state === "scheduled"
        ? `Job ${job.id} was not assigned to this agent`
        : `Job ${job.id} can't be accepted because it is ${job.state}`,
    );
  }
  const from = job.state;
  job.state = "accepted";
  job.acceptedAt = core.now();
  core.saveJob(job, from);
  core.emit("job.accepted", { jobId: job.id, agentId: agent.id });
}

/**
 * `PUT jobs/{id}/acquire` (acquire-job mode): 423 while a dependency is unfinished,
 * 422 when the job is taken, over, or not for this agent's tags.
 */
export function acquireJob(core: ServerCore, job: JobRecord, agent: AgentRecord): void {
  const mine = job.agentId === agent.id;
  if (!(job.state === "scheduled" || (job.state === "assigned" && mine))) {
    throw new AgentApiServerError("SERVER_TRANSITION", `Job ${job.id} can't be acquired because it is ${job.state}`);
  }
  if (!agentMatchesRules(job.step.agents, agent.metaData)) {
    throw new AgentApiServerError("SERVER_TRANSITION", `Job ${job.id} can't be acquired: this agent's tags don't match its agent query rules`);
  }
  if (!dependenciesSatisfied(core, job)) {
    throw new HttpError(423, `Job ${job.id} is waiting on its dependencies; try again later`);
  }
  const from = job.state;
  job.state = "accepted";
  job.agentId = agent.id;
  job.acceptedAt = core.now();
  core.saveJob(job, from);
  core.emit("job.accepted", { jobId: job.id, agentId: agent.id });
}

/**
 * `PUT jobs/{id}/start`. A job cancelled between accept and start stays
 * `canceling` (or `timing_out`): the agent starts it, polls, and stops it.
 */
export function startJob(core: ServerCore, job: JobRecord, startedAt: number): void {
  if (job.state === "canceling" || job.state === "timing_out") {
    if (job.startedAt === undefined) job.startedAt = startedAt;
    core.saveJob(job, job.state);
    core.emit("job.started", { jobId: job.id });
    return;
  }
  if (job.state !== "accepted") throw illegal(job, "started");
  const from = job.state;
  job.state = "running";
  job.startedAt = startedAt;
  core.saveJob(job, from);
  core.emit("job.started", { jobId: job.id });
}

/** What the agent reports at the end. */
export interface FinishReport {
  readonly exitStatus: number;
  readonly signal: string | undefined;
  readonly signalReason: string | undefined;
  readonly finishedAt: number;
  readonly chunksFailedCount: number;
}

/**
 * `PUT jobs/{id}/finish`: `running` → `finished`, `canceling` → `canceled`,
 * `timing_out` → `timed_out`. Anything else (finishing twice, finishing a job
 * never started) is illegal, which the agent reads as "stop retrying".
 */
export function finishJob(core: ServerCore, job: JobRecord, report: FinishReport): void {
  const to = endStateFor(job.state);
  if (to === undefined) throw illegal(job, "finished");
  job.exitStatus = report.exitStatus;
  job.signal = report.signal;
  job.signalReason = report.signalReason;
  job.chunksFailedCount = report.chunksFailedCount;
  finalise(core, job, to, report.finishedAt);
}

function endStateFor(state: JobState): JobState | undefined {
  if (state === "running") return "finished";
  if (state === "canceling") return "canceled";
  if (state === "timing_out") return "timed_out";
  return undefined;
}

/**
 * Cancels a job: one no agent holds yet ends `canceled` at once; one an agent holds
 * becomes `canceling`, which the agent discovers by polling `GET jobs/{id}`.
 */
export function cancelJob(core: ServerCore, job: JobRecord): void {
  if (job.state === "canceling") return;
  if (TERMINAL_STATES.has(job.state)) throw illegal(job, "canceled");
  if (job.state === "scheduled" || job.state === "assigned") {
    finalise(core, job, "canceled", core.now());
    return;
  }
  const from = job.state;
  job.state = "canceling";
  core.saveJob(job, from);
}

/** Times a held job out: `timing_out`, which the agent treats as a cancel with the timeout marker. */
export function timeOutJob(core: ServerCore, job: JobRecord): void {
  if (job.state !== "running" && job.state !== "accepted") throw illegal(job, "timed out");
  const from = job.state;
  job.state = "timing_out";
  core.saveJob(job, from);
}

/**
 * The jobs of an agent marked lost: an offered job goes back to the queue; a held
 * job ends with exit status -1 and no signal reason, which is how Buildkite shows
 * "agent lost" (the retry rule for it is `exit_status: -1, signal_reason: none`).
 */
export function releaseLostAgentJobs(core: ServerCore, agent: AgentRecord): string[] {
  const affected = requeueOfferedJobs(core, agent);
  for (const job of core.store.jobs.values()) {
    if (job.agentId !== agent.id || !ACTIVE_STATES.has(job.state)) continue;
    const to = job.state === "canceling" ? "canceled" : job.state === "timing_out" ? "timed_out" : "finished";
    job.exitStatus = -1;
    job.signal = undefined;
    job.signalReason = undefined;
    finalise(core, job, to, core.now());
    affected.push(job.id);
  }
  return affected;
}

/** Offered-but-not-accepted jobs of an agent that disconnected (or was lost) go back to the queue; returns their ids. */
export function requeueOfferedJobs(core: ServerCore, agent: AgentRecord): string[] {
  const requeued: string[] = [];
  for (const job of core.store.jobs.values()) {
    if (job.agentId === agent.id && job.state === "assigned") {
      job.agentId = undefined;
      job.state = "scheduled";
      core.saveJob(job, "assigned");
      requeued.push(job.id);
    }
  }
  return requeued;
}

function finalise(core: ServerCore, job: JobRecord, to: JobState, finishedAt: number): void {
  const from = job.state;
  job.state = to;
  job.finishedAt = finishedAt;
  core.saveJob(job, from);
  core.emit("job.finished", {
    jobId: job.id,
    state: to,
    exitStatus: job.exitStatus,
    signal: job.signal,
    signalReason: job.signalReason,
    chunksFailedCount: job.chunksFailedCount,
  });
  const build = core.store.builds.get(job.buildId);
  if (build?.state === "canceling") {
    for (const other of core.store.jobs.values()) {
      if (other.buildId === build.id && !TERMINAL_STATES.has(other.state)) return;
    }
    build.state = "canceled";
    core.store.builds.set(build.id, build);
  }
}
