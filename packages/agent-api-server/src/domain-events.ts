import type { JobState } from "./store.js";

/**
 * What happened in the server's domain, by event type. Every event also carries
 * `type`, a `seq` number (shared order with nothing else) and `time` (clock ms).
 */
export interface DomainEventMap {
  "agent.registered": { agentId: string; name: string };
  "agent.connected": { agentId: string };
  "agent.disconnected": { agentId: string };
  "agent.heartbeat": { agentId: string; sentAt: string };
  "agent.lost": { agentId: string; jobIds: string[] };
  "agent.paused": { agentId: string; note: string | undefined; timeoutInMinutes: number | undefined };
  "agent.resumed": { agentId: string };
  "agent.stop_requested": { agentId: string; force: boolean };
  "build.created": { buildId: string; number: number };
  "build.canceled": { buildId: string };
  "job.created": { jobId: string; buildId: string };
  /** Any change of a job's state; the more specific events below follow it. */
  "job.state_changed": { jobId: string; from: JobState; to: JobState };
  "job.assigned": { jobId: string; agentId: string };
  "job.accepted": { jobId: string; agentId: string };
  "job.started": { jobId: string };
  "job.finished": {
    jobId: string;
    state: JobState;
    exitStatus: number | undefined;
    signal: string | undefined;
    signalReason: string | undefined;
    chunksFailedCount: number;
  };
  "job.updated": { jobId: string; attributes: string[] };
  "job.failure_promised": { jobId: string; exitStatus: number };
  "chunk.received": { jobId: string; sequence: number; offset: number; size: number };
  "header_times.received": { jobId: string; indexes: string[] };
  "meta_data.set": { buildId: string; keys: string[] };
  "annotation.created": { buildId: string; context: string; scope: string };
  "annotation.updated": { buildId: string; context: string; scope: string };
  "annotation.removed": { buildId: string; context: string; scope: string };
  "artifact.created": { artifactId: string; jobId: string; path: string };
  "artifact.uploaded": { artifactId: string; size: number };
  "artifact.state_changed": { artifactId: string; state: string };
  "pipeline.uploaded": { uuid: string; jobId: string; async: boolean };
  "pipeline.applied": { uuid: string; jobId: string; jobIds: string[] };
  "pipeline.rejected": { uuid: string; jobId: string; message: string };
  "step.updated": { buildId: string; stepId: string; attribute: string };
  "oidc.token_issued": { jobId: string; audience: string };
  "secret.read": { jobId: string; key: string; found: boolean };
  "repository_token.issued": { jobId: string };
}

/** One of the event types above. */
export type DomainEventType = keyof DomainEventMap;

/** A domain event as logged and emitted. */
export type DomainEvent = {
  [K in DomainEventType]: { readonly type: K; readonly seq: number; readonly time: number } & Readonly<DomainEventMap[K]>;
}[DomainEventType];

/** The event of one type. */
export type DomainEventOf<K extends DomainEventType> = Extract<DomainEvent, { type: K }>;

/** One HTTP request the server saw, in the order their answers finished. */
export interface RequestLogEntry {
  /** Arrival order, from 1. */
  readonly seq: number;
  /** Clock ms when the request arrived. */
  readonly time: number;
  readonly method: string;
  /** Route name (`"chunks.upload"`), `"artifacts.upload_file"` etc.; `"unknown"` when nothing matched. */
  readonly route: string;
  /** Path and query as received. */
  readonly path: string;
  /** Status sent; `0` when the connection was dropped without an answer. */
  readonly status: number;
  /** Request header names, lower-case (values are never kept: they carry tokens). */
  readonly headerNames: readonly string[];
  /** The injected fault that shaped this answer, if any. */
  readonly fault: string | undefined;
  readonly durationMs: number;
}
