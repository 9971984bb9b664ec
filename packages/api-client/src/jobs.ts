import { rfc3339Nano } from "@agent/log-redactor";
import type { CallOptions } from "./call-options.js";
import { exchange, rememberSecret, type ClientCore } from "./exchange.js";
import { railsPathEscape } from "./path-escape.js";
import {
  field,
  num,
  object,
  optInteger,
  optString,
  optStringMap,
  str,
  stringMap,
  type ResponseSchema,
} from "./response-schema.js";

/** `log_max_size_bytes` when the server sends 0 or nothing: 1 GiB, as the real agent. */
export const DEFAULT_LOG_MAX_SIZE_BYTES = 1024 * 1024 * 1024;

/** A secret a step asks for: the Buildkite secret `key` and the env var to put it in. */
export interface StepSecret {
  readonly key: string;
  readonly environmentVariable: string;
}

/** A step's signature. */
export interface StepSignature {
  readonly algorithm: string;
  readonly signedFields: readonly string[];
  readonly value: string;
}

/**
 * The command step a job runs. The fields the agent reads are typed; `raw` is the
 * step object exactly as received (signature verification needs the original).
 */
export interface JobStep {
  readonly key: string;
  readonly label: string;
  readonly command: string;
  readonly plugins: unknown;
  readonly env: Readonly<Record<string, string>>;
  readonly secrets: readonly StepSecret[];
  readonly signature: StepSignature | undefined;
  readonly matrix: unknown;
  readonly cache: unknown;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A job as accept/acquire return it (Go `api.Job`), with the real agent's defaults applied. */
export interface Job {
  readonly id: string;
  readonly endpoint: string;
  readonly state: string;
  /** The whole job environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly step: JobStep;
  readonly matrixPermutation: Readonly<Record<string, string>>;
  /** Always > 0 (a job without it is refused as unusable). */
  readonly chunksMaxSizeBytes: number;
  /** `1` when the server sends ≤ 0 or nothing. */
  readonly chunksIntervalSeconds: number;
  /** 1 GiB when the server sends 0 or nothing. */
  readonly logMaxSizeBytes: number;
  /** Job-scoped access token; `""` = use the agent token. Never logged. */
  readonly token: string;
  readonly exitStatus: string;
  readonly signal: string;
  readonly signalReason: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly runnableAt: string;
  readonly chunksFailedCount: number;
  readonly traceparent: string;
  readonly tracestate: string;
  readonly priority: number;
}

/** `PUT jobs/{id}/finish` body (Go `JobFinishRequest`). */
export interface FinishJobRequest {
  /** Decimal exit status as a string (`"0"`, `"-1"`); omitted when empty. */
  readonly exitStatus: string;
  /** e.g. `SIGTERM`; omitted when the process was not signal-terminated. */
  readonly signal?: string;
  /** `cancel`, `agent_stop`, `agent_refused`, `signature_rejected`, `process_run_error`…; omitted when empty. */
  readonly signalReason?: string;
  /** @default now (UTC RFC3339Nano) */
  readonly finishedAt?: Date | string;
  /** Always sent. */
  readonly chunksFailedCount: number;
  /** Sent (`true`) only with `--disconnect-after-job`. */
  readonly ignoreAgentInDispatches?: boolean;
}

/** `PUT jobs/{id}/promise_failure` body. */
export interface PromiseFailureRequest {
  /** Non-zero exit status the job promises to fail with. */
  readonly exitStatus: number;
  /** Omitted when empty. */
  readonly reason?: string;
}

const stepSchema = object({
  key: optString,
  label: optString,
  command: optString,
  env: optStringMap,
  secrets: {
    type: ["array", "null"],
    items: object({ key: optString, environment_variable: optString }),
  },
  signature: object({
    algorithm: optString,
    signed_fields: { type: ["array", "null"], items: { type: "string" } },
    value: optString,
  }),
});

const jobSchema = object(
  {
    id: { type: "string", minLength: 1 },
    endpoint: optString,
    state: optString,
    env: optStringMap,
    step: stepSchema,
    matrix_permutation: optStringMap,
    // Log streaming refuses to start without a positive chunk size, after `start`
    // succeeded and before `finish` could be sent: refuse such a job up front.
    chunks_max_size_bytes: { type: "integer", minimum: 1 },
    chunks_interval_seconds: optInteger,
    log_max_size_bytes: { type: ["integer", "null"], minimum: 0 },
    token: optString,
    exit_status: optString,
    signal: optString,
    signal_reason: optString,
    started_at: optString,
    finished_at: optString,
    runnable_at: optString,
    chunks_failed_count: optInteger,
    traceparent: optString,
    tracestate: optString,
    priority: optInteger,
  },
  ["id", "chunks_max_size_bytes"],
  false,
);

function mapStep(json: unknown): JobStep {
  const raw = json !== null && typeof json === "object" ? { ...(json as Record<string, unknown>) } : {};
  const secrets = field(json, "secrets");
  const signature = field(json, "signature");
  return {
    key: str(json, "key"),
    label: str(json, "label"),
    command: str(json, "command"),
    plugins: raw["plugins"],
    env: stringMap(json, "env"),
    secrets: Array.isArray(secrets)
      ? secrets.map((s) => ({ key: str(s, "key"), environmentVariable: str(s, "environment_variable") }))
      : [],
    signature:
      signature === null || signature === undefined
        ? undefined
        : {
            algorithm: str(signature, "algorithm"),
            signedFields: (field(signature, "signed_fields") as string[] | null | undefined) ?? [],
            value: str(signature, "value"),
          },
    matrix: raw["matrix"],
    cache: raw["cache"],
    raw,
  };
}

/** Maps a validated job object, applying the real agent's defaults. */
function mapJob(json: unknown): Job {
  const interval = num(json, "chunks_interval_seconds");
  const logMax = num(json, "log_max_size_bytes");
  return {
    id: str(json, "id"),
    endpoint: str(json, "endpoint"),
    state: str(json, "state"),
    env: stringMap(json, "env"),
    step: mapStep(field(json, "step")),
    matrixPermutation: stringMap(json, "matrix_permutation"),
    chunksMaxSizeBytes: num(json, "chunks_max_size_bytes"),
    chunksIntervalSeconds: interval > 0 ? interval : 1,
    logMaxSizeBytes: logMax > 0 ? logMax : DEFAULT_LOG_MAX_SIZE_BYTES,
    token: str(json, "token"),
    exitStatus: str(json, "exit_status"),
    signal: str(json, "signal"),
    signalReason: str(json, "signal_reason"),
    startedAt: str(json, "started_at"),
    finishedAt: str(json, "finished_at"),
    runnableAt: str(json, "runnable_at"),
    chunksFailedCount: num(json, "chunks_failed_count"),
    traceparent: str(json, "traceparent"),
    tracestate: str(json, "tracestate"),
    priority: num(json, "priority"),
  };
}

const jobResponse: ResponseSchema<Job> = { schema: jobSchema, map: mapJob };

const jobStateResponse: ResponseSchema<string> = {
  schema: object({ state: optString }),
  map: (json) => str(json, "state"),
};

const jobUpdateResponse: ResponseSchema<string> = {
  schema: object({ id: optString }),
  map: (json) => str(json, "id"),
};

function rememberToken(core: ClientCore, job: Job): Job {
  rememberSecret(core.shared, job.token);
  return job;
}

/**
 * `PUT jobs/{id}/accept`. 30 attempts 5 s apart, but only transport errors are
 * retried: any HTTP status gives the job up (the agent pings again).
 */
export async function acceptJob(core: ClientCore, jobId: string, options: CallOptions = {}): Promise<Job> {
  const { data } = await exchange(core, {
    call: "acceptJob",
    method: "PUT",
    path: `jobs/${railsPathEscape(jobId)}/accept`,
    response: jobResponse,
    sensitiveBody: true,
    signal: options.signal,
  });
  return rememberToken(core, data);
}

/**
 * `PUT jobs/{id}/acquire` (acquire-job mode) with `X-Buildkite-Lock-Acquire-Job: 1`
 * and `X-Buildkite-Backoff-Sequence: <attempt>`. 7 attempts, Exponential(2 s)
 * with jitter in [-1 s, 5 s), 330 s deadline; 423, 429 and 5xx retried honouring
 * `Retry-After`; 422 (rejected) and other 4xx are not.
 */
export async function acquireJob(core: ClientCore, jobId: string, options: CallOptions = {}): Promise<Job> {
  const { data } = await exchange(core, {
    call: "acquireJob",
    method: "PUT",
    path: `jobs/${railsPathEscape(jobId)}/acquire`,
    headers: (attempt) => ({ "X-Buildkite-Lock-Acquire-Job": "1", "X-Buildkite-Backoff-Sequence": String(attempt) }),
    response: jobResponse,
    sensitiveBody: true,
    signal: options.signal,
  });
  return rememberToken(core, data);
}

/** Options for {@link startJob}. */
export interface StartJobOptions extends CallOptions {
  /** @default now (UTC RFC3339Nano) */
  readonly startedAt?: Date | string;
}

/** `PUT jobs/{id}/start` with `{"started_at": …}`; 7 attempts, Exponential(2 s). */
export async function startJob(core: ClientCore, jobId: string, options: StartJobOptions = {}): Promise<void> {
  const startedAt = options.startedAt ?? new Date();
  await exchange(core, {
    call: "startJob",
    method: "PUT",
    path: `jobs/${railsPathEscape(jobId)}/start`,
    json: { started_at: (typeof startedAt === "string" ? startedAt : rfc3339Nano(startedAt.getTime())) || undefined },
    signal: options.signal,
  });
}

/**
 * `PUT jobs/{id}/finish`. 12 attempts, ExponentialSubsecond(2 s) + jitter, 1 h
 * deadline (sent as `Buildkite-Timeout-Milliseconds`); a non-retryable status
 * (422: already finished/cancelled) stops at once.
 */
export async function finishJob(
  core: ClientCore,
  jobId: string,
  request: FinishJobRequest,
  options: CallOptions = {},
): Promise<void> {
  const finishedAt = request.finishedAt ?? new Date();
  await exchange(core, {
    call: "finishJob",
    method: "PUT",
    path: `jobs/${railsPathEscape(jobId)}/finish`,
    json: {
      exit_status: request.exitStatus || undefined,
      signal: request.signal || undefined,
      signal_reason: request.signalReason || undefined,
      finished_at: (typeof finishedAt === "string" ? finishedAt : rfc3339Nano(finishedAt.getTime())) || undefined,
      chunks_failed_count: request.chunksFailedCount,
      ignore_agent_in_dispatches: request.ignoreAgentInDispatches ? true : undefined,
    },
    signal: options.signal,
  });
}

/** `GET jobs/{id}`, one attempt: the job's state (`running`, `canceling`, `timing_out`…). */
export async function getJobState(core: ClientCore, jobId: string, options: CallOptions = {}): Promise<string> {
  const { data } = await exchange(core, {
    call: "jobState",
    method: "GET",
    path: `jobs/${railsPathEscape(jobId)}`,
    response: jobStateResponse,
    signal: options.signal,
  });
  return data;
}

/**
 * `PUT jobs/{id}` with `{"<attribute>": "<value>"…}` (e.g. `timeout`); returns the
 * job id the server echoes. 10 attempts, ExponentialSubsecond(2 s).
 */
export async function updateJob(
  core: ClientCore,
  jobId: string,
  attributes: Readonly<Record<string, string>>,
  options: CallOptions = {},
): Promise<string> {
  const { data } = await exchange(core, {
    call: "updateJob",
    method: "PUT",
    path: `jobs/${railsPathEscape(jobId)}`,
    json: new Map(Object.entries(attributes)),
    response: jobUpdateResponse,
    signal: options.signal,
  });
  return data;
}

/** `PUT jobs/{id}/promise_failure`; 10 attempts, ExponentialSubsecond(2 s). */
export async function promiseFailure(
  core: ClientCore,
  jobId: string,
  request: PromiseFailureRequest,
  options: CallOptions = {},
): Promise<void> {
  await exchange(core, {
    call: "promiseFailure",
    method: "PUT",
    path: `jobs/${railsPathEscape(jobId)}/promise_failure`,
    json: { exit_status: request.exitStatus, reason: request.reason || undefined },
    signal: options.signal,
  });
}
