import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { pauseAgent, resumeAgent, stopAgent } from "./agent-control.js";
import { sweepLostAgents } from "./agent-liveness.js";
import { cancelBuild } from "./build-cancel.js";
import { systemClock, type Clock } from "./clock.js";
import type { DomainEvent, DomainEventOf, DomainEventType, RequestLogEntry } from "./domain-events.js";
import { AgentApiServerError } from "./errors.js";
import type { FaultHandle, FaultRule } from "./faults.js";
import { createBuild, createJob, type BuildOptions, type JobOptions } from "./job-creation.js";
import { chunksInOrder, jobLogStream } from "./job-log.js";
import { cancelJob, timeOutJob } from "./job-transitions.js";
import { silentLogger, type Logger } from "./logger.js";
import { MemoryStore } from "./memory-store.js";
import { createPipelineValidator } from "./pipeline-validator.js";
import { RequestDispatcher } from "./request-dispatcher.js";
import { ServerCore, type ServerSettings } from "./server-core.js";
import type {
  AgentApiStore,
  AgentRecord,
  AnnotationRecord,
  ArtifactRecord,
  BuildRecord,
  JobRecord,
  PipelineUploadRecord,
} from "./store.js";

/** Server-chosen agent intervals, in whole seconds (each at least 1: the agent's tickers need it). */
export interface AgentIntervals {
  /** @default 1 */
  readonly ping?: number;
  /** @default 1 */
  readonly jobStatus?: number;
  /** @default 60 */
  readonly heartbeat?: number;
}

/** Everything an `AgentApiServer` can be told at construction. */
export interface AgentApiServerOptions {
  /** The token `POST register` requires. @default a random `bkrt_…` token, readable as `server.registrationToken` */
  readonly registrationToken?: string;
  /**
   * Buildkite's pipeline JSON schema; uploaded pipelines are validated against it
   * (with `@agent/pipeline`'s `checkPipelineSchema`, compiled once per schema object
   * at the first upload; one that does not compile rejects uploads and is logged at
   * error). Without it only "an object with a `steps` list" is required.
   */
  readonly pipelineSchema?: object;
  /** Intervals handed to agents at register. @default { ping: 1, jobStatus: 1, heartbeat: 60 } */
  readonly intervals?: AgentIntervals;
  /** Time source for lost-agent detection, pause timeouts, tokens and timestamps. @default the wall clock */
  readonly clock?: Clock;
  /** @default silent */
  readonly logger?: Logger;
  /** Where records live. @default a new `MemoryStore` */
  readonly store?: AgentApiStore;
  /** Organization slug in job env, token identity and OIDC claims. @default "local" */
  readonly organizationSlug?: string;
  /** An agent with no heartbeat for this long is marked lost (Buildkite: about 3 minutes). @default 180 */
  readonly lostAgentTimeoutSeconds?: number;
  /** Real-time period of the background lost-agent sweep; requests also sweep. @default 10000 */
  readonly lostAgentCheckIntervalMs?: number;
  /** Largest JSON or chunk request body accepted (413 beyond). Artifact files are not capped. @default 10 MiB */
  readonly maxBodyBytes?: number;
  /** `Buildkite-*` headers the agent must add to later requests (register and ping `request_headers`). @default {} */
  readonly requestHeaders?: Readonly<Record<string, string>>;
  /** Job `chunks_max_size_bytes`. @default 102400 */
  readonly chunksMaxSizeBytes?: number;
  /** Job `chunks_interval_seconds`. @default 1 */
  readonly chunksIntervalSeconds?: number;
  /** Job `log_max_size_bytes`. @default 1 GiB */
  readonly logMaxSizeBytes?: number;
  /** Status polls an async pipeline upload answers `pending`/`processing` before its result. @default 2 */
  readonly asyncPipelinePolls?: number;
  /** `Retry-After` on async pipeline answers, seconds. @default 1 */
  readonly pipelineRetryAfterSeconds?: number;
  /** HMAC key for OIDC tokens (HS256); without one tokens are unsigned (`alg: none`). */
  readonly oidcSigningKey?: string | Buffer;
  /** Entries kept in each of the request log and the event log (oldest dropped first). @default 50000 */
  readonly maxLogEntries?: number;
  /** Parent of the temp dir holding uploaded artifact files. @default os.tmpdir() */
  readonly tempDir?: string;
}

