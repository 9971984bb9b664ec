import { readFileSync } from "node:fs";
import {
  interpolateMatrixTokens,
  interpolateMatrixValue,
  interpolatePipeline,
  interpolateStepMatrix,
  parseCommandStep,
  parsePipeline,
  PipelineError,
  PipelinePlugin,
  validateMatrixPermutation,
  type Pipeline,
} from "../src/index.js";

interface ParserCase {
  name: string;
  input: string;
  interpolate: null | { runtimeEnv: Record<string, string> | null; runtimeEnvPreferred: boolean };
  expected?: unknown;
  expectedWarnings?: string[];
  error?: boolean;
  errorContains?: string;
  parseAll?: boolean;
}
interface InterpolatorCase {
  name: string;
  caseSensitive: boolean;
  runtimeEnv: Record<string, string>;
  runtimeEnvPreferred: boolean;
  input: Pipeline;
  expected: unknown;
}

// go-pipeline's own vectors (../shared/conformance/pipeline).
const cases = JSON.parse(readFileSync(new URL("../../../../shared/conformance/pipeline/cases.json", import.meta.url), "utf8")) as {
  parserCases: ParserCase[];
  interpolatorCases: InterpolatorCase[];
  matrixTransformCases: { name: string; permutation: Record<string, string>; input: string; expected?: string; error?: boolean }[];
  matrixInterpolateValueCases: { name: string; permutation: Record<string, string>; input: unknown; expected: unknown }[];
  matrixValidateCases: { name: string; matrix: unknown; permutation: Record<string, string>; expectedError: string | null }[];
  commandStepUnmarshalCases: { name: string; input?: string; inputArray?: string; arrayIndex?: number; expected: ModelStep }[];
  stepMatrixInterpolateCases: {
    name: string;
    permutation: Record<string, string>;
    step?: ModelStep;
    plugin?: ModelPlugin;
    expected: ModelStep | ModelPlugin;
  }[];
};

interface ModelPlugin {
  source: string;
  config: unknown;
}
// The vectors' "model" form of a command step (go-pipeline's struct fields).
interface ModelStep {
  key?: string;
  label?: string;
  command?: string;
  env?: Record<string, string>;
  plugins?: ModelPlugin[];
  matrix?: unknown;
  remainingFields?: Record<string, unknown>;
}

function toModel(step: Record<string, unknown>): ModelStep {
  const model: ModelStep = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(step)) {
    if (k === "key" || k === "label" || k === "command") model[k] = v as string;
    else if (k === "env") model.env = v as Record<string, string>;
    else if (k === "matrix") model.matrix = v;
    else if (k === "plugins") {
      model.plugins = (v as unknown[]).map((p) => {
        if (p instanceof PipelinePlugin) return { source: p.source, config: p.config };
        const [source, config] = Object.entries(p as Record<string, unknown>)[0]!;
        return { source, config };
      });
    } else rest[k] = v;
  }
  if (Object.keys(rest).length > 0) model.remainingFields = rest;
  return model;
}

function fromModel(model: ModelStep): Record<string, unknown> {
  const step: Record<string, unknown> = { ...model.remainingFields };
  for (const k of ["key", "label", "command", "env", "matrix"] as const) if (model[k] !== undefined) step[k] = model[k];
  if (model.plugins) step["plugins"] = model.plugins.map((p) => new PipelinePlugin(p.source, p.config));
  return step;
}

// Upstream's error values, by the text of their messages.
const MATRIX_ERRORS: Record<string, string> = {
  errNilMatrix: "non-empty permutation but matrix is nil",
  errPermutationLengthMismatch: "permutation has wrong length",
  errPermutationUnknownDimension: "permutation has unknown dimension",
  errAdjustmentLengthMismatch: "adjustment has wrong length",
  errAdjustmentUnknownDimension: "adjustment has unknown dimension",
  errPermutationSkipped: "permutation is skipped by adjustment",
  errPermutationNoMatch: "permutation is neither a valid matrix combination nor an adjustment",
};

// The upload JSON, as it goes on the wire.
const wire = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

// Upstream's exact messages for these come from the Go YAML library; our YAML parser words
// them differently. We still require the typed error with line and column.
const YAML_MESSAGE_DIFFERS = new Set(["TestParserReturnsYAMLParsingErrors", "TestParserReturnsJSONParsingErrors"]);

