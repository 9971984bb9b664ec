import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BOOTSTRAP_ENV as bootstrapEnv, START_ENV as startEnv } from "./required-env.js";
import {
  CHECKOUT_SCOPED_VARS,
  ConfigError,
  bootstrapCommand,
  isCheckoutLocked,
  isCheckoutLockedForJobEnv,
  isCheckoutLockedForSecrets,
  loadConfig,
  startCommand,
  type CheckoutOverrideMode,
} from "../src/index.js";

// Buildkite's own vectors for the checkout-override-mode setting and what it locks
// (../shared/conformance/env, from env/protected_test.go at v3.137.0).
const casesFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../shared/conformance/env/cases.json");
const cases = JSON.parse(fs.readFileSync(casesFile, "utf8")) as {
  checkoutOverrideModeParseCases: { name: string; input: string; expectedMode: string; expectedError: boolean }[];
  restrictedForCommandEvalCases: { name: string; mode: string; commandEvalEnabled: boolean; expectedMode: string }[];
  protectedCases: { isCheckoutOverrideScoped: { name: string; expected: boolean }[] };
  checkoutLockCases: LockCase[];
  checkoutLockForJobEnvCases: LockCase[];
};

interface LockCase {
  readonly name: string;
  readonly var: string;
  readonly mode: CheckoutOverrideMode;
  readonly expectedLocked?: boolean;
  readonly expectedLockedForSecrets?: boolean;
  readonly expectedLockedForJobEnv?: boolean;
}

// A missing expectation is one upstream does not assert for that pair.
function checkLocks(c: LockCase): void {
  expect.hasAssertions();
  if (c.expectedLocked !== undefined) expect(isCheckoutLocked(c.var, c.mode)).toBe(c.expectedLocked);
  if (c.expectedLockedForSecrets !== undefined) expect(isCheckoutLockedForSecrets(c.var, c.mode)).toBe(c.expectedLockedForSecrets);
  if (c.expectedLockedForJobEnv !== undefined) expect(isCheckoutLockedForJobEnv(c.var, c.mode)).toBe(c.expectedLockedForJobEnv);
}

describe("checkout-scoped names", () => {
  it.each(cases.protectedCases.isCheckoutOverrideScoped.map((c) => [c.name, c.expected] as const))(
    "isCheckoutOverrideScoped(%s) is %s",
    (name, expected) => expect(CHECKOUT_SCOPED_VARS.has(name)).toBe(expected),
  );
});

describe("checkout locks: hooks, plugins and the Job API; secrets", () => {
  it.each(cases.checkoutLockCases.map((c) => [c.name, c] as const))("%s", (_, c) => checkLocks(c));
});

describe("checkout locks: the job env from Buildkite", () => {
  it.each(cases.checkoutLockForJobEnvCases.map((c) => [c.name, c] as const))("%s", (_, c) => checkLocks(c));
});


describe.each([
  ["start", startCommand, startEnv],
  ["bootstrap", bootstrapCommand, bootstrapEnv],
] as const)("%s: checkout-override-mode", (_, command, env) => {
  it.each(cases.checkoutOverrideModeParseCases.map((c) => [c.name, c] as const))("%s", (__, c) => {
    const load = () =>
      loadConfig(command, { flags: {}, env: { ...env, BUILDKITE_CHECKOUT_OVERRIDE_MODE: c.input }, configSearchPaths: [] });
    if (c.expectedError) {
      expect(load).toThrow(ConfigError);
      expect(load).toThrow("checkout-override-mode");
    } else {
      expect(load().values.checkoutOverrideMode).toBe(c.expectedMode);
    }
  });
});

describe("checkout-override-mode without command eval", () => {
  it.each(cases.restrictedForCommandEvalCases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const start = loadConfig(startCommand, {
      flags: { "checkout-override-mode": c.mode, "no-command-eval": !c.commandEvalEnabled },
      env: startEnv,
      configSearchPaths: [],
    });
    expect(start.values.checkoutOverrideMode).toBe(c.expectedMode);
    const bootstrap = loadConfig(bootstrapCommand, {
      flags: { "checkout-override-mode": c.mode, "command-eval": c.commandEvalEnabled },
      env: bootstrapEnv,
      configSearchPaths: [],
    });
    expect(bootstrap.values.checkoutOverrideMode).toBe(c.expectedMode);
  });
});
