import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { SupervisedProcess } from "../src/index.js";

const cleanups: Array<() => void> = [];

// Registered once when a test file imports this module: hooks cannot be added
// from inside a test, and every test's processes and dirs must go after it.
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** Both ways of running a process, for table-driven tests. */
export const MODES = [
  { mode: "pty", pty: true },
  { mode: "pipes", pty: false },
] as const;

/** A minimal environment: only what the fixtures need to find sh, sleep, head. */
export const BASE_ENV: Readonly<Record<string, string>> = { PATH: "/usr/bin:/bin" };

/** Absolute path of a script in test/fixtures/. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** A fresh temp dir, removed after the current test. */
export function makeTempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "process-supervisor-test-"));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Live (non-zombie) processes whose process group or session is `id`, read with
 * ps(1) so the check does not share code with the implementation.
 */
export function liveMembers(id: number): number[] {
  const result = spawnSync("ps", ["-e", "-o", "pid=,pgid=,sid=,stat="], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`ps failed: ${result.stderr}`);
  return result.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, pgid, sid, stat]) => pid && stat && !stat.startsWith("Z") && (Number(pgid) === id || Number(sid) === id))
    .map(([pid]) => Number(pid));
}

/**
 * Registers a safety net for a started process: after the test, SIGKILL whatever
 * is left of its group and session, so one failing test cannot leak processes
 * into the next. Returns the process for chaining.
 */
export function track<T extends SupervisedProcess>(started: T): T {
  cleanups.push(() => {
    started.output.destroy();
    for (const pid of liveMembers(started.pid)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });
  return started;
}

/** Records everything an output stream emits; `waitFor` and `done` are bounded. */
export class Recorder {
  readonly #chunks: Buffer[] = [];
  readonly #ended: Promise<Buffer>;
  #waiters: Array<() => void> = [];

  constructor(output: Readable) {
    output.on("data", (chunk: Buffer) => {
      this.#chunks.push(chunk);
      for (const wake of this.#waiters) wake();
    });
    this.#ended = new Promise((resolve, reject) => {
      output.once("end", () => resolve(Buffer.concat(this.#chunks)));
      output.once("error", reject);
    });
  }

  /** Everything so far. */
  get bytes(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  /** Everything so far as latin1 text (byte-preserving). */
  get text(): string {
    return this.bytes.toString("latin1");
  }

  /** Resolves once `needle` has appeared; rejects after `ms`. */
  async waitFor(needle: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.text.includes(needle)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${JSON.stringify(needle)}; got ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.#waiters = [];
    }
  }

  /** All output once the stream has ended; rejects after `ms`. */
  done(ms = 10_000): Promise<Buffer> {
    return within(this.#ended, ms, "output to end");
  }
}

/** `promise`, or a rejection naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
