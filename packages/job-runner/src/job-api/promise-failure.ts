import type { Logger } from "../logger.js";

/** What the upstream declaration (`PUT jobs/{id}/promise_failure`, with its retries) came to. */
export interface PromiseFailureDeclaration {
  /** Whether Buildkite accepted the promised failure. */
  readonly accepted: boolean;
  /** The last HTTP status Buildkite answered; absent when no response was received. */
  readonly upstreamStatus?: number;
  /** Why it was not accepted. */
  readonly error?: string;
}

/**
 * Declares a promised failure upstream. The executor passes one built on
 * `@agent/api-client`. It should resolve (not reject) with `accepted: false` on
 * failure; `signal` aborts when the Job API closes.
 */
export type PromiseFailureDeclarer = (
  exitStatus: number,
  reason: string | undefined,
  options: { readonly signal: AbortSignal },
) => Promise<PromiseFailureDeclaration>;

/** The `POST /promise-failure` answer body (field order as the real agent's). */
export interface PromiseFailureOutcome {
  /** `declared`: this call asked Buildkite; `debounced`: it shared an earlier call's result. */
  readonly outcome: "declared" | "debounced";
  readonly accepted: boolean;
  readonly upstream_status?: number;
  readonly error?: string;
}

interface Entry {
  readonly result: Promise<PromiseFailureOutcome>;
}

/**
 * Coalesces promise-failure declarations per exit status (jobapi/promise_failure.go):
 * the first call declares; calls for the same status while it runs, or after it
 * was accepted or refused for good (a 4xx other than 429), share its result as
 * `debounced`. A transient failure (5xx, 429, no response) is forgotten, so a
 * later call tries again. The first caller's reason wins.
 */
export class PromiseFailureCoordinator {
  readonly #declare: PromiseFailureDeclarer;
  readonly #signal: AbortSignal;
  readonly #logger: Logger;
  readonly #entries = new Map<number, Entry>();

  constructor(declare: PromiseFailureDeclarer, signal: AbortSignal, logger: Logger) {
    this.#declare = declare;
    this.#signal = signal;
    this.#logger = logger;
  }

  /** Declares `exitStatus` (once), resolving with this call's outcome. Never rejects. */
  async declare(exitStatus: number, reason: string): Promise<PromiseFailureOutcome> {
    const existing = this.#entries.get(exitStatus);
    if (existing !== undefined) {
      this.#logger.debug("Job API: promise-failure already declared or in flight; sharing its result", { exitStatus });
      return { ...(await existing.result), outcome: "debounced" };
    }
    this.#logger.debug("Job API: declaring promised failure", { exitStatus });

    const result = this.#run(exitStatus, reason);
    const entry: Entry = { result };
    this.#entries.set(exitStatus, entry);
    const outcome = await result;
    const terminal = isTerminalStatus(outcome.upstream_status);
    if (!outcome.accepted && !terminal && this.#entries.get(exitStatus) === entry) this.#entries.delete(exitStatus);
    return outcome;
  }

  async #run(exitStatus: number, reason: string): Promise<PromiseFailureOutcome> {
    try {
      // Not tied to the first caller's connection: the callers waiting on it
      // depend on the result even if that caller goes away.
      const declaration = await this.#declare(exitStatus, reason === "" ? undefined : reason, { signal: this.#signal });
      return {
        outcome: "declared",
        accepted: declaration.accepted,
        upstream_status: declaration.upstreamStatus || undefined,
        error: declaration.accepted ? undefined : declaration.error || undefined,
      };
    } catch (error) {
      // A declarer that throws broke its contract; answer as the real agent does
      // when its declarer panics: not accepted, a synthetic 500, not cached.
      return {
        outcome: "declared",
        accepted: false,
        upstream_status: 500,
        error: `declaring promised failure failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
}

/** A definitive refusal that a retry cannot change (e.g. 409, 422); 429 is retryable. */
export function isTerminalStatus(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && status !== 429;
}
