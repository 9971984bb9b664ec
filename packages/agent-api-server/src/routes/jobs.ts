import { objectBody, optionalBoolean, optionalInteger, optionalString, type JsonObject } from "../body-fields.js";
import { HttpError } from "../errors.js";
import { jobJson } from "../job-json.js";
import { ACTIVE_STATES } from "../job-states.js";
import { acceptJob, acquireJob, finishJob, startJob } from "../job-transitions.js";
import type { Handler } from "../route-context.js";

/** Job life cycle: accept/acquire, start, state poll, finish, update, promise failure. */
export const jobHandlers = {
  "jobs.accept": async (ctx) => {
    const job = ctx.job();
    acceptJob(ctx.core, job, ctx.agent());
    return { status: 200, body: jobJson(ctx.core, job) };
  },

  "jobs.acquire": async (ctx) => {
    const job = ctx.job();
    acquireJob(ctx.core, job, ctx.agent());
    return { status: 200, body: jobJson(ctx.core, job) };
  },

  "jobs.start": async (ctx) => {
    const job = ctx.job();
    const body = objectBody(await ctx.json());
    startJob(ctx.core, job, time(body, "started_at") ?? ctx.core.now());
    return { status: 200, body: jobJson(ctx.core, job) };
  },

  "jobs.state": async (ctx) => ({ status: 200, body: { state: ctx.job().state } }),

  "jobs.finish": async (ctx) => {
    const { core } = ctx;
    const job = ctx.job();
    const body = objectBody(await ctx.json());
    const report = {
      exitStatus: exitStatus(body),
      signal: optionalString(body, "signal") || undefined,
      signalReason: optionalString(body, "signal_reason") || undefined,
      finishedAt: time(body, "finished_at") ?? core.now(),
      chunksFailedCount: optionalInteger(body, "chunks_failed_count", 0, Number.MAX_SAFE_INTEGER) ?? 0,
    };
    const ignore = optionalBoolean(body, "ignore_agent_in_dispatches") ?? false;
    finishJob(core, job, report);
    if (ignore && job.agentId !== undefined) {
      // --disconnect-after-job: the server must not offer this agent another job.
      const agent = core.store.agents.get(job.agentId);
      if (agent !== undefined) {
        agent.ignoreInDispatches = true;
        core.store.agents.set(agent.id, agent);
      }
    }
    return { status: 200, body: jobJson(core, job) };
  },

  "jobs.update": async (ctx) => {
    const job = ctx.job();
    const body = objectBody(await ctx.json());
    const entries = Object.entries(body);
    if (entries.length === 0) throw new HttpError(422, "Give at least one job attribute to update");
    for (const [name, value] of entries) {
      if (typeof value !== "string") throw new HttpError(422, `${name} must be a string`);
      job.updates[name] = value;
    }
    ctx.core.store.jobs.set(job.id, job);
    ctx.core.emit("job.updated", { jobId: job.id, attributes: entries.map(([name]) => name) });
    return { status: 200, body: { id: job.id } };
  },

  "jobs.promise_failure": async (ctx) => {
    const job = ctx.job();
    const body = objectBody(await ctx.json());
    const status = body["exit_status"];
    if (typeof status !== "number" || !Number.isInteger(status) || status === 0) {
      throw new HttpError(422, "exit_status must be a non-zero integer");
    }
    if (!ACTIVE_STATES.has(job.state)) throw new HttpError(422, `Job ${job.id} is ${job.state}; only a running job can promise failure`);
    job.promisedFailure = { exitStatus: status, reason: optionalString(body, "reason") };
    ctx.core.store.jobs.set(job.id, job);
    ctx.core.emit("job.failure_promised", { jobId: job.id, exitStatus: status });
    return { status: 204 };
  },
} satisfies Record<string, Handler>;

/** `exit_status` is a decimal string on the wire ("-1"); an integer is tolerated. */
function exitStatus(body: JsonObject): number {
  const value = body["exit_status"];
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d{1,10}$/.test(value)) return Number(value);
  if (value === undefined || value === null || value === "") throw new HttpError(422, "exit_status can't be blank");
  throw new HttpError(422, 'exit_status must be a decimal integer string such as "0" or "-1"');
}

function time(body: JsonObject, name: string): number | undefined {
  const text = optionalString(body, name);
  if (text === undefined || text === "") return undefined;
  const ms = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\dT/.test(text) || Number.isNaN(ms)) throw new HttpError(422, `${name} must be an RFC 3339 time`);
  return ms;
}
