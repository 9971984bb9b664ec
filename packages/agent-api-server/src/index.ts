export {
  AgentApiServer,
  type AgentApiServerOptions,
  type AgentIntervals,
  type ChunkInfo,
  type ListenOptions,
  type ListeningAddress,
  type SecretScope,
} from "./agent-api-server.js";
export type { Clock } from "./clock.js";
export type { DomainEvent, DomainEventMap, DomainEventOf, DomainEventType, RequestLogEntry } from "./domain-events.js";
export { AgentApiServerError, type AgentApiServerErrorCode } from "./errors.js";
export type { FaultAction, FaultHandle, FaultRule } from "./faults.js";
export type { BuildOptions, JobOptions } from "./job-creation.js";
export type { LogFields, Logger } from "./logger.js";
export { MemoryStore } from "./memory-store.js";
export { ROUTES, type RouteName, type RouteSpec } from "./route-table.js";
export type {
  AgentApiStore,
  AgentConnectionState,
  AgentRecord,
  AnnotationRecord,
  ArtifactBatchRecord,
  ArtifactRecord,
  BuildRecord,
  ChunkRecord,
  GroupedTable,
  JobRecord,
  JobState,
  PipelineUploadRecord,
  StepRecord,
  Table,
  TokenRecord,
} from "./store.js";
export type { StepSecret } from "./step-secrets.js";
