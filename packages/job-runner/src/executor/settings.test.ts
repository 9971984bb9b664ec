import { describe, expect, it } from "@jest/globals";
import { Environment } from "../environment.js";
import type { Logger } from "../logger.js";
import { rereadSettings, type ExecutorSettings } from "./settings.js";

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const ignore = (): void => {};
  return { warnings, debug: ignore, info: ignore, error: ignore, warn: (message) => void warnings.push(message) };
}

describe("rereadSettings", () => {
  it("takes the values present in the environment, keeping the rest", () => {
    const settings = { gitCheckoutTimeout: 5, gitSubmodules: true, gitCloneFlags: "-v", gitSparseCheckoutPaths: [] } as unknown as ExecutorSettings;
    const environment = new Environment({ BUILDKITE_GIT_CHECKOUT_TIMEOUT: "9", BUILDKITE_GIT_SUBMODULES: "false", BUILDKITE_GIT_SPARSE_CHECKOUT_PATHS: "a,b" });
    rereadSettings(settings, environment, recordingLogger());
    expect(settings).toEqual({ gitCheckoutTimeout: 9, gitSubmodules: false, gitCloneFlags: "-v", gitSparseCheckoutPaths: ["a", "b"] });
  });

  // Regression: the warning quoted the value, and the bootstrap's logger reaches
  // the job log unredacted; a hook may have put a secret in any of these vars.
  it("ignores a value that does not parse, naming the var and the type but never the value", () => {
    const settings = { gitCheckoutTimeout: 5, gitSubmodules: true } as unknown as ExecutorSettings;
    const logger = recordingLogger();
    const environment = new Environment({ BUILDKITE_GIT_CHECKOUT_TIMEOUT: "s3cr3t-value", BUILDKITE_GIT_SUBMODULES: "s3cr3t-bool" });
    rereadSettings(settings, environment, logger);
    expect(settings).toEqual({ gitCheckoutTimeout: 5, gitSubmodules: true });
    expect(logger.warnings).toEqual([
      "ignoring BUILDKITE_GIT_SUBMODULES: its value is not a valid bool",
      "ignoring BUILDKITE_GIT_CHECKOUT_TIMEOUT: its value is not a valid int",
    ]);
    expect(logger.warnings.join("\n")).not.toContain("s3cr3t");
  });
});
