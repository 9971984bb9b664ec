import { PipelineError } from "./errors.js";
import { transformAny } from "./interpolate-pipeline.js";
import { isMapping, setKey, sortedKeys } from "./object-keys.js";

/**
 * One combination of a matrix: dimension name → value. The anonymous dimension (a matrix
 * written as a plain list) is the name `""`.
 */
export type MatrixPermutation = Readonly<Record<string, string>>;

// go-pipeline interpolate_matrix.go: `{{matrix}}` or `{{ matrix.name }}`, any whitespace.
const MATRIX_TOKEN = /\{\{\s*matrix(\.[\w.-]+)?\s*\}\}/g;

/**
 * Replaces `{{matrix}}` / `{{matrix.NAME}}` tokens in `text` with the permutation's values.
 *
 * @throws PipelineError `PIPELINE_MATRIX` (`unknown matrix tokens in input: matrix.x`) when a
 * token names a dimension the permutation does not have (named vs anonymous included).
 */
export function interpolateMatrixTokens(text: string, permutation: MatrixPermutation): string {
  const unknown: string[] = [];
  const out = text.replace(MATRIX_TOKEN, (_token, dim: string | undefined) => {
    const name = dim === undefined ? "" : dim.slice(1);
    if (!Object.hasOwn(permutation, name)) {
      unknown.push(`matrix${dim ?? ""}`);
      return "";
    }
    return permutation[name]!;
  });
  if (unknown.length > 0) throw new PipelineError("PIPELINE_MATRIX", `unknown matrix tokens in input: ${unknown.join(", ")}`);
  return out;
}

/** {@link interpolateMatrixTokens} on every string (and map key) inside `value`; other scalars are kept. */
export function interpolateMatrixValue(value: unknown, permutation: MatrixPermutation): unknown {
  return transformAny(value, (s) => interpolateMatrixTokens(s, permutation));
}

interface NormalMatrix {
  setup: Record<string, string[]>;
  adjustments: { with: Record<string, string>; skip: unknown }[];
}

/** Reads a matrix in upload form (bare list, or `{setup, adjustments}` with lists or maps). */
function normalMatrix(matrix: unknown): NormalMatrix | undefined {
  if (matrix === null || matrix === undefined) return undefined;
  const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  if (Array.isArray(matrix)) return { setup: { "": strings(matrix) }, adjustments: [] };
  if (!isMapping(matrix)) return { setup: {}, adjustments: [] };
  const setupRaw = matrix["setup"];
  const setup: Record<string, string[]> = {};
  if (Array.isArray(setupRaw)) setup[""] = strings(setupRaw);
  else if (isMapping(setupRaw)) for (const [dim, values] of Object.entries(setupRaw)) setKey(setup, dim, strings(values));
  const adjustments = (Array.isArray(matrix["adjustments"]) ? matrix["adjustments"] : []).map((adj: unknown) => {
    const a = isMapping(adj) ? adj : {};
    const w = a["with"];
    const withMap: Record<string, string> = {};
    if (isMapping(w)) for (const [k, v] of Object.entries(w)) setKey(withMap, k, String(v));
    else if (w !== null && w !== undefined) withMap[""] = String(w);
    return { with: withMap, skip: a["skip"] };
  });
  return { setup, adjustments };
}

function matrixError(message: string): never {
  throw new PipelineError("PIPELINE_MATRIX", message);
}

/**
 * Checks that `permutation` is a combination `matrix` allows (go-pipeline
 * `validatePermutation`): one value per setup dimension, each in the setup, or a
 * combination an adjustment adds; not one an adjustment skips. A missing matrix allows only
 * the empty permutation.
 *
 * @throws PipelineError `PIPELINE_MATRIX` with upstream's message, e.g. `permutation is
 * skipped by adjustment` or `permutation has wrong length: 2 != 1`.
 */
export function validateMatrixPermutation(matrix: unknown, permutation: MatrixPermutation): void {
  const m = normalMatrix(matrix);
  const dims = Object.keys(permutation);
  if (!m) {
    if (dims.length > 0) matrixError("non-empty permutation but matrix is nil");
    return;
  }
  const setupDims = Object.keys(m.setup);
  if (dims.length !== setupDims.length) matrixError(`permutation has wrong length: ${dims.length} != ${setupDims.length}`);
  for (const dim of dims) if (!Object.hasOwn(m.setup, dim)) matrixError(`permutation has unknown dimension: "${dim}"`);
  let valid = dims.every((dim) => m.setup[dim]!.includes(permutation[dim]!));
  for (const adj of m.adjustments) {
    const withDims = Object.keys(adj.with);
    if (withDims.length !== setupDims.length) matrixError(`adjustment has wrong length: ${withDims.length} != ${setupDims.length}`);
    for (const dim of withDims) if (!Object.hasOwn(m.setup, dim)) matrixError(`adjustment has unknown dimension: "${dim}"`);
    if (!dims.every((dim) => adj.with[dim] === permutation[dim])) continue;
    const skip = adj.skip;
    if (skip === true || (skip !== false && skip !== null && skip !== undefined)) matrixError("permutation is skipped by adjustment");
    valid = true;
  }
  if (!valid) matrixError("permutation is neither a valid matrix combination nor an adjustment");
}

const MATRIX_FIELDS = new Set(["command", "label", "plugins", "secrets", "cache", "checkout"]);
const NOT_MATRIX_FIELDS = new Set(["key", "matrix", "signature"]);

/**
 * Applies a matrix permutation to a command step in upload form, as the agent does before
 * running a matrix job (go-pipeline `InterpolateMatrixPermutation`): validates it against
 * the step's `matrix`, then replaces tokens in the command, label, plugins (sources and
 * config), secrets, cache, checkout, env values (not names) and other fields; `key`,
 * `matrix` and `signature` are left alone. Returns a new step.
 *
 * @throws PipelineError `PIPELINE_MATRIX` (see {@link validateMatrixPermutation} and
 * {@link interpolateMatrixTokens}).
 */
export function interpolateStepMatrix(step: Readonly<Record<string, unknown>>, permutation: MatrixPermutation): Record<string, unknown> {
  validateMatrixPermutation(step["matrix"], permutation);
  if (Object.keys(permutation).length === 0) return { ...step };
  const tf = (s: string) => interpolateMatrixTokens(s, permutation);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(step)) {
    if (NOT_MATRIX_FIELDS.has(k)) setKey(out, k, v);
    else if (k === "env" && isMapping(v)) {
      const env: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(v)) setKey(env, name, transformAny(value, tf));
      out[k] = env;
    } else if (MATRIX_FIELDS.has(k)) setKey(out, k, transformAny(v, tf));
    else setKey(out, tf(k), transformAny(v, tf));
  }
  return sortedKeys(out);
}
