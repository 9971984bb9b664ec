import { objectBody } from "../body-fields.js";
import { HttpError } from "../errors.js";
import { ACTIVE_STATES } from "../job-states.js";
import type { Handler } from "../route-context.js";

/** `POST jobs/{id}/header_times`: when each `---`/`+++`/`~~~` header line was printed. */
export const headerTimeHandlers = {
  "jobs.header_times": async (ctx) => {
    const job = ctx.job();
    const times = objectBody(await ctx.json())["header_times"];
    if (typeof times !== "object" || times === null || Array.isArray(times)) {
      throw new HttpError(422, "header_times must be an object of header index to time");
    }
    const entries = Object.entries(times as Record<string, unknown>);
    for (const [index, value] of entries) {
      if (!/^\d+$/.test(index)) throw new HttpError(422, `header_times key "${index.slice(0, 20)}" must be a header index`);
      if (typeof value !== "string" || Number.isNaN(Date.parse(value))) {
        throw new HttpError(422, `header_times["${index}"] must be an RFC 3339 time`);
      }
    }
    if (!ACTIVE_STATES.has(job.state)) throw new HttpError(422, `Job ${job.id} is ${job.state}; it takes no header times`);
    for (const [index, value] of entries) job.headerTimes[index] = value as string;
    ctx.core.store.jobs.set(job.id, job);
    ctx.core.emit("header_times.received", { jobId: job.id, indexes: entries.map(([index]) => index) });
    return { status: 200, body: {} };
  },
} satisfies Record<string, Handler>;
