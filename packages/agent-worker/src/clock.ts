import { setTimeout as delay } from "node:timers/promises";

/**
 * The agent loop's sense of time, injectable so tests can assert exact delays
 * (ping jitter, retry backoff) without waiting for them.
 */
export interface Clock {
  /** Waits `ms`; rejects with `signal.reason` when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Uniform in [0, 1): the source of every jitter. */
  random(): number;
  /** Wall-clock milliseconds (epoch), for times shown to people and servers. */
  now(): number;
  /**
   * Milliseconds that never go back (when the system clock is stepped, say): what
   * tickers, uptime and idle time are measured with, as Go's monotonic clock.
   */
  monotonic(): number;
}

/** Real timers, `Math.random`, `Date.now` and `performance.now`. */
export const systemClock: Clock = Object.freeze({
  sleep: (ms: number, signal?: AbortSignal): Promise<void> =>
    delay(Math.max(0, ms), undefined, signal ? { signal } : undefined),
  random: Math.random,
  now: Date.now,
  monotonic: () => performance.now(),
});

/**
 * Sleeps, but resolves `false` instead of rejecting when `signal` aborts, so loops
 * can stop at their next wait without try/catch noise.
 */
export async function sleepUnlessAborted(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await clock.sleep(ms, signal);
    return !signal.aborted;
  } catch (error) {
    if (signal.aborted) return false;
    throw error;
  }
}
