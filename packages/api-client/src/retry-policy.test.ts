import { backoffMs, honoursRetryAfter, isRetryable, retryDelay, RETRY_POLICIES, type AttemptFailure, type RetryRule } from "./retry-policy.js";

describe("backoffMs", () => {
  // The spec's "first sleeps" columns (agent-api.md §1.2).
  it.each([
    [{ kind: "exponential-subsecond", initialMs: 2000 } as const, [2000, 3216, 5172, 8317, 13374, 21508, 34587, 55619, 89442, 143833, 231298]],
    [{ kind: "exponential-subsecond", initialMs: 500 } as const, [500, 737, 1087, 1603, 2364, 3486, 5141, 7581, 11180, 16486]],
    [{ kind: "exponential-subsecond", initialMs: 1000 } as const, [1000, 1539, 2371, 3651, 5623, 8659, 13335, 20535, 31622, 48696]],
    [{ kind: "exponential", baseMs: 2000 } as const, [1000, 2000, 4000, 8000, 16000, 32000, 64000]],
    [{ kind: "constant", intervalMs: 5000 } as const, [5000, 5000, 5000]],
  ])("%j", (strategy, expected) => {
    expect(expected.map((_, n) => backoffMs(strategy, n))).toEqual(expected);
  });
});

describe("retryDelay", () => {
  it("adds jitter from the policy's range", () => {
    expect(retryDelay(RETRY_POLICIES.finishJob, 0, () => 0)).toBe(2000);
    expect(retryDelay(RETRY_POLICIES.finishJob, 0, () => 0.999)).toBeCloseTo(2999);
    expect(retryDelay(RETRY_POLICIES.acquireJob, 0, () => 0)).toBe(0); // 1 s - 1 s
    expect(retryDelay(RETRY_POLICIES.acquireJob, 2, () => 0.5)).toBe(6000); // 4 s + 2 s
    expect(retryDelay(RETRY_POLICIES.heartbeat, 3, () => 0.9)).toBe(5000); // no jitter
  });

  it("never goes negative and lets Retry-After replace the whole sleep", () => {
    const policy = { ...RETRY_POLICIES.acquireJob, strategy: { kind: "constant", intervalMs: 0 } as const };
    expect(retryDelay(policy, 0, () => 0)).toBe(0);
    expect(retryDelay(RETRY_POLICIES.acquireJob, 5, () => 0.9, 1500)).toBe(1500);
    expect(retryDelay(RETRY_POLICIES.acquireJob, 5, () => 0.9, -3)).toBe(0);
  });
});

const status = (s: number): AttemptFailure => ({ kind: "status", status: s });
const bad: AttemptFailure = { kind: "bad-response", status: 200 };
const netRetryable: AttemptFailure = { kind: "transport", retryable: true };
const netOther: AttemptFailure = { kind: "transport", retryable: false };

describe("isRetryable", () => {
  // Columns: 401, 404, 422, 423, 429, 500, 503, unusable 2xx, retryable transport, other transport.
  const failures = [status(401), status(404), status(422), status(423), status(429), status(500), status(503), bad, netRetryable, netOther];
  it.each<[RetryRule, boolean[]]>([
    ["retryable", [false, false, false, false, true, true, true, false, true, false]],
    ["every-error", [true, true, true, true, true, true, true, true, true, true]],
    ["transport-only", [false, false, false, false, false, false, false, false, true, false]],
    ["status-retryable-any-transport", [false, false, false, false, true, true, true, false, true, true]],
    ["break-on-4xx", [false, false, false, false, false, true, true, true, true, true]],
    ["break-on-4xx-except-429", [false, false, false, false, true, true, true, true, true, true]],
    ["break-on-401-404", [false, false, true, true, true, true, true, true, true, true]],
    ["acquire", [false, false, false, true, true, true, true, true, true, true]],
    ["break-on-422", [true, true, false, true, true, true, true, true, true, true]],
  ])("%s", (rule, expected) => {
    expect(failures.map((f) => isRetryable(rule, f))).toEqual(expected);
  });
});

describe("honoursRetryAfter", () => {
  it("follows each policy's rule", () => {
    expect(honoursRetryAfter(RETRY_POLICIES.acquireJob, status(423))).toBe(true);
    expect(honoursRetryAfter(RETRY_POLICIES.acquireJob, status(404))).toBe(false);
    expect(honoursRetryAfter(RETRY_POLICIES.acquireJob, bad)).toBe(false);
    expect(honoursRetryAfter(RETRY_POLICIES.repositoryAccessToken, status(503))).toBe(true);
    expect(honoursRetryAfter(RETRY_POLICIES.pipelineUploadStatus, bad)).toBe(true);
    expect(honoursRetryAfter(RETRY_POLICIES.pipelineUploadStatus, netRetryable)).toBe(false);
    expect(honoursRetryAfter(RETRY_POLICIES.register, status(429))).toBe(false);
  });
});
