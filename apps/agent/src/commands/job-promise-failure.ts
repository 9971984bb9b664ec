import type { jobPromiseFailureCommand } from "@agent/config";
import type { JobApiClient as JobApiClientType, PromiseFailureResult } from "@agent/job-runner";
import { goQuote, matchRedactedVars, redactString } from "@agent/log-redactor";
import type { CommandContext } from "../command-context.js";
import { messageOf } from "./job-api-connection.js";

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

  let reason = config.reason;
  const needles = matchRedactedVars(config.redactedVars, context.env).matched.map((variable) => variable.value);
  const redacted = redactString(reason, needles);
  if (redacted !== reason) {
    logger.warn(
      `The promise-failure reason for job "${goQuote(jobId)}" contained one or more secrets from environment variables that have been redacted. If this is deliberate, pass --redacted-vars='' or a list of patterns that does not match the variable containing the secret`,
    );
    reason = redacted;
  }

  const { JobApiClient } = await import("@agent/job-runner");
  let client: JobApiClientType;
  try {
    client = await JobApiClient.fromEnv(context.env);
  } catch (error) {
    throw cannotDeclareDirectly(error);
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
    throw cannotDeclareDirectly(error);
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
function notAccepted(result: PromiseFailureResult): Error {
  const detail = result.error ?? `upstream status ${result.upstreamStatus ?? "unknown"}`;
  switch (result.upstreamStatus) {
    case 409:
      return new Error(`a different promised exit status has already been declared for this job: ${detail}`);
    case 422:
      return new Error(`the job is no longer running and cannot accept a promised failure: ${detail}`);
    default:
      return new Error(`failed to declare promised job failure: ${detail}`);
  }
}

/**
 * The real agent falls back to `PUT jobs/{id}/promise_failure` on the Agent
 * API when the Job API cannot be used. That needs @agent/api-client, which
 * this app does not depend on yet, so the command fails and says why.
 */
function cannotDeclareDirectly(error: unknown): Error {
  return new Error(
    `failed to declare promised job failure: the Job API could not be used (${messageOf(error)}) and declaring directly to the Agent API is not supported yet`,
    { cause: error },
  );
}
