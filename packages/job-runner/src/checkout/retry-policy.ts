/**
 * What the checkout retry loop does after a failed attempt (job-executor.md §5
 * step 5): `stop` — fail now; `retry` — try again as is; `wipe` — delete and
 * recreate the checkout directory first, because the failure may have left a
 * broken repository behind.
 */
export type CheckoutRetryAction = "stop" | "retry" | "wipe";

// Failures retrying cannot fix, or that were already retried inside the attempt.
const STOP_CODES: ReadonlySet<string> = new Set([
  "CHECKOUT_INTERRUPTED",
  "CHECKOUT_CANCELLED",
  "CHECKOUT_FETCH_RETRIES_EXHAUSTED",
  "CHECKOUT_NOT_SUPPORTED",
  "CHECKOUT_FLAGS_INVALID",
]);

// Git failures that leave the repository usable: try again without re-cloning.
const RETRY_CODES: ReadonlySet<string> = new Set([
  "CHECKOUT_FETCH_FAILED",
  "CHECKOUT_FETCH_BAD_REFERENCE",
  "CHECKOUT_GIT_CHECKOUT_FAILED",
  "CHECKOUT_REFERENCE_NOT_A_TREE",
]);

/**
 * The retry decision for a failed checkout attempt, from the error's `code`
 * (and `exitStatus` 94, a mirror lock timeout). Everything not known to leave
 * a healthy repository — clone, clean, fetch exit 128/bad object/not our ref,
 * `git checkout` exit 128, timeouts, non-git errors — wipes, as the real agent does.
 */
export function checkoutRetryAction(error: unknown): CheckoutRetryAction {
  const { code, exitStatus } = (error ?? {}) as { code?: unknown; exitStatus?: unknown };
  if (exitStatus === 94) return "stop";
  if (typeof code === "string" && STOP_CODES.has(code)) return "stop";
  if (typeof code === "string" && RETRY_CODES.has(code)) return "retry";
  return "wipe";
}

/** Jitter added to every backoff delay: up to 1 s, so parallel agents spread out. */
const JITTER_MS = 1000;

/**
 * roko `Exponential(base, 0)` + jitter: `base^failedAttempts` seconds, where
 * `failedAttempts` counts attempts made before this wait (0 for the first).
 * With base 2 s: 1, 2, 4, 8, 16 s, each + `random() * 1 s`.
 */
export function exponentialDelayMs(baseSeconds: number, failedAttempts: number, random: () => number): number {
  return Math.pow(baseSeconds, failedAttempts) * 1000 + Math.floor(random() * JITTER_MS);
}

/**
 * roko `ExponentialSubsecond(initial)` + jitter: `initialMs^(failedAttempts/16 + 1)`
 * milliseconds (1 s, 1.54 s, 2.37 s … for 1 s), for git's inner fetch retries.
 */
export function exponentialSubsecondDelayMs(initialMs: number, failedAttempts: number, random: () => number): number {
  return Math.floor(Math.pow(initialMs, failedAttempts / 16 + 1)) + Math.floor(random() * JITTER_MS);
}

/** A delay as Go prints a `time.Duration` (`1.5s`, `16s`, `1m4s`, `250ms`), as in the real agent's retry lines. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms - minutes * 60_000) / 1000;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/**
 * roko's `Retrier.String()`: `Attempt 2/6 Retrying in 2.5s`, or just
 * `Attempt 6/6` on the last one.
 */
export function retryStatus(attempt: number, maxAttempts: number, nextDelayMs: number): string {
  const status = `Attempt ${attempt}/${maxAttempts}`;
  if (attempt >= maxAttempts) return status;
  return nextDelayMs > 0 ? `${status} Retrying in ${formatDuration(nextDelayMs)}` : `${status} Retrying immediately`;
}
