import { randomUUID } from "node:crypto";
import type { CallOptions } from "./call-options.js";
import { exchange, type ClientCore } from "./exchange.js";
import { goQueryString, railsPathEscape } from "./path-escape.js";
import {
  field,
  num,
  object,
  optInteger,
  optString,
  optStringMap,
  str,
  stringMap,
  strings,
  type JsonSchema,
  type ResponseSchema,
} from "./response-schema.js";

/** Go's zero `time.Time`, which the real agent sends as `created_at` for new artifacts. */
const ZERO_TIME = "0001-01-01T00:00:00Z";

/** An artifact (Go `api.Artifact`). */
export interface Artifact {
  /** `""` for a new artifact. */
  readonly id?: string;
  readonly path: string;
  readonly absolutePath: string;
  readonly globPath?: string;
  readonly fileSize: number;
  readonly sha1sum: string;
  readonly sha256sum: string;
  readonly jobId?: string;
  /** @default "0001-01-01T00:00:00Z" (Go's zero time) */
  readonly createdAt?: string;
  /** Omitted when empty. */
  readonly url?: string;
  /** Omitted when empty. */
  readonly uploadDestination?: string;
  /** Omitted when empty. */
  readonly contentType?: string;
}

/** `POST jobs/{job}/artifacts` body: one batch of at most 30 artifacts. */
export interface ArtifactBatch {
  /** @default a new random UUID */
  readonly id?: string;
  readonly artifacts: readonly Artifact[];
  /** Always sent, `""` for Buildkite-hosted storage. */
  readonly uploadDestination: string;
  /** Omitted (not `false`) when false. */
  readonly multipartSupported?: boolean;
}

/** Where and how to upload one artifact (or one part of it). */
export interface ArtifactUploadAction {
  readonly url: string;
  readonly method: string;
  readonly path: string;
  readonly fileInput: string;
  readonly partNumber: number;
}

/** Upload instructions: a single form `action`, or multipart `actions`, plus form `data`. */
export interface ArtifactUploadInstructions {
  readonly action: ArtifactUploadAction;
  readonly actions: readonly ArtifactUploadAction[];
  readonly data: Readonly<Record<string, string>>;
}

/** `POST jobs/{job}/artifacts` answer. */
export interface ArtifactBatchResult {
  readonly id: string;
  /** `artifactIds[i]` belongs to the i-th artifact of the batch. */
  readonly artifactIds: readonly string[];
  readonly uploadInstructions: ArtifactUploadInstructions | undefined;
  readonly perArtifactInstructions: Readonly<Record<string, ArtifactUploadInstructions>>;
}

/** A multipart part's ETag, verbatim (quotes included). */
export interface ArtifactPartETag {
  readonly partNumber: number;
  readonly etag: string;
}

/** One artifact's new state for `PUT jobs/{job}/artifacts`. */
export interface ArtifactState {
  readonly id: string;
  readonly state: "finished" | "error";
  /** Omitted when false. */
  readonly multipart?: boolean;
  /** Omitted when empty; sent sorted by part number. */
  readonly multipartEtags?: readonly ArtifactPartETag[];
}

/** `GET builds/{build}/artifacts/search` query. Empty strings and false flags are left out. */
export interface ArtifactSearchQuery {
  /** A path glob evaluated server-side. */
  readonly query?: string;
  /** A step key, step id or job id. */
  readonly scope?: string;
  /** @default "finished" */
  readonly state?: string;
  readonly includeRetriedJobs?: boolean;
  readonly includeDuplicates?: boolean;
}

const actionSchema = object({
  url: optString,
  method: optString,
  path: optString,
  file_input: optString,
  part_number: optInteger,
});
const instructionsSchema = object({
  action: actionSchema,
  actions: { type: ["array", "null"], items: actionSchema },
  data: optStringMap,
});

const artifactSchema: JsonSchema = object({
  id: optString,
  path: optString,
  absolute_path: optString,
  glob_path: optString,
  file_size: optInteger,
  sha1sum: optString,
  sha256sum: optString,
  job_id: optString,
  created_at: optString,
  url: optString,
  upload_destination: optString,
  content_type: optString,
});

function mapAction(json: unknown): ArtifactUploadAction {
  return {
    url: str(json, "url"),
    method: str(json, "method"),
    path: str(json, "path"),
    fileInput: str(json, "file_input"),
    partNumber: num(json, "part_number"),
  };
}

function mapInstructions(json: unknown): ArtifactUploadInstructions {
  const actions = field(json, "actions");
  return {
    action: mapAction(field(json, "action")),
    actions: Array.isArray(actions) ? actions.map(mapAction) : [],
    data: stringMap(json, "data"),
  };
}

