import { PipelineError, type PipelineWarning } from "./errors.js";
import { goSprint, goTypeName } from "./go-type-name.js";
import { isMapping, setKey, sortedKeys } from "./object-keys.js";
import { decodeSteps, StepDecodeError, type PipelineStep } from "./step-decode.js";
import { decodeYamlDocuments } from "./yaml-decode.js";

/**
 * A pipeline in upload form: what `pipeline upload` sends (after `JSON.stringify`, which
 * expands plugin sources). `steps` is always present; `env` keeps its written order; every
 * other top-level key is kept.
 */
export interface Pipeline {
  steps: PipelineStep[];
  env?: Record<string, string>;
  [key: string]: unknown;
}

/** One document of the input. */
export interface ParsedDocument {
  readonly pipeline: Pipeline;
  /** What go-pipeline warns about; the pipeline is still usable. */
  readonly warnings: readonly PipelineWarning[];
}

/** The result of {@link parsePipeline}: one entry per YAML document, in order. */
export interface ParsedPipelines {
  readonly documents: readonly ParsedDocument[];
}

/** Options of {@link parsePipeline}. */
export interface ParsePipelineOptions {
  /**
   * The file name used in messages, as the agent prints it (`pipeline parsing of "x" failed`).
   * @default "(stdin)"
   */
  readonly filename?: string;
}

function pipelineFromValue(value: unknown): ParsedDocument {
  const warnings: PipelineWarning[] = [];
  if (Array.isArray(value)) {
    try {
      return { pipeline: { steps: decodeSteps(value, "steps", warnings) }, warnings };
    } catch (error) {
      if (error instanceof StepDecodeError) throw new StepDecodeError(`unmarshaling steps: ${error.message}`);
      throw error;
    }
  }
  if (!isMapping(value)) {
    throw new StepDecodeError(
      `unmarshaling Pipeline: unsupported type ${goTypeName(value)}, want either *ordered.Map[string, any] or []any`,
    );
  }
  try {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key === "steps" || key === "env") continue;
      setKey(out, key, v);
    }
    if (Object.hasOwn(value, "steps")) {
      out["steps"] = decodeSteps(value["steps"], "steps", warnings);
    } else {
      out["steps"] = [];
      warnings.push({ code: "NoSteps", path: "", message: "pipeline contains no steps" });
    }
    const env = value["env"];
    if (env !== null && env !== undefined) {
      if (!isMapping(env)) {
        throw new StepDecodeError(`incompatible types: src type ${goTypeName(env)}, want *Map[string, any]`);
      }
      const block: Record<string, string> = {};
      for (const [k, v] of Object.entries(env)) {
        if (v !== null && typeof v === "object") {
          throw new StepDecodeError(`unmarshaling value for key "${k}": incompatible types: cannot unmarshal ${goTypeName(v)} into *string`);
        }
        setKey(block, k, v === null ? "" : goSprint(v as string | number | boolean));
      }
      out["env"] = block;
    }
    return { pipeline: sortedKeys(out) as Pipeline, warnings };
  } catch (error) {
    if (error instanceof StepDecodeError) throw new StepDecodeError(`unmarshaling Pipeline: ${error.message}`);
    throw error;
  }
}

/**
 * Parses pipeline YAML or JSON as `buildkite-agent pipeline upload` does (go-pipeline
 * `ParseAll`): every YAML document is one pipeline; a top-level list is a list of steps;
 * aliases and merge keys are resolved; steps are normalised to upload form (see
 * {@link Pipeline}). Interpolation is separate ({@link interpolatePipeline}). Input with no
 * document at all (only comments or whitespace) gives no documents, as upstream.
 *
 * @throws PipelineError `PIPELINE_EMPTY` for `""` (`pipeline file "x" is empty`),
 * `PIPELINE_YAML` for invalid YAML (one line, with line and column), `PIPELINE_INVALID` when
 * a document cannot be a pipeline; messages start `pipeline parsing of "<file>" failed: `.
 */
export function parsePipeline(text: string, options?: ParsePipelineOptions): ParsedPipelines {
  const source = options?.filename ?? "(stdin)";
  if (text.length === 0) throw new PipelineError("PIPELINE_EMPTY", `pipeline file "${source}" is empty`);
  const prefix = `pipeline parsing of "${source}" failed: `;
  let values: unknown[];
  try {
    values = decodeYamlDocuments(text);
  } catch (error) {
    if (error instanceof PipelineError) throw new PipelineError(error.code, prefix + error.message, { cause: error });
    throw error;
  }
  const documents = values.map((value) => {
    try {
      return pipelineFromValue(value);
    } catch (error) {
      if (error instanceof StepDecodeError) throw new PipelineError("PIPELINE_INVALID", prefix + error.message);
      throw error;
    }
  });
  return { documents };
}