/** Where to listen. */
export interface ListenOptions {
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  readonly signal?: AbortSignal;
}

/** Where the server is reachable. */
export interface ListeningAddress {
  /** The Agent API endpoint, with `/v3`: give it to the agent as `--endpoint`. */
  readonly endpoint: string;
  /** `http://host:port`. */
  readonly origin: string;
  readonly port: number;
}

/** Where to keep a secret: for one build, or for every build of a pipeline. */
export type SecretScope = { readonly buildId: string } | { readonly pipelineSlug: string };

/** A chunk as stored, without its bytes. */
export interface ChunkInfo {
  readonly sequence: number;
  readonly offset: number;
  readonly size: number;
  readonly compressedSize: number;
}

/**
 * A Buildkite Agent API server over `node:http` with an in-memory (pluggable) store:
 * agents register, ping for jobs, run them and upload logs, artifacts, meta-data,
 * annotations and pipelines exactly as against buildkite.com. The programmatic API
 * creates builds and jobs, changes their state, injects faults and shows everything
 * that happened.
 */
export class AgentApiServer {
  /** The registration token agents must present. */
  readonly registrationToken: string;
  readonly #core: ServerCore;
  readonly #closing = new AbortController();
  readonly #dispatcher: RequestDispatcher;
  readonly #tempParent: string;
  readonly #checkEveryMs: number;
  #server: Server | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #state: "new" | "listening" | "closed" = "new";
  #listening: Promise<ListeningAddress> | undefined;
  #closed: Promise<void> | undefined;

