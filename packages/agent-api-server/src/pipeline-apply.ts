import { inferStepKind, interpolateStepMatrix } from "@agent/pipeline";
import { AgentApiServerError } from "./errors.js";
import { addJob, prepareJob, queryRules, resolveStepRef, type JobOptions } from "./job-creation.js";
import { mergeSecrets, normaliseSecrets, type StepSecret } from "./step-secrets.js";
import { cancelJob } from "./job-transitions.js";
import type { ServerCore } from "./server-core.js";
import type { BuildRecord, JobRecord, PipelineUploadRecord } from "./store.js";

type Json = Record<string, unknown>;
type StepKind = NonNullable<ReturnType<typeof inferStepKind>>;

/**
 * Turns an accepted pipeline upload into jobs of its build, roughly as Buildkite
 * does: command steps (also inside groups) become jobs, `parallelism` and `matrix`
 * fan out, `wait`/`block`/`input` make later steps depend on earlier ones (blocks
 * count as already unblocked), `depends_on` names step keys in the build (names that
 * match nothing are ignored), `skip` drops a step, `trigger` steps are not run.
 * With `replace`, the build's jobs not yet offered to an agent are cancelled first.
 * Returns the new job ids.
 * @throws AgentApiServerError `SERVER_PIPELINE`, or `@agent/pipeline`'s `PIPELINE_MATRIX`
 * error, for an upload that cannot be applied; nothing has changed then.
 */
export function applyPipeline(core: ServerCore, upload: PipelineUploadRecord, build: BuildRecord): string[] {
  // Every job is built and checked (fan-out counted, matrix applied, secrets and
  // plugins read) before anything changes, so an upload is applied whole or not at all.
  const jobs = planJobs(core, upload, build);
  if (upload.replace) {
    for (const job of [...core.store.jobs.values()]) {
      if (job.buildId === build.id && job.state === "scheduled") cancelJob(core, job);
    }
  }
  for (const job of jobs) addJob(core, job);
  return jobs.map((job) => job.id);
}

/** The upload's jobs, in order, built but not stored. */
function planJobs(core: ServerCore, upload: PipelineUploadRecord, build: BuildRecord): JobRecord[] {
  const pipeline = upload.pipeline as Json;
  const pipelineEnv = stringMap(pipeline["env"]);
  const pipelineAgents = pipeline["agents"];
  const pipelineSecrets = secretsOf(pipeline["secrets"]);
  const planned: JobRecord[] = [];
  let total = 0;
  let barrier: string[] = [];
  // `depends_on` names steps already in the build or planned earlier in this upload.
  const resolve = (key: string) => [
    ...resolveStepRef(core, build.id, key),
    ...planned.filter((job) => job.step.key === key).map((job) => job.id),
  ];

  const walk = (steps: unknown[]) => {
    for (const raw of steps) {
      const { kind, attrs } = stepOf(raw);
      if (kind === "wait" || kind === "block" || kind === "input") {
        barrier = planned.map((job) => job.id);
      } else if (kind === "group") {
        walk(Array.isArray(attrs["steps"]) ? attrs["steps"] : []);
      } else if (kind === "command") {
        if (attrs["skip"] !== undefined && attrs["skip"] !== false && attrs["skip"] !== null) continue;
        // Counted before the step fans out: a 60-byte upload with `parallelism: 3e7`
        // (or a wide matrix) must be refused, not expanded until the heap runs out.
        total += matrixSize(attrs["matrix"]) * parallelismOf(attrs);
        if (total > MAX_JOBS_PER_UPLOAD) {
          throw new AgentApiServerError(
            "SERVER_PIPELINE",
            `the pipeline would create more than ${MAX_JOBS_PER_UPLOAD} jobs (check parallelism and matrix)`,
          );
        }
        const dependsOn = [...barrier, ...dependencies(attrs["depends_on"], resolve)];
        const stepSecrets = secretsOf(attrs["secrets"]);
        // One pipeline step, one step id: its parallel and matrix copies share it, so
        // BUILDKITE_STEP_ID is the same in each and `step update <id>` relabels them all.
        const stepId = core.newId();
        for (const instance of expand(attrs)) {
          // Everything per job comes from the interpolated step (the key is never interpolated).
          const step = instance.attrs;
          const options: JobOptions = {
            command: commandOf(step),
            label: stringOrUndefined(step["label"] ?? step["name"]),
            key: stringOrUndefined(step["key"] ?? step["identifier"] ?? step["id"]),
            env: { ...pipelineEnv, ...stringMap(step["env"]) },
            plugins: step["plugins"],
            agents: queryRules((step["agents"] ?? pipelineAgents) as Json | unknown[] | undefined),
            priority: typeof step["priority"] === "number" ? step["priority"] : undefined,
            timeoutInMinutes: typeof step["timeout_in_minutes"] === "number" ? step["timeout_in_minutes"] : undefined,
            artifactPaths: artifactPaths(step["artifact_paths"]),
            secrets: mergeSecrets(pipelineSecrets, stepSecrets).map(({ key, environmentVariable }) => ({
              key,
              environment_variable: environmentVariable,
            })),
            cache: step["cache"],
          };
          const extras = {
            attributes: step,
            dependsOnJobIds: dependsOn,
            pipelineUploadUuid: upload.uuid,
            stepId,
            parallelJob: instance.parallelJob,
            parallelJobCount: instance.parallelJobCount,
          };
          planned.push(asPipelineProblem(() => prepareJob(core, build, options, extras)));
        }
      }
      // Trigger steps, and steps of no kind go-pipeline knows, run nothing here.
    }
  };
  walk(Array.isArray(pipeline["steps"]) ? pipeline["steps"] : []);
  return planned;
}

