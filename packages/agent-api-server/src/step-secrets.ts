import { AgentApiServerError } from "./errors.js";

/** One entry of a step's `secrets`, as jobs carry it (go-pipeline `Secret`). */
export interface StepSecret {
  readonly key: string;
  /** `""` when the secret is only fetched and redacted, not exported. */
  readonly environmentVariable: string;
}

function invalid(problem: string): AgentApiServerError {
  return new AgentApiServerError("SERVER_OPTION_INVALID", `secrets: ${problem}`);
}

/**
 * A step's or pipeline's `secrets:` in any of the pipeline forms: a list of keys
 * (each exported under its own name), a map of env var name to key, or a list
 * of `{key, environment_variable}` objects.
 * @throws AgentApiServerError `SERVER_OPTION_INVALID` naming what is wrong
 */
export function normaliseSecrets(value: unknown): StepSecret[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) {
    return value.map((entry: unknown, index) => {
      if (typeof entry === "string" && entry !== "") return { key: entry, environmentVariable: entry };
      const record = (entry !== null && typeof entry === "object" ? entry : {}) as Record<string, unknown>;
      const { key, environment_variable: name } = record;
      if (typeof key !== "string" || key === "") throw invalid(`entry ${index} needs a non-empty "key"`);
      if (name !== undefined && typeof name !== "string") throw invalid(`entry ${index}'s "environment_variable" must be a string`);
      return { key, environmentVariable: name ?? "" };
    });
  }
  if (value !== null && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).map(([name, key]) => {
      if (typeof key !== "string" || key === "") throw invalid(`the key for ${name} must be a non-empty string`);
      return { key, environmentVariable: name };
    });
  }
  throw invalid("must be a list of keys, a map of env var names to keys, or a list of {key, environment_variable}");
}

/**
 * Pipeline-level secrets merged into a step's: the step's first, then the
 * pipeline's for env vars the step does not set; as Buildkite merges them, an
 * entry without an env var is dropped when both lists have entries.
 */
export function mergeSecrets(pipeline: readonly StepSecret[], step: readonly StepSecret[]): StepSecret[] {
  if (pipeline.length === 0) return [...step];
  if (step.length === 0) return [...pipeline];
  const seen = new Set<string>();
  const merged: StepSecret[] = [];
  for (const secret of [...step, ...pipeline]) {
    if (secret.environmentVariable === "" || seen.has(secret.environmentVariable)) continue;
    seen.add(secret.environmentVariable);
    merged.push(secret);
  }
  return merged;
}
