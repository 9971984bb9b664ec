import { JobRunnerError, type JobRunnerErrorCode } from "../errors.js";
import { gitFailure, lastLine, runCommand, runGit, type GitContext } from "./git-command.js";
import type { FetchPlan } from "./fetch-plan.js";
import { exponentialSubsecondDelayMs, retryStatus } from "./retry-policy.js";
import type { Sleep } from "./sleep.js";

/** Backoff for fetches the agent retries itself. */
export interface FetchRetryTiming {
  readonly sleep: Sleep;
  readonly random: () => number;
}

// The real agent retries these fetches 10 times, ExponentialSubsecond(1 s).
const FETCH_ATTEMPTS = 10;
const FETCH_RETRY_INITIAL_MS = 1000;
// git prints its verdict ("fatal: couldn't find remote ref …") last; 64 KiB is
// far more than those lines while bounding what a chatty fetch makes us keep.
const FETCH_OUTPUT_TAIL_BYTES = 64 * 1024;

/**
 * What a failed fetch means, from git's output and exit code, in the real
 * agent's order (git.go `gitFetch`): a ref the remote does not have (a short
 * sha, or a PR ref not created yet: worth retrying and the heads-and-tags
 * fallback), an object the remote will not serve, a corrupt local object, then
 * exit 128 (broad: wipe and re-clone), then anything else (retry as is).
 */
export function classifyFetchFailure(exitCode: number, output: string): JobRunnerErrorCode {
  // git before 2.21 wrote "Couldn't".
  if (/fatal: [Cc]ouldn't find remote ref/.test(output)) return "CHECKOUT_FETCH_BAD_REFERENCE";
  if (output.includes("not our ref") || output.includes("Server does not allow request for unadvertised object")) {
    return "CHECKOUT_FETCH_REF_NOT_ON_REMOTE";
  }
  if (output.includes("fatal: bad object")) return "CHECKOUT_FETCH_BAD_OBJECT";
  if (exitCode === 128) return "CHECKOUT_FETCH_BROKEN";
  return "CHECKOUT_FETCH_FAILED";
}

// Failures a fetch retry can fix: the ref may appear (GitHub creates PR refs
// asynchronously) or the network may recover. The rest need a fresh clone (or
// will never work), so retrying in place only delays the checkout loop's wipe.
const RETRIED_FETCH_CODES: ReadonlySet<string> = new Set(["CHECKOUT_FETCH_BAD_REFERENCE", "CHECKOUT_FETCH_FAILED"]);

/**
 * `git fetch <flags> -- origin <refspecs…>`, the refspecs as given (a custom
 * `BUILDKITE_REFSPEC` is shell-split once, by `fetchPlan`). The output goes
 * to the job log as it comes; its end is kept to classify a failure (through a
 * PTY its lines end in `\r\n`, which the classification ignores).
 */
export async function gitFetch(
  context: GitContext,
  fetchFlags: readonly string[],
  refspecs: readonly string[],
): Promise<void> {
  const args = ["fetch", ...fetchFlags, "--", "origin", ...refspecs];
  const result = await runCommand(context, "git", args, { tail: FETCH_OUTPUT_TAIL_BYTES });
  if (result.exitCode === 0) return;
  const output = result.output ?? "";
  throw gitFailure(classifyFetchFailure(result.exitCode, output), `git fetch of ${refspecs.join(" ")}`, result);
}

/**
 * {@link gitFetch} tried up to 10 times with ExponentialSubsecond(1 s) + jitter
 * between tries, for a missing remote ref or a plain failure only. Exit 128, a bad
 * object and an object the remote will not serve are thrown at once (their own
 * codes), so the checkout loop wipes and re-clones, as the real agent's
 * `retrier.Break()` does; so is an interruption.
 *
 * @throws JobRunnerError `CHECKOUT_FETCH_RETRIES_EXHAUSTED` (cause: the last failure)
 *   after the 10th failure, so the checkout does not retry it once more.
 */
export async function gitFetchWithRetry(
  context: GitContext,
  fetchFlags: readonly string[],
  refspecs: readonly string[],
  timing: FetchRetryTiming,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await gitFetch(context, fetchFlags, refspecs);
      return;
    } catch (error) {
      const code = (error as JobRunnerError).code;
      if (!RETRIED_FETCH_CODES.has(code)) throw error;
      if (attempt >= FETCH_ATTEMPTS) {
        throw new JobRunnerError(
          "CHECKOUT_FETCH_RETRIES_EXHAUSTED",
          `${(error as Error).message} (gave up after ${FETCH_ATTEMPTS} attempts)`,
          { cause: error },
        );
      }
      const delayMs = exponentialSubsecondDelayMs(FETCH_RETRY_INITIAL_MS, attempt - 1, timing.random);
      context.log.warning(`${(error as Error).message} (${retryStatus(attempt, FETCH_ATTEMPTS, delayMs)})`);
      await timing.sleep(delayMs, context.signal);
    }
  }
}

/** Runs the fetch a {@link FetchPlan} describes, with its retry and fallback rules. */
export async function runFetchPlan(
  context: GitContext,
  plan: FetchPlan,
  fetchFlags: readonly string[],
  timing: FetchRetryTiming,
): Promise<void> {
  context.log.comment(plan.comment);
  if (plan.retry) await gitFetchWithRetry(context, fetchFlags, plan.refspecs, timing);
  else if (plan.fallback) await gitFetchWithFallback(context, fetchFlags, plan.refspecs, timing);
  else await gitFetch(context, fetchFlags, plan.refspecs);
  if (plan.showFetchHead) {
    const head = await runCommand(context, "git", ["rev-parse", "FETCH_HEAD"], { capture: true });
    context.log.comment(`FETCH_HEAD is now \`${(head.output ?? "").trim()}\``);
  }
}

/**
 * Fetches `refspecs` in one go; when git says a ref does not exist on the remote
 * (e.g. a short sha, which cannot be fetched directly) it falls back to every
 * head and tag, retried, hoping the commit is among them.
 */
export async function gitFetchWithFallback(
  context: GitContext,
  fetchFlags: readonly string[],
  refspecs: readonly string[],
  timing: FetchRetryTiming,
): Promise<void> {
  try {
    await gitFetch(context, fetchFlags, refspecs);
    return;
  } catch (error) {
    if ((error as JobRunnerError).code !== "CHECKOUT_FETCH_BAD_REFERENCE") throw error;
  }
  context.log.comment("Some refspec fetches failed, trying to fetch all heads and tags");
  const config = await runGit(context, ["config", "remote.origin.fetch"], "CHECKOUT_GIT_FAILED", "git config remote.origin.fetch", {
    capture: true,
  });
  const defaultRefspec = lastLine(config.output);
  await gitFetchWithRetry(context, fetchFlags, [defaultRefspec, "+refs/tags/*:refs/tags/*"], timing);
}
