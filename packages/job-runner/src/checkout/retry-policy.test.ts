import { describe, expect, it } from "@jest/globals";
import { JobRunnerError } from "../errors.js";
import { checkoutRetryAction, exponentialDelayMs, exponentialSubsecondDelayMs, formatDuration, retryStatus } from "./retry-policy.js";

describe("checkoutRetryAction", () => {
  it.each([
    ["CHECKOUT_CLONE_FAILED", "wipe"],
    ["CHECKOUT_CLEAN_FAILED", "wipe"],
    ["CHECKOUT_SUBMODULE_CLEAN_FAILED", "wipe"],
    ["CHECKOUT_FETCH_BROKEN", "wipe"],
    ["CHECKOUT_FETCH_BAD_OBJECT", "wipe"],
    ["CHECKOUT_FETCH_REF_NOT_ON_REMOTE", "wipe"],
    ["CHECKOUT_GIT_CHECKOUT_BROKEN", "wipe"],
    ["CHECKOUT_TIMEOUT", "wipe"],
    ["CHECKOUT_SUBMODULE_FAILED", "wipe"],
    ["CHECKOUT_INVALID_REF", "wipe"],
    ["CHECKOUT_FETCH_FAILED", "retry"],
    ["CHECKOUT_FETCH_BAD_REFERENCE", "retry"],
    ["CHECKOUT_GIT_CHECKOUT_FAILED", "retry"],
    ["CHECKOUT_REFERENCE_NOT_A_TREE", "retry"],
    ["CHECKOUT_INTERRUPTED", "stop"],
    ["CHECKOUT_CANCELLED", "stop"],
    ["CHECKOUT_FETCH_RETRIES_EXHAUSTED", "stop"],
    ["CHECKOUT_NOT_SUPPORTED", "stop"],
    ["CHECKOUT_FLAGS_INVALID", "stop"],
  ] as const)("%s ⇒ %s", (code, action) => {
    expect(checkoutRetryAction(new JobRunnerError(code, "x"))).toBe(action);
  });

  it("stops on a mirror lock timeout (exit status 94), whatever the code", () => {
    expect(checkoutRetryAction(new JobRunnerError("CHECKOUT_CLONE_FAILED", "x", { exitStatus: 94 }))).toBe("stop");
    expect(checkoutRetryAction(Object.assign(new Error("lock"), { exitStatus: 94 }))).toBe("stop");
  });

  it("wipes after errors it does not know (any non-git error), as the real agent", () => {
    expect(checkoutRetryAction(new Error("EACCES"))).toBe("wipe");
    expect(checkoutRetryAction(undefined)).toBe("wipe");
  });
});

describe("backoff", () => {
  it("is Exponential(2 s): 1, 2, 4, 8, 16 s plus up to 1 s of jitter", () => {
    expect([0, 1, 2, 3, 4].map((n) => exponentialDelayMs(2, n, () => 0))).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(exponentialDelayMs(2, 4, () => 0.999)).toBe(16999);
  });

  it("is ExponentialSubsecond(1 s) for fetch retries", () => {
    expect([0, 1, 8].map((n) => exponentialSubsecondDelayMs(1000, n, () => 0))).toEqual([1000, 1539, 31622]);
  });

  it.each([
    [250, "250ms"],
    [1000, "1s"],
    [2500, "2.5s"],
    [64_000, "1m4s"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("prints roko's attempt status", () => {
    expect(retryStatus(1, 6, 1250)).toBe("Attempt 1/6 Retrying in 1.25s");
    expect(retryStatus(6, 6, 32000)).toBe("Attempt 6/6");
    expect(retryStatus(2, 3, 0)).toBe("Attempt 2/3 Retrying immediately");
  });
});