  /** @throws AgentApiServerError `SERVER_OPTION_INVALID` for an out-of-range option. */
  constructor(options: AgentApiServerOptions = {}) {
    this.registrationToken = options.registrationToken ?? `bkrt_${randomBytes(24).toString("base64url")}`;
    if (this.registrationToken === "") invalid("registrationToken must not be empty");
    const settings: ServerSettings = {
      registrationToken: this.registrationToken,
      organizationSlug: options.organizationSlug ?? "local",
      intervals: {
        ping: wholeAtLeast("intervals.ping", options.intervals?.ping ?? 1, 1),
        jobStatus: wholeAtLeast("intervals.jobStatus", options.intervals?.jobStatus ?? 1, 1),
        heartbeat: wholeAtLeast("intervals.heartbeat", options.intervals?.heartbeat ?? 60, 1),
      },
      lostAgentTimeoutMs: positive("lostAgentTimeoutSeconds", options.lostAgentTimeoutSeconds ?? 180) * 1000,
      maxBodyBytes: wholeAtLeast("maxBodyBytes", options.maxBodyBytes ?? 10 * 1024 * 1024, 1024),
      requestHeaders: { ...options.requestHeaders },
      chunksMaxSizeBytes: wholeAtLeast("chunksMaxSizeBytes", options.chunksMaxSizeBytes ?? 102_400, 1),
      chunksIntervalSeconds: wholeAtLeast("chunksIntervalSeconds", options.chunksIntervalSeconds ?? 1, 1),
      logMaxSizeBytes: wholeAtLeast("logMaxSizeBytes", options.logMaxSizeBytes ?? 1024 ** 3, 1),
      asyncPipelinePolls: wholeAtLeast("asyncPipelinePolls", options.asyncPipelinePolls ?? 2, 0),
      pipelineRetryAfterSeconds: wholeAtLeast("pipelineRetryAfterSeconds", options.pipelineRetryAfterSeconds ?? 1, 0),
      oidcSigningKey: options.oidcSigningKey === undefined ? undefined : Buffer.from(options.oidcSigningKey),
      maxLogEntries: wholeAtLeast("maxLogEntries", options.maxLogEntries ?? 50_000, 10),
    };
    this.#checkEveryMs = positive("lostAgentCheckIntervalMs", options.lostAgentCheckIntervalMs ?? 10_000);
    this.#tempParent = options.tempDir ?? tmpdir();
    this.#core = new ServerCore(
      settings,
      options.store ?? new MemoryStore(),
      options.clock ?? systemClock,
      options.logger ?? silentLogger,
      createPipelineValidator(options.pipelineSchema),
    );
    this.#dispatcher = new RequestDispatcher(this.#core, this.#closing.signal);
  }

  /**
   * Starts listening. @throws AgentApiServerError `SERVER_STATE` when already
   * listening or closed, `SERVER_IO` when the artifact temp dir cannot be made;
   * rejects with the listen error (e.g. `EADDRINUSE`) or `signal.reason`.
   */
  async listen(options: ListenOptions = {}): Promise<ListeningAddress> {
    if (this.#state !== "new") throw new AgentApiServerError("SERVER_STATE", `listen() called on a server that is ${this.#state}; make a new AgentApiServer`);
    options.signal?.throwIfAborted();
    this.#state = "listening";
    // close() waits for this, so a close() racing listen() cannot leave a server,
    // a timer or the temp dir behind.
    this.#listening = this.#start(options);
    return this.#listening;
  }

  async #start(options: ListenOptions): Promise<ListeningAddress> {
    try {
      this.#core.artifactDir = await mkdtemp(path.join(this.#tempParent, "agent-api-server-"));
    } catch (error) {
      await this.#shutdown();
      throw new AgentApiServerError("SERVER_IO", `could not create the artifact directory under ${this.#tempParent}: ${(error as Error).message}`, { cause: error });
    }
    const server = createServer({ keepAliveTimeout: 5_000 }, this.#dispatcher.listener);
    this.#server = server;
    server.on("clientError", (_error, socket) => {
      // A request line or headers node could not parse: answer 400 like any HTTP server.
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      else socket.destroy();
    });
    try {
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
      await once(server, "listening", { signal: options.signal });
    } catch (error) {
      await this.#shutdown();
      throw error;
    }
    const address = server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    this.#core.origin = `http://${host}:${address.port}`;
    this.#sweepTimer = setInterval(() => sweepLostAgents(this.#core), this.#checkEveryMs);
    this.#core.logger.info("agent API server listening", { endpoint: this.#core.endpoint });
    return { endpoint: this.#core.endpoint, origin: this.#core.origin, port: address.port };
  }

  /** The Agent API endpoint (`http://host:port/v3`). @throws AgentApiServerError `SERVER_STATE` before `listen`. */
  get endpoint(): string {
    if (this.#core.origin === "") throw new AgentApiServerError("SERVER_STATE", "the server is not listening yet; await listen() first");
    return this.#core.endpoint;
  }

  /**
   * Stops the server: refuses new connections, ends keep-alive and in-flight ones,
   * cancels injected delays, stops timers and removes uploaded artifact files.
   * Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#listening?.catch(() => {});
      await this.#shutdown();
    })();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#closing.abort(new AgentApiServerError("SERVER_STATE", "the server is closing"));
    clearInterval(this.#sweepTimer);
    const server = this.#server;
    if (server !== undefined) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
    await this.#dispatcher.settled();
    if (this.#core.artifactDir !== "") await rm(this.#core.artifactDir, { recursive: true, force: true });
  }

  // ---- builds and jobs -------------------------------------------------------

  /** Creates a build (and any `jobs` in it); returns a snapshot. */
  createBuild(options: BuildOptions = {}): BuildRecord {
    return structuredClone(createBuild(this.#core, options));
  }

  /**
   * Adds a scheduled job to a build; returns a snapshot, including its job `token`.
   * @throws AgentApiServerError `SERVER_UNKNOWN` (build, or a `dependsOn` name), `SERVER_TRANSITION` (build cancelled),
   * `SERVER_OPTION_INVALID` (`secrets` or `plugins` of the wrong shape).
   */
  createJob(buildId: string, options: JobOptions = {}): JobRecord {
    return structuredClone(createJob(this.#core, this.#build(buildId), options));
  }

  /**
   * Cancels a job: at once when no agent holds it, else `canceling` until its agent finishes.
   * @throws AgentApiServerError `SERVER_UNKNOWN`, or `SERVER_TRANSITION` for a finished job.
   */
  cancelJob(jobId: string): void {
    cancelJob(this.#core, this.#job(jobId));
  }

  /** Times a held job out (`timing_out`). @throws AgentApiServerError `SERVER_UNKNOWN`, `SERVER_TRANSITION`. */
  timeOutJob(jobId: string): void {
    timeOutJob(this.#core, this.#job(jobId));
  }

  /** Cancels every unfinished job of a build. @throws AgentApiServerError `SERVER_UNKNOWN`. */
  cancelBuild(buildId: string): void {
    cancelBuild(this.#core, this.#build(buildId));
  }

  /** Makes the agent's next ping answer `disconnect` (`force` also cancels its job). @throws AgentApiServerError `SERVER_UNKNOWN`. */
  stopAgent(agentId: string, options: { readonly force?: boolean } = {}): void {
    stopAgent(this.#core, this.#agent(agentId), options.force ?? false);
  }

  /** Makes the agent's pings answer `pause` until `resumeAgent`. @throws AgentApiServerError `SERVER_UNKNOWN`. */
  pauseAgent(agentId: string, options: { readonly note?: string } = {}): void {
    pauseAgent(this.#core, this.#agent(agentId), options.note, undefined);
  }

  /** Ends a pause. @throws AgentApiServerError `SERVER_UNKNOWN`. */
  resumeAgent(agentId: string): void {
    resumeAgent(this.#core, this.#agent(agentId));
  }

  /** Makes a secret available to `GET jobs/{id}/secrets` for one build or a whole pipeline (build wins). */
  setSecret(key: string, value: string, scope: SecretScope): void {
    const group = "buildId" in scope ? `build:${scope.buildId}` : `pipeline:${scope.pipelineSlug}`;
    this.#core.store.secrets.set(group, key, value);
  }

  /** Marks lost every agent past the heartbeat timeout by the clock now; returns their ids. */
  checkLostAgents(): string[] {
    return sweepLostAgents(this.#core);
  }

  // ---- faults ----------------------------------------------------------------

  /** Adds a fault rule (first added, first matched). @throws RangeError when `times` < 1. */
  injectFault(rule: FaultRule): FaultHandle {
    return this.#core.faults.add(rule);
  }

  /** Removes every fault rule. */
  clearFaults(): void {
    this.#core.faults.clear();
  }

  // ---- observation -----------------------------------------------------------

  /** Every request answered so far, in the order answers finished (bounded by `maxLogEntries`). */
  requests(): readonly RequestLogEntry[] {
    return [...this.#core.requests];
  }

  /** Every domain event so far, in order (bounded by `maxLogEntries`). */
  events(): readonly DomainEvent[] {
    return [...this.#core.events];
  }

  /** Calls `listener` for each future domain event; returns the unsubscribe function. */
  onEvent(listener: (event: DomainEvent) => void): () => void {
    this.#core.emitter.on("event", listener);
    return () => this.#core.emitter.off("event", listener);
  }

  /**
   * The first event of `type` (matching `match`) — already logged, or the next to
   * come. Rejects with `signal.reason` when aborted; pass `AbortSignal.timeout(ms)`.
   */
  waitForEvent<K extends DomainEventType>(
    type: K,
    options: { readonly match?: (event: DomainEventOf<K>) => boolean; readonly signal?: AbortSignal } = {},
  ): Promise<DomainEventOf<K>> {
    const { match = () => true, signal } = options;
    const accepts = (event: DomainEvent): event is DomainEventOf<K> => event.type === type && match(event as DomainEventOf<K>);
    let past: DomainEventOf<K> | undefined;
    try {
      past = this.#core.events.find(accepts);
    } catch (error) {
      // A throwing `match` rejects, as it does on a future event: callers only `await`.
      return Promise.reject(error);
    }
    if (past !== undefined) return Promise.resolve(past);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        unsubscribe();
        reject(signal!.reason);
      };
      const unsubscribe = this.onEvent((event) => {
        let accepted: boolean;
        try {
          accepted = accepts(event);
        } catch (error) {
          // A throwing `match` ends this wait with its error rather than hanging it.
          unsubscribe();
          signal?.removeEventListener("abort", onAbort);
          reject(error);
          return;
        }
        if (!accepted) return;
        unsubscribe();
        signal?.removeEventListener("abort", onAbort);
        resolve(event as DomainEventOf<K>);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** A snapshot of a job, or `undefined`. */
  job(jobId: string): JobRecord | undefined {
    const job = this.#core.store.jobs.get(jobId);
    return job === undefined ? undefined : structuredClone(job);
  }

  /** Snapshots of all jobs, or a build's, in creation order. */
  jobs(buildId?: string): JobRecord[] {
    return [...this.#core.store.jobs.values()].filter((j) => buildId === undefined || j.buildId === buildId).map((j) => structuredClone(j));
  }

  /** A snapshot of a build, or `undefined`. */
  build(buildId: string): BuildRecord | undefined {
    const build = this.#core.store.builds.get(buildId);
    return build === undefined ? undefined : structuredClone(build);
  }

  /** A snapshot of an agent (with its access token), or `undefined`. */
  agent(agentId: string): AgentRecord | undefined {
    const agent = this.#core.store.agents.get(agentId);
    return agent === undefined ? undefined : structuredClone(agent);
  }

  /** Snapshots of every registered agent. */
  agents(): AgentRecord[] {
    return [...this.#core.store.agents.values()].map((a) => structuredClone(a));
  }

  /** A job's chunks in log order (offset, then sequence), without their bytes. */
  chunks(jobId: string): ChunkInfo[] {
    return chunksInOrder(this.#core, jobId).map((c) => ({
      sequence: c.sequence,
      offset: c.offset,
      size: c.size,
      compressedSize: c.gzip.length,
    }));
  }

  /** A job's log, chunks inflated and joined in offset order, as a stream. */
  jobLogStream(jobId: string): Readable {
    return jobLogStream(this.#core, jobId);
  }

  /** A job's whole log as UTF-8 text; for small logs (tests), use `jobLogStream` for big ones. */
  jobLog(jobId: string): Promise<string> {
    return text(jobLogStream(this.#core, jobId));
  }

  /** A build's meta-data. */
  metaData(buildId: string): Record<string, string> {
    const { metaData } = this.#core.store;
    return Object.fromEntries(metaData.keys(buildId).map((key) => [key, metaData.get(buildId, key)!]));
  }

  /** A build's annotations (both scopes), in creation order. */
  annotations(buildId: string): AnnotationRecord[] {
    return [...this.#core.store.annotations.values()].filter((a) => a.buildId === buildId).map((a) => structuredClone(a));
  }

  /** Artifacts of a build (or all), in creation order. */
  artifacts(buildId?: string): ArtifactRecord[] {
    return [...this.#core.store.artifacts.values()]
      .filter((a) => buildId === undefined || a.buildId === buildId)
      .map((a) => structuredClone(a));
  }

  /** The uploaded bytes of an artifact. @throws AgentApiServerError `SERVER_UNKNOWN` when nothing was uploaded. */
  artifactContent(artifactId: string): Readable {
    const file = this.#core.store.artifacts.get(artifactId)?.file;
    if (file === undefined) throw new AgentApiServerError("SERVER_UNKNOWN", `artifact ${artifactId} has no uploaded file`);
    return createReadStream(file.path);
  }

  /** Pipeline uploads (of one job, or all), in order. */
  pipelineUploads(jobId?: string): PipelineUploadRecord[] {
    return [...this.#core.store.pipelineUploads.values()]
      .filter((u) => jobId === undefined || u.jobId === jobId)
      .map((u) => structuredClone(u));
  }

  #job(id: string): JobRecord {
    const job = this.#core.store.jobs.get(id);
    if (job === undefined) throw new AgentApiServerError("SERVER_UNKNOWN", `no job ${id} on this server`);
    return job;
  }

  #build(id: string): BuildRecord {
    const build = this.#core.store.builds.get(id);
    if (build === undefined) throw new AgentApiServerError("SERVER_UNKNOWN", `no build ${id} on this server`);
    return build;
  }

  #agent(id: string): AgentRecord {
    const agent = this.#core.store.agents.get(id);
    if (agent === undefined) throw new AgentApiServerError("SERVER_UNKNOWN", `no agent ${id} on this server`);
    return agent;
  }
}

function invalid(message: string): never {
  throw new AgentApiServerError("SERVER_OPTION_INVALID", message);
}

function wholeAtLeast(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) invalid(`${name} must be a whole number ≥ ${min}, got ${value}`);
  return value;
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) invalid(`${name} must be a positive number, got ${value}`);
  return value;
}