/** Most jobs one upload may create; Buildkite refuses builds far smaller than a runaway fan-out. */
export const MAX_JOBS_PER_UPLOAD = 1000;
/** Buildkite's matrix limits: dimensions, and elements per dimension. */
const MAX_MATRIX_DIMENSIONS = 6;
const MAX_MATRIX_ELEMENTS = 20;

/** A pipeline's or step's secrets. */
function secretsOf(value: unknown): StepSecret[] {
  return asPipelineProblem(() => normaliseSecrets(value));
}

/** Runs `read`; what it calls a bad option (secrets, plugins) is, in an upload, the pipeline's problem. */
function asPipelineProblem<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof AgentApiServerError && error.code === "SERVER_OPTION_INVALID") {
      throw new AgentApiServerError("SERVER_PIPELINE", error.message, { cause: error });
    }
    throw error;
  }
}

/** How many combinations a `matrix` has, without building them. */
function matrixSize(matrix: unknown): number {
  if (matrix === undefined || matrix === null) return 1;
  const setup = Array.isArray(matrix) ? matrix : (matrix as Json)["setup"];
  const dimensions = Array.isArray(setup)
    ? [setup]
    : typeof setup === "object" && setup !== null
      ? Object.values(setup as Json).map((values) => (Array.isArray(values) ? values : [values]))
      : [];
  if (dimensions.length > MAX_MATRIX_DIMENSIONS || dimensions.some((values) => values.length > MAX_MATRIX_ELEMENTS)) {
    throw new AgentApiServerError(
      "SERVER_PIPELINE",
      `a matrix may have at most ${MAX_MATRIX_DIMENSIONS} dimensions of at most ${MAX_MATRIX_ELEMENTS} elements`,
    );
  }
  const adjustments = Array.isArray(matrix) ? [] : (matrix as Json)["adjustments"];
  const added = Array.isArray(adjustments) ? adjustments.length : 0;
  return Math.max(1, dimensions.reduce((product, values) => product * values.length, 1) + added);
}

function parallelismOf(attrs: Json): number {
  const parallelism = attrs["parallelism"];
  return typeof parallelism === "number" && parallelism > 1 ? Math.floor(parallelism) : 1;
}

/** Scalar steps (go-pipeline `NewScalarStep`): `wait`/`waiter` are wait steps, the rest block steps. */
const SCALAR_STEPS: Readonly<Record<string, StepKind>> = {
  wait: "wait",
  waiter: "wait",
  block: "block",
  input: "block",
  manual: "block",
};
/** The keys of Buildkite's schema's `nestedCommandStep` form, `{script: {command: "x", …}}`. */
const NESTED_COMMAND_KEYS = ["command", "commands", "script"];

/**
 * A step's kind, by `@agent/pipeline`'s `inferStepKind` (go-pipeline's rules), and
 * its fields. A command step in the schema's nested form (a mapping whose one key
 * names the step type and holds the step) is read as the step it holds.
 */
