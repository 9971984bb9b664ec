import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { JobRunnerError } from "../errors.js";
import type { JobLog } from "../job-log.js";
import { pathExists } from "./path-exists.js";
import { sleep as realSleep, type Sleep } from "./sleep.js";

/**
 * `BUILDKITE_BUILD_CHECKOUT_PATH` when the job does not set one:
 * `<build-path>/<agent name, each non-alphanumeric character → "-">/<org>/<pipeline>`.
 *
 * @throws JobRunnerError `CHECKOUT_PATH_INVALID` when `buildPath` is empty.
 */
export function defaultCheckoutPath(buildPath: string, agentName: string, organizationSlug: string, pipelineSlug: string): string {
  if (buildPath === "") {
    throw new JobRunnerError(
      "CHECKOUT_PATH_INVALID",
      "Cannot choose a checkout path: neither BUILDKITE_BUILD_CHECKOUT_PATH nor the build path (--build-path, BUILDKITE_BUILD_PATH) is set",
    );
  }
  return join(buildPath, agentName.replace(/[^A-Za-z0-9]/gu, "-"), organizationSlug, pipelineSlug);
}

/** Options for {@link removeCheckoutDir}. */
export interface RemoveCheckoutDirOptions {
  readonly log: JobLog;
  /** @default 10 (as the real agent: open files can block removal for a while) */
  readonly tries?: number;
  /** Wait between tries. @default 10000 */
  readonly retryDelayMs?: number;
  readonly sleep?: Sleep;
  readonly signal?: AbortSignal;
}

/**
 * Deletes the checkout directory (`BUILDKITE_CLEAN_CHECKOUT`, and after a failed
 * checkout attempt), trying up to 10 times 10 s apart, with the real agent's
 * `# Removing <path>` / `Waiting 10 seconds` lines.
 *
 * @throws JobRunnerError `CHECKOUT_REMOVE_FAILED` after the last try.
 */
export async function removeCheckoutDir(path: string, options: RemoveCheckoutDirOptions): Promise<void> {
  const tries = options.tries ?? 10;
  const retryDelayMs = options.retryDelayMs ?? 10_000;
  const wait = options.sleep ?? realSleep;
  let lastProblem = "";
  for (let attempt = 1; attempt <= tries; attempt += 1) {
    options.log.comment(`Removing ${path}`);
    try {
      await rm(path, { recursive: true, force: true });
      if (!(await pathExists(path))) return;
      lastProblem = "it still exists";
      options.log.error(`Failed to remove ${path}`);
    } catch (cause) {
      lastProblem = (cause as Error).message;
      options.log.error(`Failed to remove "${path}" (${lastProblem})`);
    }
    if (attempt < tries) {
      options.log.comment(`Waiting ${retryDelayMs / 1000} seconds`);
      await wait(retryDelayMs, options.signal);
    }
  }
  throw new JobRunnerError(
    "CHECKOUT_REMOVE_FAILED",
    `Cannot remove the checkout directory ${path} after ${tries} tries (${lastProblem}); check for processes holding files in it and its permissions`,
  );
}

/**
 * Creates the checkout directory if missing (`# Creating "<path>"`, mode 0777
 * less the umask, as the real agent).
 *
 * @throws JobRunnerError `CHECKOUT_PATH_INVALID` when it cannot be created.
 */
export async function createCheckoutDir(path: string, log: JobLog): Promise<void> {
  try {
    if (await pathExists(path)) return;
    log.comment(`Creating "${path}"`);
    await mkdir(path, { recursive: true, mode: 0o777 });
  } catch (cause) {
    throw new JobRunnerError("CHECKOUT_PATH_INVALID", `Cannot create the checkout directory ${path}: ${(cause as Error).message}`, { cause });
  }
}
