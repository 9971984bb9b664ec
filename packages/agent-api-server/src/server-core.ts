import { EventEmitter } from "node:events";
import { randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "./clock.js";
import type { DomainEvent, DomainEventMap, DomainEventType, RequestLogEntry } from "./domain-events.js";
import { FaultTable } from "./faults.js";
import type { Logger } from "./logger.js";
import type { PipelineValidator } from "./pipeline-validator.js";
import type { AgentApiStore, JobRecord, JobState } from "./store.js";

/** Settings after defaults, shared by every route. */
export interface ServerSettings {
  readonly registrationToken: string;
  readonly organizationSlug: string;
  readonly intervals: { readonly ping: number; readonly jobStatus: number; readonly heartbeat: number };
  readonly lostAgentTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly chunksMaxSizeBytes: number;
  readonly chunksIntervalSeconds: number;
  readonly logMaxSizeBytes: number;
  readonly asyncPipelinePolls: number;
  readonly pipelineRetryAfterSeconds: number;
  readonly oidcSigningKey: Buffer | undefined;
  readonly maxLogEntries: number;
}

/**
 * The state every route handler shares: settings, store, clock, the event and
 * request logs, fault rules and where the server is reachable. One per server.
 */
export class ServerCore {
  readonly settings: ServerSettings;
  readonly store: AgentApiStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly validator: PipelineValidator;
  readonly faults = new FaultTable();
  readonly emitter = new EventEmitter();
  readonly events: DomainEvent[] = [];
  readonly requests: RequestLogEntry[] = [];
  /** `http://host:port` once listening. */
  origin = "";
  /** Directory holding uploaded artifact files, once listening. */
  artifactDir = "";
  /** Signs artifact upload forms, so only instructions this server issued can store files. */
  readonly artifactSecret = randomBytes(32);
  /** `step update` idempotency uuids already applied. */
  readonly stepUpdates = new Set<string>();
  #eventSeq = 0;
  #buildNumber = 0;

  constructor(settings: ServerSettings, store: AgentApiStore, clock: Clock, logger: Logger, validator: PipelineValidator) {
    this.settings = settings;
    this.store = store;
    this.clock = clock;
    this.logger = logger;
    this.validator = validator;
    // Test code waits on events from many places at once; the default cap of 10
    // listeners would only produce a misleading leak warning.
    this.emitter.setMaxListeners(0);
  }

  /** The Agent API base URL, `http://host:port/v3`. */
  get endpoint(): string {
    return `${this.origin}/v3`;
  }

  now(): number {
    return this.clock.now();
  }

  /** An RFC 3339 UTC timestamp of the clock's time. */
  timestamp(ms: number = this.clock.now()): string {
    return new Date(ms).toISOString();
  }

  newId(): string {
    return randomUUID();
  }

  /** A fresh bearer secret with Buildkite's prefix style (`bkaa_` agent, `bkaj_` job). */
  newToken(prefix: "bkaa" | "bkaj" | "ghs"): string {
    return `${prefix}_${randomBytes(24).toString("base64url")}`;
  }

  nextBuildNumber(): number {
    this.#buildNumber += 1;
    return this.#buildNumber;
  }

  /** Logs and emits one domain event. */
  emit<K extends DomainEventType>(type: K, fields: DomainEventMap[K]): void {
    this.#eventSeq += 1;
    const event = { type, seq: this.#eventSeq, time: this.clock.now(), ...fields } as unknown as DomainEvent;
    pushCapped(this.events, event, this.settings.maxLogEntries);
    this.logger.debug(`event ${type}`, fields as Record<string, unknown>);
    // Observers are the embedder's code: one that throws must not crash the server
    // (the lost-agent sweep runs on a timer) or leave a request half applied.
    for (const listener of this.emitter.listeners("event")) {
      try {
        (listener as (event: DomainEvent) => void)(event);
      } catch (error) {
        this.logger.error("an event listener threw", { type, error: String(error) });
      }
    }
  }

  recordRequest(entry: RequestLogEntry): void {
    pushCapped(this.requests, entry, this.settings.maxLogEntries);
  }

  /** Writes a job back and, when its state changed, says so. */
  saveJob(job: JobRecord, previous: JobState): void {
    this.store.jobs.set(job.id, job);
    if (previous !== job.state) this.emit("job.state_changed", { jobId: job.id, from: previous, to: job.state });
  }
}

/** Appends to a log, dropping the oldest tenth when full so memory stays bounded. */
function pushCapped<T>(log: T[], item: T, cap: number): void {
  if (log.length >= cap) log.splice(0, Math.max(1, Math.floor(cap / 10)));
  log.push(item);
}
