import { Ajv, type ErrorObject } from "ajv";
import { AgentApiServerError } from "./errors.js";

/** Checks an uploaded pipeline; answers a one-line reason, or `undefined` when valid. */
export interface PipelineValidator {
  validate(pipeline: unknown): string | undefined;
}

/**
 * Builds the validator. With Buildkite's pipeline JSON schema, uploads are checked
 * against it; without one, only the shape every pipeline has (an object whose
 * `steps` is an array) is required.
 */
export function createPipelineValidator(schema: object | undefined): PipelineValidator {
  if (schema === undefined) {
    return { validate: (pipeline) => shapeProblem(pipeline) };
  }
  let check: ReturnType<Ajv["compile"]>;
  try {
    // strict: false because the published schema carries editor keys (fileMatch,
    // examples) ajv would otherwise refuse; `regex` is a format the schema names
    // for input-field patterns, which Buildkite checks when the field is used.
    const ajv = new Ajv({ strict: false, allErrors: true, formats: { regex: true } });
    check = ajv.compile(schema);
  } catch (error) {
    throw new AgentApiServerError(
      "SERVER_OPTION_INVALID",
      `pipelineSchema does not compile as a JSON schema: ${(error as Error).message}; pass Buildkite's pipeline schema object`,
      { cause: error },
    );
  }
  return {
    validate(pipeline) {
      const shape = shapeProblem(pipeline);
      if (shape !== undefined) return shape;
      if (check(pipeline)) return undefined;
      return `Pipeline is invalid: ${describe(check.errors ?? [])}`;
    },
  };
}

function shapeProblem(pipeline: unknown): string | undefined {
  if (typeof pipeline !== "object" || pipeline === null || Array.isArray(pipeline)) {
    return "Pipeline must be an object with a `steps` list";
  }
  const steps = (pipeline as Record<string, unknown>)["steps"];
  if (!Array.isArray(steps)) return "Pipeline is missing a `steps` list";
  return undefined;
}

/**
 * The most useful single error: the schema's alternatives (anyOf per step type)
 * produce one error per branch, and the one that got deepest into the document is
 * the one the author meant.
 */
function describe(errors: readonly ErrorObject[]): string {
  const specific = errors.filter((e) => e.keyword !== "anyOf" && e.keyword !== "oneOf");
  const pool = specific.length > 0 ? specific : errors;
  let best = pool[0];
  for (const error of pool) {
    if (best === undefined || depth(error.instancePath) > depth(best.instancePath)) best = error;
  }
  if (best === undefined) return "does not match the pipeline schema";
  return `${best.instancePath === "" ? "pipeline" : best.instancePath} ${best.message ?? "is invalid"}`;
}

function depth(path: string): number {
  return path === "" ? 0 : path.split("/").length;
}
