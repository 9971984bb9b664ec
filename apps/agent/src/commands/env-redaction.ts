import type { CommandContext } from "../command-context.js";
import type { Logger } from "../logger.js";
import { messageOf } from "./job-api-connection.js";

/** The advice the real agent appends to each "contained one or more secrets" warning. */
const REDACTION_ADVICE =
  "If this is deliberate, pass --redacted-vars='' or a list of patterns that does not match the variable containing the secret";

/**
 * Scrubs the job's secrets from one value the command is about to send, and
 * when it found any, warns `<description> contained one or more secrets from
 * environment variables that have been redacted. …` as the real agent does
 * (`description` names the value: `Annotation body`,
 * `Meta-data value for key "release"`). Returns the value, redacted.
 */
export type EnvRedactor = (value: string, description: string) => string;

/**
 * What in-job commands send is scrubbed of the job's secrets first
 * (logs-and-redaction.md §4.4): the values of env vars whose names match
 * `--redacted-vars` (6 bytes or longer), and their Go-escaped forms, become
 * `[REDACTED]`. The env is matched once, here; the returned function redacts
 * each value with what was found.
 *
 * @throws Error `finding env vars to redact: …` when a pattern is malformed;
 * the command then fails rather than send an unredacted value, as the real
 * agent does (redact.NeedlesFromEnv).
 */
export async function envRedactor(
  patterns: readonly string[],
  env: CommandContext["env"],
  logger: Pick<Logger, "warn">,
): Promise<EnvRedactor> {
  const { matchRedactedVars, redactString } = await import("@agent/log-redactor");
  let needles: string[];
  try {
    needles = matchRedactedVars(patterns, env).matched.map((variable) => variable.value);
  } catch (error) {
    throw new Error(`finding env vars to redact: ${messageOf(error)}`, { cause: error });
  }
  return (value, description) => {
    if (needles.length === 0) return value;
    const redacted = redactString(value, needles);
    if (redacted !== value) {
      logger.warn(`${description} contained one or more secrets from environment variables that have been redacted. ${REDACTION_ADVICE}`);
    }
    return redacted;
  };
}
