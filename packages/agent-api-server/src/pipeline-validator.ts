import { checkPipelineSchema } from "@agent/pipeline";
import { AgentApiServerError } from "./errors.js";

/** Checks an uploaded pipeline; answers a one-line reason, or `undefined` when valid. */
export interface PipelineValidator {
  /**
   * @throws AgentApiServerError `SERVER_OPTION_INVALID` when the configured schema
   * does not compile (found at the first upload: compiling is deferred until then).
   */
  validate(pipeline: unknown): string | undefined;
}

/**
 * Builds the validator. With Buildkite's pipeline JSON schema, uploads are checked
 * against it by `@agent/pipeline`'s `checkPipelineSchema`, which compiles a schema
 * object once, on first use, and names the offending value's path; the first
 * problem it lists is the answer. Without a schema, only the shape every pipeline
 * has (an object whose `steps` is an array) is required.
 */
export function createPipelineValidator(schema: object | undefined): PipelineValidator {
  if (schema === undefined) {
    return { validate: (pipeline) => shapeProblem(pipeline) };
  }
  return {
    validate(pipeline) {
      const shape = shapeProblem(pipeline);
      if (shape !== undefined) return shape;
      let warnings;
      try {
        warnings = checkPipelineSchema(pipeline, { schema });
      } catch (error) {
        if ((error as { code?: unknown }).code !== "PIPELINE_SCHEMA") throw error;
        throw new AgentApiServerError(
          "SERVER_OPTION_INVALID",
          `pipelineSchema does not compile as a JSON schema: ${(error as Error).message}; pass Buildkite's pipeline schema object`,
          { cause: error },
        );
      }
      const first = warnings[0];
      if (first === undefined) return undefined;
      return `Pipeline is invalid: ${first.path === "" ? "pipeline" : first.path} ${first.message}`;
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
