import type { StepSecret } from "./step-secrets.js";

/**
 * The storage seam. Records are plain objects; the server reads one, changes it and
 * writes it back with `set`, so a persistent store can be a write-through cache
 * behind these interfaces. Methods are synchronous on purpose: a job's state check
 * and its transition then happen in one turn of the event loop, which is what makes
 * "finish twice ⇒ 422" hold under concurrent requests without locks.
 */

/** A keyed collection of records. */
export interface Table<T> {
  get(id: string): T | undefined;
  set(id: string, value: T): void;
  delete(id: string): boolean;
  /** Every record, in insertion order. */
  values(): Iterable<T>;
}

/** Records kept in groups (per job, per build): chunks, meta-data, secrets. */
export interface GroupedTable<T> {
  get(group: string, key: string): T | undefined;
  set(group: string, key: string, value: T): void;
  delete(group: string, key: string): boolean;
  /** Keys of one group, in insertion order; `[]` for an unknown group. */
  keys(group: string): string[];
  /** Records of one group, in insertion order. */
  values(group: string): T[];
}

/** Everything the server remembers. `MemoryStore` is the default implementation. */
export interface AgentApiStore {
  readonly agents: Table<AgentRecord>;
  readonly builds: Table<BuildRecord>;
  readonly jobs: Table<JobRecord>;
  /** Agent and job access tokens, keyed by the token itself. */
  readonly tokens: Table<TokenRecord>;
  readonly artifacts: Table<ArtifactRecord>;
  /** Artifact create-batch answers, keyed by the batch id the agent chose (retries reuse it). */
  readonly artifactBatches: Table<ArtifactBatchRecord>;
  /** Keyed by `annotationKey()`. */
  readonly annotations: Table<AnnotationRecord>;
  /** Keyed by the upload's uuid. */
  readonly pipelineUploads: Table<PipelineUploadRecord>;
  /** Group = job id, key = chunk sequence number. */
  readonly chunks: GroupedTable<ChunkRecord>;
  /** Group = build id, key = meta-data key. */
  readonly metaData: GroupedTable<string>;
  /** Group = `build:<id>` or `pipeline:<slug>`, key = secret key. */
  readonly secrets: GroupedTable<string>;
}

/** Every state a job goes through, as Buildkite names them. */
export type JobState =
  | "scheduled"
  | "assigned"
  | "accepted"
  | "running"
  | "canceling"
  | "canceled"
  | "timing_out"
  | "timed_out"
  | "finished";

/** An agent's connection as the server sees it. */
export type AgentConnectionState = "registered" | "connected" | "disconnected" | "lost";

/** A registered agent. */
export interface AgentRecord {
  id: string;
  name: string;
  hostname: string;
  os: string;
  arch: string;
  version: string;
  build: string;
  pid: number | undefined;
  machineId: string | undefined;
  priority: string | undefined;
  /** Tags, `key=value`. */
  metaData: string[];
  features: string[];
  scriptEvalEnabled: boolean;
  ignoreInDispatches: boolean;
  accessToken: string;
  connectionState: AgentConnectionState;
  registeredAt: number;
  /** Register, connect or heartbeat time: what the lost-agent rule counts from. */
  lastHeartbeatAt: number;
  paused: { note: string | undefined; until: number | undefined } | undefined;
  stopRequested: { force: boolean } | undefined;
}

/** A build: a container for jobs and meta-data. */
export interface BuildRecord {
  id: string;
  number: number;
  organizationSlug: string;
  pipelineSlug: string;
  repo: string;
  branch: string;
  commit: string;
  message: string;
  env: Record<string, string>;
  state: "running" | "canceling" | "canceled";
  createdAt: number;
}

