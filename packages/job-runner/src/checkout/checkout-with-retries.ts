import { JobRunnerError } from "../errors.js";
import type { JobLog } from "../job-log.js";
import { createCheckoutDir, removeCheckoutDir } from "./checkout-path.js";
import { checkoutRetryAction, exponentialDelayMs, retryStatus } from "./retry-policy.js";
import { sleep as realSleep, type Sleep } from "./sleep.js";

/** What each attempt gets: its number (from 1) and the signal that ends it (cancel or per-attempt timeout). */
export interface CheckoutAttemptContext {
  readonly attempt: number;
  readonly signal?: AbortSignal;
}

/** One checkout attempt, e.g. `(a) => defaultCheckout({ ...options, signal: a.signal })`. */
export type CheckoutAttempt<T> = (context: CheckoutAttemptContext) => Promise<T>;

/** Options for {@link checkoutWithRetries}. */
export interface CheckoutRetryOptions {
  readonly log: JobLog;
  /** Wiped and recreated between attempts after failures that may leave a broken clone. */
  readonly checkoutPath: string;
  /** `checkout-attempts`; 0 or less means the default. @default 6 */
  readonly attempts?: number;
  /** `git-checkout-timeout` in ms: each attempt is aborted after this long and retried; 0 = none. @default 0 */
  readonly attemptTimeoutMs?: number;
  /** Waits between attempts (and between removal tries). @default real timers */
  readonly sleep?: Sleep;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Cancels the checkout: the running attempt is aborted and nothing is retried. */
  readonly signal?: AbortSignal;
}

const DEFAULT_ATTEMPTS = 6;
const BACKOFF_BASE_SECONDS = 2;

// A function, not an inline check: TypeScript would keep `aborted` narrowed to
// false across the awaits in between.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs `attempt` up to `attempts` times with the real agent's backoff
 * (Exponential(2 s) + jitter: 1, 2, 4, 8, 16 s + < 1 s) and its wipe rules
 * ({@link checkoutRetryAction}), logging `Checkout failed! <error> (Attempt n/6
 * Retrying in 2.3s)` after each failure.
 *
 * @throws the last attempt's error; JobRunnerError `CHECKOUT_CANCELLED` when
 *   `signal` aborts; `CHECKOUT_TIMEOUT` when the last attempt timed out.
 */
export async function checkoutWithRetries<T>(attempt: CheckoutAttempt<T>, options: CheckoutRetryOptions): Promise<T> {
  const maxAttempts = (options.attempts ?? DEFAULT_ATTEMPTS) > 0 ? options.attempts ?? DEFAULT_ATTEMPTS : DEFAULT_ATTEMPTS;
  const wait = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const timeoutMs = options.attemptTimeoutMs ?? 0;
  const cancelled = (cause: unknown): JobRunnerError => {
    options.log.warning("Checkout was cancelled");
    return new JobRunnerError("CHECKOUT_CANCELLED", "The checkout was cancelled", { cause });
  };

  for (let number = 1; ; number += 1) {
    if (isAborted(options.signal)) throw cancelled(options.signal?.reason);
    const timeout = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
    const signals = [options.signal, timeout].filter((signal): signal is AbortSignal => signal !== undefined);
    const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    let error: unknown;
    try {
      return await attempt({ attempt: number, ...(signal === undefined ? {} : { signal }) });
    } catch (caught) {
      error = caught;
    }
    if (isAborted(options.signal)) throw cancelled(error);
    if (timeout?.aborted === true) {
      error = new JobRunnerError("CHECKOUT_TIMEOUT", `checkout attempt timed out after ${timeoutMs / 1000}s: ${message(error)}`, {
        cause: error,
      });
    }

    const action = checkoutRetryAction(error);
    const code = (error as { code?: unknown }).code;
    if (action === "stop") {
      options.log.warning(code === "CHECKOUT_INTERRUPTED" ? "Checkout was interrupted by a signal" : `Checkout failed! ${message(error)}`);
      throw error;
    }
    const delayMs = exponentialDelayMs(BACKOFF_BASE_SECONDS, number - 1, random);
    options.log.warning(`Checkout failed! ${message(error)} (${retryStatus(number, maxAttempts, delayMs)})`);
    if (action === "wipe") {
      try {
        await removeCheckoutDir(options.checkoutPath, { log: options.log, sleep: wait, ...(options.signal === undefined ? {} : { signal: options.signal }) });
      } catch (removeError) {
        if (isAborted(options.signal)) throw cancelled(removeError);
        options.log.warning(`Failed to remove checkout dir while cleaning up after a checkout error: ${message(removeError)}`);
      }
      await createCheckoutDir(options.checkoutPath, options.log);
    }
    if (number >= maxAttempts) throw error;
    try {
      await wait(delayMs, options.signal);
    } catch (sleepError) {
      throw cancelled(sleepError);
    }
  }
}
