import { setTimeout as delay } from "node:timers/promises";

/**
 * Waits `ms` milliseconds; rejects with the signal's reason when it aborts.
 * Injected in tests so backoff delays are asserted exactly without waiting.
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The real {@link Sleep}: a timer that an abort cancels at once. */
export const sleep: Sleep = async (ms, signal) => {
  signal?.throwIfAborted();
  try {
    await delay(ms, undefined, signal === undefined ? undefined : { signal });
  } catch (error) {
    // timers/promises rejects with a generic AbortError; callers expect the reason.
    if (signal?.aborted === true) throw signal.reason;
    throw error;
  }
};
