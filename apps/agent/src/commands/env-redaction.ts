import type { CommandContext } from "../command-context.js";
import { messageOf } from "./job-api-connection.js";

/**
 * What in-job commands send is scrubbed of the job's secrets first
 * (logs-and-redaction.md §4.4): the values of env vars whose names match
 * `--redacted-vars` (6 bytes or longer), and their Go-escaped forms, become
 * `[REDACTED]`. Returns the value unchanged when nothing matched.
 *
 * @throws Error `finding env vars to redact: …` when a pattern is malformed;
 * the command then fails rather than send an unredacted value, as the real
 * agent does (redact.NeedlesFromEnv).
 */
export async function redactFromEnv(
  value: string,
  patterns: readonly string[],
  env: CommandContext["env"],
): Promise<string> {
  const { matchRedactedVars, redactString } = await import("@agent/log-redactor");
  let needles: string[];
  try {
    needles = matchRedactedVars(patterns, env).matched.map((variable) => variable.value);
  } catch (error) {
    throw new Error(`finding env vars to redact: ${messageOf(error)}`, { cause: error });
  }
  return needles.length === 0 ? value : redactString(value, needles);
}

/** The advice the real agent appends to each "contained one or more secrets" warning. */
export const REDACTION_ADVICE =
  "If this is deliberate, pass --redacted-vars='' or a list of patterns that does not match the variable containing the secret";
