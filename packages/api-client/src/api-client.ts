import { setTimeout as delay } from "node:timers/promises";
import * as agents from "./agents.js";
import * as annotations from "./annotations.js";
import * as artifacts from "./artifacts.js";
import * as builds from "./builds.js";
import type { CallOptions } from "./call-options.js";
import * as chunks from "./chunks.js";
import { rememberSecret, type ClientCore, type SharedState } from "./exchange.js";
import { saveHeaderTimes } from "./header-times.js";
import * as heartbeats from "./heartbeats.js";
import { HttpTransport } from "./http-transport.js";
import { KnownSecrets } from "./known-secrets.js";
import * as jobs from "./jobs.js";
import { silentLogger, type Logger } from "./logger.js";
import * as metaData from "./meta-data.js";
import { oidcToken, type OidcTokenRequest } from "./oidc.js";
import * as pings from "./pings.js";
import * as pipelines from "./pipelines.js";
import { repositoryAccessToken } from "./repository-access-token.js";
import { requestHeadersFromEnv, serverRequestHeaders } from "./request-headers.js";
import type { RetryClock } from "./retrier.js";
import * as secrets from "./secrets.js";
import * as steps from "./steps.js";
import { tokenIdentity, type TokenIdentity } from "./token.js";
import { userAgent } from "./user-agent.js";

/** The real agent's default endpoint (since v3.122.0). */
export const DEFAULT_ENDPOINT = "https://agent-edge.buildkite.com/v3";
/** The per-request timeout when none is given: 60 s, as the real agent. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** The User-Agent when neither `userAgent` nor `version` is given (the library fallback). */
export const FALLBACK_USER_AGENT = "buildkite-agent/api";

/** Settings for {@link ApiClient}. */
export interface ApiClientOptions {
  /** The Agent API base URL. @default "https://agent-edge.buildkite.com/v3" */
  readonly endpoint?: string;
  /**
   * Registration token (for `register`), agent access token, or job token. Empty
   * means no `Authorization` header at all. Never logged or put in an error.
   * @default ""
   */
  readonly token?: string;
  /** The User-Agent, verbatim. Overrides `version`/`build`. */
  readonly userAgent?: string;
  /**
   * Agent version for the User-Agent `buildkite-agent/<version>.<build> (<os>; <arch>)`.
   * Without it (and without `userAgent`) the fallback `buildkite-agent/api` is sent.
   */
  readonly version?: string;
  /** Build number for the User-Agent. @default "x" */
  readonly build?: string;
  /** @default a silent logger */
  readonly logger?: Logger;
  /**
   * The environment to read `BUILDKITE_REQUEST_HEADER_*` from (see
   * `requestHeadersFromEnv`). The client never reads `process.env` itself.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Per-request timeout in ms. @default 60000 */
  readonly timeoutMs?: number;
  /** Waits between retries; injected by tests to record delays. @default a timer honouring the signal */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source, uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Clock for deadlines, in ms. @default performance.now */
  readonly now?: () => number;
}

// Set by #derive just around `new ApiClient(...)` so derived clients share the
// parent's sockets and known tokens without the constructor exposing that state.
let inheritedShared: SharedState | undefined;
let inheritedTokens: readonly string[] = [];

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, signal ? { signal } : undefined);

/**
 * A client for Buildkite's Agent API: every call the agent and its job-side
 * subcommands make, with the real agent's paths, JSON, headers and per-call retry
 * budgets. Derive a client for a job's token or another endpoint with
 * {@link ApiClient.withToken} / {@link ApiClient.withEndpoint} (they share the
 * socket pool); call {@link ApiClient.close} when done with the whole family.
 *
 * Every method rejects with an `ApiError` (see its `code`), and takes
 * `{ signal }` to cancel, including during a retry's sleep.
 */
export class ApiClient {
  readonly #core: ClientCore;

