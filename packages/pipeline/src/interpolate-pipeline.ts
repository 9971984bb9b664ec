import { PipelineError } from "./errors.js";
import { interpolateWith, type InterpolationEnv } from "./interpolate.js";
import { isMapping, setKey, sortedKeys } from "./object-keys.js";
import type { Pipeline } from "./parse-pipeline.js";
import { PipelinePlugin } from "./plugin-source.js";
import { inferStepKind, unknownSteps, type PipelineStep } from "./step-decode.js";

/** Options of {@link interpolatePipeline}. */
export interface InterpolatePipelineOptions {
  /**
   * Let the runtime env win over the pipeline's top-level `env:` (the agent's experiment
   * `interpolation-prefers-runtime-env`).
   * @default false
   */
  readonly preferRuntimeEnv?: boolean;
  /**
   * Compare variable names ignoring case (the agent on Windows).
   * @default false
   */
  readonly caseInsensitive?: boolean;
}

type Transform = (text: string) => string;

/** Prefixes an interpolation error with the field it came from, as go-pipeline does. */
function within<T>(field: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof PipelineError && error.code === "PIPELINE_INTERPOLATION") {
      throw new PipelineError(error.code, `interpolating ${field}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** Every string in `value`, map keys too (go-pipeline `interpolateAny`/`interpolateMap`). */
export function transformAny(value: unknown, tf: Transform): unknown {
  if (typeof value === "string") return tf(value);
  if (Array.isArray(value)) return value.map((item) => transformAny(item, tf));
  if (value instanceof PipelinePlugin) return new PipelinePlugin(tf(value.source), transformAny(value.config, tf));
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = tf(k);
      setKey(out, key, transformAny(v, tf));
    }
    return out;
  }
  return value;
}

const CHECKOUT_TYPED = new Set(["skip", "submodules", "ssh_secret", "depth"]);

/** Checkout: only its untyped ("remaining") fields are interpolated upstream. */
function transformCheckout(value: unknown, tf: Transform): unknown {
  if (!isMapping(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (CHECKOUT_TYPED.has(k)) setKey(out, k, v);
    else setKey(out, tf(k), transformAny(v, tf));
  }
  return out;
}

function transformMatrix(matrix: unknown, tf: Transform): unknown {
  if (!isMapping(matrix)) return transformAny(matrix, tf);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(matrix)) {
    if (k === "setup") out[k] = isMapping(v) ? sortedKeys(transformAny(v, tf) as Record<string, unknown>) : transformAny(v, tf);
    else if (k === "adjustments" && Array.isArray(v)) {
      out[k] = v.map((adj) => {
        if (!isMapping(adj)) return adj;
        const a: Record<string, unknown> = {};
        for (const [ak, av] of Object.entries(adj)) {
          // `skip` is a typed field of an adjustment, not interpolated upstream.
          if (ak === "skip") a[ak] = av;
          else if (ak === "with") a[ak] = isMapping(av) ? sortedKeys(transformAny(av, tf) as Record<string, unknown>) : transformAny(av, tf);
          else setKey(a, tf(ak), transformAny(av, tf));
        }
        return sortedKeys(a);
      });
    } else setKey(out, tf(k), transformAny(v, tf));
  }
  return sortedKeys(out);
}

const COMMAND_FIELDS = ["command", "label", "plugins", "secrets", "cache", "checkout", "key", "env", "matrix"] as const;

function transformCommandStep(step: Record<string, unknown>, tf: Transform): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of COMMAND_FIELDS) {
    if (!Object.hasOwn(step, field)) continue;
    const value = step[field];
    out[field] = within(field, () => {
      if (field === "checkout") return transformCheckout(value, tf);
      if (field === "matrix") return transformMatrix(value, tf);
      if (field === "env" && isMapping(value)) return sortedKeys(transformAny(value, tf) as Record<string, unknown>);
      return transformAny(value, tf);
    });
  }
  if (Object.hasOwn(step, "signature")) out["signature"] = step["signature"];
  within("remaining fields", () => {
    for (const [k, v] of Object.entries(step)) {
      if ((COMMAND_FIELDS as readonly string[]).includes(k) || k === "signature") continue;
      setKey(out, tf(k), transformAny(v, tf));
    }
  });
  return sortedKeys(out);
}

/**
 * Applies `tf` to every string of a list of steps the way go-pipeline's typed steps do
 * (command steps skip `signature`, matrix adjustments skip `skip`, errors name the field).
 */
export function transformSteps(steps: readonly PipelineStep[], tf: Transform): PipelineStep[] {
  return steps.map((step) => {
    if (typeof step === "string") return tf(step);
    if (unknownSteps.has(step)) {
      const out = transformAny(step, tf) as Record<string, unknown>;
      unknownSteps.add(out);
      return out;
    }
    const kind = inferStepKind(step);
    if (kind === "command") return transformCommandStep(step, tf);
    if (kind === "group") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(step)) {
        if (k === "steps" && Array.isArray(v)) out[k] = transformSteps(v as PipelineStep[], tf);
        else if (k === "key" || k === "group") out[k] = transformAny(v, tf);
        else setKey(out, tf(k), transformAny(v, tf));
      }
      return sortedKeys(out);
    }
    return sortedKeys(transformAny(step, tf) as Record<string, unknown>);
  });
}

/**
 * Interpolates a parsed pipeline as `pipeline upload` does (go-pipeline `Interpolate`):
 * first the top-level `env:` — each key and value in order, each result added to the
 * interpolation env (overriding the runtime env unless `preferRuntimeEnv`) so later entries
 * and the rest of the pipeline see it — then every string of the steps and other top-level
 * fields, map keys included. Top-level `secrets` and step `signature`s are left alone.
 * Returns a new pipeline; `pipeline` and `env` are not modified.
 *
 * @throws PipelineError `PIPELINE_INTERPOLATION` with upstream's message, prefixed by the
 * field for command steps (`interpolating command: $X: not set`).
 */
export function interpolatePipeline(pipeline: Pipeline, env: InterpolationEnv, options?: InterpolatePipelineOptions): Pipeline {
  const caseInsensitive = options?.caseInsensitive ?? false;
  const norm = (name: string) => (caseInsensitive ? name.toUpperCase() : name);
  const vars = new Map<string, string>();
  const entries = env instanceof Map ? env.entries() : Object.entries(env as Record<string, string | undefined>);
  for (const [k, v] of entries) if (v !== undefined) vars.set(norm(k), v);
  const lookup = (name: string) => vars.get(norm(name));
  const tf: Transform = (text) => interpolateWith(text, lookup);

  const out: Record<string, unknown> = {};
  if (pipeline.env) {
    const block: Record<string, string> = {};
    for (const [k, v] of Object.entries(pipeline.env)) {
      const key = tf(k);
      const value = tf(v);
      setKey(block, key, value);
      if (!(options?.preferRuntimeEnv && vars.has(norm(key)))) vars.set(norm(key), value);
    }
    out["env"] = block;
  }
  for (const [k, v] of Object.entries(pipeline)) {
    if (k === "env") continue;
    if (k === "steps") out[k] = transformSteps(v as PipelineStep[], tf);
    else if (k === "secrets") out[k] = v;
    else if (k === "checkout") out[k] = transformCheckout(v, tf);
    else setKey(out, tf(k), transformAny(v, tf));
  }
  return sortedKeys(out) as Pipeline;
}
