import type { PipelineWarning } from "./errors.js";
import { goSprint, goTypeName } from "./go-type-name.js";
import { isMapping, setKey, sortedKeys } from "./object-keys.js";
import { PipelinePlugin, readPlugins } from "./plugin-source.js";

// Step decoding follows go-pipeline (steps.go, step_*.go) and its reflective unmarshaler
// (ordered/unmarshal.go): a step is typed by its `type` key or by the keys it has; a command
// step whose fields have the wrong types falls back to an "unknown" step, kept as written,
// with a warning; only a step that is neither a string nor a mapping is fatal.

/** A step in upload form: `"wait"`-like strings or a mapping. */
export type PipelineStep = string | Record<string, unknown>;

/** A non-warning failure inside a step; fatal at the top level, a fallback inside a step. */
export class StepDecodeError extends Error {
  constructor(
    message: string,
    readonly incompatibleTypes = false,
  ) {
    super(message);
  }
}

const incompatible = (message: string): never => {
  throw new StepDecodeError(`incompatible types: ${message}`, true);
};

/** Steps decoded as "unknown" (kept as written); interpolation treats them generically. */
export const unknownSteps = new WeakSet<object>();

const SCALAR_STEPS = ["wait", "waiter", "block", "input", "manual"];
const INFERRABLE_KEYS = ["command", "commands", "plugins", "wait", "waiter", "block", "input", "manual", "trigger", "group"];

/** What kind of step a mapping is, see {@link inferStepKind}. */
export type StepKind = "command" | "wait" | "block" | "input" | "trigger" | "group";

const STEP_TYPES: Readonly<Record<string, StepKind>> = {
  command: "command",
  script: "command",
  wait: "wait",
  waiter: "wait",
  block: "block",
  manual: "block",
  input: "input",
  trigger: "trigger",
  group: "group",
};

/** ordered.Unmarshal of a value into a Go `string`. */
function toGoString(value: unknown, into = "*string"): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return goSprint(value);
  return incompatible(`cannot unmarshal ${goTypeName(value)} into ${into}`);
}

/** ordered.Unmarshal of a value into a Go `[]string`. */
function toGoStrings(value: unknown, into = "*[]string"): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((item) => toGoString(item));
  if (isMapping(value)) return incompatible(`cannot unmarshal ${goTypeName(value)} into ${into}, want map or *struct{...}`);
  return [toGoString(value)];
}

/** ordered.Unmarshal of a value into a Go `map[string]string`. */
function toGoStringMap(value: unknown): Record<string, string> | undefined {
  if (value === null || value === undefined) return undefined;
  if (!isMapping(value)) return incompatible(`cannot unmarshal ${goTypeName(value)} into *map[string]string`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) setKey(out, k, toGoString(v));
  return out;
}

/** Takes the first of `names` present in `rest` (a struct field with `aliases`), removing it. */
function take(rest: Record<string, unknown>, ...names: string[]): { found: boolean; value: unknown } {
  for (const name of names) {
    if (Object.hasOwn(rest, name)) {
      const value = rest[name];
      delete rest[name];
      return { found: true, value };
    }
  }
  return { found: false, value: undefined };
}

function decodeMatrixSetup(value: unknown): unknown {
  if (Array.isArray(value)) return { "": toGoStrings(value) ?? [] };
  if (isMapping(value)) {
    const out: Record<string, string[]> = {};
    for (const [dim, values] of Object.entries(value)) setKey(out, dim, toGoStrings(values) ?? []);
    return out;
  }
  throw new StepDecodeError(`unsupported src type for MatrixSetup: ${goTypeName(value)}`);
}

function decodeAdjustmentWith(value: unknown): Record<string, string> {
  const scalar = (v: unknown, key?: string): string => {
    if (typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isInteger(v))) return goSprint(v);
    if (key === undefined) throw new StepDecodeError(`unsupported src type for MatrixAdjustmentsWith: ${goTypeName(v)}`);
    throw new StepDecodeError(`unsupported value type ${goTypeName(v)} in key "${key}" for MatrixAdjustmentsWith`);
  };
  if (isMapping(value)) {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) setKey(out, k, scalar(v, k));
    return out;
  }
  return { "": scalar(value) };
}

/** Marshals `{"": [...]}` (one anonymous dimension) as the bare list, like MatrixSetup. */
function setupJSON(setup: Record<string, string[]>): unknown {
  const keys = Object.keys(setup);
  if (keys.length === 1 && keys[0] === "" && setup[""]!.length > 0) return setup[""];
  return sortedKeys(setup);
}

function withJSON(w: Record<string, string> | null): unknown {
  if (w === null) return null;
  const keys = Object.keys(w);
  if (keys.length === 1 && keys[0] === "") return w[""];
  return sortedKeys(w);
}

