import { finished } from "node:stream/promises";
import type { Writable } from "node:stream";
import { createRedactorStream, matchRedactedVars, type RedactorStream } from "@agent/log-redactor";
import type { Environment } from "../environment.js";
import { JobLog } from "../job-log.js";

/**
 * The executor's single output path: its own markup lines and every child
 * process's output go through one redactor into the job log, in order, as the
 * real bootstrap's shell logger and stdout both do.
 */
export class JobOutput {
  readonly stream: RedactorStream;
  readonly log: JobLog;
  readonly #patterns: readonly string[];

  constructor(output: Writable, options: { redactedVars: readonly string[]; disabledWarnings: readonly string[] }) {
    this.#patterns = options.redactedVars;
    this.stream = createRedactorStream();
    this.stream.pipe(output, { end: false });
    this.log = new JobLog(this.stream, { disabledWarnings: options.disabledWarnings });
  }

  /**
   * Adds the values of the env vars matching `redacted-vars` (again after every
   * env change: new values are added, none removed). Returns the names whose
   * values are too short to redact, for the real agent's warning.
   */
  refreshFromEnv(environment: Environment): string[] {
    const { matched, short } = matchRedactedVars(this.#patterns, environment.toObject());
    this.add(matched.map((variable) => variable.value));
    return short;
  }

  /** Redacts these values from now on, at any length (pipeline secrets, the Job API, `redactor add`). */
  add(values: readonly string[]): void {
    const known = new Set(this.stream.redactor.secrets());
    const fresh = values.filter((value) => value !== "" && !known.has(value));
    if (fresh.length > 0) this.stream.redactor.add(fresh);
  }

  /** Ends the redactor (releasing what it holds) and waits until it has all reached the output. */
  async close(): Promise<void> {
    this.stream.end();
    await finished(this.stream);
  }
}
