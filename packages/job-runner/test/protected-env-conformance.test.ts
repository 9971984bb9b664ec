import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import {
  CHECKOUT_SCOPED_VARS,
  PROTECTED_VARS,
  SECRET_PROTECTED_VARS,
  isChangeAllowed,
  isCheckoutLocked,
  isCheckoutLockedForSecrets,
  isSecretTargetAllowed,
  type CheckoutOverrideMode,
} from "../src/index.js";

// The upstream env/protected_test.go vectors (see the README beside them).
interface Membership {
  readonly name: string;
  readonly expected: boolean;
}
interface LockCase {
  readonly name: string;
  readonly var: string;
  readonly mode: CheckoutOverrideMode;
  readonly expectedLocked?: boolean;
  readonly expectedLockedForSecrets?: boolean;
}
interface Cases {
  readonly protectedCases: {
    readonly isProtected: readonly Membership[];
    readonly isProtectedNormalisation: { readonly name: string; readonly expectedOnWindows: boolean; readonly expectedElsewhere: boolean };
    readonly isProtectedFromWithinJob: readonly Membership[];
    readonly isCheckoutOverrideScoped: readonly Membership[];
  };
  readonly checkoutLockCases: readonly LockCase[];
}

const cases = JSON.parse(
  readFileSync(new URL("../../../../shared/conformance/env/cases.json", import.meta.url), "utf8"),
) as Cases;
const { isProtected, isProtectedNormalisation, isProtectedFromWithinJob, isCheckoutOverrideScoped } = cases.protectedCases;

describe("env conformance: protected names", () => {
  // Upstream IsProtected: what job env and secrets may not set.
  it.each(isProtected.map((c) => [c.name, c.expected] as const))("isProtected(%s) is %s: SECRET_PROTECTED_VARS", (name, expected) => {
    expect(SECRET_PROTECTED_VARS.has(name)).toBe(expected);
    if (expected) expect(isSecretTargetAllowed(name, "none")).toBe(false);
  });

  // Upstream IsProtectedFromWithinJob: what hooks, plugins and the Job API may not change.
  it.each(isProtectedFromWithinJob.map((c) => [c.name, c.expected] as const))(
    "isProtectedFromWithinJob(%s) is %s: PROTECTED_VARS",
    (name, expected) => {
      expect(PROTECTED_VARS.has(name)).toBe(expected);
      expect(isChangeAllowed(name, "none")).toBe(!expected);
    },
  );

  it.each(isCheckoutOverrideScoped.map((c) => [c.name, c.expected] as const))(
    "isCheckoutOverrideScoped(%s) is %s: CHECKOUT_SCOPED_VARS",
    (name, expected) => {
      expect(CHECKOUT_SCOPED_VARS.has(name)).toBe(expected);
    },
  );

  // This executor is POSIX-only: names are case-sensitive, so the Windows expectation does not apply.
  it(`${isProtectedNormalisation.name} is protected only on Windows`, () => {
    expect(SECRET_PROTECTED_VARS.has(isProtectedNormalisation.name)).toBe(isProtectedNormalisation.expectedElsewhere);
  });
});

describe("env conformance: checkout locks", () => {
  it.each(cases.checkoutLockCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect.hasAssertions();
    if (c.expectedLocked !== undefined) expect(isCheckoutLocked(c.var, c.mode)).toBe(c.expectedLocked);
    if (c.expectedLockedForSecrets !== undefined) expect(isCheckoutLockedForSecrets(c.var, c.mode)).toBe(c.expectedLockedForSecrets);
  });
});
