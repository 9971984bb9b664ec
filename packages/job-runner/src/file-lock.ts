import { setTimeout as delay } from "node:timers/promises";
import lockfile from "proper-lockfile";

/** Options for {@link lockFile}. */
export interface FileLockOptions {
  /** The lock directory proper-lockfile creates. @default `<target>.lock` */
  readonly lockfilePath?: string;
  /** Give up once the lock has been held by someone else this long. */
  readonly timeoutMs: number;
  /** How often a held lock is tried again. */
  readonly pollMs: number;
  /**
   * A lock not refreshed for this long is taken to be left by a crashed process
   * and taken over; ours is refreshed every `staleMs / 2`. proper-lockfile's
   * minimum is 2000. @default 10000
   */
  readonly staleMs?: number;
  /**
   * Called when our lock was taken from us or its directory vanished while held
   * (proper-lockfile's `onCompromised`), with proper-lockfile's `ECOMPROMISED` error.
   * Without a handler proper-lockfile throws it from a timer, which would crash
   * the whole process.
   */
  readonly onCompromised: (error: Error) => void;
  /** Stops waiting; the call then rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/**
 * Takes a host-wide lock on `target` (which need not exist) with proper-lockfile,
 * polling every `pollMs` while another process holds it. Resolves to the release
 * function.
 *
 * @throws proper-lockfile's error as is: `code: "ELOCKED"` when the lock is still
 *   held after `timeoutMs`, anything else when the lock directory cannot be made;
 *   callers wrap it in their own error code. `signal.reason` when aborted.
 */
export async function lockFile(target: string, options: FileLockOptions): Promise<() => Promise<void>> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      return await lockfile.lock(target, {
        ...(options.lockfilePath === undefined ? {} : { lockfilePath: options.lockfilePath }),
        // The target may not exist yet (a plugin directory before its first clone).
        realpath: false,
        // We poll ourselves, so the wait honours the signal.
        retries: 0,
        stale: options.staleMs ?? 10_000,
        onCompromised: options.onCompromised,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED" || Date.now() >= deadline) throw error;
      const signal = options.signal;
      await delay(options.pollMs, undefined, signal === undefined ? {} : { signal }).catch((cause: unknown) => {
        // The timer rejects with its own AbortError; callers expect the abort reason.
        throw signal?.aborted === true ? signal.reason : cause;
      });
    }
  }
}
