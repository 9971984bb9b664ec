import { defineSetting } from "../setting.js";
/**
 * The flags that name the job, build or step a command acts on. Many commands
 * share a flag's name and env var but differ in whether it is required and in
 * its help text, so each is a factory rather than one constant.
 */


/** What differs between commands for one of these flags. */
export interface TargetFlagOptions {
  readonly description: string;
  readonly required?: boolean;
  readonly hidden?: boolean;
}

/** `--job` (`BUILDKITE_JOB_ID`): the job a command acts for, the current one by default. */
export function jobSetting(options: TargetFlagOptions) {
  return defineSetting({ name: "job", type: "string", env: ["BUILDKITE_JOB_ID"], ...options });
}

/** `--build` (`BUILDKITE_BUILD_ID`): the build a command acts on, the current one by default. */
export function buildSetting(options: TargetFlagOptions) {
  return defineSetting({ name: "build", type: "string", env: ["BUILDKITE_BUILD_ID"], ...options });
}

/** `--step` (`BUILDKITE_STEP_ID`): a step's id or key, the current step by default. */
export function stepSetting(options: TargetFlagOptions) {
  return defineSetting({ name: "step", type: "string", env: ["BUILDKITE_STEP_ID"], ...options });
}
