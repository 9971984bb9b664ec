import { ConfigError, bootstrapCommand, effectiveSignalGracePeriod, loadConfig, startCommand, type FlagValue } from "../src/index.js";

import { BOOTSTRAP_ENV, START_ENV as required } from "./required-env.js";
import { makeTempDir, writeFile } from "./temp-dir.js";

function start(flags: Record<string, FlagValue> = {}, env: Record<string, string> = {}) {
  return loadConfig(startCommand, { flags, env: { ...required, ...env }, homeDir: "/home/u", cwd: "/", configSearchPaths: [] });
}

function startError(flags: Record<string, FlagValue>, env: Record<string, string> = {}): ConfigError {
  try {
    start(flags, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("start rules", () => {
  const dir = makeTempDir();

  it("no-command-eval implies no-plugins and forces strict checkout overrides", () => {
    const { values } = start({ "no-command-eval": true });
    expect(values.noPlugins).toBe(true);
    expect(values.checkoutOverrideMode).toBe("strict");
  });

  it("no-local-hooks implies no-plugins", () => {
    expect(start({ "no-local-hooks": true }).values.noPlugins).toBe(true);
  });

  it("an explicit no-plugins=false keeps plugins on, with a warning", () => {
    const loaded = start({ "no-command-eval": true }, { BUILDKITE_NO_PLUGINS: "false" });
    expect(loaded.values.noPlugins).toBe(false);
    expect(loaded.warnings.map((warning) => warning.setting)).toContain("no-plugins");
  });

  it("--queue adds a queue tag", () => {
    expect(start({ queue: "linux", tags: ["os=linux"] }).values.tags).toEqual(["os=linux", "queue=linux"]);
  });

  it("refuses --queue when the tags already name a queue", () => {
    expect(startError({ queue: "linux", tags: ["queue=other"] }).problems.map((problem) => problem.setting)).toEqual(["queue"]);
  });

  it("accepts ping-only as an alias of poll-only", () => {
    expect(start({ "ping-mode": "ping-only" }).values.pingMode).toBe("poll-only");
  });

  it("refuses an allow-list of env vars that is not enabled", () => {
    expect(startError({ "allowed-environment-variables": ["FOO"] }).code).toBe("CONFIG_INVALID");
    expect(start({ "allowed-environment-variables": ["FOO"], "enable-environment-variable-allowlist": true }).values.allowedEnvironmentVariables).toEqual(["FOO"]);
  });

  it("refuses spawn with spawn-per-cpu, and acquire-job with several spawns", () => {
    expect(startError({ spawn: "2", "spawn-per-cpu": "1" }).problems[0]!.setting).toBe("spawn");
    expect(startError({ spawn: "2", "acquire-job": "job-1" }).problems[0]!.setting).toBe("acquire-job");
  });

  it("checks the verification failure behaviour only when a JWKS file is set, as the real agent does", () => {
    expect(start({ "verification-failure-behavior": "shrug" }).values.verificationFailureBehavior).toBe("shrug");
    expect(startError({ "verification-failure-behavior": "shrug", "verification-jwks-file": "/k.json" }).problems[0]!.setting).toBe(
      "verification-failure-behavior",
    );
  });

  it("copies the deprecated disconnect-after-job-timeout into the idle timeout", () => {
    expect(start({ "disconnect-after-job-timeout": "30" }).values.disconnectAfterIdleTimeout).toBe(30);
  });

  it("rejects cancel-signal values the agent does not know, and matches case-insensitively", () => {
    expect(start({ "cancel-signal": "sigint" }).values.cancelSignal).toBe("SIGINT");
    expect(startError({ "cancel-signal": "SIGWINCH" }).problems[0]!.message).toContain("cancel-signal");
  });

  it("reads the config file named by BUILDKITE_AGENT_CONFIG", () => {
    const file = writeFile(dir, "agent.cfg", 'name="from-file"\n');
    const loaded = start({}, { BUILDKITE_AGENT_CONFIG: file });
    expect(loaded.configFile).toBe(file);
    expect(loaded.values.name).toBe("from-file");
  });

  it("defaults sockets-path under the home directory", () => {
    expect(start().values.socketsPath).toBe("/home/u/.buildkite-agent/sockets");
  });

  it("reports both required settings at once, the real agent's way", () => {
    let error: unknown;
    try {
      loadConfig(startCommand, { flags: {}, env: {}, configSearchPaths: [] });
    } catch (caught) {
      error = caught;
    }
    expect((error as ConfigError).message.split("\n").sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Missing .*token.*\. See: `buildkite-agent start --help`$/i), expect.stringMatching(/^Missing .*build.path.*\. See: `buildkite-agent start --help`$/i)]),
    );
  });
});

describe("grace periods", () => {
  it.each([
    [10, -1, 9],
    [10, 5, 5],
    [30, -5, 25],
  ])("cancel %i with signal %i gives %i s", (cancel, signal, effective) => {
    expect(effectiveSignalGracePeriod(cancel, signal)).toBe(effective);
  });

  it("needs the signal grace period below the cancel grace period", () => {
    expect(start({ "cancel-grace-period": "10", "signal-grace-period-seconds": "9" }).values.signalGracePeriodSeconds).toBe(9);
    expect(startError({ "cancel-grace-period": "10", "signal-grace-period-seconds": "10" }).problems[0]!.setting).toBe("signal-grace-period-seconds");
    expect(startError({}, { BUILDKITE_SIGNAL_GRACE_PERIOD_SECONDS: "0", BUILDKITE_CANCEL_GRACE_PERIOD: "0" }).code).toBe("CONFIG_INVALID");
  });
});

describe("experiments", () => {
  it("accepts every name, warning about unknown, promoted and replaced ones", () => {
    const loaded = start({ experiment: ["agent-api,made-up", "job-api", "kubernetes-exec"] });
    expect(loaded.values.experiment).toEqual(["agent-api", "made-up", "job-api", "kubernetes-exec"]);
    expect(loaded.warnings.map((warning) => warning.code)).toEqual(["UNKNOWN_EXPERIMENT", "PROMOTED_EXPERIMENT", "REPLACED_EXPERIMENT"]);
    expect(loaded.warnings[0]!.message).toBe('Unknown experiment "made-up"');
  });
});

describe("bootstrap rules", () => {
  const bootstrap = (env: Record<string, string>) => loadConfig(bootstrapCommand, { flags: {}, env: { ...BOOTSTRAP_ENV, ...env }, configSearchPaths: [] });

  it("reads the job from the env the agent prepares, with command eval on by default", () => {
    const { values } = bootstrap({});
    expect(values.commandEval).toBe(true);
    expect(values.job).toBe("j");
  });

  it("forces strict checkout overrides without command eval", () => {
    expect(bootstrap({ BUILDKITE_COMMAND_EVAL: "false" }).values.checkoutOverrideMode).toBe("strict");
  });

  it("refuses an unknown phase", () => {
    expect(() => bootstrap({ BUILDKITE_BOOTSTRAP_PHASES: "plugin,compile" })).toThrow('invalid phase "compile"');
  });
});
