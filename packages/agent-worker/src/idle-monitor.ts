/**
 * `--disconnect-after-idle-timeout`: the agent disconnects when **all** its
 * workers have been idle for the timeout (agent/idle_monitor.go). A worker is
 * idle from its first idle ping or the end of a job; busy while running a job or
 * paused; a worker that has exited counts as idle for ever. Workers not yet seen
 * count as busy.
 */
export class IdleMonitor {
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #workers: number;
  /** Spawn index → when it became idle (`-Infinity` once exited). Absent = busy. */
  readonly #idleSince = new Map<number, number>();

  constructor(timeoutMs: number, workers: number, now: () => number) {
    this.#timeoutMs = timeoutMs;
    this.#workers = workers;
    this.#now = now;
  }

  /** The worker had an idle ping or finished a job (its idle time keeps running if already idle). */
  markIdle(worker: number): void {
    if (!this.#idleSince.has(worker)) this.#idleSince.set(worker, this.#now());
  }

  /** The worker took a job or is paused. */
  markBusy(worker: number): void {
    if (this.#idleSince.get(worker) !== Number.NEGATIVE_INFINITY) this.#idleSince.delete(worker);
  }

  /** The worker has stopped. */
  markDead(worker: number): void {
    this.#idleSince.set(worker, Number.NEGATIVE_INFINITY);
  }

  /**
   * When every worker will have been idle for the timeout if none takes a job
   * meanwhile (`now` clock); `Infinity` while one is busy or not yet seen. A
   * waiting worker wakes then, so the exit comes when the timeout passes.
   */
  exitAt(): number {
    if (this.#idleSince.size < this.#workers) return Number.POSITIVE_INFINITY;
    return Math.max(...this.#idleSince.values()) + this.#timeoutMs;
  }

  /** Whether every worker has been idle for at least the timeout. */
  shouldExit(): boolean {
    return this.#now() >= this.exitAt();
  }
}
