import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import {
  PROTECTED_VARS,
  SECRET_PROTECTED_VARS,
  isChangeAllowed,
  isSecretTargetAllowed,
} from "../src/index.js";

// The upstream env/protected_test.go vectors (see the README beside them); the
// checkout-scoped names and their locks are tested with them in @agent/config.
interface Membership {
  readonly name: string;
  readonly expected: boolean;
}
interface Cases {
  readonly protectedCases: {
    readonly isProtected: readonly Membership[];
    readonly isProtectedNormalisation: { readonly name: string; readonly expectedOnWindows: boolean; readonly expectedElsewhere: boolean };
    readonly isProtectedFromWithinJob: readonly Membership[];
  };
}

const cases = JSON.parse(
  readFileSync(new URL("../../../../shared/conformance/env/cases.json", import.meta.url), "utf8"),
) as Cases;
const { isProtected, isProtectedNormalisation, isProtectedFromWithinJob } = cases.protectedCases;

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

  // This executor is POSIX-only: names are case-sensitive, so the Windows expectation does not apply.
  it(`${isProtectedNormalisation.name} is protected only on Windows`, () => {
    expect(SECRET_PROTECTED_VARS.has(isProtectedNormalisation.name)).toBe(isProtectedNormalisation.expectedElsewhere);
  });
});