/** go-pipeline `Matrix` in upload form (a bare list when it is one anonymous dimension only). */
export function decodeMatrix(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  let setup: Record<string, string[]> = {};
  let adjustments: Record<string, unknown>[] | undefined;
  const remaining: Record<string, unknown> = {};
  if (Array.isArray(value)) {
    setup = { "": toGoStrings(value) ?? [] };
  } else if (isMapping(value)) {
    const rest = { ...value };
    const s = take(rest, "setup");
    if (s.found && s.value !== null) setup = decodeMatrixSetup(s.value) as Record<string, string[]>;
    else if (s.found) throw new StepDecodeError("unsupported src type for MatrixSetup: <nil>");
    const a = take(rest, "adjustments");
    if (a.found && a.value !== null) {
      if (!Array.isArray(a.value)) incompatible(`cannot unmarshal ${goTypeName(a.value)} into *pipeline.MatrixAdjustments`);
      adjustments = (a.value as unknown[]).map((item) => {
        if (item === null) return { with: null };
        if (!isMapping(item)) return incompatible(`cannot unmarshal ${goTypeName(item)} into *pipeline.MatrixAdjustment`);
        const adj = { ...item };
        const w = take(adj, "with");
        const out: Record<string, unknown> = { ...adj };
        delete out["skip"];
        out["with"] = w.found && w.value !== null ? decodeAdjustmentWith(w.value) : null;
        const skip = adj["skip"];
        // `skip` is omitted when empty (false, "", 0, null), as Go's omitempty does.
        if (skip !== undefined && skip !== null && skip !== false && skip !== "" && skip !== 0) out["skip"] = skip;
        else delete out["skip"];
        return out;
      });
    }
    Object.assign(remaining, rest);
  } else {
    throw new StepDecodeError(`unsupported src type for Matrix: ${goTypeName(value)}`);
  }
  const simple =
    Object.keys(setup).length === 1 && (setup[""]?.length ?? 0) > 0 && !adjustments?.length && Object.keys(remaining).length === 0;
  if (simple) return setup[""];
  const out: Record<string, unknown> = { ...remaining, setup: setupJSON(setup) };
  if (adjustments?.length) {
    out["adjustments"] = adjustments.map((adj) => sortedKeys({ ...adj, with: withJSON(adj["with"] as Record<string, string> | null) }));
  }
  return sortedKeys(out);
}

function decodeSignature(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (!isMapping(value)) return incompatible(`cannot unmarshal ${goTypeName(value)} into *pipeline.Signature`);
  return {
    algorithm: toGoString(value["algorithm"]),
    signed_fields: toGoStrings(value["signed_fields"]) ?? null,
    value: toGoString(value["value"]),
  };
}

/**
 * A command step in upload form (go-pipeline `CommandStep` marshalled): `commands`/`command`
 * joined with `\n` into `command` (always present), `name` → `label`, `id`/`identifier` →
 * `key`, `env` values as strings, plugins as {@link PipelinePlugin}s, matrix normalised,
 * everything else kept; keys sorted as Go's encoder writes them.
 *
 * @throws StepDecodeError when a field has a type the step cannot hold.
 */
export function decodeCommandStep(input: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...input };
  const commands = take(rest, "commands", "command");
  // With both keys present, `command` is still decoded (into a field that is then overwritten).
  const shadowed = take(rest, "command");
  if (shadowed.found) toGoString(shadowed.value);
  const key = toGoString(take(rest, "key", "id", "identifier").value);
  const label = toGoString(take(rest, "label", "name").value);
  let plugins: PipelinePlugin[] | undefined;
  const rawPlugins = take(rest, "plugins");
  try {
    plugins = readPlugins(rawPlugins.value);
  } catch (error) {
    throw new StepDecodeError((error as Error).message);
  }
  const env = toGoStringMap(take(rest, "env").value);
  const signature = decodeSignature(take(rest, "signature").value);
  const matrix = decodeMatrix(take(rest, "matrix").value);

  const out: Record<string, unknown> = { ...rest };
  out["command"] = (toGoStrings(commands.value) ?? []).join("\n");
  if (key !== "") out["key"] = key;
  if (label !== "") out["label"] = label;
  if (plugins?.length) out["plugins"] = plugins;
  if (env && Object.keys(env).length > 0) out["env"] = sortedKeys(env);
  if (signature !== undefined) out["signature"] = signature;
  if (matrix !== undefined) out["matrix"] = matrix;
  return sortedKeys(out);
}

