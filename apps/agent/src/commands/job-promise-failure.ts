import type { jobPromiseFailureCommand } from "@agent/config";
import type { JobApiClient, PromiseFailureResult } from "@agent/job-runner";
import { goQuote } from "@agent/log-redactor";
import type { CommandContext } from "../command-context.js";
import { withAgentApi } from "./agent-api-from-config.js";
import { envRedactor } from "./env-redaction.js";
import { connectToJobApi, messageOf } from "./job-api-connection.js";

type PromiseFailureContext = CommandContext<typeof jobPromiseFailureCommand>;

// Go's strconv.Atoi range on 64-bit platforms.
const MAX_INT64 = 2n ** 63n - 1n;

/**
 * `buildkite-agent job promise-failure <exit status>`: tells Buildkite now
 * that the current job (always `BUILDKITE_JOB_ID`) will fail with this status,
 * through the Job API, which declares it upstream once per status and shares
 * the answer with repeated callers (clicommand/job_promise_failure.go); with no
 * Job API, or any error from it, directly on the Agent API. Secrets from the
 * environment are redacted from `--reason` first. A promise Buildkite does not
 * accept is fatal, exit 1.
 */
export async function run(context: PromiseFailureContext): Promise<number> {
  const { config, logger } = context;
  const exitStatus = parseExitStatus(context.args[0] ?? "");
  const jobId = context.env.BUILDKITE_JOB_ID ?? "";
  if (jobId === "") throw new Error("BUILDKITE_JOB_ID is not set: this command must be run from within a job");

  const redact = await envRedactor(config.redactedVars, context.env, logger);
  const reason = redact(config.reason, `The promise-failure reason for job "${goQuote(jobId)}"`);

  let client: JobApiClient;
  try {
    client = await connectToJobApi(context.env);
  } catch (error) {
    logger.debug(`No Job API (${messageOf(error)}); declaring the promised failure directly`);
    return declareDirectly(context, jobId, exitStatus, reason);
  }
  let result: PromiseFailureResult;
  try {
    result = await client.promiseFailure(exitStatus, reason);
  } catch (error) {
    // Any Job API error, an error status included (a stale token's 401, its
    // 500), means the promise did not land, so the real agent declares it
    // directly; the endpoint is idempotent for one exit status, so if the Job
    // API's answer was only lost on the way, the repeat is harmless.
    logger.warn(`Couldn't reach the Job API to declare the promised failure; declaring it directly: ${messageOf(error)}`);
    return declareDirectly(context, jobId, exitStatus, reason);
  }
  if (!result.accepted) throw notAccepted(result);
  if (result.outcome === "debounced") {
    // Debug only: a script may call this on every failing test.
    logger.debug(`Promised exit status ${exitStatus} already declared for job ${jobId} (debounced)`);
  } else {
    logger.info(`Declared promised exit status ${exitStatus} for job ${jobId}`);
  }
  return 0;
}

/** The exit status argument, as Go's `strconv.Atoi` reads it, above 0. */
function parseExitStatus(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) {
    throw new Error(`exit status must be an integer: strconv.Atoi: parsing "${goQuote(text)}": invalid syntax`);
  }
  const value = BigInt(text);
  if (value > MAX_INT64 || value < -MAX_INT64 - 1n) {
    throw new Error(`exit status must be an integer: strconv.Atoi: parsing "${goQuote(text)}": value out of range`);
  }
  if (value <= 0n) {
    throw new Error(
      "exit status must be a positive integer: a promised failure cannot have a zero (successful) or negative exit status",
    );
  }
  return Number(value);
}

/** Buildkite's refusal, worded by its status as the real agent does. */
function notAccepted(result: Pick<PromiseFailureResult, "upstreamStatus" | "error">, cause?: unknown): Error {
  const detail = result.error ?? `upstream status ${result.upstreamStatus ?? "unknown"}`;
  const options = cause === undefined ? undefined : { cause };
  switch (result.upstreamStatus) {
    case 409:
      return new Error(`a different promised exit status has already been declared for this job: ${detail}`, options);
    case 422:
      return new Error(`the job is no longer running and cannot accept a promised failure: ${detail}`, options);
    default:
      return new Error(`failed to declare promised job failure: ${detail}`, options);
  }
}

/**
 * Without a usable Job API, the real agent declares the failure itself with
 * `PUT jobs/{id}/promise_failure` on the Agent API (with that call's retries).
 * A failure is worded by the last response's status, as the Job API's
 * refusals are, around the whole API error (`PUT <path>: 409 Conflict: <message>`),
 * as Go wraps its ErrorResponse; ours names the path without the host.
 */
async function declareDirectly(context: PromiseFailureContext, jobId: string, exitStatus: number, reason: string): Promise<number> {
  await withAgentApi(context, async (client) => {
    try {
      await client.promiseFailure(jobId, { exitStatus, ...(reason === "" ? {} : { reason }) });
    } catch (error) {
      // Branch on the ApiError's status field, not its class (STYLE §4).
      const status = (error as { status?: unknown }).status;
      throw notAccepted({ upstreamStatus: typeof status === "number" ? status : undefined, error: messageOf(error) }, error);
    }
  });
  context.logger.info(`Declared promised exit status ${exitStatus} for job ${jobId}`);
  return 0;
}
