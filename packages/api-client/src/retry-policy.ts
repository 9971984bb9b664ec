/**
 * How long to wait after failed attempt `n` (zero-based), before jitter. The three
 * strategies of buildkite/roko v1.4.0, which the real agent uses:
 * - `constant`: `intervalMs` every time.
 * - `exponential`: `base_s ^ n` whole seconds (base 2 s → 1 s, 2 s, 4 s, 8 s…).
 * - `exponential-subsecond`: `initial_ms ^ (n/16 + 1)` whole milliseconds
 *   (2 s → 2.0, 3.2, 5.2, 8.3… s; 500 ms → 0.5, 0.7, 1.1… s).
 */
export type BackoffStrategy =
  | { readonly kind: "constant"; readonly intervalMs: number }
  | { readonly kind: "exponential"; readonly baseMs: number }
  | { readonly kind: "exponential-subsecond"; readonly initialMs: number };

/** A half-open jitter range `[minMs, maxMs)` added to every computed sleep. */
export interface JitterRange {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * Which failures a call retries; the real agent's calls differ, so each names its rule.
 * - `retryable`: the generic classification (§1.1): 429, ≥ 500 and the retryable
 *   transport errors retry; any other status, a 2xx with an unusable body and any
 *   other transport error break (`api.BreakOnNonRetryable`).
 * - `every-error`: everything retries (connect, disconnect, artifact state update
 *   and search).
 * - `transport-only`: only retryable transport errors retry; any response breaks (accept).
 * - `status-retryable-any-transport`: a non-retryable status (or unusable 2xx)
 *   breaks, but every transport error retries (heartbeat, repository access token).
 * - `break-on-4xx`: any 4xx breaks, everything else retries (log chunks, header times).
 * - `break-on-4xx-except-429`: any 4xx but 429 breaks (artifact batch creation).
 * - `break-on-401-404`: only 401 and 404 break (meta-data batch set).
 * - `acquire`: 4xx other than 423/429 break, everything else retries (job acquire).
 * - `break-on-422`: only 422 breaks (asynchronous pipeline upload status polling).
 */
export type RetryRule =
  | "retryable"
  | "every-error"
  | "transport-only"
  | "status-retryable-any-transport"
  | "break-on-4xx"
  | "break-on-4xx-except-429"
  | "break-on-401-404"
  | "acquire"
  | "break-on-422";

/**
 * When a `Retry-After` response header (Go-duration seconds form) replaces the
 * next sleep: `never`; `retried-status` after a status the rule retries;
 * `any-response` after any response (pipeline status polling).
 */
export type RetryAfterRule = "never" | "retried-status" | "any-response";

/** One call's retry budget, straight from the spec's tables. */
export interface RetryPolicy {
  /** Attempts in all, including the first. 1 means the call never retries. */
  readonly maxAttempts: number;
  readonly strategy: BackoffStrategy;
  /** Jitter added to each sleep; absent means none. */
  readonly jitter?: JitterRange;
  readonly rule: RetryRule;
  readonly retryAfter: RetryAfterRule;
  /**
   * An overall deadline for the call, sent as `Buildkite-Timeout-Milliseconds`
   * unless {@link RetryPolicy.deadlineHeader} is false.
   */
  readonly deadlineMs?: number;
  /** Whether the remaining deadline is sent to the server. @default true */
  readonly deadlineHeader?: boolean;
  /** A shorter per-request timeout for the first attempts (artifact calls). */
  readonly earlyAttemptTimeout?: { readonly attempts: number; readonly timeoutMs: number };
}

/** What one failed attempt looked like, as far as retrying cares. */
export type AttemptFailure =
  /** A non-2xx response. */
  | { readonly kind: "status"; readonly status: number }
  /** A 2xx response the agent cannot use (not JSON, required field missing…). */
  | { readonly kind: "bad-response"; readonly status: number }
  /** No response; `retryable` says whether §1.1's transport list matches. */
  | { readonly kind: "transport"; readonly retryable: boolean };

const DEFAULT_JITTER: JitterRange = { minMs: 0, maxMs: 1000 };
const ACQUIRE_JITTER: JitterRange = { minMs: -1000, maxMs: 5000 };

const constant = (intervalMs: number): BackoffStrategy => ({ kind: "constant", intervalMs });
const exponential2s: BackoffStrategy = { kind: "exponential", baseMs: 2000 };
const expSub = (initialMs: number): BackoffStrategy => ({ kind: "exponential-subsecond", initialMs });

const policy = (p: RetryPolicy): RetryPolicy => Object.freeze(p);
const once = policy({ maxAttempts: 1, strategy: constant(0), rule: "retryable", retryAfter: "never" });
const cliConstant1s = policy({
  maxAttempts: 5,
  strategy: constant(1000),
  jitter: DEFAULT_JITTER,
  rule: "retryable",
  retryAfter: "never",
});
const tenExpSub2s = policy({ maxAttempts: 10, strategy: expSub(2000), rule: "retryable", retryAfter: "never" });
const tenConstant5s = policy({ maxAttempts: 10, strategy: constant(5000), rule: "retryable", retryAfter: "never" });

/**
 * Every call's retry policy, keyed by the client method's name, as the real agent
 * v3.137.0 has them (agent-api.md §2–§9, artifacts.md §3/§6). Frozen data: the
 * retrier interprets it with {@link isRetryable} and {@link retryDelay}.
 */
export const RETRY_POLICIES = Object.freeze({
  register: policy({ maxAttempts: 30, strategy: constant(10_000), rule: "retryable", retryAfter: "never" }),
  connect: policy({ maxAttempts: 10, strategy: constant(5000), rule: "every-error", retryAfter: "never" }),
  disconnect: policy({ maxAttempts: 4, strategy: constant(1000), rule: "every-error", retryAfter: "never" }),
  // The ping loop itself is the retry: it pings again on the next tick.
  ping: once,
  heartbeat: policy({
    maxAttempts: 10,
    strategy: constant(5000),
    rule: "status-retryable-any-transport",
    retryAfter: "never",
  }),
  stop: cliConstant1s,
  pause: cliConstant1s,
  resume: cliConstant1s,
  tokenIdentity: once,
  acceptJob: policy({ maxAttempts: 30, strategy: constant(5000), rule: "transport-only", retryAfter: "never" }),
  // 7 attempts sleep at most 1+2+4+8+16+32 s plus 6 × 5 s of jitter, inside 330 s.
  acquireJob: policy({
    maxAttempts: 7,
    strategy: exponential2s,
    jitter: ACQUIRE_JITTER,
    rule: "acquire",
    retryAfter: "retried-status",
    deadlineMs: 330_000,
  }),
  startJob: policy({ maxAttempts: 7, strategy: exponential2s, rule: "retryable", retryAfter: "never" }),
  jobState: once,
  // 12 attempts ≈ 10 minutes of sleep; the 1 h cap bounds a slow server.
  uploadChunk: policy({
    maxAttempts: 12,
    strategy: expSub(2000),
    jitter: DEFAULT_JITTER,
    rule: "break-on-4xx",
    retryAfter: "never",
    deadlineMs: 3_600_000,
    deadlineHeader: false,
  }),
  saveHeaderTimes: policy({ maxAttempts: 10, strategy: constant(5000), rule: "break-on-4xx", retryAfter: "never" }),
  finishJob: policy({
    maxAttempts: 12,
    strategy: expSub(2000),
    jitter: DEFAULT_JITTER,
    rule: "retryable",
    retryAfter: "never",
    deadlineMs: 3_600_000,
  }),
  updateJob: tenExpSub2s,
  promiseFailure: tenExpSub2s,
  setMetaData: tenExpSub2s,
  setMetaDataBatch: policy({ maxAttempts: 10, strategy: expSub(2000), rule: "break-on-401-404", retryAfter: "never" }),
  getMetaData: tenConstant5s,
  metaDataExists: tenConstant5s,
  metaDataKeys: tenConstant5s,
  createAnnotation: cliConstant1s,
  removeAnnotation: cliConstant1s,
  createArtifacts: policy({
    maxAttempts: 10,
    strategy: expSub(500),
    rule: "break-on-4xx-except-429",
    retryAfter: "never",
    earlyAttemptTimeout: { attempts: 4, timeoutMs: 10_000 },
  }),
  updateArtifacts: policy({
    maxAttempts: 10,
    strategy: expSub(500),
    rule: "every-error",
    retryAfter: "never",
    earlyAttemptTimeout: { attempts: 4, timeoutMs: 5000 },
  }),
  searchArtifacts: policy({ maxAttempts: 10, strategy: constant(5000), rule: "every-error", retryAfter: "never" }),
  uploadPipeline: policy({ maxAttempts: 60, strategy: constant(5000), rule: "retryable", retryAfter: "never" }),
  pipelineUploadStatus: policy({
    maxAttempts: 60,
    strategy: constant(5000),
    rule: "break-on-422",
    retryAfter: "any-response",
  }),
  getStep: tenConstant5s,
  updateStep: tenConstant5s,
  cancelStep: tenConstant5s,
  cancelBuild: cliConstant1s,
  oidcToken: policy({ maxAttempts: 5, strategy: exponential2s, rule: "retryable", retryAfter: "never" }),
  getSecret: policy({
    maxAttempts: 3,
    strategy: exponential2s,
    jitter: ACQUIRE_JITTER,
    rule: "retryable",
    retryAfter: "never",
  }),
  repositoryAccessToken: policy({
    maxAttempts: 3,
    strategy: constant(5000),
    rule: "status-retryable-any-transport",
    retryAfter: "retried-status",
  }),
} satisfies Record<string, RetryPolicy>);

/** The name of a call that has a retry policy. */
export type CallName = keyof typeof RETRY_POLICIES;

/** §1.1: 429 and every status ≥ 500 are worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Whether `rule` retries after `failure` (ignoring the attempt budget). Pure. */
export function isRetryable(rule: RetryRule, failure: AttemptFailure): boolean {
  switch (rule) {
    case "every-error":
      return true;
    case "retryable":
      if (failure.kind === "transport") return failure.retryable;
      return failure.kind === "status" && isRetryableStatus(failure.status);
    case "transport-only":
      return failure.kind === "transport" && failure.retryable;
    case "status-retryable-any-transport":
      if (failure.kind === "transport") return true;
      return failure.kind === "status" && isRetryableStatus(failure.status);
    case "break-on-4xx":
      return failure.kind !== "status" || failure.status < 400 || failure.status > 499;
    case "break-on-4xx-except-429":
      return failure.kind !== "status" || failure.status === 429 || failure.status < 400 || failure.status > 499;
    case "break-on-401-404":
      return failure.kind !== "status" || (failure.status !== 401 && failure.status !== 404);
    case "acquire":
      if (failure.kind !== "status") return true;
      return failure.status === 423 || failure.status === 429 || failure.status < 400 || failure.status > 499;
    case "break-on-422":
      return failure.kind !== "status" || failure.status !== 422;
  }
}

/** Whether a `Retry-After` on this failure's response replaces the next sleep. Pure. */
export function honoursRetryAfter(policy: RetryPolicy, failure: AttemptFailure): boolean {
  switch (policy.retryAfter) {
    case "never":
      return false;
    case "any-response":
      return failure.kind !== "transport";
    case "retried-status":
      return failure.kind === "status" && isRetryable(policy.rule, failure);
  }
}

/** The strategy's sleep after failed attempt `attempt` (zero-based), before jitter. Pure. */
export function backoffMs(strategy: BackoffStrategy, attempt: number): number {
  switch (strategy.kind) {
    case "constant":
      return strategy.intervalMs;
    case "exponential":
      // roko works in whole seconds: Duration(base_s ^ n) * time.Second.
      return Math.trunc(Math.pow(Math.trunc(strategy.baseMs / 1000), attempt)) * 1000;
    case "exponential-subsecond":
      return Math.trunc(Math.pow(strategy.initialMs, attempt / 16 + 1));
  }
}

/**
 * How long to sleep after failed attempt `attempt` (zero-based): the strategy's
 * backoff plus jitter drawn from `random()` ∈ [0, 1), never negative; or
 * `retryAfterMs` when the server's `Retry-After` overrides the whole sleep
 * (jitter included, as roko's `SetNextInterval` does). Pure given `random`.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return Math.max(0, retryAfterMs);
  const jitter = policy.jitter ? policy.jitter.minMs + (policy.jitter.maxMs - policy.jitter.minMs) * random() : 0;
  return Math.max(0, backoffMs(policy.strategy, attempt) + jitter);
}
