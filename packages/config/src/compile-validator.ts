import { createRequire } from "node:module";
import type { Ajv, Options, ValidateFunction } from "ajv";
import type { JsonSchema } from "./schema.js";

/**
 * The ajv options every constraint validator is compiled with, at run time here
 * and at build time by `validators-module.ts`: both must match for the
 * precompiled validators to answer exactly as run-time ones would.
 */
export const VALIDATOR_OPTIONS = Object.freeze({ allErrors: true, strict: true }) satisfies Options;

let ajv: Ajv | undefined;

/**
 * Compiles a constraint schema with ajv at run time: the fallback for a command
 * whose schema was not precompiled (an embedder's own command, or `src/` run
 * before a build). ajv is loaded here, on first use, and synchronously (its CJS
 * build) because loading it costs ~30 ms and `loadConfig` is synchronous.
 */
export function compileValidator(schema: JsonSchema): ValidateFunction {
  if (!ajv) {
    const { Ajv: AjvClass } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
    ajv = new AjvClass({ ...VALIDATOR_OPTIONS });
  }
  return ajv.compile(schema);
}
