import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { PipelineError } from "./errors.js";
import { inferStepKind, type StepKind } from "./step-decode.js";

/** A problem the JSON schema finds, naming where it is. */
export interface SchemaWarning {
  /** Where, as `steps[2].command` (`""` for the whole pipeline). */
  readonly path: string;
  /** What the schema expected, e.g. `must be string`. */
  readonly message: string;
}

/** Options of {@link checkPipelineSchema}. */
export interface CheckPipelineSchemaOptions {
  /**
   * The JSON schema to check against.
   * @default the Buildkite pipeline schema bundled in `dist/pipeline-schema.json`
   */
  readonly schema?: object;
}

// Compiling the schema takes a few hundred milliseconds, so it is done once per schema
// object, and only when first needed; the per-step-type validators used to explain a
// failure are compiled on the first failure.
const compiled = new WeakMap<object, Validators>();
let bundled: object | undefined;

const STEP_DEFINITIONS: Readonly<Record<StepKind, string>> = {
  command: "commandStep",
  wait: "waitStep",
  block: "blockStep",
  input: "inputStep",
  trigger: "triggerStep",
  group: "groupStep",
};

interface Validators {
  readonly pipeline: ValidateFunction;
  /** Validates `[step]`: is it any kind of step the schema allows? */
  readonly anyStep: () => ValidateFunction;
  readonly step: (kind: StepKind) => ValidateFunction;
}

function bundledSchema(): object {
  if (bundled) return bundled;
  const url = new URL("./pipeline-schema.json", import.meta.url);
  try {
    bundled = JSON.parse(readFileSync(url, "utf8")) as object;
  } catch (error) {
    throw new PipelineError("PIPELINE_SCHEMA", `could not load the pipeline schema from ${url.pathname}: ${(error as Error).message} (run the package build)`, {
      cause: error,
    });
  }
  return bundled;
}

function compileWith(run: () => ValidateFunction): ValidateFunction {
  try {
    return run();
  } catch (error) {
    throw new PipelineError("PIPELINE_SCHEMA", `could not compile the pipeline schema: ${(error as Error).message}`, { cause: error });
  }
}

function validatorsFor(schema: object): Validators {
  let validators = compiled.get(schema);
  if (validators) return validators;
  // The schema uses keywords Ajv's strict mode rejects ("fileMatch", …).
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const pipeline = compileWith(() => {
    ajv.addSchema(schema, "pipeline");
    return ajv.getSchema("pipeline")!;
  });
  const cache = new Map<string, ValidateFunction>();
  const ref = (definition: string) => {
    let v = cache.get(definition);
    if (!v) {
      v = compileWith(() => ajv.compile({ $ref: `pipeline#/definitions/${definition}` }));
      cache.set(definition, v);
    }
    return v;
  };
  validators = { pipeline, anyStep: () => ref("pipelineSteps"), step: (kind) => ref(STEP_DEFINITIONS[kind]) };
  compiled.set(schema, validators);
  return validators;
}

/** `/steps/2/command` → `steps[2].command`. */
function displayPath(pointer: string): string {
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const part = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

function describe(error: ErrorObject, prefix: string): SchemaWarning {
  let path = error.instancePath;
  let message = error.message ?? "is invalid";
  if (error.keyword === "additionalProperties") {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    path = `${path}/${extra.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    message = "is not an allowed property";
  } else if (error.keyword === "required") {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    path = `${path}/${missing.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    message = "is required";
  } else if (error.keyword === "enum") {
    message = `must be one of ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}`;
  }
  const local = displayPath(path);
  return { path: local === "" ? prefix : /^\[/.test(local) ? prefix + local : prefix === "" ? local : `${prefix}.${local}`, message };
}

/** Problems at `path`, without the summary lines of failed `oneOf`/`anyOf` when others explain them. */
function explain(errors: readonly ErrorObject[], prefix: string): SchemaWarning[] {
  const described = errors.map((e) => ({ summary: e.keyword === "oneOf" || e.keyword === "anyOf", warning: describe(e, prefix) }));
  const detailed = described.filter((d) => !d.summary);
  return (detailed.length > 0 ? detailed : described).map((d) => d.warning);
}

function checkSteps(steps: readonly unknown[], prefix: string, v: Validators, out: SchemaWarning[]): void {
  steps.forEach((step, i) => {
    const path = `${prefix}[${i}]`;
    if (v.anyStep()([step])) return;
    const kind = typeof step === "object" && step !== null && !Array.isArray(step) ? inferStepKind(step as Record<string, unknown>) : undefined;
    if (kind === undefined) {
      out.push({ path, message: "is not a step the schema knows (command, wait, block, input, trigger or group)" });
      return;
    }
    const record = step as Record<string, unknown>;
    const nested = kind === "group" && Array.isArray(record["steps"]) ? (record["steps"] as unknown[]) : undefined;
    // A group's own fields are checked with a placeholder step list; its steps one by one.
    const own = nested && nested.length > 0 ? { ...record, steps: ["wait"] } : record;
    const validate = v.step(kind);
    const before = out.length;
    if (!validate(own)) out.push(...explain(validate.errors ?? [], path));
    if (nested) checkSteps(nested, `${path}.steps`, v, out);
    if (out.length === before) out.push({ path, message: `is not a valid ${kind} step` });
  });
}

/**
 * Checks a pipeline in upload form against the Buildkite pipeline JSON schema and lists
 * each problem with the path of the offending value (`steps[2].command`). A step that fits
 * no step type is explained against the type its keys say it is (a step with `command` is
 * checked as a command step), not against every alternative. An empty list means the
 * pipeline is valid. The real agent leaves validity to the server; this is an early, local
 * warning. Compiles the schema once, on first use.
 *
 * @throws PipelineError `PIPELINE_SCHEMA` when the schema cannot be loaded or compiled.
 */
export function checkPipelineSchema(pipeline: unknown, options?: CheckPipelineSchemaOptions): SchemaWarning[] {
  const v = validatorsFor(options?.schema ?? bundledSchema());
  // Plugin sources are expanded as they will be sent.
  const wire = JSON.parse(JSON.stringify(pipeline)) as unknown;
  if (v.pipeline(wire)) return [];
  const out: SchemaWarning[] = [];
  const record = typeof wire === "object" && wire !== null && !Array.isArray(wire) ? (wire as Record<string, unknown>) : undefined;
  const steps = record && Array.isArray(record["steps"]) ? (record["steps"] as unknown[]) : undefined;
  if (record && steps) {
    if (!v.pipeline({ ...record, steps: [] })) out.push(...explain(v.pipeline.errors ?? [], ""));
    checkSteps(steps, "steps", v, out);
  } else {
    out.push(...explain(v.pipeline.errors ?? [], ""));
  }
  const seen = new Set<string>();
  return out.filter((w) => {
    const key = `${w.path}\u0000${w.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
