import { ApiError, type ApiErrorCode } from "./errors.js";
import type { Logger } from "./logger.js";
import {
  honoursRetryAfter,
  isRetryable,
  retryDelay,
  type AttemptFailure,
  type RetryPolicy,
} from "./retry-policy.js";

/** Injected time: tests record sleeps and fix jitter instead of waiting. */
export interface RetryClock {
  /** Waits `ms`; should reject when `signal` aborts (the retrier stops at once either way). */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform in [0, 1), for jitter. */
  readonly random: () => number;
  /** Milliseconds on any monotonic scale, for deadlines. */
  readonly now: () => number;
}

/** What one attempt is told. */
export interface AttemptContext {
  /** Zero-based attempt index (`X-Buildkite-Backoff-Sequence`). */
  readonly attempt: number;
  /** Milliseconds left of the call's deadline, when it has one. */
  readonly remainingMs: number | undefined;
}

/** A retried call: what to run and how to describe it in errors and logs. */
export interface RetryRun<T> {
  readonly call: string;
  readonly method: string;
  readonly path: string;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal | undefined;
  readonly attempt: (context: AttemptContext) => Promise<T>;
  /** Overrides the policy's rule for particular errors (`undefined` = use the rule). */
  readonly decide?: (error: ApiError) => boolean | undefined;
  /**
   * Codes of errors that are expected polling states rather than failures (a
   * pipeline upload still pending): their retries log at info, not warn. @default none
   */
  readonly infoRetryCodes?: readonly ApiErrorCode[];
}

/** How the policy's rule sees an error. */
function attemptFailure(error: ApiError): AttemptFailure {
  if (error.code === "API_HTTP_STATUS") return { kind: "status", status: error.status ?? 0 };
  if (error.status !== undefined) return { kind: "bad-response", status: error.status };
  return { kind: "transport", retryable: error.retryable };
}

function formatDelay(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(3))}s` : `${Number(ms.toFixed(3))}ms`;
}

/**
 * Runs `run.attempt` under `run.policy`: retries what the rule allows, sleeps
 * {@link retryDelay} between attempts (logging each retry at warn, or info for
 * `infoRetryCodes`, with "attempt n of max" and the delay), honours `Retry-After` where the policy says, enforces
 * the overall deadline, and stops at once when `run.signal` aborts, during a
 * request or a sleep. Throws the last attempt's `ApiError`.
 */
export async function retry<T>(run: RetryRun<T>, clock: RetryClock, logger: Logger): Promise<T> {
  const { policy, signal } = run;
  const where = { call: run.call, method: run.method, path: run.path };
  const deadlineAt = policy.deadlineMs === undefined ? undefined : clock.now() + policy.deadlineMs;
  const deadlineError = (attempts: number, cause: unknown): ApiError =>
    new ApiError(
      { ...where, code: "API_TIMEOUT" },
      `call deadline of ${formatDelay(policy.deadlineMs ?? 0)} exceeded`,
      { cause, attempts },
    );
  const abortedError = (attempts: number): ApiError =>
    new ApiError({ ...where, code: "API_ABORTED" }, "aborted", { cause: signal?.reason, attempts });

  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw abortedError(attempt);
    const remainingMs = deadlineAt === undefined ? undefined : deadlineAt - clock.now();
    let error: ApiError;
    try {
      return await run.attempt({ attempt, remainingMs });
    } catch (thrown) {
      if (!(thrown instanceof ApiError)) throw thrown;
      error = thrown;
    }
    const attempts = attempt + 1;
    if (error.code === "API_ABORTED" || error.code === "API_INVALID_REQUEST") throw error.afterAttempts(attempts);
    if (deadlineAt !== undefined && clock.now() >= deadlineAt) throw deadlineError(attempts, error);
    const failure = attemptFailure(error);
    const again = run.decide?.(error) ?? isRetryable(policy.rule, failure);
    if (!again || attempts >= policy.maxAttempts) throw error.afterAttempts(attempts);

    const retryAfterMs = honoursRetryAfter(policy, failure) ? error.retryAfterMs : undefined;
    const delayMs = retryDelay(policy, attempt, clock.random, retryAfterMs);
    const level = run.infoRetryCodes?.includes(error.code) ? "info" : "warn";
    logger[level](
      `${error.message} (attempt ${attempts} of ${policy.maxAttempts}, retrying in ${formatDelay(delayMs)})`,
      { call: run.call, attempt: attempts, maxAttempts: policy.maxAttempts, delayMs },
    );
    if (deadlineAt !== undefined) {
      const left = deadlineAt - clock.now();
      if (delayMs >= left) {
        // Like Go's sleepOrDone on a context deadline: wait it out, then fail.
        await sleepUnlessAborted(clock, Math.max(0, left), signal, () => abortedError(attempts));
        throw deadlineError(attempts, error);
      }
    }
    await sleepUnlessAborted(clock, delayMs, signal, () => abortedError(attempts));
  }
}

/**
 * Sleeps, but settles the moment `signal` aborts, even if the injected sleep
 * ignores the signal, rejecting with `aborted()`.
 */
export async function sleepUnlessAborted(
  clock: RetryClock,
  ms: number,
  signal: AbortSignal | undefined,
  aborted: () => ApiError,
): Promise<void> {
  if (!signal) return clock.sleep(ms);
  if (signal.aborted) throw aborted();
  let onAbort: (() => void) | undefined;
  const abort = new Promise<never>((_, reject) => {
    onAbort = () => reject(aborted());
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([clock.sleep(ms, signal), abort]);
  } catch (error) {
    if (signal.aborted) throw aborted();
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort!);
  }
}
