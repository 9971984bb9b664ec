import { afterEach, describe, expect, it } from "@jest/globals";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lockFile } from "./file-lock.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const ignore = (): void => {};

describe("lockFile", () => {
  it("waits for a held lock and takes it once released, leaving no lock behind", async () => {
    dir = await mkdtemp(join(tmpdir(), "file-lock-"));
    const target = join(dir, "thing");
    const first = await lockFile(target, { timeoutMs: 5000, pollMs: 20, onCompromised: ignore });
    const second = lockFile(target, { timeoutMs: 5000, pollMs: 20, onCompromised: ignore });
    setTimeout(() => void first(), 100);
    const release = await second;
    await release();
    await expect(stat(`${target}.lock`)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("rejects with proper-lockfile's ELOCKED after the timeout", async () => {
    dir = await mkdtemp(join(tmpdir(), "file-lock-"));
    const target = join(dir, "thing");
    const release = await lockFile(target, { lockfilePath: join(dir, "custom.lock"), timeoutMs: 1000, pollMs: 20, onCompromised: ignore });
    try {
      expect((await stat(join(dir, "custom.lock"))).isDirectory()).toBe(true);
      const started = Date.now();
      await expect(lockFile(target, { lockfilePath: join(dir, "custom.lock"), timeoutMs: 150, pollMs: 20, onCompromised: ignore })).rejects.toMatchObject({
        code: "ELOCKED",
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    } finally {
      await release();
    }
  });

  it("stops waiting with the abort reason", async () => {
    dir = await mkdtemp(join(tmpdir(), "file-lock-"));
    const target = join(dir, "thing");
    const release = await lockFile(target, { timeoutMs: 5000, pollMs: 20, onCompromised: ignore });
    try {
      const controller = new AbortController();
      const reason = new Error("job cancelled");
      const waiting = lockFile(target, { timeoutMs: 5000, pollMs: 20, onCompromised: ignore, signal: controller.signal });
      setTimeout(() => controller.abort(reason), 50);
      await expect(waiting).rejects.toBe(reason);
    } finally {
      await release();
    }
  });

  // Regression: known_hosts locked without onCompromised, so proper-lockfile threw
  // ECOMPROMISED from a timer (an uncaught exception) when the lock vanished.
  it("reports a lock whose directory vanished while held to onCompromised instead of throwing", async () => {
    dir = await mkdtemp(join(tmpdir(), "file-lock-"));
    const target = join(dir, "thing");
    const compromised = new Promise<Error>((resolve) => {
      void lockFile(target, { timeoutMs: 1000, pollMs: 20, staleMs: 2000, onCompromised: resolve }).then(async () => {
        // The refresh (every staleMs / 2) then finds no lock to touch.
        await rm(`${target}.lock`, { recursive: true, force: true });
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const error = await Promise.race([
      compromised,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("onCompromised was not called within 5 s")), 5000);
      }),
    ]).finally(() => clearTimeout(timer));
    expect(error).toMatchObject({ code: "ECOMPROMISED" });
  });
});
