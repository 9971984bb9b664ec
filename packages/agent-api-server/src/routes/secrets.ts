import { HttpError } from "../errors.js";
import type { Handler } from "../route-context.js";
import { stableUuid } from "../stable-uuid.js";

/** `GET jobs/{job}/secrets?key=`: a secret set for the job's build, else for its pipeline. */
export const secretHandlers = {
  "secrets.get": async (ctx) => {
    const { core } = ctx;
    const job = ctx.job();
    const key = ctx.query.get("key");
    if (key === null || key === "") throw new HttpError(400, "Query parameter key is required");
    const build = core.store.builds.get(job.buildId)!;
    const buildScope = `build:${build.id}`;
    const pipelineScope = `pipeline:${build.pipelineSlug}`;
    const fromBuild = core.store.secrets.get(buildScope, key);
    const value = fromBuild ?? core.store.secrets.get(pipelineScope, key);
    core.emit("secret.read", { jobId: job.id, key, found: value !== undefined });
    if (value === undefined) throw new HttpError(404, `No secret "${key.slice(0, 100)}" is available to this job`);
    const scope = fromBuild === undefined ? pipelineScope : buildScope;
    return { status: 200, body: { key, value, uuid: stableUuid(`secret:${scope}:${key}`) } };
  },
} satisfies Record<string, Handler>;
