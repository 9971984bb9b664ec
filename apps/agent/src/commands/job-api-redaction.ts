import type { JobApiClient } from "@agent/job-runner";
import type { CommandContext } from "../command-context.js";
import { connectToJobApi, messageOf } from "./job-api-connection.js";

/** How `secret get` and `oidc request-token` word a redaction failure: the same structure, their own nouns. */
export interface RedactionWording {
  /** `secret` or `OIDC token`: "automatic <what> redaction requires the Job API". */
  readonly what: string;
  /** What would have been printed: "outputting <output> because they could leak". */
  readonly output: string;
  /** What the opt-out prints: "To output <outputAnyway> anyway". */
  readonly outputAnyway: string;
  /** `they` or `it`. */
  readonly pronoun: string;
  /** The env var that opts out, e.g. `BUILDKITE_AGENT_SECRET_GET_SKIP_SECRET_REDACTION`. */
  readonly skipEnv: string;
  /** The error without `--debug`: `failed to redact secrets`. */
  readonly failed: string;
}

/**
 * Adds values the command is about to print to the job log's redactor through
 * the Job API (local-apis.md §1.4), so they show as `[REDACTED]` if the job
 * echoes them. Without a usable Job API the command fails rather than print
 * an unredacted secret, as the real agent does (clicommand/secret_get.go,
 * oidc_request_token.go); `--skip-redaction` is the opt-out.
 *
 * @throws Error `automatic <what> redaction requires the Job API, but the Job
 * API client could not be created (error: …). …`; `<failed>` when the Job API
 * refuses a value (the cause's message only with `--debug`, so no value can
 * reach the fatal line).
 */
export async function addToJobRedactor(
  env: CommandContext["env"],
  values: readonly string[],
  wording: RedactionWording,
  debug: boolean,
): Promise<void> {
  let client: JobApiClient;
  try {
    client = await connectToJobApi(env);
  } catch (error) {
    throw new Error(
      `automatic ${wording.what} redaction requires the Job API, but the Job API client could not be created (error: ${messageOf(error)}). ` +
        `The command failed instead of outputting ${wording.output} because ${wording.pronoun} could leak in logs without redaction. ` +
        `To output ${wording.outputAnyway} anyway, explicitly opt out of redaction with --skip-redaction or ${wording.skipEnv}=true`,
      { cause: error },
    );
  }
  await redactEach(client, values, { debug, failed: wording.failed });
}

/**
 * Adds each value to the job log's redactor through the Job API, in order,
 * stopping at the first refusal.
 *
 * @throws Error `failed` (`failed to redact secrets`) when the Job API refuses
 * a value, so no value can reach the fatal line; with `debug`, `failed to add
 * secret to the redactor: <the Job API's error>`. The Job API's error is the
 * `cause` either way.
 */
export async function redactEach(
  client: JobApiClient,
  values: readonly string[],
  options: { readonly debug: boolean; readonly failed: string },
): Promise<void> {
  for (const value of values) {
    try {
      await client.redact(value);
    } catch (error) {
      if (options.debug) throw new Error(`failed to add secret to the redactor: ${messageOf(error)}`, { cause: error });
      throw new Error(options.failed, { cause: error });
    }
  }
}
