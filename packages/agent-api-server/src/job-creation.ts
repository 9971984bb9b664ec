import { AgentApiServerError } from "./errors.js";
import { normalisePlugins } from "./plugin-sources.js";
import { normaliseSecrets } from "./step-secrets.js";
import type { ServerCore } from "./server-core.js";
import type { BuildRecord, JobRecord, StepRecord } from "./store.js";

/** What a job runs and where; the programmatic twin of a command step. */
export interface JobOptions {
  /** Command(s); a list is joined with newlines as Buildkite does. */
  readonly command?: string | readonly string[];
  readonly label?: string;
  /** Step key (`BUILDKITE_STEP_KEY`), usable in `dependsOn` and `steps/{key}` calls. */
  readonly key?: string;
  /** Step env, on top of the build's env. */
  readonly env?: Readonly<Record<string, string>>;
  /** Plugins in pipeline syntax (`[{"docker#v5.12.0": {image: "node"}}]`). */
  readonly plugins?: unknown;
  /**
   * Agent query rules: `{ queue: "linux" }` or `["queue=linux"]`. A value may use `*`
   * as a wildcard. A job with no `queue` rule goes to the `default` queue.
   */
  readonly agents?: Readonly<Record<string, string>> | readonly string[];
  /** Job ids or step keys in the same build that must end first. */
  readonly dependsOn?: readonly string[];
  /** Higher runs first. @default 0 */
  readonly priority?: number;
  readonly timeoutInMinutes?: number;
  readonly artifactPaths?: string | readonly string[];
  /**
   * Secrets the job fetches with `GET jobs/{id}/secrets` (see `setSecret`), in any
   * pipeline form: `["API_TOKEN"]`, `{ DEPLOY_KEY: "deploy/key" }` or
   * `[{ key: "deploy/key", environment_variable: "DEPLOY_KEY" }]`.
   */
  readonly secrets?: unknown;
  /** The step's `cache:` as written (a path, a list of paths, or a map with `paths`). */
  readonly cache?: unknown;
}

/** A build and, optionally, its first jobs. */
export interface BuildOptions {
  /** @default the server's `organizationSlug` */
  readonly organizationSlug?: string;
  /** @default "local" */
  readonly pipelineSlug?: string;
  /** @default "" */
  readonly repo?: string;
  /** @default "main" */
  readonly branch?: string;
  /** @default "HEAD" */
  readonly commit?: string;
  /** @default "" */
  readonly message?: string;
  /** Build env every job sees. */
  readonly env?: Readonly<Record<string, string>>;
  /** Jobs to create straight away, in order. */
  readonly jobs?: readonly JobOptions[];
}

/** Creates a build record (and its initial jobs). */
export function createBuild(core: ServerCore, options: BuildOptions): BuildRecord {
  const build: BuildRecord = {
    id: core.newId(),
    number: core.nextBuildNumber(),
    organizationSlug: options.organizationSlug ?? core.settings.organizationSlug,
    pipelineSlug: options.pipelineSlug ?? "local",
    repo: options.repo ?? "",
    branch: options.branch ?? "main",
    commit: options.commit ?? "HEAD",
    message: options.message ?? "",
    env: { ...options.env },
    state: "running",
    createdAt: core.now(),
  };
  core.store.builds.set(build.id, build);
  core.emit("build.created", { buildId: build.id, number: build.number });
  for (const job of options.jobs ?? []) createJob(core, build, job);
  return build;
}

/** Internal extras a pipeline upload adds to a job. */
export interface JobExtras {
  readonly attributes?: Record<string, unknown>;
  readonly dependsOnJobIds?: readonly string[];
  readonly pipelineUploadUuid?: string;
  /** The step's id, shared by every parallel and matrix copy of one pipeline step. @default a new id */
  readonly stepId?: string;
  readonly parallelJob?: number;
  readonly parallelJobCount?: number;
}

/** Creates one scheduled job in `build`. */
export function createJob(core: ServerCore, build: BuildRecord, options: JobOptions, extras: JobExtras = {}): JobRecord {
  const job = prepareJob(core, build, options, extras);
  addJob(core, job);
  return job;
}

