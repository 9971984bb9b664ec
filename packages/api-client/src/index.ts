export { ApiClient, DEFAULT_ENDPOINT, DEFAULT_TIMEOUT_MS, FALLBACK_USER_AGENT } from "./api-client.js";
export type { ApiClientOptions } from "./api-client.js";
export type { CallOptions } from "./call-options.js";
export { ApiError, TransportError } from "./errors.js";
export type { ApiErrorCode, ApiErrorDetails } from "./errors.js";
export { silentLogger } from "./logger.js";
export type { LogFields, Logger } from "./logger.js";
export { goArch, goOs, userAgent } from "./user-agent.js";
export { canonicalHeaderKey, requestHeadersFromEnv, requestHeadersToEnv } from "./request-headers.js";
export { railsPathEscape } from "./path-escape.js";
export { parseRetryAfter } from "./retry-after.js";
export { formatRfc3339NanoLocal } from "./go-time.js";
export { goJson } from "./go-json.js";
export type { GoJsonOptions, GoJsonValue } from "./go-json.js";
export {
  RETRY_POLICIES,
  backoffMs,
  honoursRetryAfter,
  isRetryable,
  isRetryableStatus,
  retryDelay,
} from "./retry-policy.js";
export type {
  AttemptFailure,
  BackoffStrategy,
  CallName,
  JitterRange,
  RetryAfterRule,
  RetryPolicy,
  RetryRule,
} from "./retry-policy.js";
export type {
  AgentTracing,
  PauseRequest,
  RegisterRequest,
  RegisterResponse,
  StopRequest,
} from "./agents.js";
export type { Ping, PingAction } from "./pings.js";
export type { Heartbeat, HeartbeatOptions } from "./heartbeats.js";
export type { TokenIdentity } from "./token.js";
export { DEFAULT_LOG_MAX_SIZE_BYTES } from "./jobs.js";
export type {
  FinishJobRequest,
  Job,
  JobStep,
  PromiseFailureRequest,
  StartJobOptions,
  StepSecret,
  StepSignature,
} from "./jobs.js";
export type { Chunk, ChunkUploadResult } from "./chunks.js";
export type { MetaDataItem, MetaDataTarget } from "./meta-data.js";
export type {
  Artifact,
  ArtifactBatch,
  ArtifactBatchResult,
  ArtifactPartETag,
  ArtifactSearchQuery,
  ArtifactState,
  ArtifactUploadAction,
  ArtifactUploadInstructions,
} from "./artifacts.js";
export type { PipelineUpload, PipelineUploadResult } from "./pipelines.js";
export type { Annotation, RemoveAnnotationOptions } from "./annotations.js";
export type { StepCancelRequest, StepGetRequest, StepUpdateRequest } from "./steps.js";
export type { OidcTokenRequest } from "./oidc.js";
export { SECRETS_CONCURRENCY } from "./secrets.js";
export type { Secret, SecretsResult } from "./secrets.js";
