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
 * the answer with repeated callers (clicommand/job_promise_failure.go). Secrets
 * from the environment are redacted from `--reason` first. A promise Buildkite
 * does not accept is fatal, exit 1.
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
    // An error status is the Job API's definitive answer; anything else means
    // the answer was lost on the way, when the real agent declares directly.
    if ((error as { code?: unknown }).code === "JOB_API_STATUS") {
      throw new Error(`failed to declare promised job failure: ${messageOf(error)}`, { cause: error });
    }
    logger.warn(`Couldn't reach the Job API to declare the promised failure: ${messageOf(error)}`);
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
 * Buildkite's 409 and 422 are refusals, worded as the Job API's are.
 */
async function declareDirectly(context: PromiseFailureContext, jobId: string, exitStatus: number, reason: string): Promise<number> {
  await withAgentApi(context, async (client) => {
    try {
      await client.promiseFailure(jobId, { exitStatus, ...(reason === "" ? {} : { reason }) });
    } catch (error) {
      const { ApiError } = await import("@agent/api-client");
      if (error instanceof ApiError && (error.status === 409 || error.status === 422)) {
        throw notAccepted({ upstreamStatus: error.status, error: error.serverMessage }, error);
      }
      throw new Error(`failed to declare promised job failure: ${messageOf(error)}`, { cause: error });
    }
  });
  context.logger.info(`Declared promised exit status ${exitStatus} for job ${jobId}`);
  return 0;
}