const batchResponse: ResponseSchema<ArtifactBatchResult> = {
  schema: object(
    {
      id: optString,
      // Without ids the artifacts cannot be uploaded or have their state set.
      artifact_ids: { type: "array", items: { type: "string" } },
      upload_instructions: instructionsSchema,
      per_artifact_instructions: { type: ["object", "null"], additionalProperties: instructionsSchema },
    },
    ["artifact_ids"],
    false,
  ),
  map: (json) => {
    const template = field(json, "upload_instructions");
    const perArtifact = field(json, "per_artifact_instructions") ?? {};
    return {
      id: str(json, "id"),
      artifactIds: strings(json, "artifact_ids"),
      uploadInstructions: template === null || template === undefined ? undefined : mapInstructions(template),
      perArtifactInstructions: Object.fromEntries(
        Object.entries(perArtifact as Record<string, unknown>)
          .filter(([, value]) => value !== null)
          .map(([id, value]) => [id, mapInstructions(value)]),
      ),
    };
  },
};

function mapArtifact(json: unknown): Artifact {
  return {
    id: str(json, "id"),
    path: str(json, "path"),
    absolutePath: str(json, "absolute_path"),
    globPath: str(json, "glob_path"),
    fileSize: num(json, "file_size"),
    sha1sum: str(json, "sha1sum"),
    sha256sum: str(json, "sha256sum"),
    jobId: str(json, "job_id"),
    createdAt: str(json, "created_at"),
    url: str(json, "url"),
    uploadDestination: str(json, "upload_destination"),
    contentType: str(json, "content_type"),
  };
}

const searchResponse: ResponseSchema<Artifact[]> = {
  schema: { type: ["array", "null"], items: artifactSchema },
  map: (json) => (Array.isArray(json) ? json.map(mapArtifact) : []),
};

/** An artifact as Go marshals it: struct field order, `omitempty` only where Go has it. */
function artifactJson(artifact: Artifact) {
  return {
    id: artifact.id ?? "",
    path: artifact.path,
    absolute_path: artifact.absolutePath,
    glob_path: artifact.globPath ?? "",
    file_size: artifact.fileSize,
    sha1sum: artifact.sha1sum,
    sha256sum: artifact.sha256sum,
    job_id: artifact.jobId ?? "",
    created_at: artifact.createdAt || ZERO_TIME,
    url: artifact.url || undefined,
    upload_destination: artifact.uploadDestination || undefined,
    content_type: artifact.contentType || undefined,
  };
}

/**
 * `POST jobs/{job}/artifacts`: creates a batch. 10 attempts, ExponentialSubsecond(500 ms),
 * a 10 s request timeout for the first 4 attempts; any 4xx but 429 stops at once.
 */
export async function createArtifacts(
  core: ClientCore,
  jobId: string,
  batch: ArtifactBatch,
  options: CallOptions = {},
): Promise<ArtifactBatchResult> {
  const { data } = await exchange(core, {
    call: "createArtifacts",
    method: "POST",
    path: `jobs/${railsPathEscape(jobId)}/artifacts`,
    json: {
      id: batch.id ?? randomUUID(),
      artifacts: batch.artifacts.map(artifactJson),
      upload_destination: batch.uploadDestination,
      multipart_supported: batch.multipartSupported ? true : undefined,
    },
    response: batchResponse,
    signal: options.signal,
  });
  return data;
}

/**
 * `PUT jobs/{job}/artifacts` with the artifacts' new states. 10 attempts,
 * ExponentialSubsecond(500 ms), every error retried, a 5 s request timeout for the
 * first 4 attempts.
 */
export async function updateArtifacts(
  core: ClientCore,
  jobId: string,
  states: readonly ArtifactState[],
  options: CallOptions = {},
): Promise<void> {
  await exchange(core, {
    call: "updateArtifacts",
    method: "PUT",
    path: `jobs/${railsPathEscape(jobId)}/artifacts`,
    json: {
      artifacts: states.map((s) => ({
        id: s.id,
        state: s.state,
        multipart: s.multipart ? true : undefined,
        multipart_etags:
          s.multipartEtags && s.multipartEtags.length > 0
            ? [...s.multipartEtags]
                .sort((a, b) => a.partNumber - b.partNumber)
                .map((e) => ({ part_number: e.partNumber, etag: e.etag }))
            : undefined,
      })),
    },
    signal: options.signal,
  });
}

/**
 * `GET builds/{build}/artifacts/search?…` (keys sorted, empty/false left out).
 * 10 attempts 5 s apart, every error retried.
 */
export async function searchArtifacts(
  core: ClientCore,
  buildId: string,
  query: ArtifactSearchQuery,
  options: CallOptions = {},
): Promise<Artifact[]> {
  const params: Record<string, string> = {};
  if (query.query) params["query"] = query.query;
  if (query.scope) params["scope"] = query.scope;
  params["state"] = query.state ?? "finished";
  if (params["state"] === "") delete params["state"];
  if (query.includeRetriedJobs) params["include_retried_jobs"] = "true";
  if (query.includeDuplicates) params["include_duplicates"] = "true";
  const qs = goQueryString(params);
  const { data } = await exchange(core, {
    call: "searchArtifacts",
    method: "GET",
    path: `builds/${railsPathEscape(buildId)}/artifacts/search${qs ? `?${qs}` : ""}`,
    response: searchResponse,
    signal: options.signal,
  });
  return data;
}