  constructor(options: ApiClientOptions = {}) {
    const token = options.token ?? "";
    const sharedState: SharedState = inheritedShared ?? { transport: new HttpTransport(), secrets: new KnownSecrets() };
    const ownTokens = token === "" || inheritedTokens.includes(token) ? inheritedTokens : [...inheritedTokens, token];
    inheritedShared = undefined;
    inheritedTokens = [];
    rememberSecret(sharedState, token);
    const clock: RetryClock = {
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      now: options.now ?? (() => performance.now()),
    };
    this.#core = {
      endpoint: options.endpoint || DEFAULT_ENDPOINT,
      token,
      userAgent:
        options.userAgent ??
        (options.version !== undefined ? userAgent(options.version, options.build ?? "x") : FALLBACK_USER_AGENT),
      logger: options.logger ?? silentLogger,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      clock,
      shared: sharedState,
      ownTokens,
      requestHeaders: requestHeadersFromEnv(options.env ?? {}),
    };
  }

  #derive(changes: { token?: string; endpoint?: string }): ApiClient {
    const core = this.#core;
    inheritedShared = core.shared;
    inheritedTokens = core.ownTokens;
    const client = new ApiClient(
      {
        endpoint: changes.endpoint ?? core.endpoint,
        token: changes.token ?? core.token,
        userAgent: core.userAgent,
        logger: core.logger,
        timeoutMs: core.timeoutMs,
        sleep: core.clock.sleep,
        random: core.clock.random,
        now: core.clock.now,
      },
    );
    // A snapshot, as Go's Client.New: later pings on either client do not affect the other.
    client.#core.requestHeaders = core.requestHeaders;
    return client;
  }

  /** The endpoint this client calls. */
  get endpoint(): string {
    return this.#core.endpoint;
  }

  /** Whether this client sends an `Authorization` header (the token itself is not exposed). */
  get hasToken(): boolean {
    return this.#core.token !== "";
  }

  /** The User-Agent this client sends. */
  get userAgent(): string {
    return this.#core.userAgent;
  }

  /**
   * The `Buildkite-*` headers added to every request: from the env at
   * construction, then as registration and pings set them. The agent exports them
   * to jobs with `requestHeadersToEnv`.
   */
  get requestHeaders(): Readonly<Record<string, string>> {
    return this.#core.requestHeaders;
  }

  /**
   * Replaces the server-specified headers as a register/ping answer does: only
   * names starting with `Buildkite-` are kept; `null`/`undefined` keeps the current
   * set; an empty map clears it.
   */
  setRequestHeaders(headers: Readonly<Record<string, string>> | null | undefined): void {
    if (headers === null || headers === undefined) return;
    this.#core.requestHeaders = serverRequestHeaders(headers);
  }

  /** A client with the same settings and a different token (e.g. a job's token). */
  withToken(token: string): ApiClient {
    return this.#derive({ token });
  }

  /** A client with the same settings and a different endpoint (e.g. from a ping). */
  withEndpoint(endpoint: string): ApiClient {
    return this.#derive({ endpoint });
  }

  /**
   * The client to use after registering: the access token, the endpoint if the
   * answer names one, and its request headers if it carries a map.
   */
  fromRegistration(registration: agents.RegisterResponse): ApiClient {
    const client = this.#derive({
      token: registration.accessToken,
      ...(registration.endpoint ? { endpoint: registration.endpoint } : {}),
    });
    client.setRequestHeaders(registration.requestHeaders);
    return client;
  }

  /** Closes the pooled sockets of this client and every client derived from it or its parent. */
  close(): void {
    this.#core.shared.transport.close();
  }

  /** `POST register` (use a client holding the registration token). See {@link agents.register}. */
  register(request: agents.RegisterRequest, options?: CallOptions): Promise<agents.RegisterResponse> {
    return agents.register(this.#core, request, options);
  }

  /** `POST connect`; 10 × 5 s, every error retried. */
  connect(options?: CallOptions): Promise<void> {
    return agents.connect(this.#core, options);
  }

  /** `POST disconnect`; 4 × 1 s, every error retried. */
  disconnect(options?: CallOptions): Promise<void> {
    return agents.disconnect(this.#core, options);
  }

  /** `GET ping`, one attempt; applies the answer's request headers to this client. */
  ping(options?: CallOptions): Promise<pings.Ping> {
    return pings.ping(this.#core, options);
  }

  /** `POST heartbeat`; 10 × 5 s, no jitter. */
  heartbeat(options?: heartbeats.HeartbeatOptions): Promise<heartbeats.Heartbeat> {
    return heartbeats.heartbeat(this.#core, options);
  }

  /** `POST stop` (`buildkite-agent stop`); 5 × 1 s + jitter. */
  stop(request?: agents.StopRequest, options?: CallOptions): Promise<void> {
    return agents.stop(this.#core, request, options);
  }

  /** `POST pause` (`buildkite-agent pause`); 5 × 1 s + jitter. */
  pause(request?: agents.PauseRequest, options?: CallOptions): Promise<void> {
    return agents.pause(this.#core, request, options);
  }

  /** `POST resume` (`buildkite-agent resume`); 5 × 1 s + jitter. */
  resume(options?: CallOptions): Promise<void> {
    return agents.resume(this.#core, options);
  }

  /** `GET token`: whom the token belongs to; one attempt. */
  tokenIdentity(options?: CallOptions): Promise<TokenIdentity> {
    return tokenIdentity(this.#core, options);
  }

  /** `PUT jobs/{id}/accept`; only transport errors retried (30 × 5 s). */
  acceptJob(jobId: string, options?: CallOptions): Promise<jobs.Job> {
    return jobs.acceptJob(this.#core, jobId, options);
  }

  /** `PUT jobs/{id}/acquire` (acquire-job mode); 7 × Exponential(2 s), 330 s deadline. */
  acquireJob(jobId: string, options?: CallOptions): Promise<jobs.Job> {
    return jobs.acquireJob(this.#core, jobId, options);
  }

  /** `PUT jobs/{id}/start`; 7 × Exponential(2 s). */
  startJob(jobId: string, options?: jobs.StartJobOptions): Promise<void> {
    return jobs.startJob(this.#core, jobId, options);
  }

  /** `PUT jobs/{id}/finish`; 12 × ExponentialSubsecond(2 s) + jitter, 1 h deadline. */
  finishJob(jobId: string, request: jobs.FinishJobRequest, options?: CallOptions): Promise<void> {
    return jobs.finishJob(this.#core, jobId, request, options);
  }

  /** `GET jobs/{id}` → the job's state; one attempt (the caller polls). */
  getJobState(jobId: string, options?: CallOptions): Promise<string> {
    return jobs.getJobState(this.#core, jobId, options);
  }

  /** `PUT jobs/{id}` with attributes (e.g. `{ timeout: "10" }`) → the job id; 10 × ExponentialSubsecond(2 s). */
  updateJob(jobId: string, attributes: Readonly<Record<string, string>>, options?: CallOptions): Promise<string> {
    return jobs.updateJob(this.#core, jobId, attributes, options);
  }

  /** `PUT jobs/{id}/promise_failure`; 10 × ExponentialSubsecond(2 s). */
  promiseFailure(jobId: string, request: jobs.PromiseFailureRequest, options?: CallOptions): Promise<void> {
    return jobs.promiseFailure(this.#core, jobId, request, options);
  }

  /** `POST jobs/{id}/chunks?…` with a gzipped log chunk; any 4xx drops it. */
  uploadChunk(jobId: string, chunk: chunks.Chunk, options?: CallOptions): Promise<chunks.ChunkUploadResult> {
    return chunks.uploadChunk(this.#core, jobId, chunk, options);
  }

  /** `POST jobs/{id}/header_times` (index → RFC3339Nano UTC); any 4xx abandons the batch. */
  saveHeaderTimes(
    jobId: string,
    times: ReadonlyMap<number, string> | Readonly<Record<string, string>>,
    options?: CallOptions,
  ): Promise<void> {
    return saveHeaderTimes(this.#core, jobId, times, options);
  }

  /** `POST jobs/{job}/data/set`; 10 × ExponentialSubsecond(2 s). */
  setMetaData(jobId: string, item: metaData.MetaDataItem, options?: CallOptions): Promise<void> {
    return metaData.setMetaData(this.#core, jobId, item, options);
  }

  /** `POST jobs/{job}/data/set-batch`; breaks only on 401/404. */
  setMetaDataBatch(jobId: string, items: readonly metaData.MetaDataItem[], options?: CallOptions): Promise<void> {
    return metaData.setMetaDataBatch(this.#core, jobId, items, options);
  }

  /** `POST {jobs|builds}/{id}/data/get`; 404 (an `API_HTTP_STATUS` error) when unset. */
  getMetaData(target: metaData.MetaDataTarget, key: string, options?: CallOptions): Promise<metaData.MetaDataItem> {
    return metaData.getMetaData(this.#core, target, key, options);
  }

  /** `POST {jobs|builds}/{id}/data/exists`. */
  metaDataExists(target: metaData.MetaDataTarget, key: string, options?: CallOptions): Promise<boolean> {
    return metaData.metaDataExists(this.#core, target, key, options);
  }

  /** `POST {jobs|builds}/{id}/data/keys`. */
  metaDataKeys(target: metaData.MetaDataTarget, options?: CallOptions): Promise<string[]> {
    return metaData.metaDataKeys(this.#core, target, options);
  }

  /** `POST jobs/{job}/artifacts`: create a batch of ≤ 30 artifacts. */
  createArtifacts(
    jobId: string,
    batch: artifacts.ArtifactBatch,
    options?: CallOptions,
  ): Promise<artifacts.ArtifactBatchResult> {
    return artifacts.createArtifacts(this.#core, jobId, batch, options);
  }

  /** `PUT jobs/{job}/artifacts`: report artifacts finished or errored. */
  updateArtifacts(jobId: string, states: readonly artifacts.ArtifactState[], options?: CallOptions): Promise<void> {
    return artifacts.updateArtifacts(this.#core, jobId, states, options);
  }

  /** `GET builds/{build}/artifacts/search?…`. */
  searchArtifacts(
    buildId: string,
    query: artifacts.ArtifactSearchQuery,
    options?: CallOptions,
  ): Promise<artifacts.Artifact[]> {
    return artifacts.searchArtifacts(this.#core, buildId, query, options);
  }

  /** Uploads a pipeline, asynchronously with status polling when the server answers 202. */
  uploadPipeline(
    jobId: string,
    upload: pipelines.PipelineUpload,
    options?: CallOptions,
  ): Promise<pipelines.PipelineUploadResult> {
    return pipelines.uploadPipeline(this.#core, jobId, upload, options);
  }

  /** `POST jobs/{job}/annotations`. */
  createAnnotation(jobId: string, annotation: annotations.Annotation, options?: CallOptions): Promise<void> {
    return annotations.createAnnotation(this.#core, jobId, annotation, options);
  }

  /** `DELETE jobs/{job}/annotations/{context}?scope=…`. */
  removeAnnotation(jobId: string, context: string, options?: annotations.RemoveAnnotationOptions): Promise<void> {
    return annotations.removeAnnotation(this.#core, jobId, context, options);
  }

  /** `POST steps/{key-or-id}/export` → the attribute's value. */
  getStep(stepIdOrKey: string, request: steps.StepGetRequest, options?: CallOptions): Promise<string> {
    return steps.getStep(this.#core, stepIdOrKey, request, options);
  }

  /** `PUT steps/{key-or-id}`. */
  updateStep(stepIdOrKey: string, request: steps.StepUpdateRequest, options?: CallOptions): Promise<void> {
    return steps.updateStep(this.#core, stepIdOrKey, request, options);
  }

  /** `POST steps/{key-or-id}/cancel` → the step's uuid. */
  cancelStep(stepIdOrKey: string, request: steps.StepCancelRequest, options?: CallOptions): Promise<string> {
    return steps.cancelStep(this.#core, stepIdOrKey, request, options);
  }

  /** `POST builds/{uuid}/cancel` → the build's uuid. */
  cancelBuild(buildId: string, options?: CallOptions): Promise<string> {
    return builds.cancelBuild(this.#core, buildId, options);
  }

  /** `POST jobs/{job}/oidc/tokens` → a JWT. */
  oidcToken(jobId: string, request?: OidcTokenRequest, options?: CallOptions): Promise<string> {
    return oidcToken(this.#core, jobId, request, options);
  }

  /** `GET jobs/{job}/secrets?key=…`. */
  getSecret(jobId: string, key: string, options?: CallOptions): Promise<secrets.Secret> {
    return secrets.getSecret(this.#core, jobId, key, options);
  }

  /** Fetches several secrets, 10 at a time; returns the secrets and the per-key failures. */
  getSecrets(jobId: string, keys: readonly string[], options?: CallOptions): Promise<secrets.SecretsResult> {
    return secrets.getSecrets(this.#core, jobId, keys, options);
  }

  /** `POST jobs/{job}/repository_access_token` → a token for `git-credentials-helper`. */
  repositoryAccessToken(jobId: string, repoUrl: string, options?: CallOptions): Promise<string> {
    return repositoryAccessToken(this.#core, jobId, repoUrl, options);
  }
}
