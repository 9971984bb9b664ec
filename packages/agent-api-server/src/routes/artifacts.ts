import { createHmac } from "node:crypto";
import {
  objectBody,
  optionalBoolean,
  optionalInteger,
  optionalString,
  queryBoolean,
  requiredString,
  type JsonObject,
} from "../body-fields.js";
import { artifactQueryMatcher } from "../artifact-glob.js";
import { HttpError } from "../errors.js";
import type { Handler } from "../route-context.js";
import type { ServerCore } from "../server-core.js";
import type { ArtifactRecord } from "../store.js";

/** Buildkite-hosted storage refuses files over 5 GiB (artifacts.md §4). */
const MAX_ARTIFACT_BYTES = 5 * 1024 ** 3;
const MAX_BATCH = 1000;
/** Path of the form-upload endpoint the instructions point at (outside `/v3`, like a storage bucket). */
export const ARTIFACT_UPLOAD_PATH = "/_artifacts/uploads";

/** Artifact batches, state updates and search. */
export const artifactHandlers = {
  "artifacts.create": async (ctx) => {
    const { core } = ctx;
    const job = ctx.job();
    const body = objectBody(await ctx.json());
    const batchId = requiredString(body, "id");
    const uploadDestination = optionalString(body, "upload_destination") || undefined;
    optionalBoolean(body, "multipart_supported");
    const list = body["artifacts"];
    if (!Array.isArray(list) || list.length === 0) throw new HttpError(422, "artifacts must be a non-empty array");
    if (list.length > MAX_BATCH) throw new HttpError(422, `A batch holds at most ${MAX_BATCH} artifacts`);
    const previous = core.store.artifactBatches.get(batchId);
    if (previous !== undefined) {
      // The agent retries a create with the same batch id after a timeout: answer the
      // same artifact ids instead of creating duplicates.
      if (previous.jobId !== job.id) throw new HttpError(422, `Artifact batch ${batchId} belongs to another job`);
      return { status: 201, body: batchAnswer(core, job.id, batchId, previous.artifactIds) };
    }
    const parsed = list.map((item, index) => parseArtifact(objectBody(item), index));
    const ids: string[] = [];
    for (const fields of parsed) {
      const record: ArtifactRecord = {
        ...fields,
        id: core.newId(),
        batchId,
        jobId: job.id,
        buildId: job.buildId,
        uploadDestination,
        state: "new",
        multipart: false,
        multipartEtags: [],
        createdAt: core.now(),
        file: undefined,
      };
      core.store.artifacts.set(record.id, record);
      core.emit("artifact.created", { artifactId: record.id, jobId: job.id, path: record.path });
      ids.push(record.id);
    }
    core.store.artifactBatches.set(batchId, { id: batchId, jobId: job.id, artifactIds: ids });
    return { status: 201, body: batchAnswer(core, job.id, batchId, ids) };
  },

  "artifacts.update": async (ctx) => {
    const { core } = ctx;
    const job = ctx.job();
    const list = objectBody(await ctx.json())["artifacts"];
    if (!Array.isArray(list) || list.length === 0) throw new HttpError(422, "artifacts must be a non-empty array");
    const updates = list.map((item) => {
      const entry = objectBody(item);
      const id = requiredString(entry, "id");
      const state = requiredString(entry, "state");
      if (state !== "finished" && state !== "error") throw new HttpError(422, `state "${state.slice(0, 40)}" is not one of finished, error`);
      const artifact = core.store.artifacts.get(id);
      if (artifact === undefined || artifact.jobId !== job.id) throw new HttpError(422, `No artifact ${id} in job ${job.id}`);
      const etags = entry["multipart_etags"] ?? [];
      if (!Array.isArray(etags)) throw new HttpError(422, "multipart_etags must be an array");
      return { artifact, state, multipart: optionalBoolean(entry, "multipart") ?? false, etags: etags.map(parseEtag) };
    });
    for (const { artifact, state, multipart, etags } of updates) {
      artifact.state = state as "finished" | "error";
      artifact.multipart = multipart;
      artifact.multipartEtags = etags;
      core.store.artifacts.set(artifact.id, artifact);
      core.emit("artifact.state_changed", { artifactId: artifact.id, state });
    }
    return { status: 200, body: {} };
  },

  "artifacts.search": async (ctx) => {
    const { core, query } = ctx;
    const build = ctx.build();
    const state = query.get("state") || undefined;
    if (state !== undefined && !["new", "error", "finished"].includes(state)) {
      throw new HttpError(400, `Query parameter state must be one of new, error, finished`);
    }
    const scope = query.get("scope") || undefined;
    const matches = artifactQueryMatcher(query.get("query") || "*");
    queryBoolean(query, "include_retried_jobs");
    const duplicates = queryBoolean(query, "include_duplicates");
    let found: ArtifactRecord[] = [];
    for (const artifact of core.store.artifacts.values()) {
      if (artifact.buildId !== build.id) continue;
      if (state !== undefined && artifact.state !== state) continue;
      if (!matches(artifact.path)) continue;
      if (scope !== undefined) {
        const job = core.store.jobs.get(artifact.jobId);
        if (job === undefined || (job.id !== scope && job.step.id !== scope && job.step.key !== scope)) continue;
      }
      found.push(artifact);
    }
    if (!duplicates) {
      // Without include_duplicates, one artifact per path: the newest.
      const latest = new Map<string, ArtifactRecord>();
      for (const artifact of found) latest.set(artifact.path, artifact);
      found = [...latest.values()];
    }
    return { status: 200, body: found.map((artifact) => artifactJson(core, artifact)) };
  },
} satisfies Record<string, Handler>;