/** The step a job runs, normalised from a pipeline or from `createJob`. */
export interface StepRecord {
  /** Step uuid (`BUILDKITE_STEP_ID`). */
  id: string;
  key: string | undefined;
  label: string | undefined;
  command: string | undefined;
  /** Normalised `BUILDKITE_PLUGINS` array, or `undefined` when the step has none. */
  plugins: unknown[] | undefined;
  env: Record<string, string>;
  /** Agent query rules, `key=value`. */
  agents: string[];
  artifactPaths: string | undefined;
  timeoutInMinutes: number | undefined;
  secrets: StepSecret[];
  /** The step's `cache:` as written, or `undefined`. */
  cache: unknown;
  /** The step as written (after normalisation of its shape), for `step get`. */
  attributes: Record<string, unknown>;
}

/** A job: one run of a step on one agent. */
export interface JobRecord {
  id: string;
  buildId: string;
  step: StepRecord;
  /** Job-scoped access token (`bkaj_…`). */
  token: string;
  state: JobState;
  /** Jobs that must reach a terminal state before this one can be dispatched or acquired. */
  dependsOn: string[];
  priority: number;
  parallelJob: number | undefined;
  parallelJobCount: number | undefined;
  agentId: string | undefined;
  exitStatus: number | undefined;
  signal: string | undefined;
  signalReason: string | undefined;
  chunksFailedCount: number;
  createdAt: number;
  acceptedAt: number | undefined;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  /** Header index → RFC 3339 time, as the agent sent them. */
  headerTimes: Record<string, string>;
  /** Attributes set with `PUT jobs/{id}`. */
  updates: Record<string, string>;
  promisedFailure: { exitStatus: number; reason: string | undefined } | undefined;
  /** Pipeline upload that created this job, if any. */
  pipelineUploadUuid: string | undefined;
}

/** Whose token this is. */
export interface TokenRecord {
  token: string;
  kind: "agent" | "job";
  /** Agent id or job id. */
  subjectId: string;
  revoked: boolean;
}

/** One log chunk as received: still gzip, validated against `size`. */
export interface ChunkRecord {
  jobId: string;
  sequence: number;
  offset: number;
  size: number;
  gzip: Buffer;
  receivedAt: number;
}

/** An artifact created by a batch; `file` is set once its bytes reached this server. */
export interface ArtifactRecord {
  id: string;
  batchId: string;
  jobId: string;
  buildId: string;
  path: string;
  absolutePath: string;
  globPath: string;
  fileSize: number;
  sha1sum: string;
  sha256sum: string;
  contentType: string | undefined;
  url: string | undefined;
  uploadDestination: string | undefined;
  state: "new" | "finished" | "error";
  multipart: boolean;
  multipartEtags: { part_number: number; etag: string }[];
  createdAt: number;
  file: { path: string; size: number; sha256: string } | undefined;
}

/** The answer given to one artifact create-batch call. */
export interface ArtifactBatchRecord {
  id: string;
  jobId: string;
  artifactIds: string[];
}

/** One annotation: per build (or job), scope and context. */
export interface AnnotationRecord {
  id: string;
  buildId: string;
  /** Set when `scope` is `job`. */
  jobId: string | undefined;
  scope: "build" | "job";
  context: string;
  style: string;
  priority: number;
  body: string;
  createdAt: number;
  updatedAt: number;
}

/** One `pipeline upload`, synchronous or asynchronous. */
export interface PipelineUploadRecord {
  uuid: string;
  jobId: string;
  buildId: string;
  pipeline: unknown;
  replace: boolean;
  async: boolean;
  state: "pending" | "processing" | "applied" | "rejected";
  message: string;
  /** Status polls answered so far (asynchronous uploads progress one state per poll). */
  polls: number;
  /** Jobs the upload created once applied. */
  jobIds: string[];
  createdAt: number;
}

/** The key of an annotation in `AgentApiStore.annotations`. */
export function annotationKey(buildId: string, scope: string, jobId: string | undefined, context: string): string {
  return JSON.stringify([buildId, scope, jobId ?? "", context]);
}
