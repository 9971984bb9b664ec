import { interpolateStepMatrix } from "@agent/pipeline";
import { AgentApiServerError } from "./errors.js";
import { createJob, queryRules, resolveStepRef, type JobOptions } from "./job-creation.js";
import { mergeSecrets, normaliseSecrets, type StepSecret } from "./step-secrets.js";
import { cancelJob } from "./job-transitions.js";
import type { ServerCore } from "./server-core.js";
import type { BuildRecord, PipelineUploadRecord } from "./store.js";

type Json = Record<string, unknown>;

/**
 * Turns an accepted pipeline upload into jobs of its build, roughly as Buildkite
 * does: command steps (also inside groups) become jobs, `parallelism` and `matrix`
 * fan out, `wait`/`block`/`input` make later steps depend on earlier ones (blocks
 * count as already unblocked), `depends_on` names step keys in the build (names that
 * match nothing are ignored), `skip` drops a step, `trigger` steps are not run.
 * With `replace`, the build's jobs not yet offered to an agent are cancelled first.
 * Returns the new job ids.
 */
export function applyPipeline(core: ServerCore, upload: PipelineUploadRecord, build: BuildRecord): string[] {
  const pipeline = upload.pipeline as Json;
  // Counted before anything is created: a 60-byte upload with `parallelism: 3e7`
  // (or a wide matrix) must be refused, not fanned out until the heap runs out.
  checkSteps(pipeline["steps"]);
  if (upload.replace) {
    for (const job of [...core.store.jobs.values()]) {
      if (job.buildId === build.id && job.state === "scheduled") cancelJob(core, job);
    }
  }
  const pipelineEnv = stringMap(pipeline["env"]);
  const pipelineAgents = pipeline["agents"];
  const pipelineSecrets = secretsOf(pipeline["secrets"]);
  const created: string[] = [];
  let barrier: string[] = [];

  const walk = (steps: unknown[]) => {
    for (const raw of steps) {
      const step = classify(raw);
      if (step.kind === "wait") {
        barrier = [...created];
      } else if (step.kind === "group") {
        walk(Array.isArray(step.attrs["steps"]) ? step.attrs["steps"] : []);
      } else if (step.kind === "command") {
        const attrs = step.attrs;
        if (attrs["skip"] !== undefined && attrs["skip"] !== false && attrs["skip"] !== null) continue;
        const dependsOn = [...barrier, ...dependencies(core, build.id, attrs["depends_on"])];
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
            secrets: mergeSecrets(pipelineSecrets, secretsOf(step["secrets"])).map(({ key, environmentVariable }) => ({
              key,
              environment_variable: environmentVariable,
            })),
            cache: step["cache"],
          };
          const job = createJob(core, build, options, {
            attributes: instance.attrs,
            dependsOnJobIds: dependsOn,
            pipelineUploadUuid: upload.uuid,
            parallelJob: instance.parallelJob,
            parallelJobCount: instance.parallelJobCount,
          });
          created.push(job.id);
        }
      }
    }
  };
  walk(pipeline["steps"] as unknown[]);
  return created;
}

/** Most jobs one upload may create; Buildkite refuses builds far smaller than a runaway fan-out. */
export const MAX_JOBS_PER_UPLOAD = 1000;
/** Buildkite's matrix limits: dimensions, and elements per dimension. */
const MAX_MATRIX_DIMENSIONS = 6;
const MAX_MATRIX_ELEMENTS = 20;

/** A pipeline's or step's secrets; one the schema let through but that names nothing is the pipeline's problem. */
function secretsOf(value: unknown): StepSecret[] {
  try {
    return normaliseSecrets(value);
  } catch (error) {
    throw new AgentApiServerError("SERVER_PIPELINE", (error as Error).message);
  }
}

// Checked before any job is created, so that an upload is applied whole or not at all.
function checkSteps(steps: unknown): void {
  let total = 0;
  const count = (list: unknown[]) => {
    for (const raw of list) {
      const step = classify(raw);
      if (step.kind === "group") count(Array.isArray(step.attrs["steps"]) ? step.attrs["steps"] : []);
      if (step.kind !== "command") continue;
      secretsOf(step.attrs["secrets"]);
      total += matrixSize(step.attrs["matrix"]) * parallelismOf(step.attrs);
      if (total > MAX_JOBS_PER_UPLOAD) {
        throw new AgentApiServerError(
          "SERVER_PIPELINE",
          `the pipeline would create more than ${MAX_JOBS_PER_UPLOAD} jobs (check parallelism and matrix)`,
        );
      }
    }
  };
  count(Array.isArray(steps) ? steps : []);
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
      "SERVER_UNKNOWN",
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

function classify(raw: unknown): { kind: "command" | "wait" | "group" | "other"; attrs: Json } {
  if (typeof raw === "string") {
    return { kind: ["wait", "waiter", "block", "input"].includes(raw) ? "wait" : "other", attrs: {} };
  }
  if (typeof raw !== "object" || raw === null) return { kind: "other", attrs: {} };
  const step = raw as Json;
  const type = step["type"];
  if (typeof type === "string") {
    if (["script", "command", "commands"].includes(type)) return { kind: "command", attrs: flatten(step) };
    if (["wait", "waiter", "block", "input"].includes(type)) return { kind: "wait", attrs: step };
    if (type === "group") return { kind: "group", attrs: step };
    return { kind: "other", attrs: step };
  }
  if ("group" in step) return { kind: "group", attrs: step };
  if ("wait" in step || "waiter" in step || "block" in step || "input" in step) return { kind: "wait", attrs: step };
  if ("trigger" in step) return { kind: "other", attrs: step };
  if ("command" in step || "commands" in step || "script" in step || "plugins" in step) {
    return { kind: "command", attrs: flatten(step) };
  }
  return { kind: "other", attrs: step };
}

/** `command: {command: "x", …}` (a step nested under its type key) → one flat step. */
function flatten(step: Json): Json {
  for (const name of ["command", "commands", "script"]) {
    const inner = step[name];
    if (typeof inner === "object" && inner !== null && !Array.isArray(inner)) {
      const { [name]: _nested, ...rest } = step;
      return { ...rest, ...(inner as Json) };
    }
  }
  return step;
}

function commandOf(attrs: Json): string | undefined {
  const command = attrs["command"] ?? attrs["commands"];
  if (Array.isArray(command)) return command.map(String).join("\n");
  return typeof command === "string" ? command : undefined;
}

function dependencies(core: ServerCore, buildId: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const refs = Array.isArray(value) ? value : [value];
  const ids: string[] = [];
  for (const ref of refs) {
    const key = typeof ref === "string" ? ref : typeof ref === "object" && ref !== null ? (ref as Json)["step"] : undefined;
    if (typeof key === "string") ids.push(...resolveStepRef(core, buildId, key));
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