function stepOf(raw: unknown): { kind: StepKind | undefined; attrs: Json } {
  if (typeof raw === "string") return { kind: Object.hasOwn(SCALAR_STEPS, raw) ? SCALAR_STEPS[raw] : undefined, attrs: {} };
  if (!isMapping(raw)) return { kind: undefined, attrs: {} };
  const keys = Object.keys(raw);
  const nested = keys.length === 1 && NESTED_COMMAND_KEYS.includes(keys[0]!) ? raw[keys[0]!] : undefined;
  if (isMapping(nested)) return { kind: "command", attrs: nested };
  return { kind: inferStepKind(raw), attrs: raw };
}

function isMapping(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function commandOf(attrs: Json): string | undefined {
  const command = attrs["command"] ?? attrs["commands"];
  if (Array.isArray(command)) return command.map(String).join("\n");
  return typeof command === "string" ? command : undefined;
}

function dependencies(value: unknown, resolve: (key: string) => string[]): string[] {
  if (value === undefined || value === null) return [];
  const refs = Array.isArray(value) ? value : [value];
  const ids: string[] = [];
  for (const ref of refs) {
    const key = typeof ref === "string" ? ref : isMapping(ref) ? ref["step"] : undefined;
    if (typeof key === "string") ids.push(...resolve(key));
  }
  return ids;
}

interface Instance {
  attrs: Json;
  parallelJob: number | undefined;
  parallelJobCount: number | undefined;
}

/**
 * Fans a step out by `matrix` and `parallelism`. Each combination is applied with
 * `@agent/pipeline`'s `interpolateStepMatrix`, as the agent applies it (command,
 * label, plugins, env values and every other field but `key`); a token naming no
 * dimension, or an adjustment that does not fit the setup, throws its
 * `PIPELINE_MATRIX` error: a rejection of the upload.
 */
function expand(attrs: Json): Instance[] {
  const combos = matrixCombinations(attrs["matrix"]);
  const variants = combos.map((combo) => (combo === undefined ? attrs : interpolateStepMatrix(attrs, combo)));
  const parallelism = parallelismOf(attrs);
  const instances: Instance[] = [];
  for (const variant of variants) {
    for (let index = 0; index < parallelism; index++) {
      instances.push({
        attrs: variant,
        parallelJob: parallelism > 1 ? index : undefined,
        parallelJobCount: parallelism > 1 ? parallelism : undefined,
      });
    }
  }
  return instances;
}

type Combination = Record<string, string> | undefined;

function matrixCombinations(matrix: unknown): Combination[] {
  if (matrix === undefined || matrix === null) return [undefined];
  if (Array.isArray(matrix)) return matrix.map((value) => ({ "": String(value) }));
  const spec = matrix as Json;
  const setup = spec["setup"];
  let combos: Record<string, string>[] = [];
  if (Array.isArray(setup)) {
    combos = setup.map((value) => ({ "": String(value) }));
  } else if (typeof setup === "object" && setup !== null) {
    combos = [{}];
    for (const [dimension, values] of Object.entries(setup as Json)) {
      const list = Array.isArray(values) ? values : [values];
      combos = combos.flatMap((combo) => list.map((value) => ({ ...combo, [dimension]: String(value) })));
    }
  }
  const adjustments = Array.isArray(spec["adjustments"]) ? (spec["adjustments"] as Json[]) : [];
  for (const adjustment of adjustments) {
    const withValue = adjustment["with"];
    // Read as interpolateStepMatrix validates it: a map of dimensions, else one
    // value of the anonymous dimension.
    const target: Record<string, string> =
      typeof withValue === "object" && withValue !== null && !Array.isArray(withValue)
        ? Object.fromEntries(Object.entries(withValue as Json).map(([k, v]) => [k, String(v)]))
        : withValue === undefined || withValue === null
          ? {}
          : { "": String(withValue) };
    const same = (combo: Record<string, string>) =>
      Object.keys(target).length === Object.keys(combo).length && Object.entries(target).every(([k, v]) => combo[k] === v);
    const skip = adjustment["skip"];
    if (skip !== undefined && skip !== false) combos = combos.filter((combo) => !same(combo));
    else if (!combos.some(same)) combos.push(target);
  }
  return combos.length === 0 ? [undefined] : combos;
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value as Json)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function artifactPaths(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.map(String).join(";");
  return typeof value === "string" ? value : undefined;
}
