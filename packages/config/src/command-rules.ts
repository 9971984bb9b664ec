import type { ConfigProblem, ConfigWarning } from "./errors.js";
import type { SettingSource } from "./load.js";
import type { CommandDefinition } from "./setting.js";

type Value = string | boolean | number | readonly string[];

export interface RuleOutcome {
  readonly problems: ConfigProblem[];
  readonly warnings: ConfigWarning[];
  /** Values a rule changed, by flag name. */
  readonly overrides: Record<string, Value>;
}

/** The phases `bootstrap --phases` accepts. */
export const BOOTSTRAP_PHASES: readonly string[] = ["plugin", "checkout", "command"];

/**
 * The effective signal grace period in seconds: a negative value is relative to
 * the cancel grace period (the default -1 gives 9 s of the default 10 s).
 */
export function effectiveSignalGracePeriod(cancelGracePeriod: number, signalGracePeriod: number): number {
  return signalGracePeriod < 0 ? cancelGracePeriod + signalGracePeriod : signalGracePeriod;
}

/**
 * Rules that tie settings together, applied after each value is valid on its own
 * (clicommand/agent_start.go and bootstrap.go): implied settings, settings that
 * exclude each other, and relations between grace periods.
 */
export function applyCommandRules(
  command: CommandDefinition,
  values: Readonly<Record<string, Value>>,
  sourceOf: (name: string) => SettingSource,
): RuleOutcome {
  const outcome: RuleOutcome = { problems: [], warnings: [], overrides: {} };
  const name = command.path.join(" ");
  // An empty mode means the default (env/protected.go), so an empty env var cannot loosen it.
  if (values["checkout-override-mode"] === "") outcome.overrides["checkout-override-mode"] = "from-job";
  if (name === "start") startRules(values, sourceOf, outcome);
  if (name === "bootstrap") bootstrapRules(values, outcome);
  if ("cancel-grace-period" in values && "signal-grace-period-seconds" in values) graceRules(values, outcome);
  return outcome;
}

function startRules(values: Readonly<Record<string, Value>>, sourceOf: (name: string) => SettingSource, outcome: RuleOutcome): void {
  const { problems, warnings, overrides } = outcome;
  const noCommandEval = values["no-command-eval"] === true;
  if (noCommandEval || values["no-local-hooks"] === true) {
    if (sourceOf("no-plugins") === "default") {
      overrides["no-plugins"] = true;
    } else if (values["no-plugins"] === false) {
      warnings.push({
        code: "INVALID_VALUE",
        setting: "no-plugins",
        message: "Plugins have been explicitly enabled with no-plugins=false while no-command-eval or no-local-hooks is set",
      });
    }
  }
  if (noCommandEval) overrides["checkout-override-mode"] = "strict";
  if (values["ping-mode"] === "ping-only") overrides["ping-mode"] = "poll-only";

  const queue = values.queue as string;
  const tags = values.tags as readonly string[];
  if (queue !== "") {
    if (tags.some((tag) => tag.startsWith("queue="))) {
      problems.push({ code: "CONFIG_INVALID", setting: "queue", message: "queue set as both a tag (tags queue=...) and with queue; set it in only one place" });
    } else {
      overrides.tags = [...tags, `queue=${queue}`];
    }
  }
  if ((values["allowed-environment-variables"] as readonly string[]).length > 0 && values["enable-environment-variable-allowlist"] !== true) {
    problems.push({
      code: "CONFIG_INVALID",
      setting: "allowed-environment-variables",
      message: "allowed-environment-variables is set but enable-environment-variable-allowlist is not; set both to use the allow-list",
    });
  }
  if (sourceOf("spawn") !== "default" && sourceOf("spawn-per-cpu") !== "default") {
    problems.push({ code: "CONFIG_INVALID", setting: "spawn", message: "spawn and spawn-per-cpu cannot be used together" });
  }
  if (values["acquire-job"] !== "" && ((values.spawn as number) > 1 || (values["spawn-per-cpu"] as number) > 0)) {
    problems.push({ code: "CONFIG_INVALID", setting: "acquire-job", message: "acquire-job requires spawn to be 1" });
  }
  const behaviour = values["verification-failure-behavior"];
  if (values["verification-jwks-file"] !== "" && behaviour !== "block" && behaviour !== "warn") {
    problems.push({
      code: "CONFIG_INVALID",
      setting: "verification-failure-behavior",
      message: `invalid verification-failure-behavior ${JSON.stringify(behaviour)}: expected block or warn`,
    });
  }
  const legacyIdle = values["disconnect-after-job-timeout"];
  if (typeof legacyIdle === "number" && legacyIdle > 0 && sourceOf("disconnect-after-idle-timeout") === "default") {
    overrides["disconnect-after-idle-timeout"] = legacyIdle;
  }
}

function bootstrapRules(values: Readonly<Record<string, Value>>, outcome: RuleOutcome): void {
  if (values["command-eval"] === false) outcome.overrides["checkout-override-mode"] = "strict";
  for (const phase of (values.phases as readonly string[] | undefined) ?? []) {
    if (!BOOTSTRAP_PHASES.includes(phase)) {
      outcome.problems.push({ code: "CONFIG_INVALID", setting: "phases", message: `invalid phase "${phase}"` });
    }
  }
}

function graceRules(values: Readonly<Record<string, Value>>, outcome: RuleOutcome): void {
  const cancel = values["cancel-grace-period"] as number;
  const signal = values["signal-grace-period-seconds"] as number;
  const effective = effectiveSignalGracePeriod(cancel, signal);
  if (cancel <= effective) {
    outcome.problems.push({
      code: "CONFIG_INVALID",
      setting: "signal-grace-period-seconds",
      message: `signal-grace-period-seconds (${effective}s) must be less than cancel-grace-period (${cancel}s), to leave time to upload the log and finish the job`,
    });
  }
}