/** An artifact as search returns it (agent-api.md §7). */
export function artifactJson(core: ServerCore, artifact: ArtifactRecord): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: artifact.id,
    path: artifact.path,
    absolute_path: artifact.absolutePath,
    glob_path: artifact.globPath,
    file_size: artifact.fileSize,
    sha1sum: artifact.sha1sum,
    sha256sum: artifact.sha256sum,
    job_id: artifact.jobId,
    created_at: core.timestamp(artifact.createdAt),
  };
  const url = artifact.file !== undefined ? `${core.origin}/_artifacts/${artifact.id}` : artifact.url;
  if (url) json["url"] = url;
  if (artifact.uploadDestination) json["upload_destination"] = artifact.uploadDestination;
  if (artifact.contentType) json["content_type"] = artifact.contentType;
  return json;
}

/** The policy and signature fields of this server's upload form. */
export function signUploadPolicy(core: ServerCore, jobId: string, batchId: string): { policy: string; signature: string } {
  const policy = Buffer.from(JSON.stringify({ job_id: jobId, batch_id: batchId })).toString("base64url");
  return { policy, signature: createHmac("sha256", core.artifactSecret).update(policy).digest("hex") };
}

function batchAnswer(core: ServerCore, jobId: string, batchId: string, ids: readonly string[]): Record<string, unknown> {
  // One form for the whole batch, shaped like Buildkite-hosted (S3 POST) storage: the
  // agent replaces ${artifact:path} in `data`, sends the fields, then the file last.
  return {
    id: batchId,
    artifact_ids: ids,
    upload_instructions: {
      action: { url: `${core.origin}/`, method: "POST", path: ARTIFACT_UPLOAD_PATH, file_input: "file" },
      data: { key: `${jobId}/\${artifact:path}`, ...signUploadPolicy(core, jobId, batchId) },
    },
    per_artifact_instructions: {},
  };
}

type ArtifactFields = Pick<
  ArtifactRecord,
  "path" | "absolutePath" | "globPath" | "fileSize" | "sha1sum" | "sha256sum" | "contentType" | "url"
>;

function parseArtifact(item: JsonObject, index: number): ArtifactFields {
  const path = optionalString(item, "path");
  if (path === undefined || path === "") throw new HttpError(422, `artifacts[${index}].path can't be blank`);
  const fileSize = optionalInteger(item, "file_size", 0, Number.MAX_SAFE_INTEGER);
  if (fileSize === undefined) throw new HttpError(422, `artifacts[${index}].file_size must be a non-negative integer`);
  if (fileSize > MAX_ARTIFACT_BYTES) throw new HttpError(422, `artifacts[${index}] is larger than 5 GiB`);
  return {
    path,
    absolutePath: optionalString(item, "absolute_path") ?? "",
    globPath: optionalString(item, "glob_path") ?? "",
    fileSize,
    sha1sum: optionalString(item, "sha1sum") ?? "",
    sha256sum: optionalString(item, "sha256sum") ?? "",
    contentType: optionalString(item, "content_type") || undefined,
    url: optionalString(item, "url") || undefined,
  };
}

function parseEtag(item: unknown): { part_number: number; etag: string } {
  const entry = objectBody(item);
  const partNumber = optionalInteger(entry, "part_number", 1, 10_000);
  if (partNumber === undefined) throw new HttpError(422, "multipart_etags[].part_number must be an integer from 1");
  return { part_number: partNumber, etag: requiredString(entry, "etag") };
}
