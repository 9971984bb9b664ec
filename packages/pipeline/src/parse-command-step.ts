import { PipelineError } from "./errors.js";
import { isMapping } from "./object-keys.js";
import { decodeCommandStep, StepDecodeError } from "./step-decode.js";

/**
 * Reads one command step from JSON, the form the agent receives when it accepts a job
 * (go-pipeline `CommandStep.UnmarshalJSON`), into upload form with `PipelinePlugin`s
 * whose sources are kept as written.
 *
 * @throws PipelineError `PIPELINE_INVALID` for invalid JSON or a field of the wrong type.
 */
export function parseCommandStep(json: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new PipelineError("PIPELINE_INVALID", `decoding JSON for CommandStep: ${(error as Error).message}`, { cause: error });
  }
  if (!isMapping(value)) throw new PipelineError("PIPELINE_INVALID", "unmarshalling CommandStep: want a JSON object");
  try {
    return decodeCommandStep(value);
  } catch (error) {
    if (error instanceof StepDecodeError) throw new PipelineError("PIPELINE_INVALID", `unmarshalling CommandStep: ${error.message}`);
    throw error;
  }
}