describe("parsePipeline + interpolatePipeline (conformance parserCases)", () => {
  it.each(cases.parserCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    if (c.error) {
      let thrown: unknown;
      try {
        parsePipeline(c.input, { filename: "pipeline.yml" });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PipelineError);
      expect((thrown as PipelineError).code).toBe("PIPELINE_YAML");
      expect((thrown as PipelineError).message).toMatch(/^pipeline parsing of "pipeline.yml" failed: line \d+, column \d+: /);
      expect((thrown as PipelineError).message).not.toContain("\n");
      if (!YAML_MESSAGE_DIFFERS.has(c.name)) expect((thrown as PipelineError).message).toContain(c.errorContains);
      return;
    }
    const { documents } = parsePipeline(c.input);
    const pipelines = documents.map((d) => {
      if (!c.interpolate) return d.pipeline;
      return interpolatePipeline(d.pipeline, c.interpolate.runtimeEnv ?? {}, {
        preferRuntimeEnv: c.interpolate.runtimeEnvPreferred,
      });
    });
    if (c.parseAll) expect(wire(pipelines)).toEqual(c.expected);
    else {
      expect(pipelines).toHaveLength(1);
      expect(wire(pipelines[0])).toEqual(c.expected);
    }
    const warnings = documents.flatMap((d) => d.warnings.map((w) => w.code));
    expect(warnings).toEqual(c.expectedWarnings ?? []);
  });
});

describe("interpolatePipeline (conformance interpolatorCases)", () => {
  it.each(cases.interpolatorCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const result = interpolatePipeline(c.input, c.runtimeEnv, {
      preferRuntimeEnv: c.runtimeEnvPreferred,
      caseInsensitive: !c.caseSensitive,
    });
    expect(wire(result)).toEqual(c.expected);
  });
});

describe("interpolateMatrixTokens (conformance matrixTransformCases)", () => {
  it.each(cases.matrixTransformCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    if (c.error) {
      expect(() => interpolateMatrixTokens(c.input, c.permutation)).toThrow(expect.objectContaining({ code: "PIPELINE_MATRIX" }));
      expect(() => interpolateMatrixTokens(c.input, c.permutation)).toThrow(/^unknown matrix tokens in input: matrix/);
    } else {
      expect(interpolateMatrixTokens(c.input, c.permutation)).toBe(c.expected);
    }
  });
});

describe("interpolateMatrixValue (conformance matrixInterpolateValueCases)", () => {
  it.each(cases.matrixInterpolateValueCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(interpolateMatrixValue(c.input, c.permutation)).toEqual(c.expected);
  });
});

describe("validateMatrixPermutation (conformance matrixValidateCases)", () => {
  it.each(cases.matrixValidateCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    if (c.expectedError === null) {
      expect(() => validateMatrixPermutation(c.matrix, c.permutation)).not.toThrow();
    } else {
      let thrown: unknown;
      try {
        validateMatrixPermutation(c.matrix, c.permutation);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PipelineError);
      expect((thrown as PipelineError).code).toBe("PIPELINE_MATRIX");
      expect((thrown as PipelineError).message.startsWith(MATRIX_ERRORS[c.expectedError]!)).toBe(true);
    }
  });
});

describe("parseCommandStep (conformance commandStepUnmarshalCases)", () => {
  it.each(cases.commandStepUnmarshalCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const json = c.input ?? JSON.stringify((JSON.parse(c.inputArray!) as unknown[])[c.arrayIndex!]);
    expect(toModel(parseCommandStep(json))).toEqual(c.expected);
  });
});

describe("interpolateStepMatrix (conformance stepMatrixInterpolateCases)", () => {
  it.each(cases.stepMatrixInterpolateCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    // Upstream's plugin cases apply the permutation to one plugin; we apply it to a step
    // holding that plugin (and a matrix that allows the permutation).
    const step = c.step ? fromModel(c.step) : fromModel({ plugins: [c.plugin!] });
    const dims = Object.entries(c.permutation);
    if (dims.length > 0) step["matrix"] = { setup: Object.fromEntries(dims.map(([k, v]) => [k, [v]])) };
    const result = toModel(interpolateStepMatrix(step, c.permutation));
    delete result.matrix;
    if (c.step) expect(result).toEqual(c.expected);
    else expect(result.plugins).toEqual([c.expected]);
  });
});
