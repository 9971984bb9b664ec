import { afterEach, describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JobRunnerError, JobLog } from "../../src/index.js";
import { checkoutWithRetries, type CheckoutAttemptContext } from "../../src/checkout/index.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function setUp(): Promise<{ path: string; log: JobLog; text: () => string }> {
  dir = await mkdtemp(join(tmpdir(), "checkout-retries-"));
  const path = join(dir, "checkout");
  await mkdir(path);
  const lines: string[] = [];
  return { path, log: new JobLog({ write: (text: string) => lines.push(text) }, { ansi: false }), text: () => lines.join("") };
}

const failing = (code: string, extra: { exitStatus?: number } = {}) => async (): Promise<never> => {
  throw new JobRunnerError(code as `CHECKOUT_${string}`, `boom ${code}`, extra);
};

describe("checkoutWithRetries", () => {
  it("returns the first success after failures, sleeping 1 s then 2 s plus jitter", async () => {
    const { path, log, text } = await setUp();
    const sleeps: number[] = [];
    let calls = 0;
    const result = await checkoutWithRetries(
      async () => {
        calls += 1;
        if (calls < 3) throw new JobRunnerError("CHECKOUT_FETCH_FAILED", "fetch flaked");
        return "ok";
      },
      { log, checkoutPath: path, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) },
    );
    expect(result).toBe("ok");
    expect(sleeps).toEqual([1500, 2500]);
    expect(text()).toBe(
      "⚠️ Warning: Checkout failed! fetch flaked (Attempt 1/6 Retrying in 1.5s)\n^^^ +++\n" +
        "⚠️ Warning: Checkout failed! fetch flaked (Attempt 2/6 Retrying in 2.5s)\n^^^ +++\n",
    );
  });

  it.each([
    ["0 attempts", 0, 6],
    ["-1 attempts", -1, 6],
    ["3 attempts", 3, 3],
  ])("makes the default 6 attempts for %s, else the number given", async (_name, attempts, made) => {
    const { path, log } = await setUp();
    let calls = 0;
    await expect(
      checkoutWithRetries(
        async () => {
          calls += 1;
          throw new JobRunnerError("CHECKOUT_FETCH_FAILED", "no");
        },
        { log, checkoutPath: path, attempts, sleep: async () => {} },
      ),
    ).rejects.toMatchObject({ code: "CHECKOUT_FETCH_FAILED" });
    expect(calls).toBe(made);
  });

  it.each([
    ["CHECKOUT_CLONE_FAILED", true],
    ["CHECKOUT_FETCH_BROKEN", true],
    ["CHECKOUT_GIT_CHECKOUT_BROKEN", true],
    ["CHECKOUT_GIT_CHECKOUT_FAILED", false],
    ["CHECKOUT_FETCH_FAILED", false],
  ])("after %s the checkout dir is wiped: %s", async (code, wiped) => {
    const { path, log, text } = await setUp();
    await writeFile(join(path, "marker"), "x");
    let calls = 0;
    await checkoutWithRetries(
      async () => {
        calls += 1;
        if (calls === 1) throw new JobRunnerError(code as `CHECKOUT_${string}`, "first try fails");
      },
      { log, checkoutPath: path, sleep: async () => {} },
    );
    expect(existsSync(join(path, "marker"))).toBe(!wiped);
    expect(existsSync(path)).toBe(true);
    expect(text().includes(`# Removing ${path}\n`)).toBe(wiped);
  });

  it.each([
    ["a mirror lock timeout (exit status 94)", failing("CHECKOUT_MIRROR_LOCK", { exitStatus: 94 }), "⚠️ Warning: Checkout failed! boom CHECKOUT_MIRROR_LOCK\n"],
    ["a signal", failing("CHECKOUT_INTERRUPTED"), "⚠️ Warning: Checkout was interrupted by a signal\n"],
    ["a fetch already retried", failing("CHECKOUT_FETCH_RETRIES_EXHAUSTED"), "⚠️ Warning: Checkout failed! boom CHECKOUT_FETCH_RETRIES_EXHAUSTED\n"],
  ])("does not retry %s", async (_name, attempt, warning) => {
    const { path, log, text } = await setUp();
    let calls = 0;
    const error = await checkoutWithRetries(
      async () => {
        calls += 1;
        return attempt();
      },
      { log, checkoutPath: path, sleep: async () => {} },
    ).catch((caught: unknown) => caught);
    expect(calls).toBe(1);
    expect(error).toBeInstanceOf(JobRunnerError);
    expect(text()).toBe(`${warning}^^^ +++\n`);
  });

  it("times out each attempt (git-checkout-timeout), wipes and retries", async () => {
    const { path, log, text } = await setUp();
    const signals: Array<AbortSignal | undefined> = [];
    const error = await checkoutWithRetries(
      (context: CheckoutAttemptContext) =>
        new Promise((_resolve, reject) => {
          signals.push(context.signal);
          context.signal?.addEventListener("abort", () => reject(new JobRunnerError("CHECKOUT_INTERRUPTED", "git killed")), { once: true });
        }),
      { log, checkoutPath: path, attempts: 2, attemptTimeoutMs: 50, random: () => 0, sleep: async () => {} },
    ).catch((caught: unknown) => caught);
    expect(signals).toHaveLength(2);
    expect(error).toMatchObject({ code: "CHECKOUT_TIMEOUT", message: "checkout attempt timed out after 0.05s: git killed" });
    expect(text()).toContain("Checkout failed! checkout attempt timed out after 0.05s: git killed (Attempt 1/2 Retrying in 1s)");
    expect(text()).toContain(`# Removing ${path}\n`);
  });

  it("stops at once when cancelled during an attempt, and during the backoff", async () => {
    const { path, log, text } = await setUp();
    const controller = new AbortController();
    let calls = 0;
    await expect(
      checkoutWithRetries(
        async () => {
          calls += 1;
          controller.abort();
          throw new JobRunnerError("CHECKOUT_CLONE_FAILED", "killed");
        },
        { log, checkoutPath: path, signal: controller.signal, sleep: async () => {} },
      ),
    ).rejects.toMatchObject({ code: "CHECKOUT_CANCELLED" });
    expect(calls).toBe(1);
    expect(text()).toBe("⚠️ Warning: Checkout was cancelled\n^^^ +++\n");

    const during = new AbortController();
    calls = 0;
    // The job is cancelled during the backoff wait, which ends only through the
    // signal it was given: no real timer, so nothing depends on the machine's speed.
    const waits: Array<{ ms: number; reason: unknown }> = [];
    const sleepUntilAborted = (ms: number, signal?: AbortSignal) =>
      new Promise<void>((_resolve, reject) => {
        if (signal === undefined) {
          reject(new Error("the backoff wait was not given the checkout's signal"));
          return;
        }
        signal.addEventListener("abort", () => {
          waits.push({ ms, reason: signal.reason });
          reject(signal.reason);
        });
        during.abort("job cancelled");
      });
    await expect(
      checkoutWithRetries(
        async () => {
          calls += 1;
          throw new JobRunnerError("CHECKOUT_FETCH_FAILED", "flaky");
        },
        { log, checkoutPath: path, signal: during.signal, random: () => 0, sleep: sleepUntilAborted },
      ),
    ).rejects.toMatchObject({ code: "CHECKOUT_CANCELLED" });
    expect(waits).toEqual([{ ms: 1000, reason: "job cancelled" }]);
    expect(calls).toBe(1);
  });
});
