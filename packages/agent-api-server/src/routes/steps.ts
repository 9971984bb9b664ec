import { authorizeBuild } from "../auth.js";
import { objectBody, optionalBoolean, optionalInteger, optionalString, requiredString, type JsonObject } from "../body-fields.js";
import { HttpError } from "../errors.js";
import { TERMINAL_STATES } from "../job-states.js";
import { cancelJob } from "../job-transitions.js";
import type { Handler, RouteContext } from "../route-context.js";
import type { BuildRecord, JobRecord } from "../store.js";

/** `step get|update|cancel` on a step named by key or id within a build. */
export const stepHandlers = {
  "steps.export": async (ctx) => {
    const body = objectBody(await ctx.json(), true);
    const format = optionalString(body, "format") || "json";
    if (format !== "json") throw new HttpError(422, `format "${format.slice(0, 20)}" is not supported by this server; use json`);
    const jobs = stepJobs(ctx, body);
    const step = jobs[0]!.step;
    const attribute = optionalString(body, "attribute");
    if (attribute === undefined || attribute === "") return { status: 200, body: { output: JSON.stringify(step.attributes) } };
    const value = attribute === "label" ? step.label : step.attributes[attribute];
    if (value === undefined) throw new HttpError(404, `Step has no attribute "${attribute.slice(0, 60)}"`);
    return { status: 200, body: { output: typeof value === "string" ? value : JSON.stringify(value) } };
  },

  "steps.update": async (ctx) => {
    const { core } = ctx;
    const body = objectBody(await ctx.json());
    const attribute = requiredString(body, "attribute");
    const value = optionalString(body, "value");
    if (value === undefined) throw new HttpError(422, "value must be a string");
    if (attribute !== "label") throw new HttpError(422, `Attribute "${attribute.slice(0, 60)}" can't be updated; only label can`);
    const append = optionalBoolean(body, "append") ?? false;
    const jobs = stepJobs(ctx, body);
    const idempotency = optionalString(body, "idempotency_uuid");
    // The agent keeps the uuid across retries: an update that already landed must not append twice.
    if (idempotency !== undefined && core.stepUpdates.has(idempotency)) return { status: 200, body: {} };
    if (idempotency !== undefined) core.stepUpdates.add(idempotency);
    const label = append ? (jobs[0]!.step.label ?? "") + value : value;
    for (const job of jobs) {
      job.step.label = label;
      job.step.attributes["label"] = label;
      core.store.jobs.set(job.id, job);
    }
    core.emit("step.updated", { buildId: jobs[0]!.buildId, stepId: jobs[0]!.step.id, attribute });
    return { status: 200, body: {} };
  },

  "steps.cancel": async (ctx) => {
    const body = objectBody(await ctx.json(), true);
    optionalBoolean(body, "force");
    optionalInteger(body, "force_grace_period", 0, 86_400);
    const jobs = stepJobs(ctx, body);
    for (const job of jobs) if (!TERMINAL_STATES.has(job.state)) cancelJob(ctx.core, job);
    return { status: 200, body: { uuid: jobs[0]!.step.id } };
  },
} satisfies Record<string, Handler>;

/** The jobs of the step in the path, in the build given by `build_id` or the job token's build. */
function stepJobs(ctx: RouteContext, body: JsonObject): JobRecord[] {
  const { core, principal } = ctx;
  const buildId = optionalString(body, "build_id") || (principal?.kind === "job" ? principal.job.buildId : undefined);
  if (buildId === undefined) throw new HttpError(422, "build_id can't be blank");
  const build: BuildRecord | undefined = core.store.builds.get(buildId);
  if (build === undefined) throw new HttpError(404, `No build ${buildId}`);
  authorizeBuild(core, principal!, build);
  const ref = ctx.params["step"] ?? "";
  const jobs = [...core.store.jobs.values()].filter(
    (job) => job.buildId === build.id && (job.step.key === ref || job.step.id === ref),
  );
  if (jobs.length === 0) throw new HttpError(404, `No step "${ref.slice(0, 100)}" in build ${build.id}`);
  return jobs;
}
