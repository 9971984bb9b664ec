import { sleepUnlessAborted, type Clock } from "./clock.js";

/**
 * When to poll a job's state (agent-api.md §3.3, Go's `jobCancellationChecker`):
 * a tick at once, then a fixed ticker every `intervalMs` from the start, and
 * within each tick a uniform jitter in [0, intervalMs) before the poll, so agents
 * do not synchronise. Yields when a poll is due; ends when `signal` aborts.
 *
 * A consumer slower than the ticker gets the tick that was due at once and
 * misses the others, as a Go ticker (which drops ticks) does: polls never bunch up.
 */
export async function* jobStatusTicks(clock: Clock, intervalMs: number, signal: AbortSignal): AsyncGenerator<void, void, undefined> {
  const start = clock.monotonic();
  // When the previous tick was taken: the next is the first ticker tick after it.
  let taken = start;
  let first = true;
  for (;;) {
    if (!first) {
      const next = start + (Math.floor((taken - start) / intervalMs) + 1) * intervalMs;
      const now = clock.monotonic();
      if (next > now) {
        if (!(await sleepUnlessAborted(clock, next - now, signal))) return;
        taken = next;
      } else {
        taken = now;
      }
    }
    first = false;
    if (!(await sleepUnlessAborted(clock, clock.random() * intervalMs, signal))) return;
    yield;
  }
}
