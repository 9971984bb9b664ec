import type { ServerCore } from "./server-core.js";
import type { AgentRecord, BuildRecord, JobRecord } from "./store.js";

/** The Job object (agent-api.md §3.1) as accept, acquire and ping return it. */
export function jobJson(core: ServerCore, job: JobRecord): Record<string, unknown> {
  const build = core.store.builds.get(job.buildId);
  const agent = job.agentId === undefined ? undefined : core.store.agents.get(job.agentId);
  const json: Record<string, unknown> = {
    id: job.id,
    endpoint: core.endpoint,
    state: job.state,
    env: build === undefined ? {} : jobEnv(core, job, build, agent),
    step: stepJson(job),
    chunks_max_size_bytes: core.settings.chunksMaxSizeBytes,
    chunks_interval_seconds: core.settings.chunksIntervalSeconds,
    log_max_size_bytes: core.settings.logMaxSizeBytes,
    token: job.token,
    runnable_at: core.timestamp(job.createdAt),
    chunks_failed_count: job.chunksFailedCount,
    priority: job.priority,
  };
  if (job.exitStatus !== undefined) json["exit_status"] = String(job.exitStatus);
  if (job.signal !== undefined) json["signal"] = job.signal;
  if (job.signalReason !== undefined) json["signal_reason"] = job.signalReason;
  if (job.startedAt !== undefined) json["started_at"] = core.timestamp(job.startedAt);
  if (job.finishedAt !== undefined) json["finished_at"] = core.timestamp(job.finishedAt);
  return json;
}

function stepJson(job: JobRecord): Record<string, unknown> {
  const { step } = job;
  const json: Record<string, unknown> = {};
  if (step.key !== undefined) json["key"] = step.key;
  if (step.label !== undefined) json["label"] = step.label;
  if (step.command !== undefined) json["command"] = step.command;
  if (step.plugins !== undefined) json["plugins"] = step.plugins;
  if (Object.keys(step.env).length > 0) json["env"] = step.env;
  if (step.secrets.length > 0) {
    json["secrets"] = step.secrets.map(({ key, environmentVariable }) =>
      environmentVariable === "" ? { key } : { key, environment_variable: environmentVariable },
    );
  }
  if (step.cache !== undefined) json["cache"] = step.cache;
  return json;
}

/**
 * The job's whole environment, as Buildkite sends it: the `BUILDKITE_*` facts about
 * build, pipeline, step and agent, then build env and step env (later wins).
 */
export function jobEnv(
  core: ServerCore,
  job: JobRecord,
  build: BuildRecord,
  agent: AgentRecord | undefined,
): Record<string, string> {
  const { step } = job;
  const env: Record<string, string> = {
    BUILDKITE: "true",
    CI: "true",
    BUILDKITE_JOB_ID: job.id,
    BUILDKITE_BUILD_ID: build.id,
    BUILDKITE_BUILD_NUMBER: String(build.number),
    BUILDKITE_BUILD_URL: `${core.origin}/${build.organizationSlug}/${build.pipelineSlug}/builds/${build.number}`,
    BUILDKITE_MESSAGE: build.message,
    BUILDKITE_BRANCH: build.branch,
    BUILDKITE_TAG: "",
    BUILDKITE_COMMIT: build.commit,
    BUILDKITE_REPO: build.repo,
    BUILDKITE_PULL_REQUEST: "false",
    BUILDKITE_PIPELINE_SLUG: build.pipelineSlug,
    // Buildkite names the repository's host; the bootstrap requires it.
    BUILDKITE_PIPELINE_PROVIDER: /(^|[@/.])github\.com[:/]/u.test(build.repo) ? "github" : "git",
    BUILDKITE_PIPELINE_DEFAULT_BRANCH: "main",
    BUILDKITE_ORGANIZATION_SLUG: build.organizationSlug,
    BUILDKITE_SOURCE: "api",
    BUILDKITE_RETRY_COUNT: "0",
    BUILDKITE_STEP_ID: step.id,
    BUILDKITE_COMMAND: step.command ?? "",
    BUILDKITE_LABEL: step.label ?? "",
    BUILDKITE_TIMEOUT: step.timeoutInMinutes === undefined ? "false" : String(step.timeoutInMinutes),
  };
  if (step.key !== undefined) env["BUILDKITE_STEP_KEY"] = step.key;
  if (step.plugins !== undefined) env["BUILDKITE_PLUGINS"] = JSON.stringify(step.plugins);
  if (step.artifactPaths !== undefined) env["BUILDKITE_ARTIFACT_PATHS"] = step.artifactPaths;
  if (job.parallelJob !== undefined && job.parallelJobCount !== undefined) {
    env["BUILDKITE_PARALLEL_JOB"] = String(job.parallelJob);
    env["BUILDKITE_PARALLEL_JOB_COUNT"] = String(job.parallelJobCount);
  }
  if (agent !== undefined) {
    env["BUILDKITE_AGENT_ID"] = agent.id;
    env["BUILDKITE_AGENT_NAME"] = agent.name;
    for (const tag of agent.metaData) {
      const eq = tag.indexOf("=");
      if (eq <= 0) continue;
      const name = tag.slice(0, eq).toUpperCase().replace(/[^A-Z0-9]/g, "_");
      env[`BUILDKITE_AGENT_META_DATA_${name}`] = tag.slice(eq + 1);
    }
  }
  return { ...env, ...build.env, ...step.env };
}
