/**
 * Why the agent loop failed. Branch on `code`, never on the message.
 *
 * - `AGENT_INVALID_OPTION`: an option of `startAgentPool` is missing or invalid.
 * - `AGENT_BUILD_PATH`: the build path cannot be created.
 * - `AGENT_REGISTER_FAILED`: `POST register` failed (bad token, unreachable endpoint…).
 * - `AGENT_HOOK_FAILED`: the `agent-startup` hook exited non-zero or could not run.
 * - `AGENT_CONNECT_FAILED`: `POST connect` failed after its retries.
 * - `AGENT_PING_FAILED`: a ping got a non-retryable answer (e.g. 401): the worker stopped.
 * - `AGENT_HEARTBEAT_FAILED`: a heartbeat got a non-retryable answer: the worker stopped.
 * - `AGENT_JOB_REJECTED`: acquire-job mode: Buildkite refused the job (422: taken,
 *   finished, or not for this agent); the pool ends with exit code 27.
 * - `AGENT_JOB_LOCKED`: acquire-job mode: the job was still locked (423: its
 *   dependencies are running) after the acquire retries; exit code 28, which the
 *   Go agent declares but never reaches.
 * - `AGENT_HEALTH_CHECK`: the health-check server could not listen (logged; the pool
 *   carries on without it, as the agent does).
 * - `AGENT_STOP_TIMEOUT`: after a forceful stop, the workers were still running at the
 *   end of the cancel grace period + 1 s (the real agent's watchdog).
 * - `AGENT_INTERRUPTED`: a third stop request ended the pool at once (and `ready`
 *   rejects with it when the pool stops before it was ready).
 * - `AGENT_INTERNAL`: something failed that no other code describes (a bug); the
 *   pool ends with exit code 1 after its normal shutdown.
 */
export type AgentWorkerErrorCode =
  | "AGENT_INVALID_OPTION"
  | "AGENT_BUILD_PATH"
  | "AGENT_REGISTER_FAILED"
  | "AGENT_HOOK_FAILED"
  | "AGENT_CONNECT_FAILED"
  | "AGENT_PING_FAILED"
  | "AGENT_HEARTBEAT_FAILED"
  | "AGENT_JOB_REJECTED"
  | "AGENT_JOB_LOCKED"
  | "AGENT_HEALTH_CHECK"
  | "AGENT_STOP_TIMEOUT"
  | "AGENT_INTERRUPTED"
  | "AGENT_INTERNAL";

/** The one error class of this package: a one-line message and a stable `code`. */
export class AgentWorkerError extends Error {
  override readonly name = "AgentWorkerError";
  readonly code: AgentWorkerErrorCode;

  constructor(code: AgentWorkerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
