import { JobRunnerError } from "../errors.js";
import { lockFile } from "../file-lock.js";
import type { Logger } from "../logger.js";

/** Options for {@link lockPluginDirectory}. */
export interface PluginLockOptions {
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

/**
 * Takes the host-wide lock on a plugin directory (`<dir>.lock`, made by
 * proper-lockfile), so two jobs on one host never clone into the same place at
 * once. The real agent does not lock (it relies on each agent worker having its
 * own directory); we do because embedders may run several jobs with one agent
 * name. A lock left by a crashed process goes stale after 10 s and is taken over.
 * Resolves to the release function. Throws `PLUGIN_LOCK_TIMEOUT` after `timeoutMs`,
 * `PLUGIN_LOCK_FAILED` when the lock cannot be made at all, `signal.reason` when aborted.
 */
export async function lockPluginDirectory(directory: string, options: PluginLockOptions): Promise<() => Promise<void>> {
  try {
    return await lockFile(directory, {
      timeoutMs: options.timeoutMs,
      pollMs: options.pollMs,
      onCompromised: (error) => options.logger.warn("plugin directory lock compromised", { directory, error: error.message }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    if ((error as NodeJS.ErrnoException).code === "ELOCKED") {
      throw new JobRunnerError(
        "PLUGIN_LOCK_TIMEOUT",
        `timed out after ${options.timeoutMs} ms waiting for the lock on plugin directory "${directory}"; another job on this host is checking it out (if none is, remove "${directory}.lock")`,
        { cause: error },
      );
    }
    throw new JobRunnerError("PLUGIN_LOCK_FAILED", `could not lock plugin directory "${directory}": ${(error as Error).message}`, { cause: error });
  }
}