/**
 * One scheduled job of `build`, checked and built but not stored, so that a caller
 * creating several (a pipeline upload) can refuse the lot before any exists.
 * @throws AgentApiServerError `SERVER_TRANSITION` (build not running), `SERVER_UNKNOWN`
 * (a `dependsOn` name), `SERVER_OPTION_INVALID` (secrets or plugins of the wrong shape).
 */
export function prepareJob(core: ServerCore, build: BuildRecord, options: JobOptions, extras: JobExtras = {}): JobRecord {
  if (build.state !== "running") {
    throw new AgentApiServerError("SERVER_TRANSITION", `cannot add a job to build ${build.id}: it is ${build.state}`);
  }
  const dependsOn = [...(extras.dependsOnJobIds ?? [])];
  for (const ref of options.dependsOn ?? []) {
    const ids = resolveStepRef(core, build.id, ref);
    if (ids.length === 0) {
      throw new AgentApiServerError("SERVER_UNKNOWN", `dependsOn "${ref}" names no job id or step key in build ${build.id}`);
    }
    dependsOn.push(...ids);
  }
  const command = Array.isArray(options.command) ? options.command.join("\n") : (options.command as string | undefined);
  const artifactPaths = Array.isArray(options.artifactPaths)
    ? options.artifactPaths.join(";")
    : (options.artifactPaths as string | undefined);
  const step: StepRecord = {
    id: extras.stepId ?? core.newId(),
    key: options.key,
    label: options.label,
    command,
    plugins: normalisePlugins(options.plugins),
    env: { ...options.env },
    agents: queryRules(options.agents),
    artifactPaths,
    timeoutInMinutes: options.timeoutInMinutes,
    secrets: normaliseSecrets(options.secrets),
    cache: options.cache,
    attributes: extras.attributes ?? stepAttributes(options, command),
  };
  return {
    id: core.newId(),
    buildId: build.id,
    step,
    token: core.newToken("bkaj"),
    state: "scheduled",
    dependsOn: [...new Set(dependsOn)],
    priority: options.priority ?? 0,
    parallelJob: extras.parallelJob,
    parallelJobCount: extras.parallelJobCount,
    agentId: undefined,
    exitStatus: undefined,
    signal: undefined,
    signalReason: undefined,
    chunksFailedCount: 0,
    createdAt: core.now(),
    acceptedAt: undefined,
    startedAt: undefined,
    finishedAt: undefined,
    headerTimes: {},
    updates: {},
    promisedFailure: undefined,
    pipelineUploadUuid: extras.pipelineUploadUuid,
  };
}

/** Stores a job from {@link prepareJob} and its token. */
export function addJob(core: ServerCore, job: JobRecord): void {
  core.store.jobs.set(job.id, job);
  core.store.tokens.set(job.token, { token: job.token, kind: "job", subjectId: job.id, revoked: false });
  core.emit("job.created", { jobId: job.id, buildId: job.buildId });
}

/** Job ids a step reference (job id, step id or step key) names within a build. */
export function resolveStepRef(core: ServerCore, buildId: string, ref: string): string[] {
  const ids: string[] = [];
  for (const job of core.store.jobs.values()) {
    if (job.buildId !== buildId) continue;
    if (job.id === ref || job.step.id === ref || job.step.key === ref) ids.push(job.id);
  }
  return ids;
}

/** `{queue: "x"}` or `["queue=x"]` → `["queue=x"]`. */
export function queryRules(agents: Readonly<Record<string, unknown>> | readonly unknown[] | null | undefined): string[] {
  if (agents === undefined || agents === null || typeof agents !== "object") return [];
  if (Array.isArray(agents)) return agents.map((rule) => String(rule));
  return Object.entries(agents as Record<string, unknown>).map(([key, value]) => `${key}=${String(value)}`);
}

function stepAttributes(options: JobOptions, command: string | undefined): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  if (command !== undefined) attributes["command"] = command;
  if (options.label !== undefined) attributes["label"] = options.label;
  if (options.key !== undefined) attributes["key"] = options.key;
  if (options.env !== undefined) attributes["env"] = { ...options.env };
  if (options.plugins !== undefined) attributes["plugins"] = options.plugins;
  if (options.agents !== undefined) attributes["agents"] = options.agents;
  if (options.priority !== undefined) attributes["priority"] = options.priority;
  if (options.timeoutInMinutes !== undefined) attributes["timeout_in_minutes"] = options.timeoutInMinutes;
  return attributes;
}
