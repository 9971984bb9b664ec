import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ValidateFunction } from "ajv";
import { VALIDATOR_OPTIONS } from "./compile-validator.js";
import type { JsonSchema } from "./schema.js";

/**
 * The key of a constraint schema's precompiled validator: its JSON text. Keying
 * on the schema rather than the command's words means an embedder's command
 * that shares a built-in command's words but not its settings never gets the
 * wrong validator, and a build older than the definitions is never trusted.
 */
export function validatorKey(schema: JsonSchema): string {
  return JSON.stringify(schema);
}

/**
 * Reads a module written by `validatorsModuleCode` and returns its validators by
 * `validatorKey`. A missing file, or one built with other ajv options, gives an
 * empty map: every command then falls back to compiling at run time.
 */
export function loadPrecompiledValidators(file: URL): ReadonlyMap<string, ValidateFunction> {
  if (!existsSync(file)) return new Map();
  const loaded = createRequire(import.meta.url)(fileURLToPath(file)) as {
    readonly keys: readonly string[];
    readonly options: string;
    readonly [name: string]: unknown;
  };
  if (loaded.options !== JSON.stringify(VALIDATOR_OPTIONS)) return new Map();
  return new Map(loaded.keys.map((key, index) => [key, loaded[`v${index}`] as ValidateFunction]));
}

// The path resolves to dist/validators.cjs both from dist/ (the built package)
// and from src/ (jest runs the sources), so the tests judge the validators that
// ship whenever the package has been built; see `validatorKey` for staleness.
const BUILT_VALIDATORS = new URL("../dist/validators.cjs", import.meta.url);
let builtValidators: ReadonlyMap<string, ValidateFunction> | undefined;

/**
 * The validator the build precompiled for this constraint schema, if any. The
 * built module is loaded on first use rather than at import, so importing the
 * package (for `--help`, or only for the definitions) stays cheap.
 */
export function precompiledValidator(schema: JsonSchema): ValidateFunction | undefined {
  builtValidators ??= loadPrecompiledValidators(BUILT_VALIDATORS);
  return builtValidators.get(validatorKey(schema));
}