/** @throws StepDecodeError */
function decodeGroupStep(input: Record<string, unknown>, path: string, warnings: PipelineWarning[]): Record<string, unknown> {
  const rest = { ...input };
  const key = toGoString(take(rest, "key", "id", "identifier").value);
  const group = take(rest, "group", "label", "name");
  const label = group.value === null || group.value === undefined ? null : toGoString(group.value);
  const steps = take(rest, "steps");
  const out: Record<string, unknown> = { ...rest };
  if (key !== "") out["key"] = key;
  out["group"] = label;
  out["steps"] = decodeSteps(steps.value, `${path}.steps`, warnings);
  return sortedKeys(out);
}

/**
 * The kind of step a mapping is (go-pipeline steps.go): by its `type` key when that is a
 * string (`script` is a command, `waiter` a wait, `manual` a block), else by the first of
 * its keys that names a kind (`command`/`commands`/`plugins`, `wait`/`waiter`,
 * `block`/`manual`, `input`, `trigger`, `group`, in that order). `undefined` for an unknown
 * `type` or when no key says. Block and input steps are one type upstream; they are told
 * apart here for the schema, which has a definition for each.
 */
export function inferStepKind(step: Readonly<Record<string, unknown>>): StepKind | undefined {
  const type = step["type"];
  if (typeof type === "string") return Object.hasOwn(STEP_TYPES, type) ? STEP_TYPES[type] : undefined;
  const has = (...keys: string[]) => keys.some((k) => Object.hasOwn(step, k));
  if (has("command", "commands", "plugins")) return "command";
  if (has("wait", "waiter")) return "wait";
  if (has("block", "manual")) return "block";
  if (has("input")) return "input";
  if (has("trigger")) return "trigger";
  if (has("group")) return "group";
  return undefined;
}

function stepKind(map: Record<string, unknown>): { kind?: StepKind; warning?: Omit<PipelineWarning, "path"> } {
  const type = map["type"];
  if (Object.hasOwn(map, "type") && typeof type !== "string") {
    throw new StepDecodeError(`unmarshaling step: step's \`type\` key was ${goTypeName(type)} (value ${String(type)}), want string`);
  }
  const kind = inferStepKind(map);
  if (kind !== undefined) return { kind };
  if (typeof type === "string") return { warning: { code: "ErrUnknownStepType", message: `unknown step type "${type}"` } };
  return {
    warning: { code: "ErrStepTypeInference", message: `cannot infer step type: need one of [${INFERRABLE_KEYS.join(" ")}]` },
  };
}

function keepAsWritten<T extends object>(step: T): T {
  unknownSteps.add(step);
  return step;
}

/**
 * One step as go-pipeline decodes it. Warnings are appended to `warnings`.
 *
 * @throws StepDecodeError for a step that is neither a string nor a mapping (or whose
 * `type` is not a string).
 */
export function decodeStep(raw: unknown, path: string, warnings: PipelineWarning[]): PipelineStep {
  if (typeof raw === "string") {
    if (!SCALAR_STEPS.includes(raw)) {
      warnings.push({
        code: "ErrUnknownStepType",
        path,
        message: `unknown step type "${raw}", want one of [${SCALAR_STEPS.join(" ")}]`,
      });
    }
    return raw;
  }
  if (!isMapping(raw)) throw new StepDecodeError(`unmarshaling step: unsupported type ${goTypeName(raw)}`);
  const { kind, warning } = stepKind(raw);
  if (kind === undefined) {
    warnings.push({ ...warning!, path });
    return keepAsWritten({ ...raw });
  }
  const nested: PipelineWarning[] = [];
  try {
    let step: Record<string, unknown>;
    if (kind === "command") step = decodeCommandStep(raw);
    else if (kind === "group") step = decodeGroupStep(raw, path, nested);
    // Wait, input and trigger steps keep every key (their `Contents` map).
    else step = sortedKeys({ ...raw });
    warnings.push(...nested);
    return step;
  } catch (error) {
    if (!(error instanceof StepDecodeError)) throw error;
    warnings.push({
      code: error.incompatibleTypes ? "ErrIncompatibleTypes" : "StepFallback",
      path,
      message: `fell back using unknown type of step due to an unmarshaling error: ${error.message}`,
    });
    return keepAsWritten({ ...raw });
  }
}

/**
 * A `steps` list (go-pipeline `Steps`): `null` gives `[]`.
 *
 * @throws StepDecodeError when it is not a list, or for a step {@link decodeStep} rejects.
 */
export function decodeSteps(value: unknown, path: string, warnings: PipelineWarning[]): PipelineStep[] {
  if (value === null || value === undefined) return [];
  // Upstream prints the type of its failed conversion, which is always []interface {}.
  if (!Array.isArray(value)) throw new StepDecodeError("unmarshaling steps: got []interface {}, want a slice ([]any)");
  return value.map((step, i) => decodeStep(step, `${path}[${i}]`, warnings));
}
