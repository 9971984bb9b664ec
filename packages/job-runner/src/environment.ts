import { compareBytes } from "./byte-order.js";

/**
 * Splits a `NAME=value` entry at its first `=`, as Go's `env.Split`; undefined
 * when there is no `=` or the name would be empty (Windows makes `=C:=…` entries,
 * and no variable can be called "").
 */
export function splitEnvEntry(entry: string): [name: string, value: string] | undefined {
  const equals = entry.indexOf("=");
  return equals <= 0 ? undefined : [entry.slice(0, equals), entry.slice(equals + 1)];
}

/**
 * The job's live environment: one mutable object shared by the executor, its
 * hooks and the Job API, so a `PATCH /env` takes effect at once, as in the real
 * agent. Names are case-sensitive (POSIX).
 */
export class Environment {
  readonly #vars = new Map<string, string>();

  constructor(initial: Readonly<Record<string, string | undefined>> = {}) {
    for (const [name, value] of Object.entries(initial)) if (value !== undefined) this.#vars.set(name, value);
  }

  get(name: string): string | undefined {
    return this.#vars.get(name);
  }

  has(name: string): boolean {
    return this.#vars.has(name);
  }

  set(name: string, value: string): void {
    this.#vars.set(name, value);
  }

  /** Returns whether the name existed. */
  delete(name: string): boolean {
    return this.#vars.delete(name);
  }

  names(): string[] {
    return [...this.#vars.keys()];
  }

  /**
   * `NAME=value` strings sorted as whole strings in byte order, as Go's
   * `env.ToSlice` gives them (so `A1=x` comes before `A=x`).
   */
  toSlice(): string[] {
    return [...this.#vars].map(([name, value]) => `${name}=${value}`).sort(compareBytes);
  }

  /** A snapshot, for a child process or `GET /env`. */
  toObject(): Record<string, string> {
    return Object.fromEntries(this.#vars);
  }

  /** A copy with `extra` laid over it; this environment is unchanged. */
  with(extra: Readonly<Record<string, string>>): Record<string, string> {
    return { ...this.toObject(), ...extra };
  }
}
