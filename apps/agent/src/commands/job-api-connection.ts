import type { JobApiClient } from "@agent/job-runner";

/**
 * How the env commands and `workdir set` word a failure to reach the Job API
 * (local-apis.md §1.4). The Go agent adds two lines of advice after it; ours
 * stays on the one fatal line.
 */
export const ENV_CLIENT_ERROR = "could not create Job API client";

/** How `redactor add` words the same failure (clicommand/redactor_add.go). */
export const REDACTOR_CLIENT_ERROR = "failed to create Job API client";

/**
 * A Job API client for the socket and token the job gave this process
 * (`BUILDKITE_AGENT_JOB_API_SOCKET`/`_TOKEN`), after checking the path is a
 * socket that accepts a connection.
 *
 * @throws Error `<prefix>: BUILDKITE_AGENT_JOB_API_SOCKET empty or undefined`,
 * `<prefix>: "<path>" is not a socket`, `<prefix>: socket test connection: …`,
 * with the client's JobRunnerError as the `cause`; without a `prefix`, that
 * JobRunnerError itself, for callers that word the failure otherwise or
 * fall back.
 */
export async function connectToJobApi(env: Readonly<Record<string, string | undefined>>, prefix?: string): Promise<JobApiClient> {
  // Loaded here, not at the top, so commands that fail earlier never pay for it.
  const { JobApiClient } = await import("@agent/job-runner");
  try {
    return await JobApiClient.fromEnv(env);
  } catch (error) {
    if (prefix === undefined) throw error;
    throw new Error(`${prefix}: ${messageOf(error)}`, { cause: error });
  }
}

/** The message of anything thrown, for wrapping it as Go's `%w` does. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
