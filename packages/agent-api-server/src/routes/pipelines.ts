import { objectBody, optionalBoolean, queryBoolean, requiredString } from "../body-fields.js";
import { AgentApiServerError, HttpError } from "../errors.js";
import { ACTIVE_STATES } from "../job-states.js";
import { applyPipeline } from "../pipeline-apply.js";
import type { Handler, Reply } from "../route-context.js";
import type { ServerCore } from "../server-core.js";
import type { PipelineUploadRecord } from "../store.js";

/**
 * `pipeline upload`: synchronous (validated and applied at once: 201, or 422 with the
 * reason) or `?async=true` (202 with `Location` and `Retry-After`; the status poll
 * answers `pending`, then `processing`, then `applied` or `rejected`, one step per
 * poll, `asyncPipelinePolls` polls before the result). Idempotent by `uuid`.
 */
export const pipelineHandlers = {
  "pipelines.upload": async (ctx) => {
    const { core } = ctx;
    const job = ctx.job();
    const body = objectBody(await ctx.json());
    const uuid = requiredString(body, "uuid");
    // It is echoed in the Location header: anything but a plain id would break the answer.
    if (!UPLOAD_UUID.test(uuid)) throw new HttpError(422, "uuid must be 1-64 letters, digits, dots, dashes or underscores");
    if (!("pipeline" in body) || body["pipeline"] === null) throw new HttpError(422, "pipeline can't be blank");
    const replace = optionalBoolean(body, "replace") ?? false;
    const async = queryBoolean(ctx.query, "async");
    let upload = core.store.pipelineUploads.get(uuid);
    if (upload !== undefined && upload.jobId !== job.id) {
      throw new HttpError(422, `Pipeline upload ${uuid} belongs to another job; use a fresh uuid`);
    }
    if (upload === undefined) {
      if (!ACTIVE_STATES.has(job.state)) throw new HttpError(422, `Job ${job.id} is ${job.state}; only a running job can upload a pipeline`);
      upload = {
        uuid,
        jobId: job.id,
        buildId: job.buildId,
        pipeline: body["pipeline"],
        replace,
        async,
        state: "pending",
        message: "",
        polls: 0,
        jobIds: [],
        createdAt: core.now(),
      };
      core.store.pipelineUploads.set(uuid, upload);
      core.emit("pipeline.uploaded", { uuid, jobId: job.id, async });
    }
    if (async) {
      return {
        status: 202,
        body: statusJson(upload),
        headers: {
          Location: `jobs/${job.id}/pipelines/${uuid}`,
          "Retry-After": String(core.settings.pipelineRetryAfterSeconds),
        },
      };
    }
    settle(core, upload);
    if (upload.state === "rejected") throw new HttpError(422, upload.message);
    return { status: 201, body: statusJson(upload) };
  },

  "pipelines.status": async (ctx): Promise<Reply> => {
    const { core } = ctx;
    const job = ctx.job();
    const upload = core.store.pipelineUploads.get(ctx.params["uuid"] ?? "");
    if (upload === undefined || upload.jobId !== job.id) throw new HttpError(404, "No pipeline upload with that uuid for this job");
    if (upload.state === "pending" || upload.state === "processing") {
      upload.polls += 1;
      if (upload.polls <= core.settings.asyncPipelinePolls) {
        upload.state = upload.polls === 1 ? "pending" : "processing";
        core.store.pipelineUploads.set(upload.uuid, upload);
        return {
          status: 200,
          body: statusJson(upload),
          headers: { "Retry-After": String(core.settings.pipelineRetryAfterSeconds) },
        };
      }
      settle(core, upload);
    }
    return { status: 200, body: statusJson(upload) };
  },
} satisfies Record<string, Handler>;

const UPLOAD_UUID = /^[A-Za-z0-9._-]{1,64}$/;

function statusJson(upload: PipelineUploadRecord): Record<string, string> {
  return { uuid: upload.uuid, state: upload.state, message: upload.message };
}

/** Validates and applies a pending upload, once. */
function settle(core: ServerCore, upload: PipelineUploadRecord): void {
  if (upload.state === "applied" || upload.state === "rejected") return;
  try {
    const problem = core.validator.validate(upload.pipeline);
    if (problem === undefined) {
      const build = core.store.builds.get(upload.buildId);
      if (build === undefined) throw new AgentApiServerError("SERVER_UNKNOWN", "the job's build no longer exists");
      upload.jobIds = applyPipeline(core, upload, build);
      upload.state = "applied";
    } else {
      upload.state = "rejected";
      upload.message = problem;
    }
  } catch (error) {
    // Whatever the pipeline held, the uploader gets a rejection it can read, not a
    // 500 on every status poll; what is not the pipeline's fault (a bug, or a
    // pipelineSchema that does not compile) is also logged for the embedder.
    if (!isPipelineProblem(error)) {
      core.logger.error("applying a pipeline upload failed", { uuid: upload.uuid, error: String(error) });
    }
    upload.state = "rejected";
    upload.message = `Pipeline could not be applied: ${error instanceof Error ? error.message : String(error)}`;
  }
  core.store.pipelineUploads.set(upload.uuid, upload);
  if (upload.state === "applied") core.emit("pipeline.applied", { uuid: upload.uuid, jobId: upload.jobId, jobIds: upload.jobIds });
  else core.emit("pipeline.rejected", { uuid: upload.uuid, jobId: upload.jobId, message: upload.message });
}

/**
 * Whether `error` says what is wrong with the uploaded pipeline (too many jobs, a
 * matrix that does not fit: `@agent/pipeline`'s `PIPELINE_MATRIX`), as opposed to
 * a server bug or misconfiguration.
 */
function isPipelineProblem(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof AgentApiServerError) return code !== "SERVER_OPTION_INVALID";
  return code === "PIPELINE_MATRIX";
}
