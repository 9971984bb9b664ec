/** The least env `start` loads with: its two required settings. */
export const START_ENV = { BUILDKITE_AGENT_TOKEN: "tok", BUILDKITE_BUILD_PATH: "/var/builds" } as const;

/** The least env `bootstrap` loads with: the job the agent would describe. */
export const BOOTSTRAP_ENV = {
  BUILDKITE_JOB_ID: "j",
  BUILDKITE_REPO: "r",
  BUILDKITE_COMMIT: "c",
  BUILDKITE_BRANCH: "b",
  BUILDKITE_AGENT_NAME: "a",
  BUILDKITE_ORGANIZATION_SLUG: "o",
  BUILDKITE_PIPELINE_SLUG: "p",
  BUILDKITE_PIPELINE_PROVIDER: "git",
} as const;
